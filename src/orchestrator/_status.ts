/** Turns stored rows into the public status shapes. */
import { relative } from "node:path";
import type { Project } from "../core/project.ts";
import { lastLine } from "./_agent.ts";
import { processAlive } from "./_process.ts";
import { hostName, remoteOf } from "./_remote.ts";
import type { Repo, RunRow, TaskRow, WorkerRow } from "./_repo.ts";
import type { ParallelStatus, RunSummary, TaskCounts, TaskStatus, WorkerStatus } from "./types.ts";

/** Zero counts. */
export function emptyCounts(): TaskCounts {
  return {
    pending: 0,
    running: 0,
    merged: 0,
    review: 0,
    conflict: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  };
}

/** Counts tasks by state. */
export function countTasks(tasks: readonly TaskRow[]): TaskCounts {
  const counts = emptyCounts();
  for (const t of tasks) counts[t.state as keyof TaskCounts]++;
  return counts;
}

/** How long a remote run's coordinator on another machine may go without a heartbeat. */
const REMOTE_SILENCE_MS = 30_000;

/**
 * True when the run's orchestrator process is alive (and is not this process). A remote run's
 * coordinator on another machine is judged by its heartbeat: its pid means nothing here.
 */
export function orchestratorAlive(run: RunRow): boolean {
  const o = JSON.parse(run.options) as { mode?: string; host?: string };
  if (o.mode === "remote" && o.host && o.host !== hostName()) {
    return run.heartbeat_at !== null &&
      Date.now() - Date.parse(run.heartbeat_at) < REMOTE_SILENCE_MS;
  }
  return run.pid !== null && processAlive(run.pid, run.pid_start);
}

/** The summary of a run. */
export function runSummary(run: RunRow, tasks: readonly TaskRow[]): RunSummary {
  const options = JSON.parse(run.options) as { agent?: string; workers?: number };
  const costs = tasks.map((t) => t.cost_usd).filter((c): c is number => c !== null);
  return {
    id: run.id,
    state: run.state,
    interrupted: run.state === "running" && !orchestratorAlive(run),
    paused: run.state === "running" && !!run.paused,
    created_at: run.created_at,
    finished_at: run.finished_at,
    base_branch: run.base_branch,
    pid: run.pid,
    heartbeat_at: run.heartbeat_at,
    agent: options.agent ?? "unknown",
    workers: options.workers ?? 1,
    remote: remoteOf(run),
    counts: countTasks(tasks),
    cost_usd: costs.length ? round6(costs.reduce((a, b) => a + b, 0)) : null,
  };
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** The public view of a task. */
export async function taskStatus(
  project: Project,
  t: TaskRow,
  now: Date,
): Promise<TaskStatus> {
  const started = t.started_at ? Date.parse(t.started_at) : null;
  const ended = t.finished_at ? Date.parse(t.finished_at) : null;
  return {
    id: t.id,
    feature: t.feature,
    name: t.name,
    wave: t.wave,
    state: t.state,
    phase: t.phase,
    attempt: t.attempt,
    max_attempts: t.max_attempts,
    branch: t.branch,
    worktree: relative(project.root, t.worktree),
    worker: t.worker,
    pid: t.state === "running" ? t.agent_pid : null,
    started_at: t.started_at,
    finished_at: t.finished_at,
    elapsed_ms: started === null ? null : Math.max(0, (ended ?? now.getTime()) - started),
    error: t.error,
    gates: t.gates ? JSON.parse(t.gates) : [],
    conflict_files: t.conflict_files ? JSON.parse(t.conflict_files) : [],
    merge_commit: t.merge_commit,
    cost_usd: t.cost_usd === null ? null : round6(t.cost_usd),
    tokens: {
      input: t.input_tokens,
      output: t.output_tokens,
      cache_creation: t.cache_creation_tokens,
      cache_read: t.cache_read_tokens,
    },
    ready_at: t.ready_at ?? null,
    lease_until: t.lease_until ?? null,
    log: t.log ? relative(project.root, t.log) : null,
    last_line: await lastLine(t.log),
  };
}

function workerStatus(w: WorkerRow, tasks: readonly TaskRow[]): WorkerStatus {
  const task = w.task_id ? tasks.find((t) => t.id === w.task_id) : undefined;
  return {
    id: w.id,
    slot: w.slot,
    state: w.state,
    task: w.task_id,
    pid: w.pid,
    heartbeat_at: w.heartbeat_at,
    host: w.host ?? null,
    lease_until: task?.worker === w.id ? task.lease_until ?? null : null,
  };
}

/** The full status of one run (or of none). */
export async function buildStatus(
  project: Project,
  repo: Repo,
  run: RunRow | undefined,
): Promise<ParallelStatus> {
  if (!run) return { run: null, tasks: [], workers: [], claims: [] };
  const rows = await repo.tasks(run.id);
  const now = project.clock.now();
  const tasks = await Promise.all(rows.map((t) => taskStatus(project, t, now)));
  const workers = (await repo.workers(run.id)).map((w) => workerStatus(w, rows));
  const claims = (await repo.claims()).filter((c) => c.run_id === run.id).map((c) => ({
    task: c.task_id,
    pattern: c.pattern,
  }));
  return { run: runSummary(run, rows), tasks, workers, claims };
}
