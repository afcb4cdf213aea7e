/**
 * The SQLite backend of the {@link Store} (`node:sqlite`): WAL, a busy timeout, foreign keys,
 * `BEGIN IMMEDIATE` transactions retried while another process writes, and statements
 * prepared once per connection.
 *
 * @module
 */
import type { AsyncLocalStorage } from "node:async_hooks";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { BrError } from "./errors.ts";
import { existsSync } from "./fs.ts";
import {
  type Migration,
  orderMigrations,
  type RunResult,
  type SqlParams,
  type SqlValue,
  type Store,
  type StoreTx,
} from "./store.ts";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The migrations to apply (default: the built-in list). */
  migrations?: readonly Migration[];
  /** How long SQLite itself waits for a lock before giving control back (default 1000 ms). */
  busyTimeoutMs?: number;
  /** How long a busy write is retried in all before it fails (default 60 000 ms). */
  retryDeadlineMs?: number;
  /**
   * Open an existing file for reading only: nothing is created or migrated, and a write
   * fails. In a folder br may not write to, a WAL database cannot get its shared-memory file;
   * it is then read as immutable (what the last committed checkpoint holds).
   */
  readOnly?: boolean;
}

/**
 * Opens (creating it when needed) the SQLite store at `path` and brings its schema up to date;
 * with `readOnly`, opens an existing file without changing it.
 *
 * @throws {BrError} `storage` when the file cannot be opened or is not a database; with
 * `readOnly`, also when its schema is older than this br (it cannot be migrated).
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<Store> {
  const migrations = options.migrations ??
    (await import("./store_migrations.ts")).MIGRATIONS;
  const store = new SqliteStore(path, options);
  try {
    if (options.readOnly) await store.checkReadOnly(migrations);
    else await store.init(migrations);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

const BUSY = /database is locked|database is busy|SQLITE_BUSY/i;

// WAL pages after which a commit checkpoints: SQLite's default, and during a bulk write.
const CHECKPOINT_PAGES = 1000;
const BULK_CHECKPOINT_PAGES = 16384;
// Page cache (KiB): SQLite's default, and during a bulk write, so that a transaction's pages
// are written to the log once, at its commit, not also when the cache spills in between (the
// 5,000 rows of a cost import's transaction touch more than 2 MiB). Only pages used take memory.
const CACHE_KIB = 2000;
const BULK_CACHE_KIB = 16384;

function isBusy(err: unknown): boolean {
  return BUSY.test(String((err as Error)?.message ?? err));
}

function storageError(action: string, err: unknown, location: string): BrError {
  if (err instanceof BrError) return err;
  const message = String((err as Error)?.message ?? err);
  if (/not a database|malformed/i.test(message)) {
    return new BrError("storage", `The store "${location}" is damaged: ${message}`, {
      hint: "move the file away; br creates a new one (its history is lost)",
      cause: err,
    });
  }
  return new BrError("storage", `Cannot ${action} the store "${location}": ${message}`, {
    hint: "run again with BR_DEBUG=1 for details",
    cause: err,
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function plain<T>(row: unknown): T {
  // node:sqlite returns null-prototype rows; callers compare and spread plain objects.
  return (row === undefined ? undefined : Object.assign({}, row)) as T;
}

/**
 * Opens `path` for reading. A WAL database needs its `-shm` file, which a read-only folder
 * cannot get: then the file is opened immutable (no locks, no shared memory).
 */
function openReadOnly(path: string): DatabaseSync {
  if (!existsSync(path)) throw new Error("unable to open database file (no such file)");
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    db.prepare("SELECT count(*) FROM sqlite_master").get();
    return db;
  } catch (err) {
    db.close();
    if (!/unable to open/i.test(String((err as Error)?.message))) throw err;
  }
  const uri = "file:" + path.replaceAll("\\", "/").split("/").map(encodeURIComponent).join("/");
  return new DatabaseSync(`${uri}?immutable=1`, { readOnly: true });
}

