/**
 * The schema of the store, as an ordered list of migrations. Each capability owns a block of
 * versions, so migrations added on different branches never collide:
 *
 * | versions | owner |
 * | --- | --- |
 * | 1-9 | core, telemetry, routing |
 * | 10-19 | cost |
 * | 20-29 | orchestrator |
 * | 30-39 | security, gates |
 * | 50-59 | plugins |
 * | 40+ | further capabilities, in blocks of ten |
 *
 * A released migration is never edited; a change is a new migration. Tables are `STRICT`.
 * The runner (in `store_sqlite.ts`) records each applied version in `_migrations` and the
 * highest one in `PRAGMA user_version`, and applies every version not yet recorded, in order
 * (so a lower block added after a higher one still runs).
 *
 * @module
 */
import type { Migration } from "./store.ts";

// ---- 1-9: core, telemetry, routing ------------------------------------------------------
const core: Migration[] = [
  {
    version: 1,
    name: "core_meta",
    sqlite: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;`,
  },
  {
    version: 2,
    name: "telemetry_events",
    sqlite: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        time TEXT NOT NULL,
        ts INTEGER NOT NULL,
        session TEXT NOT NULL,
        feature TEXT,
        task TEXT,
        payload TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_ts ON events (ts);
      CREATE INDEX events_type_ts ON events (type, ts);
      CREATE INDEX events_feature_ts ON events (feature, ts) WHERE feature IS NOT NULL;
      CREATE TABLE event_rollups (
        hour INTEGER NOT NULL,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        count INTEGER NOT NULL,
        usd REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (hour, type, key)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE duration_rollups (
        hour INTEGER NOT NULL,
        type TEXT NOT NULL,
        ms INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (hour, type, ms)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL,
        value REAL NOT NULL,
        threshold REAL NOT NULL,
        message TEXT NOT NULL,
        fired_at TEXT NOT NULL,
        resolved_at TEXT
      ) STRICT;
      CREATE INDEX alerts_rule ON alerts (rule, resolved_at);`,
  },
  {
    version: 3,
    name: "routing_outcomes",
    sqlite: `
      CREATE TABLE routing_outcomes (
        id INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        feature TEXT NOT NULL,
        model TEXT NOT NULL,
        level TEXT NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('success', 'rework', 'fail')),
        cost_usd REAL,
        session TEXT
      ) STRICT;
      CREATE INDEX routing_outcomes_level ON routing_outcomes (level, model);
      CREATE INDEX routing_outcomes_feature ON routing_outcomes (feature);`,
  },
  {
    // One histogram per hour and type instead of one row per duration bucket: a month of
    // busy telemetry is thousands of rows instead of hundreds of thousands.
    version: 4,
    name: "telemetry_duration_histograms",
    sqlite: `
      CREATE TABLE duration_histograms (
        hour INTEGER NOT NULL,
        type TEXT NOT NULL,
        count INTEGER NOT NULL,
        buckets TEXT NOT NULL,
        PRIMARY KEY (hour, type)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO duration_histograms (hour, type, count, buckets)
        SELECT hour, type, sum(count), json_group_object(CAST(ms AS TEXT), count)
        FROM duration_rollups GROUP BY hour, type;
      DROP TABLE duration_rollups;`,
  },
];

/** The quarter hour (`YYYY-MM-DDTHH:MM` floored to 00/15/30/45) of a ledger row's `time`. */
function quarterOf(row: "" | "NEW." | "OLD."): string {
  const mm = `substr(${row}time, 15, 2)`;
  return `substr(${row}time, 1, 14) || CASE WHEN ${mm} < '15' THEN '00' WHEN ${mm} < '30' ` +
    `THEN '15' WHEN ${mm} < '45' THEN '30' ELSE '45' END`;
}

/** The rollup row of a ledger row (a missing feature, session or project is 0). */
function rollupKey(row: "NEW." | "OLD."): string {
  return `quarter = ${quarterOf(row)} AND source = ${row}source AND model = ${row}model ` +
    `AND feature = ifnull(${row}feature, 0) AND session = ifnull(${row}session, 0) ` +
    `AND project = ifnull(${row}project, 0)`;
}

