// Types and pure functions of the gates that cost nothing to load: the git hooks' fast
// path and the CLI import them without the analyzers.
import { sha256Hex } from "../core/hash.ts";
import { type SarifLog, sarifLog } from "../core/sarif.ts";

/** How bad a gap is. */
export type GapSeverity = "high" | "medium" | "low";

/** What kind of gap. */
export type GapKind =
  | "open_feature"
  | "missing_evidence"
  | "stub"
  | "todo"
  | "undeclared_dependency"
  | "import_cycle"
  | "spec_feature_missing"
  | "feature_not_in_spec"
  | "parse_error";

/** One gap. */
export interface Gap {
  /** How bad it is: high gaps fail `br gaps analyze` (exit 10). */
  severity: GapSeverity;
  /** What is missing (also the SARIF rule id). */
  kind: GapKind;
  /** One-line description. */
  message: string;
  /** File (relative, `/`), when it is about a place in the code. */
  file: string | null;
  /** Line, when known. */
  line: number | null;
  /** The feature it concerns, when any. */
  feature: string | null;
}

/** Counts of gaps by severity. */
export interface GapCounts {
  /** Gaps of severity high. */
  high: number;
  /** Gaps of severity medium. */
  medium: number;
  /** Gaps of severity low. */
  low: number;
  /** All gaps. */
  total: number;
}

/** The result of {@link analyzeGaps}. */
export interface GapReport {
  /** Gaps, high first, then by kind, file and line. */
  gaps: Gap[];
  /** Counts by severity. */
  counts: GapCounts;
  /** Source files analyzed. */
  files_analyzed: number;
}

/** Counts gaps by severity. */
export function countGaps(gaps: readonly Gap[]): GapCounts {
  const c = { high: 0, medium: 0, low: 0, total: gaps.length };
  for (const g of gaps) c[g.severity]++;
  return c;
}

/** Weights of the dimensions (they add up to 1). */
export const QUALITY_WEIGHTS = { structure: 0.35, security: 0.2, tests: 0.25, docs: 0.2 } as const;

/**
 * The coverage reports the quality score reads (relative to the tree's root), by format, in
 * the order they are looked for: the first with figures counts.
 */
export const COVERAGE_REPORTS = {
  lcov: ["coverage/lcov.info", "lcov.info", "coverage/lcov/lcov.info"],
  cobertura: ["coverage.xml", "coverage/cobertura-coverage.xml", "cobertura.xml"],
  json: [
    "coverage.json",
    "coverage/coverage.json",
    "coverage/coverage-summary.json",
    "coverage-summary.json",
  ],
} as const;

/** True when one of `gates` reads the analysis of the source tree (gaps, quality, guard). */
export function analyzesTree(gates: readonly string[]): boolean {
  return gates.some((g) => g === "gaps" || g === "quality" || g === "guard");
}

/** The gates `runGates` knows, in run order (a tuple, for the config schema's enum). */
export const GATE_NAMES = [
  "features",
  "governance",
  "spec",
  "security",
  "gaps",
  "quality",
  "guard",
] as const;

/** Every gate `runGates` knows, in run order. */
export const ALL_GATES: readonly string[] = GATE_NAMES;

/** What each kind of gap is and how to close it (SARIF `fullDescription` and `help`). */
const GAP_HELP: Record<GapKind, [string, string]> = {
  open_feature: [
    "A feature that is not done.",
    "Finish it, or change its status in features.json.",
  ],
  missing_evidence: [
    "A feature marked done that no test names.",
    "Write a test that names the feature id, or list its evidence in features.json.",
  ],
  stub: [
    "A function whose body is a placeholder (a throw of not implemented, pass, an empty body).",
    "Implement it, or remove it.",
  ],
  todo: ["A TODO or FIXME comment.", "Do what it says, or remove it."],
  undeclared_dependency: [
    "A package imported but not declared in the project's manifest.",
    "Declare it (package.json, deno.json, requirements.txt or pyproject.toml), or remove the import.",
  ],
  import_cycle: [
    "Modules that import each other in a cycle.",
    "Break the cycle: move what both need into a third module.",
  ],
  spec_feature_missing: [
    "A feature of PROJECT_SPEC.md that features.json does not have.",
    "Add it to features.json (br feature add), or remove it from the spec.",
  ],
  feature_not_in_spec: [
    "A feature of features.json that PROJECT_SPEC.md does not describe.",
    "Describe it in the spec, or remove it.",
  ],
  parse_error: ["A source file the analyzer cannot parse.", "Fix the syntax error."],
};

/**
 * Renders a gap report as SARIF 2.1.0 (one rule per gap kind) as GitHub code scanning takes it:
 * percent-encoded repo-relative URIs under `%SRCROOT%`, rules with `fullDescription` and
 * `help`, and a `partialFingerprints["br-gaps/v1"]` per result (kind, file and message; the
 * n-th repeat of the same gets `:n`), stable across line moves.
 */
export function gapsToSarif(report: GapReport, version: string): SarifLog {
  const kinds = [...new Set(report.gaps.map((g) => g.kind))].sort();
  const level = (s: GapSeverity) => s === "high" ? "error" : s === "medium" ? "warning" : "note";
  const seen = new Map<string, number>();
  const fingerprint = (g: Gap) => {
    const hash = sha256Hex(`${g.kind}\0${g.file ?? ""}\0${g.message}`);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return n === 1 ? hash : `${hash}:${n}`;
  };
  return sarifLog({
    tool: "br-gaps",
    version,
    fingerprintKey: "br-gaps/v1",
    rules: kinds.map((k) => ({
      id: k,
      description: k.replaceAll("_", " "),
      fullDescription: GAP_HELP[k]?.[0] ?? k,
      help: { text: GAP_HELP[k]?.[1] ?? k },
    })),
    results: report.gaps.map((g) => ({
      ruleId: g.kind,
      level: level(g.severity),
      message: g.message,
      file: g.file ?? ".buildrunner/features.json",
      line: g.line ?? undefined,
      fingerprint: fingerprint(g),
      properties: { severity: g.severity, feature: g.feature },
    })),
  });
}

/**
 * Renders a gap report as Markdown: a heading, the counts, then a table per severity (high,
 * medium, low; "None." for an empty one).
 */
export function gapsToMarkdown(report: GapReport): string {
  const cell = (s: string) => s.replace(/\r?\n|\r/g, " ").replaceAll("|", "\\|");
  const k = report.counts;
  const out = [
    "# Gap analysis",
    "",
    `${k.high} high, ${k.medium} medium, ${k.low} low gaps in ${report.files_analyzed} source files`,
  ];
  for (const severity of ["high", "medium", "low"] as const) {
    const gaps = report.gaps.filter((g) => g.severity === severity);
    out.push("", `## ${severity[0].toUpperCase()}${severity.slice(1)} (${gaps.length})`, "");
    if (gaps.length === 0) {
      out.push("None.");
      continue;
    }
    out.push("| Kind | Where | Feature | Message |", "| --- | --- | --- | --- |");
    for (const g of gaps) {
      const where = g.file ? `\`${cell(g.line ? `${g.file}:${g.line}` : g.file)}\`` : "";
      out.push(
        `| ${g.kind} | ${where} | ${g.feature ? `\`${g.feature}\`` : ""} | ${cell(g.message)} |`,
      );
    }
  }
  return out.join("\n") + "\n";
}
