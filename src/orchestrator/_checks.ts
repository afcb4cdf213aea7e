/**
 * What runs in a task worktree after its agent: the rule that a task branch never edits
 * `.buildrunner/` (only `br` changes status, on the base), then the project's test command.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { relative } from "node:path";
import { gitOk } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { type GateResult, runGates } from "../quality/mod.ts";
import { syncWithBase } from "./_merge.ts";
import { stopGroup } from "./_process.ts";
import type { TaskRow } from "./_repo.ts";
import type { ParallelSettings } from "./_settings.ts";

/** Result of one check. */
export interface CheckResult {
  /** Check name. */
  gate: string;
  /** Passed? */
  passed: boolean;
  /** One line. */
  summary: string;
  /** Duration, ms. */
  duration_ms: number;
}

/** Fails when the branch changes anything under `.buildrunner/` since `base`. */
export async function buildrunnerEditsCheck(worktree: string, base: string): Promise<CheckResult> {
  const t0 = performance.now();
  const changed = (await gitOk(["diff", "--name-only", `${base}...HEAD`, "--", ".buildrunner"], {
    cwd: worktree,
  })).split("\n").filter(Boolean);
  return {
    gate: "buildrunner-files",
    passed: changed.length === 0,
    summary: changed.length === 0
      ? "no change under .buildrunner/"
      : `the task branch edits ${changed.join(", ")} (only br changes .buildrunner/, on the base)`,
    duration_ms: Math.round(performance.now() - t0),
  };
}

/** Runs the project's test command (`sh -c`) in the worktree, output appended to `log`. */
export async function testCommandCheck(
  worktree: string,
  command: string,
  log: string,
  env: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<CheckResult> {
  const t0 = performance.now();
  await Deno.writeTextFile(log, `\nbr: running the test command: ${command}\n`, { append: true });
  const fd = openSync(log, "a");
  let child;
  try {
    child = spawn("sh", ["-c", command], {
      cwd: worktree,
      env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
    child.once("error", () => resolve({ code: 127, timedOut: false }));
    child.once("exit", (code: number | null) => resolve({ code, timedOut: false }));
    timer = setTimeout(() => {
      if (child.pid) stopGroup(child.pid, null, 2000);
      resolve({ code: null, timedOut: true });
    }, timeoutMs);
    // A stop ends the test command as quickly as an agent.
    const pid = child.pid;
    signal?.addEventListener("abort", () => {
      if (pid) stopGroup(pid, null, 500).then(() => resolve({ code: null, timedOut: false }));
    }, { once: true });
  });
  clearTimeout(timer);
  const passed = result.code === 0;
  return {
    gate: "tests",
    passed,
    summary: passed
      ? `"${command}" passed`
      : result.timedOut
      ? `"${command}" timed out`
      : `"${command}" failed with exit ${result.code}`,
    duration_ms: Math.round(performance.now() - t0),
  };
}

/** The note of a task ended by a stop (`br parallel resume` requeues those). */
export const STOPPED_NOTE = "stopped before it finished";

/** How a task (or one step of it) ended. */
export type Outcome =
  | { state: "agent_done" }
  | { state: "merged"; commit: string; note?: string | null }
  | { state: "review"; reason: string | null }
  | { state: "conflict"; files: string[]; reason: string }
  | { state: "failed"; reason: string; retry: boolean; environment?: boolean }
  | { state: "cancelled"; reason: string };

/**
 * Merges the base tip into the task branch, then runs the `.buildrunner/` rule, the
 * configured gates and (with `tests`) the project's test command in the worktree. Returns
 * the tip it checked against, notes (problems the base has too) and the checks passed, or the
 * outcome that ends the task.
 */
export async function syncAndCheck(
  project: Project,
  s: ParallelSettings,
  baseBranch: string,
  task: TaskRow,
  tests: boolean,
  signal?: AbortSignal,
): Promise<Outcome | { tip: string; notes: string[]; gates: string[] }> {
  const meta = { feature: task.feature, task: task.id };
  const tip = await gitOk(["rev-parse", baseBranch], { cwd: project.root });
  const sync = await syncWithBase(
    task.worktree,
    tip,
    `br: merge ${baseBranch} into ${task.branch}`,
    { run: task.run_id, task: task.id },
  );
  if (!sync.ok) {
    if (sync.files.length === 0) {
      return {
        state: "failed",
        retry: false,
        reason: `cannot merge ${baseBranch} into ${task.branch}: ${sync.error}`,
      };
    }
    return {
      state: "conflict",
      files: sync.files,
      reason: `merge conflict in ${
        sync.files.join(", ")
      } with ${baseBranch}; branch "${task.branch}" kept`,
    };
  }
  const own = await buildrunnerEditsCheck(task.worktree, tip);
  project.bus.emit(own.passed ? "gate.passed" : "gate.failed", {
    gate: own.gate,
    duration_ms: own.duration_ms,
  }, meta);
  if (!own.passed) {
    return { state: "failed", retry: false, reason: `${own.gate}: ${own.summary}` };
  }
  const notes: string[] = [];
  const passed = [own.gate];
  if (s.gates === null || s.gates.length > 0) {
    // The configured gates, on the worktree's tree (they emit their own gate events).
    const report = await runGates(project, { cwd: task.worktree, gates: s.gates ?? undefined });
    const lines: string[] = [];
    for (const g of report.gates) {
      lines.push(`br: gate ${g.gate}: ${g.passed ? "pass" : "FAIL"}: ${g.summary}`);
      if (!g.passed) { for (const item of g.items ?? []) lines.push(`br:   ${item}`); }
    }
    const failed = report.gates.filter((g) => !g.passed);
    let blamed: string | null = null;
    if (failed.length) {
      // A task answers only for what it adds: the same gates on the base it was synced to.
      const judged = await judgeAgainstBase(project, tip, task.worktree, failed);
      for (const j of judged) {
        if (j.old.length) {
          lines.push(`br: gate ${j.gate}: pre-existing on the base, not this task's:`);
          for (const item of j.old) lines.push(`br:   ${item}`);
          notes.push(`pre-existing on the base, not this task's: gate ${j.gate}: ${few(j.old)}`);
        }
        if (j.fresh && !blamed) {
          blamed = j.fresh.length
            ? `gate ${j.gate}: ${j.fresh.length} new: ${few(j.fresh)}`
            : `gate ${j.gate}: ${j.summary}`;
        }
      }
    }
    await Deno.writeTextFile(task.log ?? "/dev/null", lines.map((l) => l + "\n").join(""), {
      append: true,
    });
    if (blamed) return { state: "failed", retry: false, reason: blamed };
    for (const g of report.gates) passed.push(g.passed ? g.gate : `${g.gate} (nothing new)`);
  }
  if (tests && s.runTests && s.testCommand) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(project.env)) if (v !== undefined) env[k] = v;
    const t = await testCommandCheck(
      task.worktree,
      s.testCommand,
      task.log ?? "/dev/null",
      env,
      s.timeoutMs,
      signal,
    );
    if (signal?.aborted) return { state: "cancelled", reason: STOPPED_NOTE };
    project.bus.emit(t.passed ? "gate.passed" : "gate.failed", {
      gate: t.gate,
      duration_ms: t.duration_ms,
    }, meta);
    if (!t.passed) return { state: "failed", retry: false, reason: `${t.gate}: ${t.summary}` };
    passed.push(t.gate);
  }
  return { tip, notes, gates: passed };
}

