/** Typed reads and writes of runs, tasks, claims and workers (SQL over the store contract). */
import { claimOverlap } from "./_claims.ts";
import type { SqlParams, SqlStore } from "./_store.ts";

/** States of a run. */
export type RunState = "running" | "completed" | "failed" | "stopped";

/** States of a task. */
export type TaskState =
  | "pending"
  | "running"
  | "merged"
  | "review"
  | "conflict"
  | "failed"
  | "skipped"
  | "cancelled";

/** Task states that end it. */
export const FINAL_TASK_STATES: readonly TaskState[] = [
  "merged",
  "review",
  "conflict",
  "failed",
  "skipped",
  "cancelled",
];

/** One row of `parallel_runs`. */
export interface RunRow {
  id: string;
  state: RunState;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  pid: number | null;
  pid_start: string | null;
  heartbeat_at: string | null;
  stop_requested: number;
  /** 1 while paused (`br parallel pause`); absent before the row is written. */
  paused?: number;
  base_branch: string | null;
  options: string;
  error: string | null;
}

/** One row of `parallel_tasks`. */
export interface TaskRow {
  id: string;
  run_id: string;
  feature: string;
  name: string;
  wave: number;
  priority: number;
  dependencies: string;
  files: string;
  state: TaskState;
  phase: string | null;
  attempt: number;
  max_attempts: number;
  next_attempt_at: string | null;
  branch: string;
  worktree: string;
  base_commit: string | null;
  worker: string | null;
  agent_pid: number | null;
  agent_pid_start: string | null;
  log: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  error: string | null;
  conflict_files: string | null;
  merge_commit: string | null;
  cost_usd: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  runs: number;
  /** The checks passed before the merge (JSON list); absent before the row is written. */
  gates?: string | null;
}

/** One row of `parallel_workers`. */
export interface WorkerRow {
  id: string;
  run_id: string;
  slot: number;
  state: "idle" | "busy" | "lost" | "done";
  task_id: string | null;
  pid: number | null;
  started_at: string;
  heartbeat_at: string | null;
}

/** A claim held by a task. */
export interface ClaimRow {
  task_id: string;
  run_id: string;
  pattern: string;
  claimed_at: string;
}

type Patch = Record<string, string | number | null>;

function setClause(patch: Patch): { sql: string; params: Record<string, string | number | null> } {
  const keys = Object.keys(patch);
  const params: Record<string, string | number | null> = {};
  for (const k of keys) params[`$${k}`] = patch[k];
  return { sql: keys.map((k) => `${k} = $${k}`).join(", "), params };
}

/** The orchestrator's state, behind one small interface. */
export class Repo {
  /** The store. */
  readonly store: SqlStore;

  /** Wraps a store. */
  constructor(store: SqlStore) {
    this.store = store;
  }

  /** Inserts a run with its tasks. */
  async createRun(run: RunRow, tasks: TaskRow[]): Promise<void> {
    await this.store.tx(async (t) => {
      await t.run(
        `INSERT INTO parallel_runs (id, state, created_at, updated_at, finished_at, pid, pid_start,
          heartbeat_at, stop_requested, base_branch, options, error)
         VALUES ($id, $state, $created_at, $updated_at, $finished_at, $pid, $pid_start,
          $heartbeat_at, $stop_requested, $base_branch, $options, $error)`,
        prefixed(run as unknown as Patch),
      );
      for (const task of tasks) {
        const cols = Object.keys(task);
        await t.run(
          `INSERT INTO parallel_tasks (${cols.join(", ")}) VALUES (${
            cols.map((c) => `$${c}`).join(", ")
          })`,
          prefixed(task as unknown as Patch),
        );
      }
    });
  }

  /** One run. */
  getRun(id: string): Promise<RunRow | undefined> {
    return this.store.get<RunRow>("SELECT * FROM parallel_runs WHERE id = $id", { $id: id });
  }

  /** The newest run. */
  latestRun(): Promise<RunRow | undefined> {
    return this.store.get<RunRow>(
      "SELECT * FROM parallel_runs ORDER BY created_at DESC, id DESC LIMIT 1",
    );
  }

  /** Every run, newest first. */
  listRuns(): Promise<RunRow[]> {
    return this.store.all<RunRow>("SELECT * FROM parallel_runs ORDER BY created_at DESC, id DESC");
  }

  /** Runs still marked running. */
  runningRuns(): Promise<RunRow[]> {
    return this.store.all<RunRow>(
      "SELECT * FROM parallel_runs WHERE state = 'running' ORDER BY created_at",
    );
  }

  /** Updates run fields. */
  async updateRun(id: string, patch: Patch): Promise<void> {
    const { sql, params } = setClause(patch);
    await this.store.run(`UPDATE parallel_runs SET ${sql} WHERE id = $__id`, {
      ...params,
      $__id: id,
    });
  }

