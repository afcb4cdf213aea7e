import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { assertValidGraph } from "../features/graph.ts";
import { loadFeatures } from "../features/registry.ts";
import { type Analysis, analysisReads, analyzeTree } from "./_analysis.ts";
import { listFiles } from "./_files.ts";
import { analysisCacheLocation } from "./_analysis_cache.ts";
import { qualitySettings } from "./_settings.ts";
import { analyzeGaps } from "./gaps.ts";
import { loadGovernance, verifyGovernance } from "./governance.ts";
import { checkGuard } from "./guard.ts";
import { checkQuality } from "./quality.ts";
import { maskedExcerpt, newSecurityFindings, securityGate } from "./_security.ts";
import { checkSpecLock } from "./spec_lock.ts";
import { ALL_GATES } from "./model.ts";

/** The outcome of one gate. */
export interface GateResult {
  /** Gate name. */
  gate: string;
  /** True when it passed. */
  passed: boolean;
  /** One-line summary. */
  summary: string;
  /** Figures (problems, findings, score...). */
  counts: Record<string, number>;
  /**
   * What makes a failed gate fail, one line each, most severe first: `file:line kind: text`
   * (secrets masked). Only security, gaps and guard list theirs.
   */
  items?: string[];
  /** How long it took. */
  duration_ms: number;
}

/** The result of {@link runGates}. */
export interface GateReport {
  /** True when every gate passed. */
  passed: boolean;
  /** One result per gate, in run order. */
  gates: GateResult[];
}

/** Options of {@link runGates}. */
export interface RunGatesOptions {
  /** Gates to run (default: the `quality.gates` setting). */
  gates?: string[];
  /** Tree to check (default: the project root; a worktree in parallel runs). */
  cwd?: string;
  /** Overrides `quality.threshold` for the quality gate. */
  threshold?: number;
  /**
   * Emit no event (a comparison run on another tree, such as the base a parallel task is
   * judged against).
   */
  quiet?: boolean;
}

type GateFn = () => Promise<Omit<GateResult, "gate" | "duration_ms">>;

/**
 * Runs the configured gates once each (the source tree is analyzed once for gaps, quality
 * and guard), emits `gate.passed` / `gate.failed` for each, and returns one report. Used by
 * `br validate`, the pre-push hook, MCP `br_validate` and `br parallel`.
 *
 * @throws {BrError} `usage` for an unknown gate name.
 */
export async function runGates(
  project: Project,
  options: RunGatesOptions = {},
): Promise<GateReport> {
  const settings = await qualitySettings(project);
  const names = options.gates ?? settings.gates;
  for (const n of names) {
    if (!ALL_GATES.includes(n)) {
      throw new BrError("usage", `Unknown gate "${n}"`, { hint: `gates: ${ALL_GATES.join(", ")}` });
    }
  }
  const ordered = ALL_GATES.filter((g) => names.includes(g));
  const root = options.cwd ?? project.root;
  const analyzed = ordered.some((g) => g === "gaps" || g === "quality" || g === "guard");
  // git lists the tree's files while the gates before the analysis run.
  const files = analyzed ? listFiles(root) : undefined;
  files?.catch(() => {}); // (its failure is the analysis's, when it awaits it)
  // The security gate runs first: the source files it reads and hashes are handed on to the
  // analysis, which neither reads nor hashes them again.
  const reads = analyzed && ordered.includes("security") ? analysisReads() : undefined;
  let analysis: Promise<Analysis> | null = null;
  const tree = () =>
    analysis ??= analyzeTree(root, {
      cache: analysisCacheLocation(root, project.env),
      files,
      reads,
    });
  // One scan serves the security gate and the quality score's security dimension; it emits
  // security.finding events only when the security gate is part of the run.
  let scan: ReturnType<typeof newSecurityFindings> | null = null;
  const findings = () =>
    scan ??= newSecurityFindings(
      project,
      root,
      !options.quiet && ordered.includes("security"),
      reads,
    );

  const gates: Record<string, GateFn> = {
    features: async () => {
      const file = await loadFeatures(project);
      assertValidGraph(file.features, "features.json");
      return {
        passed: true,
        summary: `${file.features.length} features, valid`,
        counts: { features: file.features.length },
      };
    },
    governance: async () => {
      const v = await verifyGovernance(project);
      return {
        passed: v.passed,
        summary: !v.present ? "no governance.yaml" : v.passed ? "checksum ok" : v.problems[0],
        counts: { problems: v.problems.length },
      };
    },
    spec: async () => {
      const s = await checkSpecLock(project);
      return {
        passed: s.passed,
        summary: !s.present
          ? "no PROJECT_SPEC.md"
          : s.problem ?? (s.locked ? "locked, unchanged" : "not locked"),
        counts: { problems: s.passed ? 0 : 1 },
      };
    },
    security: () => securityGate(findings()),
    gaps: async () => {
      const r = await analyzeGaps(project, { cwd: root, analysis: await tree() });
      return {
        passed: r.counts.high === 0,
        summary: `${r.counts.high} high, ${r.counts.medium} medium, ${r.counts.low} low`,
        counts: { high: r.counts.high, medium: r.counts.medium, low: r.counts.low },
        // The high ones block; their text may quote the code (a TODO line), so it is masked.
        items: r.gaps.filter((g) => g.severity === "high").map((g) =>
          `${place(g.file, g.line)}${g.kind}: ${maskedExcerpt(g.message, g.file ?? "")}`
        ),
      };
    },
    quality: async () => {
      const r = await checkQuality(project, {
        cwd: root,
        analysis: await tree(),
        threshold: options.threshold,
        security: (await findings()).map((f) => ({ file: f.file, line: f.line, rule: f.rule })),
      });
      return {
        passed: r.passed,
        summary: `score ${r.score} (threshold ${r.threshold})`,
        counts: { score: r.score, threshold: r.threshold, findings: r.findings.length },
      };
    },
    guard: async () => {
      const gov = await loadGovernance(project);
      const r = await checkGuard(project, {
        cwd: root,
        governance: gov,
        analysis: tree,
      });
      return {
        passed: r.passed,
        summary: r.rules === 0
          ? "no architecture rules"
          : `${r.violations.length} violations of ${r.rules} rules`,
        counts: { rules: r.rules, violations: r.violations.length },
        items: r.violations.map((v) => `${place(v.file, v.line)}${v.rule}: ${v.message}`),
      };
    },
  };

  const results: GateResult[] = [];
  for (const gate of ordered) {
    const start = performance.now();
    let out: Omit<GateResult, "gate" | "duration_ms">;
    try {
      out = await gates[gate]();
    } catch (err) {
      if (!(err instanceof BrError)) throw err;
      out = { passed: false, summary: err.message, counts: { errors: 1 } };
    }
    const duration_ms = Math.round(performance.now() - start);
    const result = { gate, ...out, duration_ms };
    results.push(result);
    if (options.quiet) continue;
    project.bus.emit(result.passed ? "gate.passed" : "gate.failed", {
      gate,
      counts: result.counts,
      duration_ms,
    });
  }
  return { passed: results.every((r) => r.passed), gates: results };
}

/** `file:line ` (or `file `, or nothing) before an item. */
function place(file: string | null, line: number | null): string {
  return file ? `${file}${line ? `:${line}` : ""} ` : "";
}