class SqliteStore implements Store {
  readonly backend = "sqlite" as const;
  readonly location: string;
  #db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  #queue: Promise<unknown> = Promise.resolve();
  #active: SqliteTx | null = null;
  // The transaction an async context runs in: made by the first transaction (loading
  // `node:async_hooks` takes 4-10 ms, which a command that only reads need not spend).
  #context: AsyncLocalStorage<SqliteTx> | null = null;
  #deadlineMs: number;
  #closed = false;
  #bulk = 0;

  constructor(path: string, options: SqliteStoreOptions) {
    this.location = path;
    this.#deadlineMs = options.retryDeadlineMs ?? 60_000;
    try {
      this.#db = options.readOnly ? openReadOnly(path) : new DatabaseSync(path);
      this.#db.exec(`PRAGMA busy_timeout = ${Math.max(0, options.busyTimeoutMs ?? 1000) | 0}`);
    } catch (err) {
      throw storageError("open", err, path);
    }
  }

  /** For a read-only open: the schema must be the one this br knows, as migrations cannot run. */
  async checkReadOnly(migrations: readonly Migration[]): Promise<void> {
    const pending = await this.#retry("read", () => pendingMigrations(this, migrations));
    if (pending.length > 0) {
      throw new BrError(
        "storage",
        `The store "${this.location}" is read-only and older than this br (${pending.length} migration(s) to apply)`,
        { hint: "run br once where it may write .buildrunner/, then read it again" },
      );
    }
  }

