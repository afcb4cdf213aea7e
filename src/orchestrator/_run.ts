/** Starting, resuming, stopping and cleaning up runs. */
import { join, relative } from "node:path";
import { BrError } from "../core/errors.ts";
import { exists } from "../core/fs.ts";
import { git, isGitRepo, noRepository } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import {
  dependencyWaves,
  type Feature,
  isParked,
  loadFeatures,
  PRIORITIES,
} from "../features/mod.ts";
import { branchExists, worktreePath } from "./_worktree.ts";
import { currentBranch, operationInProgress, recoverMerge } from "./_merge.ts";
import { processAlive, stopGroup } from "./_process.ts";
import { FINAL_TASK_STATES, Repo, type RunRow, type TaskRow } from "./_repo.ts";
import { loadSettings, type SettingsOverrides } from "./_settings.ts";
import { buildStatus, orchestratorAlive } from "./_status.ts";
import { openStateStore, readStateStore } from "./_store.ts";
import { Driver } from "./_scheduler.ts";
import { checkAgent } from "./_agent.ts";
import { checkRemote, hostName, needsPostgres, pushBase, remoteOf } from "./_remote.ts";
import { STOPPED_NOTE } from "./_checks.ts";
import type {
  InterruptedMerge,
  ParallelReport,
  ParallelStatus,
  RecoveryReport,
  RunReport,
  RunSummary,
} from "./types.ts";

/** Options of {@link runParallel}. */
export interface RunOptions extends SettingsOverrides {
  /** Explicit feature ids (`--features a,b`). */
  features?: string[];
  /** Every planned feature that can become ready in this run (the default). */
  allReady?: boolean;
  /** Aborting it stops the run like `br parallel stop`. */
  signal?: AbortSignal;
  /**
   * The git remote of a run whose agents run on workers (`br parallel worker`, on this or
   * other machines, sharing a PostgreSQL store): this process only plans, checks and merges.
   */
  remote?: string;
}

/** Options of {@link resumeParallel}. */
export interface ResumeOptions {
  /** Run id (default: the newest run still marked running). */
  run?: string;
  /** Aborting it stops the run. */
  signal?: AbortSignal;
}

/** The state repository of a project. */
export async function repoOf(project: Project): Promise<Repo> {
  return new Repo(await openStateStore(project));
}

/** The state repository for reading only (see {@link readStateStore}). */
async function readRepoOf(project: Project): Promise<Repo> {
  return new Repo(await readStateStore(project));
}

function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `run-${stamp}-${crypto.randomUUID().slice(0, 4)}`;
}

/** Picks the features of a run and checks that their dependencies can be met. */
export function selectFeatures(all: readonly Feature[], ids: string[] | undefined): Feature[] {
  const byId = new Map(all.map((f) => [f.id, f]));
  let chosen: Feature[];
  if (ids && ids.length > 0) {
    chosen = [];
    for (const id of [...new Set(ids)]) {
      const f = byId.get(id);
      if (!f) {
        throw new BrError("not_found", `Cannot find feature "${id}"`, {
          hint: 'run "br feature list" to see ids',
        });
      }
      if (f.status === "complete" || f.status === "blocked") {
        throw new BrError("conflict", `Feature "${id}" is ${f.status}`, {
          hint: f.status === "blocked"
            ? `run "br feature unblock ${id}" first`
            : "pick features that are not complete",
        });
      }
      chosen.push(f);
    }
    const inRun = new Set(chosen.map((f) => f.id));
    for (const f of chosen) {
      for (const d of f.dependencies) {
        if (!inRun.has(d) && byId.get(d)?.status !== "complete") {
          throw new BrError(
            "conflict",
            `Feature "${f.id}" depends on "${d}", which is neither complete nor in this run`,
            { hint: `add ${d} to --features or complete it first` },
          );
        }
      }
    }
  } else {
    // Planned features whose dependencies are complete or themselves run here (waves).
    const set = new Set(all.filter((f) => f.status === "planned" && !isParked(f)).map((f) => f.id));
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of [...set]) {
        const ok = byId.get(id)!.dependencies.every((d) =>
          set.has(d) || byId.get(d)?.status === "complete"
        );
        if (!ok) {
          set.delete(id);
          changed = true;
        }
      }
    }
    chosen = all.filter((f) => set.has(f.id));
  }
  return chosen;
}

