import { pathToFileURL } from "node:url";
import { BUILTIN_RULES } from "./rules_builtin.ts";
import { SQL_RULE } from "./sql.ts";
import type { Finding, ScanReport, Severity } from "./types.ts";

/** A SARIF 2.1.0 log (the parts `br` writes). */
export interface SarifLog {
  /** Schema URI. */
  $schema: string;
  /** Always `2.1.0`. */
  version: "2.1.0";
  /** One run. */
  runs: Record<string, unknown>[];
}

const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

function uriOf(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}

/**
 * Renders a report as SARIF 2.1.0: one result per finding with `ruleId`, the repo-relative
 * `artifactLocation.uri` (base `%SRCROOT%`), `region.startLine/startColumn` and
 * `partialFingerprints["br/v1"]`. Masked secrets only.
 */
export function toSarif(
  report: ScanReport,
  options: { version?: string; root?: string } = {},
): SarifLog {
  const descriptions = new Map<string, string>(
    BUILTIN_RULES.map((r) => [r.id, r.description ?? r.id]),
  );
  descriptions.set(SQL_RULE, "SQL built from strings passed to a query call");
  const ruleIds = [...new Set(report.findings.map((f) => f.rule))].sort();
  const index = new Map(ruleIds.map((id, i) => [id, i]));
  const baselined = new Set(report.findings.map((f) => f.fingerprint));
  for (const f of report.new_findings) baselined.delete(f.fingerprint);
  const result = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: LEVEL[f.severity],
    message: {
      text: f.kind === "secret"
        ? `${f.message}: ${f.secret_masked}`
        : `${f.message}. Fix: ${f.fix}`,
    },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: uriOf(f.file), uriBaseId: "%SRCROOT%" },
        region: { startLine: f.line, startColumn: f.column },
      },
    }],
    partialFingerprints: { "br/v1": f.fingerprint },
    baselineState: baselined.has(f.fingerprint) ? "unchanged" : "new",
    properties: { severity: f.severity, kind: f.kind, ...(f.commit ? { commit: f.commit } : {}) },
  });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "br",
          version: options.version ?? "0.0.0",
          rules: ruleIds.map((id) => ({
            id,
            shortDescription: { text: descriptions.get(id) ?? id },
          })),
        },
      },
      ...(options.root
        ? { originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(options.root + "/").href } } }
        : {}),
      results: report.findings.map(result),
    }],
  };
}
