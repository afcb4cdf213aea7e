import type { Project } from "../core/project.ts";

/** The security gate (wired to the security capability once it is merged). */
export function securityGate(
  _project: Project,
  _root: string,
): Promise<{ passed: boolean; summary: string; counts: Record<string, number> }> {
  return Promise.resolve({ passed: true, summary: "security scanner not available", counts: {} });
}