/** At most three items, then how many more. */
function few(items: string[]): string {
  return items.slice(0, 3).join("; ") + (items.length > 3 ? ` (+${items.length - 3} more)` : "");
}

/** A failed gate of a worktree judged against the base. */
interface Judged {
  /** Gate name. */
  gate: string;
  /** Its summary in the worktree. */
  summary: string;
  /**
   * What the task added (items not on the base); an empty list when the gate lists no items
   * and fails because of the task; null when none of its failure is the task's.
   */
  fresh: string[] | null;
  /** Items the base has too. */
  old: string[];
}

/** An item without its line number (lines move when a task edits the file above them). */
function itemKey(item: string, roots: string[]): string {
  let key = item;
  for (const r of roots) key = key.split(r + "/").join("");
  return key.replace(/^(\S+?):\d+(?=[ :])/, "$1");
}

/**
 * Runs the failed gates again, quietly, on the base tip `tip` (a `git archive` of it in a
 * temporary folder) and splits each failure into what the base has too and what is new: an
 * item counts as old as often as the base has it (compared without line numbers); a gate that
 * lists no items is the task's only when it passes on the base (the quality score: when the
 * task lowers it).
 */
async function judgeAgainstBase(
  project: Project,
  tip: string,
  worktree: string,
  failed: GateResult[],
): Promise<Judged[]> {
  const dir = await Deno.makeTempDir({ prefix: "br-base-" });
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", 'git archive --format=tar "$1" | tar -x -C "$2"', "sh", tip, dir],
      cwd: project.root,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      // No base to compare with: every failure is reported as the task's, as before.
      return failed.map((g) => ({
        gate: g.gate,
        summary: g.summary,
        fresh: g.items ?? [],
        old: [],
      }));
    }
    const base = await runGates(project, {
      cwd: dir,
      gates: failed.map((g) => g.gate),
      quiet: true,
    });
    const roots = [worktree, dir, relative(project.root, worktree)];
    return failed.map((g) => {
      const b = base.gates.find((x) => x.gate === g.gate);
      if (!b || b.passed) {
        return { gate: g.gate, summary: g.summary, fresh: g.items ?? [], old: [] };
      }
      if (!g.items?.length) {
        const worse = g.gate === "quality" && (g.counts.score ?? 0) < (b.counts.score ?? 0);
        return {
          gate: g.gate,
          summary: worse ? `${g.summary}, lower than the base's ${b.counts.score}` : g.summary,
          fresh: worse ? [] : null,
          old: worse ? [] : [`${b.summary} (on the base too)`],
        };
      }
      const left = new Map<string, number>();
      for (const item of b.items ?? []) {
        const k = itemKey(item, roots);
        left.set(k, (left.get(k) ?? 0) + 1);
      }
      const fresh: string[] = [];
      const old: string[] = [];
      for (const item of g.items) {
        const k = itemKey(item, roots);
        const n = left.get(k) ?? 0;
        if (n > 0) {
          left.set(k, n - 1);
          old.push(item);
        } else fresh.push(item);
      }
      return { gate: g.gate, summary: g.summary, fresh: fresh.length ? fresh : null, old };
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
