/** One attempt of an agent at a task. */
import { join } from "node:path";
import type { Project } from "../core/project.ts";
import { startAgent } from "./_agent.ts";
import { type Outcome, STOPPED_NOTE } from "./_checks.ts";
import { recordTaskUsage } from "./_ledger.ts";
import { taskPrompt } from "./_prompt.ts";
import type { Repo, TaskRow } from "./_repo.ts";
import type { ParallelSettings } from "./_settings.ts";
import { clearStaleIndexLock } from "./_worktree.ts";

/** What one agent attempt needs. */
export interface AttemptContext {
  /** The project. */
  project: Project;
  /** The state. */
  repo: Repo;
  /** Run settings. */
  settings: ParallelSettings;
  /** Run id. */
  runId: string;
  /** The task (its `log`, `runs`, `agent_pid` are updated). */
  task: TaskRow;
  /** Worker id. */
  worker: string;
  /** Aborted by a stop. */
  signal: AbortSignal;
  /** The prompt, when it was rendered elsewhere (a remote run's coordinator). */
  prompt?: string;
  /** Called as soon as the agent process runs. */
  onStart?: (pid: number) => void;
}

/**
 * Runs the agent once in the task's worktree: log and prompt files, heartbeats, timeout (the
 * process group is killed), stop; records its usage. `agent_done` means it exited 0.
 */
export async function agentAttempt(ctx: AttemptContext): Promise<Outcome> {
  const { project, repo, task, worker, signal } = ctx;
  const s = ctx.settings;
  const now = () => project.clock.now().toISOString();
  const dir = join(project.paths.context, "parallel", ctx.runId, task.feature);
  await Deno.mkdir(dir, { recursive: true });
  const log = join(dir, `attempt-${task.attempt}.log`);
  const promptFile = join(dir, "prompt.md");
  await Deno.writeTextFile(
    log,
    `br: ${task.id} attempt ${task.attempt} with agent "${s.profile.name}" in ${task.worktree}\n`,
  );
  task.log = log;
  // An agent stopped before (a timeout, a stop, a br that was killed) may have left git's index
  // lock behind.
  if (await clearStaleIndexLock(task.worktree)) {
    await Deno.writeTextFile(log, "br: removed the index lock a stopped agent left\n", {
      append: true,
    });
  }
  await repo.updateTask(task.id, { phase: "agent", log, runs: task.runs + 1 });
  task.runs += 1;
  let agent;
  try {
    agent = await startAgent({
      profile: s.profile,
      feature: task.feature,
      worktree: task.worktree,
      prompt: ctx.prompt ?? await taskPrompt(project, task.feature, task.branch),
      promptFile,
      projectRoot: project.root,
      log,
      promptArgMax: s.promptArgMax,
      env: project.env,
    });
  } catch (err) {
    // The machine's fault, not the feature's: the task fails without blocking the feature.
    const reason = (err as Error).message;
    await Deno.writeTextFile(log, `br: ${reason}\n`, { append: true });
    return { state: "failed", reason, retry: false, environment: true };
  }
  ctx.onStart?.(agent.pid);
  task.agent_pid = agent.pid;
  await repo.updateTask(task.id, { agent_pid: agent.pid, agent_pid_start: agent.pidStart });
  await repo.updateWorker(worker, { pid: agent.pid, heartbeat_at: now() });
  project.bus.emit("worker.started", { worker, task: task.id, pid: agent.pid }, {
    feature: task.feature,
    task: task.id,
  });
  const beat = setInterval(() => {
    repo.updateWorker(worker, { heartbeat_at: now() }).catch(() => {});
    project.bus.emit("worker.heartbeat", { worker, task: task.id, pid: agent.pid }, {
      feature: task.feature,
      task: task.id,
    });
  }, s.heartbeatMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((
    r,
  ) => (timer = setTimeout(() => r("timeout"), s.timeoutMs)));
  const stopped = new Promise<"stop">((r) => {
    if (signal.aborted) r("stop");
    signal.addEventListener("abort", () => r("stop"), { once: true });
  });
  const result = await Promise.race([agent.exited, timedOut, stopped]);
  clearTimeout(timer);
  clearInterval(beat);
  // A stop must be quick (SIGKILL after half a second); a timeout gives the agent longer to
  // end cleanly.
  if (result === "timeout" || result === "stop") await agent.stop(result === "stop" ? 500 : 3000);
  await repo.updateTask(task.id, { agent_pid: null, agent_pid_start: null });
  await repo.updateWorker(worker, { pid: null });
  await recordTaskUsage(project, repo, s.profile, task, log);
  if (result === "stop") return { state: "cancelled", reason: STOPPED_NOTE };
  if (result === "timeout") {
    const msg = `agent timed out after ${Math.round(s.timeoutMs / 1000)} s and was killed`;
    await Deno.writeTextFile(log, `br: ${msg}\n`, { append: true });
    return { state: "failed", reason: msg, retry: true };
  }
  if (result.code !== 0) {
    const how = result.signal
      ? `was killed by ${result.signal}`
      : `exited with code ${result.code}`;
    return { state: "failed", reason: `agent ${how}`, retry: true };
  }
  return { state: "agent_done" };
}