/** Adds (`sign` "") or takes away ("-") a ledger row in its rollup row. */
function rollupAdd(row: "NEW." | "OLD.", sign: "" | "-"): string {
  return `INSERT INTO cost_rollup (quarter, source, model, feature, session, project, rows,
          input, output, creation, read, usd, logged, logged_rows, unpriced)
        VALUES (${quarterOf(row)}, ${row}source, ${row}model, ifnull(${row}feature, 0),
          ifnull(${row}session, 0), ifnull(${row}project, 0), ${sign}1, ${sign}${row}input_tokens,
          ${sign}${row}output_tokens, ${sign}${row}cache_creation_tokens,
          ${sign}${row}cache_read_tokens, ${sign}CAST(round(${row}cost_usd * 1e9) AS INTEGER),
          ${sign}CAST(round(ifnull(${row}logged_cost_usd, 0) * 1e9) AS INTEGER),
          ${sign}(${row}logged_cost_usd IS NOT NULL), ${sign}(${row}priced = 0))
        ON CONFLICT DO UPDATE SET rows = rows + excluded.rows, input = input + excluded.input,
          output = output + excluded.output, creation = creation + excluded.creation,
          read = read + excluded.read, usd = usd + excluded.usd, logged = logged + excluded.logged,
          logged_rows = logged_rows + excluded.logged_rows, unpriced = unpriced + excluded.unpriced;`;
}

/** A ledger row's update that keeps it in the same rollup row. */
const SAME_GROUP = "OLD.time = NEW.time AND OLD.source = NEW.source AND OLD.model = NEW.model " +
  "AND OLD.feature IS NEW.feature AND OLD.session IS NEW.session AND OLD.project IS NEW.project";

// ---- 10-19: cost ----------------------------------------------------------------------
const cost: Migration[] = [
  {
    version: 10,
    name: "cost_ledger",
    sqlite: `
      CREATE TABLE cost_ledger (
        id INTEGER PRIMARY KEY,
        key TEXT UNIQUE,
        time TEXT NOT NULL,
        source TEXT NOT NULL,
        model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
        cache_creation_1h_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        priced INTEGER NOT NULL DEFAULT 1,
        logged_cost_usd REAL,
        session TEXT,
        project TEXT,
        feature TEXT,
        task TEXT,
        recorded_at TEXT NOT NULL,
        import_run TEXT
      ) STRICT;
      CREATE INDEX cost_ledger_time ON cost_ledger (time);
      CREATE INDEX cost_ledger_feature ON cost_ledger (feature, time) WHERE feature IS NOT NULL;
      CREATE INDEX cost_ledger_session ON cost_ledger (session) WHERE session IS NOT NULL;
      CREATE TABLE cost_import_files (
        path TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime TEXT,
        offset INTEGER NOT NULL,
        head_hash TEXT NOT NULL,
        state TEXT,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE cost_budgets (
        name TEXT PRIMARY KEY,
        period TEXT NOT NULL CHECK (period IN ('daily', 'weekly', 'monthly', 'total')),
        feature TEXT,
        limit_usd REAL NOT NULL,
        warn_pct REAL NOT NULL,
        last_level TEXT,
        last_window TEXT,
        updated_at TEXT NOT NULL
      ) STRICT;`,
  },
  {
    // Sums per quarter hour (every zone's offset and daylight-saving switch falls on one) x
    // source x model x feature x session x project, kept up to date by triggers in the
    // transaction that writes the ledger, so `br cost summary` reads a few hundred rows instead
    // of every call. A missing feature, session or project is stored as the integer 0 (a text
    // value never equals it) so that it is part of the key. USD are summed as whole
    // nano-dollars, exactly, so that sums in any order (rows, quarters, groups) are equal.
    version: 11,
    name: "cost_rollup",
    sqlite: `
      CREATE TABLE cost_rollup (
        quarter TEXT NOT NULL,
        source TEXT NOT NULL,
        model TEXT NOT NULL,
        feature ANY NOT NULL,
        session ANY NOT NULL,
        project ANY NOT NULL,
        rows INTEGER NOT NULL,
        input INTEGER NOT NULL,
        output INTEGER NOT NULL,
        creation INTEGER NOT NULL,
        read INTEGER NOT NULL,
        usd INTEGER NOT NULL,
        logged INTEGER NOT NULL,
        logged_rows INTEGER NOT NULL,
        unpriced INTEGER NOT NULL,
        PRIMARY KEY (quarter, source, model, feature, session, project)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO cost_rollup
        SELECT ${quarterOf("")} AS q,
          source, model, ifnull(feature, 0), ifnull(session, 0), ifnull(project, 0), count(*),
          sum(input_tokens), sum(output_tokens), sum(cache_creation_tokens),
          sum(cache_read_tokens), sum(CAST(round(cost_usd * 1e9) AS INTEGER)),
          ifnull(sum(CAST(round(logged_cost_usd * 1e9) AS INTEGER)), 0),
          count(logged_cost_usd), sum(priced = 0)
        FROM cost_ledger GROUP BY 1, 2, 3, 4, 5, 6;
      CREATE TRIGGER cost_rollup_insert AFTER INSERT ON cost_ledger BEGIN
        ${rollupAdd("NEW.", "")}
      END;
      CREATE TRIGGER cost_rollup_update AFTER UPDATE ON cost_ledger WHEN ${SAME_GROUP} BEGIN
        UPDATE cost_rollup SET input = input + NEW.input_tokens - OLD.input_tokens,
          output = output + NEW.output_tokens - OLD.output_tokens,
          creation = creation + NEW.cache_creation_tokens - OLD.cache_creation_tokens,
          read = read + NEW.cache_read_tokens - OLD.cache_read_tokens,
          usd = usd + CAST(round(NEW.cost_usd * 1e9) AS INTEGER)
            - CAST(round(OLD.cost_usd * 1e9) AS INTEGER),
          logged = logged + CAST(round(ifnull(NEW.logged_cost_usd, 0) * 1e9) AS INTEGER)
            - CAST(round(ifnull(OLD.logged_cost_usd, 0) * 1e9) AS INTEGER),
          logged_rows = logged_rows + (NEW.logged_cost_usd IS NOT NULL)
            - (OLD.logged_cost_usd IS NOT NULL),
          unpriced = unpriced + (NEW.priced = 0) - (OLD.priced = 0)
        WHERE ${rollupKey("NEW.")};
      END;
      CREATE TRIGGER cost_rollup_move AFTER UPDATE ON cost_ledger WHEN NOT (${SAME_GROUP}) BEGIN
        ${rollupAdd("OLD.", "-")}
        ${rollupAdd("NEW.", "")}
        DELETE FROM cost_rollup WHERE ${rollupKey("OLD.")} AND rows = 0;
      END;
      CREATE TRIGGER cost_rollup_delete AFTER DELETE ON cost_ledger BEGIN
        ${rollupAdd("OLD.", "-")}
        DELETE FROM cost_rollup WHERE ${rollupKey("OLD.")} AND rows = 0;
      END;`,
  },
];