  async init(migrations: readonly Migration[]): Promise<void> {
    // Switching to WAL needs a moment of exclusive access when the file is new.
    await this.#retry("open", () => {
      this.#db.exec("PRAGMA journal_mode = WAL");
      this.#db.exec("PRAGMA synchronous = NORMAL");
      this.#db.exec("PRAGMA foreign_keys = ON");
      // Temporary files in memory: above all the statement journal SQLite keeps for a
      // statement of many rows inside a transaction (a copy of every page it changes, so that
      // it alone can be undone), which would otherwise go to a file past 64 KiB.
      this.#db.exec("PRAGMA temp_store = MEMORY");
    });
    await migrate(this, migrations);
  }

  /** Runs a synchronous SQLite operation; while another process writes, waits and retries. */
  retry<T>(action: string, op: () => T): Promise<T> {
    return this.#retry(action, op);
  }

  async #retry<T>(action: string, op: () => T): Promise<T> {
    const start = Date.now();
    let wait = 5;
    while (true) {
      try {
        return op();
      } catch (err) {
        if (!isBusy(err)) throw storageError(action, err, this.location);
        if (Date.now() - start > this.#deadlineMs) {
          throw new BrError(
            "storage",
            `The store "${this.location}" stayed busy for ${
              Math.round((Date.now() - start) / 1000)
            } s`,
            { hint: "another br process holds it; try again when it has finished", cause: err },
          );
        }
        await sleep(wait + Math.random() * wait);
        wait = Math.min(wait * 2, 200);
      }
    }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#closed) throw closedStore();
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` when no transaction of another async context holds the connection. */
  #when<T>(fn: () => T | Promise<T>): Promise<T> {
    const mine = this.#context?.getStore();
    if (!this.#active || (mine && mine === this.#active)) return Promise.resolve().then(fn);
    return this.#exclusive(async () => await fn());
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  // The raw operations, used by the store and by its transactions.
  rawAll<T>(sql: string, params?: SqlParams): T[] {
    const statement = this.#statement(sql);
    const rows = params === undefined
      ? statement.all()
      : Array.isArray(params)
      ? statement.all(...(params as SqlValue[]))
      : statement.all(params as Record<string, SqlValue>);
    return rows.map((row) => plain<T>(row));
  }

  rawGet<T>(sql: string, params?: SqlParams): T | undefined {
    const statement = this.#statement(sql);
    const row = params === undefined
      ? statement.get()
      : Array.isArray(params)
      ? statement.get(...(params as SqlValue[]))
      : statement.get(params as Record<string, SqlValue>);
    return plain<T | undefined>(row);
  }

  rawRun(sql: string, params?: SqlParams): RunResult {
    const statement = this.#statement(sql);
    const result = params === undefined
      ? statement.run()
      : Array.isArray(params)
      ? statement.run(...(params as SqlValue[]))
      : statement.run(params as Record<string, SqlValue>);
    return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
  }

  rawMany(sql: string, rows: readonly SqlParams[]): number {
    const statement = this.#statement(sql);
    let changes = 0;
    for (const params of rows) {
      const result = Array.isArray(params)
        ? statement.run(...(params as SqlValue[]))
        : statement.run(params as Record<string, SqlValue>);
      changes += Number(result.changes);
    }
    return changes;
  }

  exec(sql: string): void {
    this.#db.exec(sql);
  }

  all<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.#when(() => this.#retry("read", () => this.rawAll<T>(sql, params)));
  }

  get<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.#when(() => this.#retry("read", () => this.rawGet<T>(sql, params)));
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.#when(() => this.#retry("write", () => this.rawRun(sql, params)));
  }

  many(sql: string, rows: readonly SqlParams[]): Promise<number> {
    if (rows.length === 0) return Promise.resolve(0);
    return this.tx((t) => t.many(sql, rows));
  }

  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
    const mine = this.#context?.getStore();
    if (mine && mine === this.#active) return mine.tx(fn);
    return this.#exclusive(async () => {
      if (this.#closed) throw closedStore();
      this.#context ??= new (await import("node:async_hooks")).AsyncLocalStorage<SqliteTx>();
      await this.#retry("write", () => this.#db.exec("BEGIN IMMEDIATE"));
      const t = new SqliteTx(this, 0);
      this.#active = t;
      try {
        const result = await this.#context.run(t, () => fn(t));
        await this.#retry("write", () => this.#db.exec("COMMIT"));
        return result;
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
        throw err;
      } finally {
        t.done = true;
        this.#active = null;
      }
    });
  }

  async bulk<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#bulk++ === 0) {
      this.#db.exec(`PRAGMA wal_autocheckpoint = ${BULK_CHECKPOINT_PAGES}`);
      this.#db.exec(`PRAGMA cache_size = -${BULK_CACHE_KIB}`);
    }
    try {
      return await fn();
    } finally {
      if (--this.#bulk === 0 && this.#db.isOpen) {
        this.#db.exec(`PRAGMA wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
        this.#db.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
      }
    }
  }

  async schemaVersion(): Promise<number> {
    const row = await this.get<{ user_version: number }>("PRAGMA user_version");
    return row?.user_version ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#exclusive(() => Promise.resolve());
    this.#closed = true;
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }
}

class SqliteTx implements StoreTx {
  done = false;
  #store: SqliteStore;
  #depth: number;
  #savepoints = 0;

  constructor(store: SqliteStore, depth: number) {
    this.#store = store;
    this.#depth = depth;
  }

  #guard<T>(action: string, op: () => T): Promise<T> {
    if (this.done) {
      return Promise.reject(
        new BrError("storage", "A store transaction was used after it ended", {
          hint: "this is a bug in br: await every query inside the transaction",
        }),
      );
    }
    try {
      return Promise.resolve(op());
    } catch (err) {
      return Promise.reject(storageError(action, err, this.#store.location));
    }
  }

  all<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.#guard("read", () => this.#store.rawAll<T>(sql, params));
  }

  get<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.#guard("read", () => this.#store.rawGet<T>(sql, params));
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.#guard("write", () => this.#store.rawRun(sql, params));
  }

  many(sql: string, rows: readonly SqlParams[]): Promise<number> {
    return this.#guard("write", () => this.#store.rawMany(sql, rows));
  }

  async tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
    const name = `sp_${this.#depth}_${this.#savepoints++}`;
    await this.#guard("write", () => this.#store.exec(`SAVEPOINT ${name}`));
    const inner = new SqliteTx(this.#store, this.#depth + 1);
    try {
      const result = await fn(inner);
      this.#store.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.#store.exec(`ROLLBACK TO ${name}`);
      this.#store.exec(`RELEASE ${name}`);
      throw err;
    } finally {
      inner.done = true;
    }
  }
}

