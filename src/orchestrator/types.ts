/** Public shapes of `br parallel` (JSON output, MCP, library). Keys are snake_case. */

/** Counts of tasks by state. */
export interface TaskCounts {
  /** Waiting to start (dependencies, claims, a free worker, or a retry delay). */
  pending: number;
  /** An agent, its checks or its merge is running. */
  running: number;
  /** Finished and merged into the base. */
  merged: number;
  /** Finished, left on its branch for review. */
  review: number;
  /** Finished, but the merge conflicted; branch kept. */
  conflict: number;
  /** The agent or a check failed (after retries). */
  failed: number;
  /** Never started (a dependency did not merge, or the budget was reached). */
  skipped: number;
  /** Stopped by `br parallel stop`. */
  cancelled: number;
}

/** One run of `br parallel run`. */
export interface RunSummary {
  /** Run id. */
  id: string;
  /** `running`, `completed`, `failed` or `stopped`. */
  state: string;
  /** True when the run is marked running but its `br` process is gone (resume it). */
  interrupted: boolean;
  /** True while paused (`br parallel pause`): no new task starts until `br parallel resume`. */
  paused: boolean;
  /** ISO time it started. */
  created_at: string;
  /** ISO time it ended. */
  finished_at: string | null;
  /** The branch finished work merges into. */
  base_branch: string | null;
  /** The orchestrating `br` process. */
  pid: number | null;
  /** Last heartbeat of that process. */
  heartbeat_at: string | null;
  /** The agent profile. */
  agent: string;
  /** Number of workers (of a run whose agents run in its own process). */
  workers: number;
  /**
   * The git remote of a run whose agents run on `br parallel worker` processes (started with
   * `--remote`), else null.
   */
  remote: string | null;
  /** Tasks by state. */
  counts: TaskCounts;
  /** USD reported or priced from the agents' usage so far (null when none was reported). */
  cost_usd: number | null;
}

/** One task (one feature) of a run. */
export interface TaskStatus {
  /** Task id (`<run>/<feature>`). */
  id: string;
  /** Feature id. */
  feature: string;
  /** Feature name. */
  name: string;
  /** Dependency wave (0 first). */
  wave: number;
  /** Task state. */
  state: string;
  /** What it is doing or waiting for. */
  phase: string | null;
  /** Attempts started. */
  attempt: number;
  /** Attempts allowed. */
  max_attempts: number;
  /** Task branch. */
  branch: string;
  /** Worktree, relative to the project root. */
  worktree: string;
  /** Worker id. */
  worker: string | null;
  /** Agent process id while it runs. */
  pid: number | null;
  /** ISO time the current or last attempt started. */
  started_at: string | null;
  /** ISO time it finished. */
  finished_at: string | null;
  /** Milliseconds since it started (until it finished). */
  elapsed_ms: number | null;
  /**
   * Why it did not merge (failed, review, conflict, skipped, cancelled), or for a merged task
   * its note: warnings (no acceptance criteria) and gate problems already on the base.
   */
  error: string | null;
  /** The checks it passed before its merge (`buildrunner-files`, the gates, `tests`). */
  gates: string[];
  /** Files of a merge conflict. */
  conflict_files: string[];
  /** The base commit after the merge. */
  merge_commit: string | null;
  /** USD of its agent runs (null when none was reported). */
  cost_usd: number | null;
  /** Tokens of its agent runs. */
  tokens: { input: number; output: number; cache_creation: number; cache_read: number };
  /** Remote runs: when it was offered to the workers. */
  ready_at: string | null;
  /** Remote runs: until when its worker holds it. */
  lease_until: string | null;
  /** Log of the current or last attempt, relative to the project root. */
  log: string | null;
  /** Last line of that log. */
  last_line: string | null;
}

/** One worker slot. */
export interface WorkerStatus {
  /** Worker id. */
  id: string;
  /** Slot number (1-based). */
  slot: number;
  /** `idle`, `busy`, `lost` or `done`. */
  state: string;
  /** Task it runs. */
  task: string | null;
  /** Agent process id. */
  pid: number | null;
  /** Last heartbeat. */
  heartbeat_at: string | null;
  /** The machine of a remote worker (`br parallel worker`); null for a local slot. */
  host: string | null;
  /** Until when a remote worker holds its task (it renews this while it works). */
  lease_until: string | null;
}