async function assertNoOpenRun(repo: Repo): Promise<void> {
  for (const run of await repo.runningRuns()) {
    const alive = orchestratorAlive(run);
    throw new BrError(
      "conflict",
      alive
        ? `Run ${run.id} is still running (br process ${run.pid})`
        : `Run ${run.id} was interrupted and is not finished`,
      {
        hint: alive
          ? `wait for it, or run "br parallel stop ${run.id}"`
          : `run "br parallel resume ${run.id}" to finish it, or "br parallel stop ${run.id}"`,
      },
    );
  }
}

/**
 * Runs ready features in parallel: one worktree, branch and agent per feature, scheduled by
 * the dependency graph and the file claims, then checked and merged. Resolves when every task
 * has ended.
 *
 * @throws {BrError} `conflict` when a run is already open or a feature cannot run, `usage`
 * for bad settings, `not_found` for unknown ids or outside git, `external` when git fails.
 */
export async function runParallel(project: Project, options: RunOptions = {}): Promise<RunReport> {
  const settings = await loadSettings(project, options);
  const root = project.root;
  const remote = options.remote ?? null;
  if (remote !== null && (await openStateStore(project)).backend !== "postgres") {
    throw needsPostgres("br parallel run --remote");
  }
  if (!(await isGitRepo(root))) {
    throw noRepository(root, "task worktrees are git worktrees");
  }
  if ((await git(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root })).code !== 0) {
    throw new BrError("conflict", "The repository has no commit yet", {
      hint: "commit your work first; task worktrees branch from it",
    });
  }
  const base = settings.base ?? await currentBranch(root);
  if (!base) {
    throw new BrError("usage", "The main checkout is on a detached HEAD", {
      hint: "check out the branch to merge into, or pass --base <branch>",
    });
  }
  if (!(await branchExists(root, base))) {
    throw new BrError("not_found", `Cannot find the base branch "${base}"`, {
      hint: "pass an existing branch with --base or set parallel.base",
    });
  }
  // Every task would end in review after its agent ran: refuse before any work is done.
  const operation = options.noMerge ? null : await operationInProgress(root);
  if (operation) {
    throw new BrError("conflict", `A ${operation} is in progress in the main checkout`, {
      hint: `finish it (git commit) or abort it (git ${operation} --abort), then run again`,
    });
  }
  const repo = await repoOf(project);
  if (remote !== null) await checkRemote(root, remote);
  await assertNoOpenRun(repo);
  // Before any task: a missing or too old agent is the machine's problem, not a feature's.
  // (A remote run's agents run on the workers, which check theirs.)
  if (remote === null) await checkAgent(settings.profile, project.env, root);
  const file = await loadFeatures(project);
  const chosen = selectFeatures(file.features, options.allReady ? undefined : options.features);
  if (chosen.length === 0) return { run: null, tasks: [], workers: [], claims: [], recovery: null };
  if (remote !== null) {
    // The workers branch from the base as the remote has it.
    const error = await pushBase(root, remote, base);
    if (error) {
      throw new BrError("external", `Cannot push "${base}" to the remote "${remote}": ${error}`, {
        hint: `bring in what the remote has ("git pull ${remote} ${base}"), then run again`,
      });
    }
  }
  const waves = dependencyWaves(chosen, false);
  const waveOf = new Map<string, number>();
  waves.forEach((w, i) => w.forEach((id) => waveOf.set(id, i)));
  const now = project.clock.now();
  const id = newRunId(now);
  const iso = now.toISOString();
  const run: RunRow = {
    id,
    state: "running",
    created_at: iso,
    updated_at: iso,
    finished_at: null,
    pid: Deno.pid,
    pid_start: null,
    heartbeat_at: iso,
    stop_requested: 0,
    base_branch: base,
    options: JSON.stringify({
      agent: settings.profile.name,
      agent_command: options.agentCommand ?? null,
      workers: settings.workers,
      timeout: options.timeout ?? null,
      retries: options.retries ?? null,
      max_cost_usd: options.maxCostUsd ?? null,
      no_merge: !!options.noMerge,
      base: options.base ?? null,
      ...(remote !== null ? { mode: "remote", remote, host: hostName() } : {}),
    }),
    error: null,
  };
  const inRun = new Set(chosen.map((f) => f.id));
  const tasks: TaskRow[] = chosen.map((f) => ({
    id: `${id}/${f.id}`,
    run_id: id,
    feature: f.id,
    name: f.name,
    wave: waveOf.get(f.id) ?? 0,
    priority: PRIORITIES.indexOf(f.priority),
    dependencies: JSON.stringify(f.dependencies.filter((d) => inRun.has(d))),
    files: JSON.stringify(f.files ?? []),
    state: "pending",
    phase: null,
    attempt: 0,
    max_attempts: settings.retries + 1,
    next_attempt_at: null,
    branch: `${settings.branchPrefix}${f.id}`,
    worktree: worktreePath(project, f.id),
    base_commit: null,
    worker: null,
    agent_pid: null,
    agent_pid_start: null,
    log: null,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    error: null,
    conflict_files: null,
    merge_commit: null,
    cost_usd: null,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    runs: 0,
    gates: null,
  }));
  await repo.createRun(run, tasks);
  project.bus.emit("build.started", {
    run_id: id,
    features: chosen.map((f) => f.id).sort(),
    counts: { tasks: tasks.length, waves: waves.length, workers: settings.workers },
  });
  await new Driver(project, repo, run, settings, options.signal).drive();
  return { ...(await buildStatus(project, repo, await repo.getRun(id))), recovery: null };
}

