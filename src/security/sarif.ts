import { type SarifLevel, type SarifLog, sarifLog } from "../core/sarif.ts";
import { SQL_INJECTION_RULE } from "./sql.ts";
import type { ScanReport, SecurityFinding, SecuritySeverity } from "./types.ts";

/** The SARIF log of `br security scan`. */
export type SecuritySarifLog = SarifLog;

const LEVEL: Record<SecuritySeverity, SarifLevel> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

/**
 * Renders a report as SARIF 2.1.0: one result per finding with `ruleId`, the repo-relative
 * `artifactLocation.uri` (base `%SRCROOT%`), `region.startLine/startColumn` and
 * `partialFingerprints["br/v1"]`. Masked secrets only.
 */
export function scanReportToSarif(
  report: ScanReport,
  options: { version?: string; root?: string } = {},
): SecuritySarifLog {
  // a secret finding's message is its rule's description (user rules included)
  const descriptions = new Map<string, string>();
  for (const f of report.findings) {
    if (f.kind === "secret" && !descriptions.has(f.rule)) descriptions.set(f.rule, f.message);
  }
  descriptions.set(SQL_INJECTION_RULE, "SQL built from strings passed to a query call");
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const baselined = new Set(report.findings.map((f) => f.fingerprint));
  for (const f of report.new_findings) baselined.delete(f.fingerprint);
  return sarifLog({
    tool: "br",
    version: options.version ?? "0.0.0",
    root: options.root,
    rules: ruleIds.map((id) => ({ id, description: descriptions.get(id) ?? id })),
    results: report.findings.map((f: SecurityFinding) => ({
      ruleId: f.rule,
      level: LEVEL[f.severity],
      message: f.kind === "secret"
        ? `${f.message}: ${f.secret_masked}`
        : `${f.message}. Fix: ${f.fix}`,
      file: f.file,
      line: f.line,
      column: f.column,
      fingerprint: f.fingerprint,
      baselineState: baselined.has(f.fingerprint) ? "unchanged" : "new",
      properties: {
        severity: f.severity,
        kind: f.kind,
        ...(f.commit ? { commit: f.commit } : {}),
      },
    })),
  });
}