/** One task a remote worker (`br parallel worker`) claimed. */
export interface WorkerTaskReport {
  /** Task id. */
  task: string;
  /** Feature id. */
  feature: string;
  /** The attempt it ran. */
  attempt: number;
  /**
   * `pushed` (the branch is on the remote, the coordinator checks and merges it), `failed`,
   * `cancelled` (stopped here: the task went back to the other workers), or `lost` (the lease
   * ran out or the run stopped: nothing was reported).
   */
  outcome: string;
  /** The commit pushed as the task branch. */
  commit: string | null;
  /** Why it failed. */
  error: string | null;
  /** ISO time of the claim. */
  claimed_at: string;
  /** Milliseconds from the claim to the agent's start (null when it did not start). */
  claim_to_start_ms: number | null;
}

/** Result of `br parallel worker`. */
export interface WorkerReport {
  /** Worker id (`<run>/<host>-<pid>`). */
  worker: string;
  /** This machine. */
  host: string;
  /** The run it worked on. */
  run: string;
  /** The tasks it claimed, in order. */
  tasks: WorkerTaskReport[];
}

/** A file claim held by a running task. */
export interface ClaimStatus {
  /** Task id. */
  task: string;
  /** The glob. */
  pattern: string;
}

/** The state of one run: what `br parallel status` shows and the MCP tool returns. */
export interface ParallelStatus {
  /** The run, or null when there has been none. */
  run: RunSummary | null;
  /** Its tasks, by wave, priority and id. */
  tasks: TaskStatus[];
  /** Its workers. */
  workers: WorkerStatus[];
  /** Claims held now. */
  claims: ClaimStatus[];
}

/**
 * A merge `br` had started when its process died, found by its note (`<git-dir>/BR_MERGE`).
 * `aborted`: it had not committed; `git merge --abort` put the checkout back and the task
 * merges again. `committed`: git had made the merge commit but not cleared its merge state;
 * `git merge --quit` cleared it (the task then finds its branch merged).
 */
export interface InterruptedMerge {
  /** Feature of the task that was merging. */
  feature: string;
  /** `.` for the main checkout, else the task worktree (relative to the project root). */
  checkout: string;
  /** What was done. */
  outcome: "aborted" | "committed";
}

/** What `resume` found and fixed before continuing. */
export interface RecoveryReport {
  /** Agents still running from the dead orchestrator, stopped (their tasks rerun). */
  orphans_stopped: { feature: string; pid: number }[];
  /** Tasks put back to pending. */
  requeued: string[];
  /** Tasks whose agent had finished: their checks and merge continue. */
  continued: string[];
  /** Claims released. */
  claims_released: number;
  /** Merges the dead process had started and not finished, settled (see the type). */
  interrupted_merges: InterruptedMerge[];
}

/** Result of `run` and `resume`. */
export interface RunReport extends ParallelStatus {
  /** Set by `resume`. */
  recovery: RecoveryReport | null;
}

/** Result of `br parallel stop`. */
export interface StopResult {
  /** Run id. */
  run: string;
  /** The run's state afterwards. */
  state: string;
  /** True when a live orchestrator was asked to stop; false when the run was closed here. */
  requested: boolean;
  /** Agents stopped here (the orchestrator was gone). */
  orphans_stopped: number[];
  /** Merges the gone orchestrator had left half done, settled here (as by resume). */
  interrupted_merges: InterruptedMerge[];
}

/** Result of `br parallel pause` and of resuming a paused run. */
export interface PauseResult {
  /** Run id. */
  run: string;
  /** True while the run is paused. */
  paused: boolean;
  /** True when the run's `br` process is alive and sees the change at its next scheduling. */
  live: boolean;
}

/** Result of `br parallel cleanup`. */
export interface CleanupReport {
  /** Worktrees removed (relative paths). */
  removed: string[];
  /** Branches deleted (only fully merged ones). */
  branches_deleted: string[];
  /** Worktrees kept, with the reason. */
  kept: { worktree: string; reason: string }[];
}

/** One task in the summary of a run (`br parallel report`). */
export interface TaskReport {
  /** Feature id. */
  feature: string;
  /** Feature name. */
  name: string;
  /** Final state: merged, review, conflict, failed, skipped, cancelled (or still running). */
  outcome: string;
  /** Milliseconds of its last attempt, agent to merge. */
  duration_ms: number | null;
  /** Agent attempts made. */
  attempts: number;
  /** USD of its agent runs (null when none was reported). */
  cost_usd: number | null;
  /** Tokens of its agent runs. */
  tokens: { input: number; output: number; cache_creation: number; cache_read: number };
  /** The checks it passed before its merge. */
  gates: string[];
  /** The commit its merge made or moved the base to. */
  merge_commit: string | null;
  /** Why it did not merge, or the note of a merged task. */
  note: string | null;
}

/** The summary of one run (`br parallel report`). */
export interface ParallelReport {
  /** The run. */
  run: RunSummary;
  /** One entry per task, in the run's order. */
  tasks: TaskReport[];
}
