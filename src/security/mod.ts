/**
 * Secret and SQL-injection scanning: gitleaks-format rules (RE2 translated to JavaScript),
 * built-in rules for the major providers, content fingerprints, a baseline of accepted
 * findings, and text, JSON and SARIF 2.1.0 reports. The raw secret never leaves the scanner:
 * findings carry a masked value and `<rule>:<sha256 of the secret>`.
 *
 * @example
 * ```ts
 * import { openProject } from "../core/project.ts";
 * import { scanPaths } from "./mod.ts";
 *
 * const project = await openProject();
 * const report = await scanPaths(project, ["src"]);
 * for (const f of report.new_findings) console.log(f.file, f.line, f.rule, f.secret_masked);
 * await project.close();
 * ```
 *
 * @module
 */
import type { Project } from "../core/project.ts";
import { baselinePath, writeBaseline } from "./baseline.ts";
import { type ScanOptions, scanPaths } from "./scan.ts";

export { type Baseline, BASELINE_FILE, baselinePath, readBaseline } from "./baseline.ts";
export { fingerprintOf, maskSecret, scanSecrets, shannonEntropy } from "./engine.ts";
export { type TranslatedRegex, translateRe2 } from "./re2.ts";
export {
  builtinRuleSet,
  compileRule,
  compileRuleSet,
  loadRuleSet,
  readRulesFile,
  type RulesFile,
} from "./rules.ts";
export { BUILTIN_RULES } from "./rules_builtin.ts";
export { type SarifLog, toSarif } from "./sarif.ts";
export { scanHistory, type ScanOptions, scanPaths, scanStaged, securityCheck } from "./scan.ts";
export { scanSql, SQL_RULE } from "./sql.ts";
export type {
  Allowlist,
  AllowlistSpec,
  Finding,
  FindingKind,
  Rule,
  RuleSet,
  RuleSpec,
  ScanReport,
  Severity,
  SkippedCounts,
} from "./types.ts";

/** What {@link updateBaseline} did. */
export interface BaselineResult {
  /** Path of the baseline file. */
  path: string;
  /** Number of fingerprints written. */
  fingerprints: number;
}

/**
 * Accepts every current finding: scans `paths` (default: the whole project) and writes their
 * fingerprints to `.buildrunner/security-baseline.json`, under the project lock.
 *
 * @throws {BrError} like {@link scanPaths}; `storage` when the file cannot be written.
 */
export async function updateBaseline(
  project: Project,
  paths: readonly string[] = [],
  opts: ScanOptions = {},
): Promise<BaselineResult> {
  const report = await scanPaths(project, paths, { ...opts, baseline: false, emit: false });
  const n = await project.withLock(() =>
    writeBaseline(project, report.findings.map((f) => f.fingerprint))
  );
  return { path: baselinePath(project), fingerprints: n };
}
