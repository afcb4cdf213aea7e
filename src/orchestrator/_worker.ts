/**
 * `br parallel worker`: in its own clone, claims ready tasks of a remote run from the shared
 * PostgreSQL store, runs each task's agent here as a local run would, pushes the task branch to
 * the shared remote and reports; the run's coordinator checks and merges. A claim is held under
 * a lease the worker renews while it works: a worker that dies loses its task when the lease
 * runs out, and another worker retries it.
 */
import { BrError } from "../core/errors.ts";
import { git, gitOk, isGitRepo, noRepository } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { checkAgent } from "./_agent.ts";
import { agentAttempt } from "./_attempt.ts";
import type { Outcome } from "./_checks.ts";
import {
  checkRemote,
  fetchBase,
  hostName,
  needsPostgres,
  pushTaskBranch,
  remoteOf,
} from "./_remote.ts";
import { Repo, type RunRow, type TaskRow } from "./_repo.ts";
import { loadSettings, type ParallelSettings, parseDuration } from "./_settings.ts";
import { openStateStore } from "./_store.ts";
import { processAlive } from "./_process.ts";
import { commitAgentWork, prepareSpare, removeWorktree, takeSpare } from "./_worktree.ts";
import type { WorkerReport, WorkerTaskReport } from "./types.ts";

/** Options of {@link runWorker}. */
export interface WorkerOptions {
  /** The git remote the coordinator uses too (default `origin`). */
  remote?: string;
  /** Run id (default: the newest open remote run). */
  run?: string;
  /** Stop after one task. */
  once?: boolean;
  /** Stop after this many tasks. */
  maxTasks?: number;
  /** How long a claim holds without renewal (default 60 s). */
  lease?: string;
  /** The agent profile (it must be the run's). */
  agent?: string;
  /** The agent command; required, and the same, when the run was started with one. */
  agentCommand?: string;
  /** Aborting it stops the agent and hands the task back. */
  signal?: AbortSignal;
  /** Told when a task is claimed and when it is done with here. */
  onProgress?: (event: "claimed" | "done", task: WorkerTaskReport) => void;
}

/** How often an idle worker looks for a ready task. */
const POLL_MS = 100;

/** How often an idle worker puts back tasks of workers whose lease ran out. */
const EXPIRE_EVERY_MS = 1000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

/** The remote run `id`, else the newest open one. */
async function findRemoteRun(repo: Repo, id: string | undefined): Promise<RunRow> {
  if (id) {
    const run = await repo.getRun(id);
    if (!run) {
      throw new BrError("not_found", `Cannot find run "${id}"`, {
        hint: 'run "br parallel list" to see runs',
      });
    }
    if (!remoteOf(run)) {
      throw new BrError("usage", `Run ${id} runs its agents itself, not on workers`, {
        hint: 'start a run for workers with "br parallel run --database <url> --remote origin"',
      });
    }
    if (run.state !== "running") {
      throw new BrError("conflict", `Run ${id} has already ended (${run.state})`, {
        hint: 'start a new one with "br parallel run --remote"',
      });
    }
    return run;
  }
  const open = (await repo.runningRuns()).filter((r) => remoteOf(r) !== null);
  if (open.length === 0) {
    throw new BrError("not_found", "No run for workers is open", {
      hint: 'start one with "br parallel run --database <url> --remote origin"',
    });
  }
  return open[open.length - 1];
}

/**
 * The settings the worker runs agents with: the run's (timeout, retries), with the agent
 * profile resolved on this machine. A row of the shared store never picks the command a worker
 * runs: a run started with `--agent-command` needs the same `--agent-command` here.
 */
