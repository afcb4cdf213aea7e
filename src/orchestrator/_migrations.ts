/**
 * The orchestrator's tables (store versions 20-29). Written in the `{version, name, sqlite}`
 * shape of `src/core/store_migrations.ts` so they move there unchanged when the store lands.
 */
export interface OrchestratorMigration {
  /** PRAGMA user_version after it ran. */
  version: number;
  /** Short name. */
  name: string;
  /** The SQL. */
  sqlite: string;
}

/** Runs, tasks, file claims and workers of `br parallel`. */
export const ORCHESTRATOR_MIGRATIONS: readonly OrchestratorMigration[] = [
  {
    version: 20,
    name: "parallel_runs",
    sqlite: `
CREATE TABLE parallel_runs (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  finished_at TEXT,
  pid INTEGER,
  pid_start TEXT,
  heartbeat_at TEXT,
  stop_requested INTEGER NOT NULL DEFAULT 0,
  base_branch TEXT,
  options TEXT NOT NULL,
  error TEXT
) STRICT;
CREATE TABLE parallel_tasks (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES parallel_runs(id) ON DELETE CASCADE,
  feature TEXT NOT NULL,
  name TEXT NOT NULL,
  wave INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  dependencies TEXT NOT NULL,
  files TEXT NOT NULL,
  state TEXT NOT NULL,
  phase TEXT,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  next_attempt_at TEXT,
  branch TEXT NOT NULL,
  worktree TEXT NOT NULL,
  base_commit TEXT,
  worker TEXT,
  agent_pid INTEGER,
  agent_pid_start TEXT,
  log TEXT,
  started_at TEXT,
  finished_at TEXT,
  duration_ms INTEGER,
  error TEXT,
  conflict_files TEXT,
  merge_commit TEXT,
  cost_usd REAL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX parallel_tasks_run ON parallel_tasks(run_id);
CREATE TABLE parallel_claims (
  task_id TEXT NOT NULL REFERENCES parallel_tasks(id) ON DELETE CASCADE,
  run_id TEXT NOT NULL,
  pattern TEXT NOT NULL,
  claimed_at TEXT NOT NULL,
  PRIMARY KEY (task_id, pattern)
) STRICT;
CREATE TABLE parallel_workers (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES parallel_runs(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  state TEXT NOT NULL,
  task_id TEXT,
  pid INTEGER,
  started_at TEXT NOT NULL,
  heartbeat_at TEXT
) STRICT;
CREATE INDEX parallel_workers_run ON parallel_workers(run_id);
`,
  },
];
