import { type SarifLevel, type SarifLog, sarifLog } from "../core/sarif.ts";
import { SQL_INJECTION_RULE } from "./sql.ts";
import type { ScanReport, SecurityFinding, SecuritySeverity } from "./types.ts";

/** The SARIF log of `br security scan`. */
export type SecuritySarifLog = SarifLog;

// GitHub code scanning reads a rule's severity from `security-severity` (a CVSS-like score)
const SECURITY_SEVERITY: Record<SecuritySeverity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};
const RANK: Record<SecuritySeverity, number> = { critical: 3, high: 2, medium: 1, low: 0 };

const SECRET_HELP = "A secret in the source: remove it, rotate it (it stays in the git history), " +
  "and read it from the environment or a secret store. A false positive: write br:allow on " +
  "its line, or accept it with br security baseline.";
const SQL_HELP = "SQL built from strings (template literals, concatenation, f-strings, % or " +
  ".format()) lets input change the query: pass the values as query parameters instead.";

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
  const severity = new Map<string, SecuritySeverity>();
  for (const f of report.findings) {
    const had = severity.get(f.rule);
    if (!had || RANK[f.severity] > RANK[had]) severity.set(f.rule, f.severity);
  }
  const baselined = new Set(report.findings.map((f) => f.fingerprint));
  for (const f of report.new_findings) baselined.delete(f.fingerprint);
  return sarifLog({
    tool: "br",
    version: options.version ?? "0.0.0",
    root: options.root,
    rules: ruleIds.map((id) => {
      const text = descriptions.get(id) ?? id;
      const help = id === SQL_INJECTION_RULE ? SQL_HELP : SECRET_HELP;
      return {
        id,
        description: text,
        fullDescription: id === SQL_INJECTION_RULE ? `${text} (SQL injection)` : `${text} (secret)`,
        help: { text: help, markdown: help.replace(/br(?::allow| security baseline)/g, "`$&`") },
        properties: {
          tags: ["security"],
          "security-severity": SECURITY_SEVERITY[severity.get(id) ?? "high"],
        },
      };
    }),
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
