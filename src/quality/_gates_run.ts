// The gates themselves: loaded by `runGates` (gates.ts) only when its memo cannot answer.
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { assertValidGraph } from "../features/graph.ts";
import { loadFeatures } from "../features/registry.ts";
import { type Analysis, analysisReads, analyzeTree } from "./_analysis.ts";
import { listFiles } from "./_files.ts";
import { analysisCacheLocation } from "./_analysis_cache.ts";
import { analyzeGaps } from "./gaps.ts";
import { loadGovernance, verifyGovernance } from "./governance.ts";
import { checkGuard } from "./guard.ts";
import { checkQuality } from "./quality.ts";
import { maskedExcerpt, newSecurityFindings, securityGate } from "./_security.ts";
import { checkSpecLock } from "./spec_lock.ts";
import type { GateResult, MemoFinding, RunGatesOptions } from "./gates.ts";
import { analyzesTree } from "./model.ts";

type GateFn = () => Promise<Omit<GateResult, "gate" | "duration_ms">>;

/** What a run of the gates found, and whether it may be kept (see _gate_memo.ts). */
export interface FreshRun {
  /** One result per gate, in run order. */
  gates: GateResult[];
  /** The new security findings the run reported with `security.finding` (none unasked). */
  findings: MemoFinding[];
  /** False when a result depends on more than the memo's inputs (a tool that failed to run). */
  keep: boolean;
}

/**
 * Runs the gates `ordered` (in that order, names checked) on the tree at `root`, each once
 * (the tree is analyzed once for gaps, quality and guard), emitting `gate.passed` /
 * `gate.failed` for each as it ends unless `options.quiet`. `files`: the tree's files, when
 * already listed.
 */
export async function runGatesFresh(
  project: Project,
  ordered: readonly string[],
  root: string,
  options: RunGatesOptions,
  files?: Promise<string[]>,
): Promise<FreshRun> {
  let keep = true;
  let reported: MemoFinding[] = [];
  const analyzed = analyzesTree(ordered);
  // git lists the tree's files while the gates before the analysis run.
  files = analyzed ? files ?? listFiles(root) : undefined;
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
    security: async () => {
      const found = await findings();
      reported = found.map((f) => ({
        rule: f.rule,
        file: f.file,
        line: f.line,
        fingerprint: f.fingerprint,
      }));
      return await securityGate(Promise.resolve(found));
    },
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
      // A tool that failed to run is not kept by the tools' cache: nor is a report with it.
      if (r.tools.ran.some((t) => t.status === "error")) keep = false;
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
  return { gates: results, findings: reported, keep };
}

/** `file:line ` (or `file `, or nothing) before an item. */
function place(file: string | null, line: number | null): string {
  return file ? `${file}${line ? `:${line}` : ""} ` : "";
}
