/** Stopping runs and cleaning up task worktrees. */
import { relative } from "node:path";
import { git, gitOk } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { setFeatureStatus } from "../features/mod.ts";
import { processAlive, stopGroup } from "./_process.ts";
import { STOPPED_NOTE } from "./_checks.ts";
import { remoteOf } from "./_remote.ts";
import { FINAL_TASK_STATES } from "./_repo.ts";
import { findOpenRun, repoOf, settleMerges } from "./_run.ts";
import { orchestratorAlive } from "./_status.ts";
import { listWorktrees, removeWorktree } from "./_worktree.ts";
import { BrError } from "../core/errors.ts";
import type { CleanupReport, PauseResult, StopResult } from "./types.ts";

/**
 * Pauses a run (`paused: true`) or lets it go on (`paused: false`). A paused run's `br`
 * process starts no new task; the running ones finish, merge and are recorded as usual.
 *
 * @throws {BrError} `not_found` without an open run, `conflict` when the run has ended.
 */
export async function pauseParallel(
  project: Project,
  options: { run?: string; paused: boolean },
): Promise<PauseResult> {
  const repo = await repoOf(project);
  const run = await findOpenRun(repo, options.run);
  if (run.state !== "running") {
    throw new BrError("conflict", `Run ${run.id} has already ended (${run.state})`, {
      hint: 'start a new one with "br parallel run"',
    });
  }
  await repo.updateRun(run.id, { paused: options.paused ? 1 : 0 });
  return { run: run.id, paused: options.paused, live: orchestratorAlive(run) };
}

/**
 * Stops a run: asks its live `br` process to stop (agents get SIGTERM, SIGKILL half a second
 * later, unfinished tasks are cancelled, their features back to planned) and waits for it, or,
 * when that process is gone, stops the agents it left, settles a merge it left half done and
 * closes the run here. `br parallel resume` continues a stopped run.
 *
 * @throws {BrError} `not_found` without an open run, `external` when git cannot settle a merge.
 */
export async function stopParallel(
  project: Project,
  options: { run?: string; waitMs?: number } = {},
): Promise<StopResult> {
  const repo = await repoOf(project);
  const run = await findOpenRun(repo, options.run);
  if (run.state !== "running") {
    return {
      run: run.id,
      state: run.state,
      requested: false,
      orphans_stopped: [],
      interrupted_merges: [],
    };
  }
  if (orchestratorAlive(run)) {
    await repo.updateRun(run.id, { stop_requested: 1 });
    const until = Date.now() + (options.waitMs ?? 30_000);
    while (Date.now() < until) {
      const now = await repo.getRun(run.id);
      if (now?.state !== "running") {
        return {
          run: run.id,
          state: now?.state ?? "stopped",
          requested: true,
          orphans_stopped: [],
          interrupted_merges: [],
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return {
      run: run.id,
      state: "running",
      requested: true,
      orphans_stopped: [],
      interrupted_merges: [],
    };
  }
  // Before the tasks are cancelled: the worktrees to look in are those of running tasks.
  const merges = await settleMerges(project, repo, run, "none");
  const orphans: number[] = [];
  const iso = project.clock.now().toISOString();
  for (const task of await repo.tasks(run.id)) {
    if (FINAL_TASK_STATES.includes(task.state)) continue;
    // A remote run's agents run on the workers, whose pids mean nothing here (they stop when
    // their task is cancelled).
    if (!remoteOf(run) && task.agent_pid && processAlive(task.agent_pid, task.agent_pid_start)) {
      await stopGroup(task.agent_pid, task.agent_pid_start, 500);
      orphans.push(task.agent_pid);
    }
    await repo.updateTask(task.id, {
      state: "cancelled",
      phase: null,
      agent_pid: null,
      error: STOPPED_NOTE,
      finished_at: iso,
    });
    try {
      await setFeatureStatus(project, task.feature, "planned", { unblock: true });
    } catch {
      // keep going: the run must close
    }
  }
  await repo.releaseRun(run.id);
  await repo.updateRun(run.id, { state: "stopped", finished_at: iso, updated_at: iso });
  return {
    run: run.id,
    state: "stopped",
    requested: false,
    orphans_stopped: orphans.sort(),
    interrupted_merges: merges,
  };
}

/**
 * Removes the worktrees of finished tasks (never of a running one) and deletes task branches
 * that are fully merged. A worktree with uncommitted changes is kept unless `force`.
 */
export async function cleanupParallel(
  project: Project,
  options: { force?: boolean } = {},
): Promise<CleanupReport> {
  const repo = await repoOf(project);
  const report: CleanupReport = { removed: [], branches_deleted: [], kept: [] };
  const running = new Set<string>();
  for (const run of await repo.runningRuns()) {
    for (const t of await repo.tasks(run.id)) {
      if (!FINAL_TASK_STATES.includes(t.state)) running.add(t.worktree);
    }
  }
  const prefix = project.paths.worktrees + "/";
  await git(["worktree", "prune"], { cwd: project.root });
  const trees = (await listWorktrees(project.root)).filter((w) => w.path.startsWith(prefix));
  for (const w of trees.sort((a, b) => a.path.localeCompare(b.path))) {
    const rel = relative(project.root, w.path);
    if (running.has(w.path)) {
      report.kept.push({ worktree: rel, reason: "its task is still running" });
      continue;
    }
    const res = await removeWorktree(project.root, w.path, !!options.force);
    if (!res.removed) {
      report.kept.push({ worktree: rel, reason: res.error ?? "git refused" });
      continue;
    }
    report.removed.push(rel);
    if (w.branch) {
      const del = await git(["branch", "-d", w.branch], { cwd: project.root });
      if (del.code === 0) report.branches_deleted.push(w.branch);
    }
  }
  await gitOk(["worktree", "prune"], { cwd: project.root });
  return report;
}
