/**
 * What runs in a task worktree after its agent: the rule that a task branch never edits
 * `.buildrunner/` (only `br` changes status, on the base), then the project's test command.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { gitOk } from "../core/git.ts";
import { stopGroup } from "./_process.ts";

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