/** Migration 23: plain columns, the same SQL for both backends. */
const REMOTE_WORKERS = `
  ALTER TABLE parallel_tasks ADD COLUMN ready_at TEXT;
  ALTER TABLE parallel_tasks ADD COLUMN prompt TEXT;
  ALTER TABLE parallel_tasks ADD COLUMN lease_until TEXT;
  ALTER TABLE parallel_tasks ADD COLUMN claimed_at TEXT;
  ALTER TABLE parallel_tasks ADD COLUMN pushed_commit TEXT;
  ALTER TABLE parallel_tasks ADD COLUMN report TEXT;
  ALTER TABLE parallel_workers ADD COLUMN host TEXT;`;

// ---- 20-29: orchestrator --------------------------------------------------------------
const orchestrator: Migration[] = [
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
      CREATE INDEX parallel_workers_run ON parallel_workers(run_id);`,
  },
  {
    version: 21,
    name: "parallel_runs_paused",
    // Set by "br parallel pause": the run's br process starts no new task until it is cleared.
    sqlite: `ALTER TABLE parallel_runs ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 22,
    name: "parallel_tasks_gates",
    // The checks a task passed before its merge (JSON list), for its merge commit and the report.
    sqlite: `ALTER TABLE parallel_tasks ADD COLUMN gates TEXT;`,
  },
  {
    version: 23,
    name: "parallel_remote_workers",
    // Workers on other machines ("br parallel worker"): the coordinator offers a task
    // (ready_at, its prompt), a worker claims it under a lease it renews (lease_until,
    // claimed_at), pushes its branch and reports (pushed_commit, report: the outcome as JSON).
    sqlite: REMOTE_WORKERS,
    postgres: REMOTE_WORKERS,
  },
];

// ---- 30-39: security, gates -----------------------------------------------------------
const gates: Migration[] = [];

// ---- 50-59: plugins -----------------------------------------------------------------
const plugins: Migration[] = [
  {
    version: 50,
    name: "plugin_kv",
    // Each plugin's key-value store (its context's `kv`); values are JSON text.
    sqlite: `
      CREATE TABLE plugin_kv (
        plugin TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (plugin, key)
      ) STRICT, WITHOUT ROWID;`,
  },
];

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [
  ...core,
  ...cost,
  ...orchestrator,
  ...gates,
  ...plugins,
];