async function workerSettings(
  project: Project,
  run: RunRow,
  options: WorkerOptions,
): Promise<ParallelSettings> {
  const saved = JSON.parse(run.options) as Record<string, unknown>;
  const runCommand = (saved.agent_command as string | null) ?? null;
  if (runCommand !== null && options.agentCommand !== runCommand) {
    throw new BrError(
      "usage",
      `Run ${run.id} runs its agent with --agent-command, and this worker has ${
        options.agentCommand === undefined ? "none" : "another one"
      }`,
      { hint: "pass the coordinator's --agent-command to br parallel worker too" },
    );
  }
  if (runCommand === null && options.agentCommand !== undefined) {
    throw new BrError("usage", `Run ${run.id} runs the agent profile "${saved.agent}"`, {
      hint: "leave out --agent-command",
    });
  }
  const settings = await loadSettings(project, {
    agent: runCommand === null ? (options.agent ?? saved.agent as string) : undefined,
    agentCommand: options.agentCommand,
    timeout: (saved.timeout as string | null) ?? undefined,
    retries: (saved.retries as number | null) ?? undefined,
    base: run.base_branch ?? undefined,
  });
  if (runCommand === null && settings.profile.name !== saved.agent) {
    throw new BrError(
      "usage",
      `Run ${run.id} runs the agent profile "${saved.agent}", not "${settings.profile.name}"`,
      { hint: `leave out --agent or pass --agent ${saved.agent}` },
    );
  }
  return settings;
}

/**
 * Works on a remote run: claims ready tasks one at a time (`SELECT ... FOR UPDATE SKIP LOCKED`),
 * runs each agent in a fresh worktree of this clone, pushes the task branch to the remote and
 * reports. Resolves when the run has ended (or after `once` / `maxTasks` tasks, or a stop).
 *
 * @throws {BrError} `usage` on a store that is not PostgreSQL, a bad lease or an agent other
 * than the run's; `not_found` without an open remote run, a git repository or the remote.
 */
export async function runWorker(
  project: Project,
  options: WorkerOptions = {},
): Promise<WorkerReport> {
  const remote = options.remote ?? "origin";
  const leaseMs = parseDuration(options.lease ?? "60s", "lease");
  if (leaseMs < 1000) {
    throw new BrError("usage", `Invalid lease "${options.lease}": shorter than 1 s`, {
      hint: "use 1s or more (default 60s)",
    });
  }
  const store = await openStateStore(project);
  if (store.backend !== "postgres") throw needsPostgres("br parallel worker");
  const root = project.root;
  if (!(await isGitRepo(root))) throw noRepository(root, "workers run agents in git worktrees");
  await checkRemote(root, remote);
  const repo = new Repo(store);
  const skipLocked = store.backend === "postgres";
  const run = await findRemoteRun(repo, options.run);
  const settings = await workerSettings(project, run, options);
  await checkAgent(settings.profile, project.env, root);
  const host = hostName();
  const id = `${run.id}/${host}-${Deno.pid}`;
  const iso = () => project.clock.now().toISOString();
  await repo.putWorker({
    id,
    run_id: run.id,
    slot: 0,
    state: "idle",
    task_id: null,
    pid: Deno.pid,
    started_at: iso(),
    heartbeat_at: iso(),
  });
  await repo.updateWorker(id, { host });
  const report: WorkerReport = { worker: id, host, run: run.id, tasks: [] };
  const signal = options.signal;
  let lastExpiry = 0;
  let lastBeat = Date.now();
  let spare: string | null = null;
  let spareFailures = 0;
  try {
    while (!signal?.aborted) {
      if (Date.now() - lastExpiry >= EXPIRE_EVERY_MS) {
        lastExpiry = Date.now();
        const current = await repo.getRun(run.id);
        if (!current || current.state !== "running") break;
        // Another worker died: its task is claimable again at once, not at the coordinator's
        // next look.
        await repo.expireLeases(run.id, iso(), { skipLocked, requeueOnly: true });
      }
      // Made while idle: a claimed task then starts without a "git worktree add". (Tried
      // again at the next look when git is busy with another process's worktree.)
      try {
        spare ??= await prepareSpare(
          project,
          await gitOk(["rev-parse", "HEAD"], { cwd: root }),
          settings.include,
          (pid) => processAlive(pid),
        );
        spareFailures = 0;
      } catch (err) {
        if (++spareFailures >= 3) throw err;
        await sleep(POLL_MS, signal);
        continue;
      }
      const now = project.clock.now();
      const task = await repo.claimNext(
        run.id,
        id,
        now.toISOString(),
        new Date(now.getTime() + leaseMs).toISOString(),
        skipLocked,
      );
      if (!task) {
        if (Date.now() - lastBeat >= settings.heartbeatMs) {
          lastBeat = Date.now();
          await repo.updateWorker(id, { heartbeat_at: iso() });
        }
        await sleep(POLL_MS, signal);
        continue;
      }
      const claimed = performance.now();
      const done = await workOn(project, repo, run, task, {
        worker: id,
        remote,
        leaseMs,
        settings,
        claimed,
        spare,
        signal,
        onClaim: (t) => options.onProgress?.("claimed", t),
      });
      report.tasks.push(done);
      spare = null;
      options.onProgress?.("done", done);
      // The next look at the run comes at once: its state may have changed meanwhile.
      lastExpiry = 0;
      if (options.once || (options.maxTasks && report.tasks.length >= options.maxTasks)) break;
    }
  } finally {
    if (spare) await removeWorktree(root, spare, true).catch(() => {});
    await repo.updateWorker(id, { state: "done", task_id: null, pid: null, heartbeat_at: iso() })
      .catch(() => {});
  }
  return report;
}