/** The run `id`, or the newest one still open. */
export async function findOpenRun(repo: Repo, id: string | undefined): Promise<RunRow> {
  if (id) {
    const run = await repo.getRun(id);
    if (!run) {
      throw new BrError("not_found", `Cannot find run "${id}"`, {
        hint: 'run "br parallel list" to see runs',
      });
    }
    return run;
  }
  const open = await repo.runningRuns();
  if (open.length === 0) {
    throw new BrError("not_found", "No run is open", { hint: 'start one with "br parallel run"' });
  }
  return open[open.length - 1];
}

/**
 * Continues a run whose `br` process died: settles a merge it was making (main checkout or
 * task worktree, see {@link settleMerges}), stops agents it left running, puts unfinished
 * tasks back (finished ones stay finished, a task whose agent had finished continues with its
 * checks and merge), releases stale claims, then drives the run to its end.
 *
 * @throws {BrError} `not_found` without an open run, `conflict` when its process still runs or
 * a merge, rebase or cherry-pick `br` did not start is in progress where the run must merge.
 */
export async function resumeParallel(
  project: Project,
  options: ResumeOptions = {},
): Promise<RunReport> {
  const repo = await repoOf(project);
  const run = await findResumable(repo, options.run);
  if (run.state !== "running" && run.state !== "stopped") {
    throw new BrError("conflict", `Run ${run.id} has already ended (${run.state})`, {
      hint: 'start a new one with "br parallel run"',
    });
  }
  if (run.state === "running" && orchestratorAlive(run) && run.pid !== Deno.pid) {
    throw new BrError("conflict", `Run ${run.id} is still running (br process ${run.pid})`, {
      hint: `wait for it, or run "br parallel stop ${run.id}"`,
    });
  }
  const saved = JSON.parse(run.options) as Record<string, unknown>;
  const settings = await loadSettings(project, {
    agent: saved.agent_command ? undefined : saved.agent as string,
    agentCommand: (saved.agent_command as string | null) ?? undefined,
    workers: saved.workers as number,
    timeout: (saved.timeout as string | null) ?? undefined,
    retries: (saved.retries as number | null) ?? undefined,
    maxCostUsd: (saved.max_cost_usd as number | null) ?? undefined,
    noMerge: !!saved.no_merge,
    base: run.base_branch ?? undefined,
  });
  const remote = remoteOf(run);
  if (remote === null) await checkAgent(settings.profile, project.env, project.root);
  const requeued: string[] = [];
  if (run.state === "stopped") {
    // No other run may be open meanwhile; then the stopped tasks go back to the queue.
    await assertNoOpenRun(repo);
    requeued.push(...await reopenStopped(project, repo, run));
  }
  const recovery: RecoveryReport = {
    orphans_stopped: [],
    requeued,
    continued: [],
    claims_released: 0,
    interrupted_merges: await settleMerges(
      project,
      repo,
      run,
      settings.noMerge ? "worktrees" : "all",
    ),
  };
  const continueTasks: string[] = [];
  for (const task of await repo.tasks(run.id)) {
    if (task.state !== "running") continue;
    // A remote run's agents run on the workers: their leases decide, and a reported task is
    // checked and merged again from its pushed branch.
    if (remote !== null) continue;
    if (task.agent_pid && processAlive(task.agent_pid, task.agent_pid_start)) {
      await stopGroup(task.agent_pid, task.agent_pid_start);
      recovery.orphans_stopped.push({ feature: task.feature, pid: task.agent_pid });
      project.bus.emit("worker.lost", {
        worker: task.worker ?? "unknown",
        task: task.id,
        pid: task.agent_pid,
      }, { feature: task.feature, task: task.id });
    }
    const finishing = FINISHING.has(task.phase ?? "");
    if (finishing) {
      continueTasks.push(task.id);
      recovery.continued.push(task.feature);
    } else recovery.requeued.push(task.feature);
    await repo.updateTask(task.id, {
      state: "pending",
      // The interrupted attempt was not the agent's fault: it does not count.
      attempt: finishing ? task.attempt : Math.max(0, task.attempt - 1),
      agent_pid: null,
      agent_pid_start: null,
      next_attempt_at: null,
      phase: finishing ? "checks" : "resumed",
    });
  }
  if (remote === null) {
    for (const w of await repo.workers(run.id)) {
      if (w.state === "busy") await repo.updateWorker(w.id, { state: "lost", pid: null });
    }
    recovery.claims_released = await repo.releaseRun(run.id);
  }
  await new Driver(project, repo, run, settings, options.signal, continueTasks).drive();
  return { ...(await buildStatus(project, repo, await repo.getRun(run.id))), recovery };
}

