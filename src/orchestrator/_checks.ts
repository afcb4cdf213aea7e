/**
 * What runs in a task worktree after its agent: the rule that a task branch never edits
 * `.buildrunner/` (only `br` changes status, on the base), then the project's test command.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { gitOk } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { runGates } from "../quality/mod.ts";
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
  | { state: "merged"; commit: string }
  | { state: "review"; reason: string | null }
  | { state: "conflict"; files: string[]; reason: string }
  | { state: "failed"; reason: string; retry: boolean; environment?: boolean }
  | { state: "cancelled"; reason: string };

/**
 * Merges the base tip into the task branch, then runs the `.buildrunner/` rule, the
 * configured gates and (with `tests`) the project's test command in the worktree. Returns
 * the tip it checked against, or the outcome that ends the task.
 */
export async function syncAndCheck(
  project: Project,
  s: ParallelSettings,
  baseBranch: string,
  task: TaskRow,
  tests: boolean,
  signal?: AbortSignal,
): Promise<Outcome | { tip: string }> {
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
  if (s.gates === null || s.gates.length > 0) {
    // The configured gates, on the worktree's tree (they emit their own gate events).
    const report = await runGates(project, { cwd: task.worktree, gates: s.gates ?? undefined });
    await Deno.writeTextFile(
      task.log ?? "/dev/null",
      report.gates.map((g) => `br: gate ${g.gate}: ${g.passed ? "pass" : "FAIL"}: ${g.summary}\n`)
        .join(""),
      { append: true },
    );
    const bad = report.gates.find((g) => !g.passed);
    if (bad) return { state: "failed", retry: false, reason: `gate ${bad.gate}: ${bad.summary}` };
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
  }
  return { tip };
}
