/** The one SARIF 2.1.0 writer of br: security scans and gap analysis use it. */

/** A SARIF 2.1.0 log (the parts `br` writes). */
export interface SarifLog {
  /** Schema URI. */
  $schema: string;
  /** Always `2.1.0`. */
  version: "2.1.0";
  /** One run: the tool and its rules, the results. */
  runs: ({ results: Record<string, unknown>[] } & Record<string, unknown>)[];
}
/** A SARIF result level. */
export type SarifLevel = "error" | "warning" | "note";

/** One finding of a {@link sarifLog}. */
export interface SarifResult {
  /** The rule it breaks (one of the log's rules). */
  ruleId: string;
  /** How bad it is. */
  level: SarifLevel;
  /** What is wrong, on one line. */
  message: string;
  /** The file, relative to the project root (`/` separators). */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known (with a line). */
  column?: number;
  /** A fingerprint stable across runs (`partialFingerprints[<fingerprintKey>]`). */
  fingerprint?: string;
  /** Against the baseline: `new`, or `unchanged` (accepted). */
  baselineState?: "new" | "unchanged";
  /** Extra properties (severity, kind, ...). */
  properties?: Record<string, unknown>;
}

/** What a {@link sarifLog} describes: the tool, its rules and its results. */
export interface SarifRun {
  /** Tool name (`br`, `br-gaps`). */
  tool: string;
  /** Tool version. */
  version: string;
  /**
   * The rules, in the order `ruleIndex` counts: id and one-line description, and what GitHub
   * code scanning shows of a rule: a full description, help (text, and Markdown when given) and
   * properties (`tags`, `security-severity`).
   */
  rules: {
    id: string;
    description: string;
    fullDescription?: string;
    help?: { text: string; markdown?: string };
    properties?: Record<string, unknown>;
  }[];
  /** The results. */
  results: SarifResult[];
  /** The project root, as `%SRCROOT%` (file URIs are relative to it). */
  root?: string;
  /** The key of the results' `partialFingerprints` (default `br/v1`). */
  fingerprintKey?: string;
}

/**
 * The one SARIF 2.1.0 writer of br (security scan, gap analysis): one run, file URIs
 * relative to `%SRCROOT%` and percent-encoded, `ruleIndex` into the rules given.
 */
export function sarifLog(run: SarifRun): SarifLog {
  const index = new Map(run.rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: run.tool,
          informationUri: "https://github.com/buildrunner/br",
          version: run.version,
          rules: run.rules.map((r) => ({
            id: r.id,
            name: r.id,
            shortDescription: { text: r.description },
            fullDescription: { text: r.fullDescription ?? r.description },
            help: r.help ?? { text: r.fullDescription ?? r.description },
            ...(r.properties ? { properties: r.properties } : {}),
          })),
        },
      },
      ...(run.root ? { originalUriBaseIds: { "%SRCROOT%": { uri: dirUrl(run.root) } } } : {}),
      results: run.results.map((r) => ({
        ruleId: r.ruleId,
        ruleIndex: index.get(r.ruleId)!,
        level: r.level,
        message: { text: r.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: uriOf(r.file), uriBaseId: "%SRCROOT%" },
            ...(r.line
              ? { region: { startLine: r.line, ...(r.column ? { startColumn: r.column } : {}) } }
              : {}),
          },
        }],
        ...(r.fingerprint
          ? { partialFingerprints: { [run.fingerprintKey ?? "br/v1"]: r.fingerprint } }
          : {}),
        ...(r.baselineState ? { baselineState: r.baselineState } : {}),
        ...(r.properties ? { properties: r.properties } : {}),
      })),
    }],
  };
}

// file:// URL of a folder (node:url costs start-up time the hook path cannot spare)
function dirUrl(dir: string): string {
  const url = new URL("file:///");
  const path = dir.replaceAll("\\", "/");
  url.pathname = (path.startsWith("/") ? path : "/" + path) + (path.endsWith("/") ? "" : "/");
  return url.href;
}

function uriOf(file: string): string {
  return file.split("/").map(encodeURIComponent).join("/");
}
