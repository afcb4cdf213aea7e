import type { Project } from "../core/project.ts";
import { securityCheck } from "../security/mod.ts";

/** Secrets and SQL injection in staged files: one masked line per new finding. */
export async function stagedSecurityCheck(project: Project): Promise<string[]> {
  const report = await securityCheck(project);
  return report.new_findings.map((f) => {
    const what = f.secret_masked ? `${f.rule} ${f.secret_masked}` : `${f.rule}: ${f.message}`;
    return `${f.file}:${f.line}:${f.column} ${what}${f.fix ? ` (fix: ${f.fix})` : ""}`;
  });
}
