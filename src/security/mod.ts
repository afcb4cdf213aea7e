/**
 * Secret and SQL-injection scanning: gitleaks-format rules (RE2 translated to JavaScript),
 * built-in rules for the major providers, content fingerprints, a baseline of accepted
 * findings, and text, JSON and SARIF 2.1.0 reports. The raw secret never leaves the scanner:
 * findings carry a masked value and `<rule>:<sha256 of the secret>`.
 *
 * @example
 * ```ts
 * import { initProject, openProject } from "@buildrunner/br";
 * import { scanPaths } from "@buildrunner/br/security";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * await Deno.writeTextFile(`${dir}/config.ts`, `export const key = "AKIA${"Z2Q7".repeat(3)}7QHL";\n`);
 * const project = await openProject({ cwd: dir });
 * const report = await scanPaths(project, [`${dir}/config.ts`]);
 * assert.equal(report.new_findings[0].rule, "aws-access-key-id");
 * assert.ok(!report.new_findings[0].secret_masked?.includes("7QHL"));
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
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
  type SecretRulesOptions,
} from "./rules.ts";
export { BUILTIN_SECRET_RULES } from "./rules_builtin.ts";
export { findingJson, type SecurityFindingJson } from "./json.ts";
export { scanReportToSarif, type SecuritySarifLog } from "./sarif.ts";
export {
  type FileHandOff,
  type FindingsCache,
  type ScanFolder,
  scanHistory,
  scanPaths,
  scanStaged,
  type ScanTarget,
  type SecretRuleInfo,
  secretRulesInForce,
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
  SecretRequiredSpec,
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
