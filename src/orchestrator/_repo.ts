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
  /** Remote runs: when the coordinator offered it to workers (null: not claimable). */
  ready_at?: string | null;
  /** Remote runs: the prompt the coordinator rendered for it. */
  prompt?: string | null;
  /** Remote runs: until when the claiming worker holds it (it renews this while it works). */
  lease_until?: string | null;
  /** Remote runs: when the current attempt was claimed. */
  claimed_at?: string | null;
  /** Remote runs: the commit the worker pushed as the task branch. */
  pushed_commit?: string | null;
  /** Remote runs: the worker's outcome (JSON), waiting for the coordinator. */
  report?: string | null;
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
  /** The machine of a remote worker (`br parallel worker`); null for a local slot. */
  host?: string | null;
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

  /** Updates task fields only while the task is in `state`; true when it was. */
  async updateTaskIf(id: string, state: TaskState, patch: Patch): Promise<boolean> {
    const { sql, params } = setClause(patch);
    const r = await this.store.run(
      `UPDATE parallel_tasks SET ${sql} WHERE id = $__id AND state = $__state`,
      { ...params, $__id: id, $__state: state },
    );
    return r.changes > 0;
  }

  /**
   * Remote runs: in one transaction, puts back the tasks whose worker's lease ran out before it
   * reported (`now` past `lease_until`): with attempts left they are pending again (claimable,
   * their claims released); the others lose their lease and are returned, for the coordinator
   * to end (`requeueOnly` leaves those alone, for a worker that cannot end a task).
   */
  expireLeases(
    runId: string,
    now: string,
    options: { skipLocked: boolean; requeueOnly: boolean },
  ): Promise<{ requeued: TaskRow[]; exhausted: TaskRow[] }> {
    return this.store.tx(async (t) => {
      const expired = await t.all<TaskRow>(
        `SELECT * FROM parallel_tasks WHERE run_id = $run AND state = 'running'
          AND lease_until IS NOT NULL AND lease_until < $now AND report IS NULL
          ${options.requeueOnly ? "AND attempt < max_attempts" : ""}
         ORDER BY wave, priority, feature${options.skipLocked ? " FOR UPDATE SKIP LOCKED" : ""}`,
        { $run: runId, $now: now },
      );
      const out = { requeued: [] as TaskRow[], exhausted: [] as TaskRow[] };
      for (const task of expired) {
        const lost = `worker ${task.worker} lost: its lease ran out during attempt ${task.attempt}`;
        if (task.attempt < task.max_attempts) {
          await t.run(
            `UPDATE parallel_tasks SET state = 'pending', phase = $phase, worker = NULL,
              lease_until = NULL, agent_pid = NULL, agent_pid_start = NULL, error = $error
             WHERE id = $id`,
            { $id: task.id, $phase: "worker lost, retrying", $error: lost },
          );
          await t.run("DELETE FROM parallel_claims WHERE task_id = $task", { $task: task.id });
          out.requeued.push(task);
        } else {
          await t.run(
            "UPDATE parallel_tasks SET lease_until = NULL, error = $error WHERE id = $id",
            { $id: task.id, $error: lost },
          );
          out.exhausted.push({ ...task, error: lost });
        }
      }
      return out;
    });
  }

  /**
   * Remote runs: claims the first ready task of a run for `worker` (in wave, priority, id
   * order): offered by the coordinator, dependencies merged (it offers only those), retry delay
   * over, attempts left, and no file claim overlapping one held by another task. Starts its
   * next attempt under a lease until `leaseUntil`. One transaction; with `skipLocked`
   * (PostgreSQL) rows another worker is claiming are skipped, not waited for. The store
   * serializes write transactions per project (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's
   * advisory lock), so two workers never take overlapping file claims. Null when the run is not
   * running, is paused or stopping, or nothing is ready.
   */
  claimNext(
    runId: string,
    worker: string,
    now: string,
    leaseUntil: string,
    skipLocked: boolean,
  ): Promise<TaskRow | null> {
    return this.store.tx(async (t) => {
      const run = await t.get<RunRow>("SELECT * FROM parallel_runs WHERE id = $id", {
        $id: runId,
      });
      if (!run || run.state !== "running" || run.paused || run.stop_requested) return null;
      const ready = await t.all<TaskRow>(
        `SELECT * FROM parallel_tasks WHERE run_id = $run AND state = 'pending'
          AND ready_at IS NOT NULL AND attempt < max_attempts
          AND (next_attempt_at IS NULL OR next_attempt_at <= $now)
         ORDER BY wave, priority, feature${skipLocked ? " FOR UPDATE SKIP LOCKED" : ""}`,
        { $run: runId, $now: now },
      );
      if (ready.length === 0) return null;
      const held = await t.all<ClaimRow>("SELECT * FROM parallel_claims ORDER BY claimed_at");
      for (const task of ready) {
        const patterns = JSON.parse(task.files) as string[];
        const others = held.filter((c) => c.task_id !== task.id).map((c) => c.pattern);
        if (patterns.length > 0 && others.length > 0 && claimOverlap(patterns, others)) continue;
        for (const pattern of patterns) {
          await t.run(
            `INSERT INTO parallel_claims (task_id, run_id, pattern, claimed_at)
             VALUES ($task, $run, $pattern, $now) ON CONFLICT DO NOTHING`,
            { $task: task.id, $run: runId, $pattern: pattern, $now: now },
          );
        }
        const patch = {
          state: "running" as const,
          phase: "claimed",
          attempt: task.attempt + 1,
          worker,
          lease_until: leaseUntil,
          claimed_at: now,
          started_at: now,
          finished_at: null,
          next_attempt_at: null,
          report: null,
          pushed_commit: null,
          error: null,
        };
        const { sql, params } = setClause(patch);
        await t.run(`UPDATE parallel_tasks SET ${sql} WHERE id = $__id`, {
          ...params,
          $__id: task.id,
        });
        return { ...task, ...patch };
      }
      return null;
    });
  }

  /**
   * Remote runs: updates a task only while `worker` holds its attempt `attempt` under a lease
   * and has not reported; false when it lost it (lease expired, run stopped, task retried).
   */
  async updateClaimed(id: string, worker: string, attempt: number, patch: Patch): Promise<boolean> {
    const { sql, params } = setClause(patch);
    const r = await this.store.run(
      `UPDATE parallel_tasks SET ${sql} WHERE id = $__id AND worker = $__worker
        AND attempt = $__attempt AND state = 'running' AND lease_until IS NOT NULL
        AND report IS NULL`,
      { ...params, $__id: id, $__worker: worker, $__attempt: attempt },
    );
    return r.changes > 0;
  }
}

function prefixed(row: Patch): SqlParams {
  const out: Record<string, string | number | null> = {};
  for (const [k, v] of Object.entries(row)) out[`$${k}`] = v === undefined ? null : v;
  return out;
}
