// `runGates`: the gates of `br validate`, the pre-push hook, MCP `br_validate` and
// `br parallel`. A run whose inputs are all unchanged since the last one is answered from the
// signed gate memo (_gate_memo.ts) without loading the gates' engines; any other run loads
// them (_gates_run.ts).
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { probeMemo } from "./_gate_memo.ts";
import { qualitySettings } from "./_settings.ts";
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
  /**
   * True when nothing the gates read changed since a run with the same gates and options:
   * that run's results, given again without running the gates.
   */
  reused?: boolean;
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

/** A new security finding as its `security.finding` event carries it (never the secret). */
export interface MemoFinding {
  /** Rule id. */
  rule: string;
  /** File (relative). */
  file: string;
  /** Line. */
  line: number;
  /** The fingerprint a baseline accepts. */
  fingerprint: string;
}

/**
 * Runs the configured gates once each (the source tree is analyzed once for gaps, quality
 * and guard), emits `gate.passed` / `gate.failed` for each, and returns one report. Used by
 * `br validate`, the pre-push hook, MCP `br_validate` and `br parallel`.
 *
 * When nothing a gate reads changed since a run with the same gates and options (the tree's
 * files, br's own files, the configuration, the tools: see _gate_memo.ts), that run's report
 * is given again, with the same events, without running the gates.
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
  const memo = await probeMemo<{ gates: GateResult[]; findings: MemoFinding[] }>(project, {
    kind: "gates",
    gates: ordered,
    root,
    threshold: options.threshold,
  });
  if (memo?.hit) {
    // Nothing ran: each gate took no time.
    const gates = memo.hit.gates.map((g) => ({ ...g, duration_ms: 0 }));
    if (!options.quiet) {
      for (const g of gates) {
        // The events of a run that computes the results, in the same order.
        if (g.gate === "security") {
          for (const f of memo.hit.findings) project.bus.emit("security.finding", { ...f });
        }
        project.bus.emit(g.passed ? "gate.passed" : "gate.failed", {
          gate: g.gate,
          counts: g.counts,
          duration_ms: g.duration_ms,
        });
      }
    }
    return { passed: gates.every((g) => g.passed), gates, reused: true };
  }
  const { runGatesFresh } = await import("./_gates_run.ts");
  const run = await runGatesFresh(project, ordered, root, options, memo?.files);
  if (run.keep) await memo?.save({ gates: run.gates, findings: run.findings });
  return { passed: run.gates.every((g) => g.passed), gates: run.gates };
}