/** What one task needs. */
interface WorkContext {
  worker: string;
  remote: string;
  leaseMs: number;
  settings: ParallelSettings;
  /** `performance.now()` when the claim committed. */
  claimed: number;
  /** The spare worktree the task runs in. */
  spare: string;
  signal?: AbortSignal;
  onClaim: (task: WorkerTaskReport) => void;
}

/** Removes a task's worktree here and its local branch (its work is on the remote, or lost). */
async function dropWorktree(root: string, task: TaskRow): Promise<void> {
  await removeWorktree(root, task.worktree, true);
  await git(["branch", "-D", task.branch], { cwd: root });
}

/** One claimed attempt: worktree, agent, commit, push, report. */
async function workOn(
  project: Project,
  repo: Repo,
  run: RunRow,
  claimed: TaskRow,
  ctx: WorkContext,
): Promise<WorkerTaskReport> {
  const root = project.root;
  const iso = () => project.clock.now().toISOString();
  const until = () => new Date(project.clock.now().getTime() + ctx.leaseMs).toISOString();
  // This clone's worktree; the row keeps the coordinator's.
  const task: TaskRow = { ...claimed, worktree: ctx.spare };
  const result: WorkerTaskReport = {
    task: task.id,
    feature: task.feature,
    attempt: task.attempt,
    outcome: "lost",
    commit: null,
    error: null,
    claimed_at: task.claimed_at ?? iso(),
    claim_to_start_ms: null,
  };
  ctx.onClaim({ ...result });
  const own = (patch: Record<string, string | number | null>) =>
    repo.updateClaimed(task.id, ctx.worker, task.attempt, patch);
  // Written while the checkout runs: the agent starts no later for it.
  const busy = repo.updateWorker(ctx.worker, {
    state: "busy",
    task_id: task.id,
    heartbeat_at: iso(),
  }).catch(() => {});
  // Lost (lease gone, run stopped) or stopped here: either way the agent stops.
  const ac = new AbortController();
  let lost = false;
  const onStop = () => ac.abort();
  ctx.signal?.addEventListener("abort", onStop, { once: true });
  let beating: Promise<unknown> = Promise.resolve();
  const beat = setInterval(() => {
    beating = Promise.all([
      own({ lease_until: until() }).then((ok) => {
        if (!ok) {
          lost = true;
          ac.abort();
        }
      }),
      repo.updateWorker(ctx.worker, { heartbeat_at: iso() }),
    ]).catch((err) => {
      // The store cannot be written (the server is gone): the lease cannot be kept and nothing
      // the agent does could be reported, so the agent stops rather than run on unseen.
      if (err instanceof BrError && err.code === "storage") {
        lost = true;
        ac.abort();
      }
    });
  }, Math.max(100, Math.min(ctx.settings.heartbeatMs, Math.floor(ctx.leaseMs / 3))));
  const stopBeat = async () => {
    clearInterval(beat);
    await beating;
  };
  const report = async (outcome: Outcome, commit: string | null = null) => {
    await stopBeat();
    const ok = await own({
      report: JSON.stringify(outcome),
      pushed_commit: commit,
      lease_until: null,
      phase: commit ? "pushed" : "reported",
      agent_pid: null,
      agent_pid_start: null,
    });
    if (!ok) return;
    result.outcome = outcome.state === "agent_done" ? "pushed" : outcome.state;
    result.commit = commit;
    result.error = "reason" in outcome ? outcome.reason : null;
  };
  try {
    // The base commit is usually here already; else it is fetched from the remote.
    const taken = await takeSpare(task.worktree, task.branch, task.base_commit!).then(
      () => true,
      () => false,
    );
    if (!taken) {
      const missing = await fetchBase(root, ctx.remote, run.base_branch!, task.base_commit!);
      if (missing) {
        await report({ state: "failed", retry: true, reason: missing });
        return result;
      }
      await takeSpare(task.worktree, task.branch, task.base_commit!);
    }
    await busy;
    const outcome = await agentAttempt({
      project,
      repo,
      settings: ctx.settings,
      runId: run.id,
      task,
      worker: ctx.worker,
      signal: ac.signal,
      prompt: task.prompt ?? undefined,
      onStart: () => {
        result.claim_to_start_ms = Math.round((performance.now() - ctx.claimed) * 10) / 10;
      },
    });
    if (lost) {
      result.error = "the claim was lost (lease ran out, or the run stopped)";
      return result;
    }
    if (ctx.signal?.aborted) {
      // Stopped here, not the agent's fault: the attempt does not count, another worker takes it.
      await stopBeat();
      if (
        await own({
          state: "pending",
          worker: null,
          lease_until: null,
          attempt: task.attempt - 1,
          phase: "worker stopped, waiting for another",
          agent_pid: null,
          agent_pid_start: null,
        })
      ) {
        await repo.release(task.id);
      }
      result.outcome = "cancelled";
      return result;
    }
    if (outcome.state !== "agent_done") {
      await report(outcome);
      return result;
    }
    await commitAgentWork(task.worktree, ctx.settings.profile.name, task.feature, run.id, root);
    const head = await gitOk(["rev-parse", "HEAD"], { cwd: task.worktree });
    // Still ours? Then the branch goes to the remote.
    if (!(await own({ lease_until: until(), phase: "push" }))) return result;
    const pushError = await pushTaskBranch(task.worktree, ctx.remote, task.branch, head);
    if (pushError) {
      await report({ state: "failed", retry: true, reason: pushError });
      return result;
    }
    // The work is on the remote: the worktree and branch here go before the report, so that a
    // coordinator in this same clone can check the branch out.
    await dropWorktree(root, task);
    await report({ state: "agent_done" }, head);
    return result;
  } catch (err) {
    await report({ state: "failed", retry: true, reason: (err as Error).message ?? String(err) })
      .catch(() => {});
    return result;
  } finally {
    await stopBeat();
    // Whatever the outcome: the next task gets a fresh spare (earlier attempts' work never
    // leaks into another task, and a retry may run on another machine anyway).
    await dropWorktree(root, task).catch(() => {});
    ctx.signal?.removeEventListener("abort", onStop);
    await busy;
    await repo.updateWorker(ctx.worker, { state: "idle", task_id: null, pid: null })
      .catch(() => {});
  }
}