interface MigrationHost {
  location: string;
  exec(sql: string): void;
  rawAll<T>(sql: string, params?: SqlParams): T[];
  rawGet<T>(sql: string, params?: SqlParams): T | undefined;
  rawRun(sql: string, params?: SqlParams): RunResult;
  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T>;
  retry<T>(action: string, op: () => T): Promise<T>;
}

const LEDGER = "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, " +
  "name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT";

/** Versions applied so far; a database older than the ledger counts every version ≤ user_version. */
function appliedVersions(
  host: Pick<MigrationHost, "rawGet" | "rawAll">,
  known: readonly Migration[],
): Set<number> {
  const userVersion = host.rawGet<{ user_version: number }>("PRAGMA user_version")
    ?.user_version ?? 0;
  const hasLedger = host.rawGet(
    "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = '_migrations'",
  );
  if (hasLedger) {
    return new Set(
      host.rawAll<{ version: number }>("SELECT version FROM _migrations").map((r) => r.version),
    );
  }
  return new Set(known.filter((m) => m.version <= userVersion).map((m) => m.version));
}

/**
 * The migrations not applied yet, in order.
 *
 * @throws {BrError} `storage` when the database was written by a newer br.
 */
function pendingMigrations(
  host: Pick<MigrationHost, "location" | "rawGet" | "rawAll">,
  migrations: readonly Migration[],
): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const latest = sorted.at(-1)?.version ?? 0;
  const userVersion = host.rawGet<{ user_version: number }>("PRAGMA user_version")
    ?.user_version ?? 0;
  if (userVersion > latest) {
    throw new BrError(
      "storage",
      `The store "${host.location}" has schema version ${userVersion}, newer than this br knows (${latest})`,
      { hint: "upgrade br to the version that wrote it" },
    );
  }
  const applied = appliedVersions(host, sorted);
  return sorted.filter((m) => !applied.has(m.version));
}

/**
 * Brings the schema up to date. `PRAGMA user_version` holds the highest applied version; the
 * `_migrations` ledger records each one, so a migration added later in a lower range (another
 * capability's block) is still applied.
 */
async function migrate(host: MigrationHost, migrations: readonly Migration[]): Promise<void> {
  const sorted = orderMigrations(migrations);
  const check = (): Migration[] => pendingMigrations(host, sorted);
  const pending = await host.retry("read", check);
  if (pending.length === 0) return;
  await host.tx(() => {
    // Another process may have migrated between the check and the lock: look again.
    const todo = check();
    if (todo.length === 0) return Promise.resolve();
    const applied = appliedVersions(host, sorted);
    host.exec(LEDGER);
    for (const version of applied) {
      const m = sorted.find((x) => x.version === version);
      host.rawRun(
        "INSERT OR IGNORE INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
        [version, m?.name ?? "unknown", new Date().toISOString()],
      );
    }
    for (const m of todo) {
      try {
        host.exec(m.sqlite);
      } catch (err) {
        throw storageError(`apply migration ${m.version} (${m.name}) to`, err, host.location);
      }
      host.rawRun(
        "INSERT INTO _migrations (version, name, applied_at) VALUES (?, ?, ?)",
        [m.version, m.name, new Date().toISOString()],
      );
    }
    const top = Math.max(...todo.map((m) => m.version), ...applied);
    host.exec(`PRAGMA user_version = ${top}`);
    return Promise.resolve();
  });
}

function closedStore(): BrError {
  return new BrError("storage", "The store is closed", {
    hint: "this is a bug in br (a write after the command ended); please report it",
  });
}
