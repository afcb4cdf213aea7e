import type { StagedIndex } from "../core/git_index.ts";
import type { Project } from "../core/project.ts";

// The scanner's modules load while the hook reads governance.yaml and the index (see
// runHook), instead of before anything can start.
let scanner: Promise<typeof import("../security/scan.ts")> | null = null;

/** Starts loading the security scanner (idempotent). */
export function preloadSecurity(): void {
  scanner ??= import("../security/scan.ts");
  scanner.catch(() => {}); // a load failure is reported by stagedSecurityCheck
}

/**
 * Secrets and SQL injection in staged files (read through `index`): one masked line per new
 * finding.
 */
export async function stagedSecurityCheck(
  project: Project,
  index: StagedIndex,
): Promise<string[]> {
  preloadSecurity();
  const { securityCheckOf } = await scanner!;
  const report = await securityCheckOf(project, index);
  return report.new_findings.map((f) => {
    const what = f.secret_masked ? `${f.rule} ${f.secret_masked}` : `${f.rule}: ${f.message}`;
    return `${f.file}:${f.line}:${f.column} ${what}${f.fix ? ` (fix: ${f.fix})` : ""}`;
  });
}
