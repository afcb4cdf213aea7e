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
import { securityBaselinePath, writeSecurityBaseline } from "./baseline.ts";
import { scanPaths, type SecurityScanOptions } from "./scan.ts";

export {
  readSecurityBaseline,
  SECURITY_BASELINE_FILE,
  type SecurityBaseline,
  securityBaselinePath,
} from "./baseline.ts";
export {
  maskSecret,
  maskSecretsIn,
  scanSecrets,
  secretFingerprint,
  shannonEntropy,
} from "./engine.ts";
export { type TranslatedRegex, translateRe2 } from "./re2.ts";
export {
  builtinSecretRules,
  compileSecretRule,
  compileSecretRules,
  loadSecretRules,
  readSecretRulesFile,
  type SecretRulesFile,
} from "./rules.ts";
export { BUILTIN_SECRET_RULES } from "./rules_builtin.ts";
export { scanReportToSarif, type SecuritySarifLog } from "./sarif.ts";
export {
  scanHistory,
  scanPaths,
  scanStaged,
  securityCheck,
  type SecurityScanOptions,
  type SourceMasker,
  sourceMasker,
} from "./scan.ts";
export { scanSql, SQL_INJECTION_RULE } from "./sql.ts";
export type {
  ScanReport,
  ScanSkipped,
  SecretAllowlist,
  SecretAllowlistSpec,
  SecretRule,
  SecretRuleSet,
  SecretRuleSpec,
  SecurityFinding,
  SecurityFindingKind,
  SecuritySeverity,
} from "./types.ts";

/** What {@link updateSecurityBaseline} did. */
export interface SecurityBaselineResult {
  /** Path of the baseline file. */
  path: string;
  /** Number of fingerprints written. */
  count: number;
}

/**
 * Accepts every current finding: scans `paths` (default: the whole project) and writes their
 * fingerprints to `.buildrunner/security-baseline.json`, under the project lock.
 *
 * @throws {BrError} like {@link scanPaths}; `storage` when the file cannot be written.
 */
export async function updateSecurityBaseline(
  project: Project,
  paths: readonly string[] = [],
  opts: SecurityScanOptions = {},
): Promise<SecurityBaselineResult> {
  const report = await scanPaths(project, paths, { ...opts, baseline: false, emit: false });
  const n = await project.withLock(() =>
    writeSecurityBaseline(project, report.findings.map((f) => f.fingerprint))
  );
  return { path: securityBaselinePath(project), count: n };
}