/** The run `id`, else the newest open run, else the newest run when it was stopped. */
async function findResumable(repo: Repo, id: string | undefined): Promise<RunRow> {
  if (id || (await repo.runningRuns()).length > 0) return findOpenRun(repo, id);
  const last = await repo.latestRun();
  if (last?.state === "stopped") return last;
  return findOpenRun(repo, id);
}

/**
 * Opens a stopped run again: its stopped tasks go back to pending (the stopped attempt does not
 * count), except those whose feature was since completed, blocked or removed.
 */
async function reopenStopped(project: Project, repo: Repo, run: RunRow): Promise<string[]> {
  const file = await loadFeatures(project);
  const byId = new Map(file.features.map((f) => [f.id, f]));
  const requeued: string[] = [];
  for (const task of await repo.tasks(run.id)) {
    if (task.state !== "cancelled" || task.error !== STOPPED_NOTE) continue;
    const status = byId.get(task.feature)?.status;
    if (!status || status === "complete" || status === "blocked") continue;
    await repo.updateTask(task.id, {
      state: "pending",
      phase: "resumed",
      attempt: Math.max(0, task.attempt - (task.started_at ? 1 : 0)),
      finished_at: null,
      error: null,
      next_attempt_at: null,
    });
    requeued.push(task.feature);
  }
  const iso = project.clock.now().toISOString();
  await repo.updateRun(run.id, {
    state: "running",
    stop_requested: 0,
    finished_at: null,
    updated_at: iso,
  });
  run.state = "running";
  return requeued;
}

/** Task phases after the agent: the checks and the merge (resume continues them). */
const FINISHING = new Set(["checks", "merge"]);