  /** The tasks of a run, in wave then id order. */
  tasks(runId: string): Promise<TaskRow[]> {
    return this.store.all<TaskRow>(
      "SELECT * FROM parallel_tasks WHERE run_id = $run ORDER BY wave, priority, feature",
      { $run: runId },
    );
  }

  /** One task. */
  getTask(id: string): Promise<TaskRow | undefined> {
    return this.store.get<TaskRow>("SELECT * FROM parallel_tasks WHERE id = $id", { $id: id });
  }

  /** Updates task fields. */
  async updateTask(id: string, patch: Patch): Promise<void> {
    const { sql, params } = setClause(patch);
    await this.store.run(`UPDATE parallel_tasks SET ${sql} WHERE id = $__id`, {
      ...params,
      $__id: id,
    });
  }

  /** Adds usage to a task's totals. */
  async addUsage(
    id: string,
    u: { cost_usd: number | null; input: number; output: number; cw: number; cr: number },
  ): Promise<void> {
    await this.store.run(
      `UPDATE parallel_tasks SET
        cost_usd = CASE WHEN CAST($cost AS DOUBLE PRECISION) IS NULL THEN cost_usd
          ELSE COALESCE(cost_usd, 0) + $cost END,
        input_tokens = input_tokens + $in, output_tokens = output_tokens + $out,
        cache_creation_tokens = cache_creation_tokens + $cw,
        cache_read_tokens = cache_read_tokens + $cr
       WHERE id = $id`,
      { $id: id, $cost: u.cost_usd, $in: u.input, $out: u.output, $cw: u.cw, $cr: u.cr },
    );
  }

  /**
   * Claims `patterns` for a task unless a claim of another task overlaps; returns the
   * blocking claim or null when the claims were taken. Atomic (one transaction).
   */
  claim(task: TaskRow, patterns: readonly string[], now: string): Promise<ClaimRow | null> {
    return this.store.tx(async (t) => {
      if (patterns.length > 0) {
        const held = await t.all<ClaimRow>(
          "SELECT * FROM parallel_claims WHERE task_id != $task ORDER BY claimed_at",
          { $task: task.id },
        );
        for (const c of held) {
          if (claimOverlap(patterns, [c.pattern])) return c;
        }
      }
      for (const pattern of patterns) {
        await t.run(
          `INSERT INTO parallel_claims (task_id, run_id, pattern, claimed_at)
           VALUES ($task, $run, $pattern, $now) ON CONFLICT (task_id, pattern) DO NOTHING`,
          { $task: task.id, $run: task.run_id, $pattern: pattern, $now: now },
        );
      }
      return null;
    });
  }

  /** Releases the claims of a task. */
  async release(taskId: string): Promise<void> {
    await this.store.run("DELETE FROM parallel_claims WHERE task_id = $task", { $task: taskId });
  }

  /** Releases every claim of a run; returns how many. */
  async releaseRun(runId: string): Promise<number> {
    const r = await this.store.run("DELETE FROM parallel_claims WHERE run_id = $run", {
      $run: runId,
    });
    return r.changes;
  }

  /** Claims held now. */
  claims(): Promise<ClaimRow[]> {
    return this.store.all<ClaimRow>("SELECT * FROM parallel_claims ORDER BY task_id, pattern");
  }

  /** Inserts or replaces a worker. */
  async putWorker(w: WorkerRow): Promise<void> {
    await this.store.run(
      `INSERT INTO parallel_workers (id, run_id, slot, state, task_id, pid, started_at,
        heartbeat_at) VALUES ($id, $run_id, $slot, $state, $task_id, $pid, $started_at,
        $heartbeat_at)
       ON CONFLICT (id) DO UPDATE SET run_id = excluded.run_id, slot = excluded.slot,
        state = excluded.state, task_id = excluded.task_id, pid = excluded.pid,
        started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
      prefixed(w as unknown as Patch),
    );
  }

  /** Updates worker fields. */
  async updateWorker(id: string, patch: Patch): Promise<void> {
    const { sql, params } = setClause(patch);
    await this.store.run(`UPDATE parallel_workers SET ${sql} WHERE id = $__id`, {
      ...params,
      $__id: id,
    });
  }

  /** The workers of a run. */
  workers(runId: string): Promise<WorkerRow[]> {
    return this.store.all<WorkerRow>(
      "SELECT * FROM parallel_workers WHERE run_id = $run ORDER BY slot",
      { $run: runId },
    );
  }
}

function prefixed(row: Patch): SqlParams {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) out[`$${k}`] = v === undefined ? null : v;
  return out;
}