/**
 * The merges the dead process of `run` left half done, each recognised by its note and settled
 * by {@link recoverMerge}: one that had not committed is aborted, so that the task merges again
 * from a clean state (committing it instead would trust an index written by a killed git, and a
 * merge cut before its conflicts were aborted cannot be committed at all); one git had committed
 * only loses git's leftover merge state. A merge, rebase or cherry-pick `br` did not start is
 * the user's: it is always left alone. `refuse` says where one stops the caller (resume cannot
 * merge into a checkout in the middle of it, nor commit it as the agent's work in a task
 * worktree; stop just closes the run).
 *
 * @throws {BrError} `conflict` for such an operation where `refuse` covers it, `external`
 * when git cannot settle a merge.
 */
export async function settleMerges(
  project: Project,
  repo: Repo,
  run: RunRow,
  refuse: "all" | "worktrees" | "none",
): Promise<InterruptedMerge[]> {
  const tasks = await repo.tasks(run.id);
  const settled: InterruptedMerge[] = [];
  const refusal = (operation: string, where: string, dir: string) =>
    new BrError(
      "conflict",
      `Cannot resume run ${run.id}: a ${operation} that br did not start is in progress in ${where}`,
      {
        hint: `finish it ("${
          operation === "merge" ? "git commit" : `git ${operation} --continue`
        }") or abort it ("git ${operation} --abort") in ${dir}, then run "br parallel resume ${run.id}"`,
      },
    );
  const main = await recoverMerge(project.root, run.id);
  if (main.kind === "settled") {
    const feature = tasks.find((t) => t.id === main.task)?.feature ?? main.task;
    settled.push({ feature, checkout: ".", outcome: main.outcome });
  } else if (
    main.kind === "foreign" && refuse === "all" &&
    tasks.some((t) => !FINAL_TASK_STATES.includes(t.state))
  ) {
    throw refusal(main.operation, "the main checkout", project.root);
  }
  for (const task of tasks) {
    // br merges in a task worktree only after its agent, in the checks and merge phases.
    if (task.state !== "running" || !FINISHING.has(task.phase ?? "")) continue;
    if (!(await exists(join(task.worktree, ".git")))) continue;
    const found = await recoverMerge(task.worktree, run.id, task.id);
    const checkout = relative(project.root, task.worktree);
    if (found.kind === "settled") {
      settled.push({ feature: task.feature, checkout, outcome: found.outcome });
    }
    if (found.kind === "foreign" && refuse !== "none") {
      const where = `the worktree of "${task.feature}" (${checkout})`;
      throw refusal(found.operation, where, task.worktree);
    }
  }
  return settled;
}

/** The state of a run (default: the newest), for `br parallel status` and MCP. */
export async function parallelStatus(project: Project, runId?: string): Promise<ParallelStatus> {
  const repo = await readRepoOf(project);
  const run = runId ? await repo.getRun(runId) : await repo.latestRun();
  if (runId && !run) {
    throw new BrError("not_found", `Cannot find run "${runId}"`, {
      hint: 'run "br parallel list" to see runs',
    });
  }
  return buildStatus(project, repo, run);
}

/**
 * The summary of a run (default: the newest): per task its outcome, duration, attempts, cost,
 * the checks it passed and its merge commit.
 *
 * @throws {BrError} `not_found` for an unknown run id or when there is no run.
 */
export async function parallelReport(project: Project, runId?: string): Promise<ParallelReport> {
  const st = await parallelStatus(project, runId);
  if (!st.run) {
    throw new BrError("not_found", "No parallel run yet", {
      hint: 'start one with "br parallel run"',
    });
  }
  return {
    run: st.run,
    tasks: st.tasks.map((t) => ({
      feature: t.feature,
      name: t.name,
      outcome: t.state,
      duration_ms: t.elapsed_ms,
      attempts: t.attempt,
      cost_usd: t.cost_usd,
      tokens: t.tokens,
      gates: t.gates,
      merge_commit: t.merge_commit,
      note: t.error,
    })),
  };
}

/** Every run, newest first. */
export async function listParallelRuns(project: Project): Promise<RunSummary[]> {
  const repo = await readRepoOf(project);
  const out: RunSummary[] = [];
  for (const run of await repo.listRuns()) {
    out.push((await buildStatus(project, repo, run)).run!);
  }
  return out;
}
