/**
 * Where the orchestrator keeps its state. The SQL below is written against the store
 * contract of issue 6 (`project.store()`: `all/get/run/tx`, named `$params`); until that
 * store is on main, {@link openStateStore} opens an interim SQLite file of its own with the
 * same interface. Switching is local to this file: return `project.store()` instead.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { ORCHESTRATOR_MIGRATIONS } from "./_migrations.ts";

/** Named (`{ $id: 1 }`) or positional parameters. */
export type SqlParams = Record<string, unknown> | unknown[];

/** The part of the store contract the orchestrator uses. */
export interface SqlStore {
  /** Every row of a query. */
  all<T>(sql: string, params?: SqlParams): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** Runs a statement. */
  run(sql: string, params?: SqlParams): Promise<{ changes: number }>;
  /** Runs `fn` in one `BEGIN IMMEDIATE` transaction. */
  tx<T>(fn: (t: SqlStore) => Promise<T>): Promise<T>;
}

const opened = new WeakMap<Project, Promise<SqlStore>>();

/** Opens (once per project object) the store holding runs, tasks, claims and workers. */
export function openStateStore(project: Project): Promise<SqlStore> {
  let store = opened.get(project);
  if (!store) {
    store = Promise.resolve().then(() => openInterim(project));
    opened.set(project, store);
  }
  return store;
}

function openInterim(project: Project): SqlStore {
  const path = `${project.paths.db}-parallel`;
  let db: DatabaseSync;
  try {
    Deno.mkdirSync(project.paths.dir, { recursive: true });
    db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 10000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    migrate(db);
  } catch (err) {
    throw new BrError(
      "storage",
      `Cannot open the orchestrator store "${path}": ${(err as Error).message}`,
      {
        cause: err,
        hint: "check that .buildrunner/ is writable",
      },
    );
  }
  project.onClose(() => db.close());
  const cache = new Map<string, StatementSync>();
  const prep = (sql: string) => {
    let st = cache.get(sql);
    if (!st) cache.set(sql, st = db.prepare(sql));
    return st;
  };
  const args = (params?: SqlParams): SQLInputValue[] =>
    params === undefined
      ? []
      : Array.isArray(params)
      ? params as SQLInputValue[]
      : [params as Record<string, SQLInputValue>] as unknown as SQLInputValue[];
  const wrap = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(
        new BrError("storage", `Orchestrator store: ${(err as Error).message}`, { cause: err }),
      );
    }
  };
  let depth = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const store: SqlStore = {
    all: <T>(sql: string, params?: SqlParams) => wrap(() => prep(sql).all(...args(params)) as T[]),
    get: <T>(sql: string, params?: SqlParams) =>
      wrap(() => prep(sql).get(...args(params)) as T | undefined),
    run: (sql, params) => wrap(() => ({ changes: Number(prep(sql).run(...args(params)).changes) })),
    tx<T>(fn: (t: SqlStore) => Promise<T>): Promise<T> {
      if (depth > 0) return fn(store);
      const next = queue.catch(() => {}).then(async () => {
        db.exec("BEGIN IMMEDIATE");
        depth++;
        try {
          const out = await fn(store);
          db.exec("COMMIT");
          return out;
        } catch (err) {
          db.exec("ROLLBACK");
          throw err;
        } finally {
          depth--;
        }
      });
      queue = next;
      return next;
    },
  };
  return store;
}

function migrate(db: DatabaseSync): void {
  const version = () =>
    Number((db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  const last = ORCHESTRATOR_MIGRATIONS[ORCHESTRATOR_MIGRATIONS.length - 1].version;
  if (version() >= last) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    const current = version();
    for (const m of ORCHESTRATOR_MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sqlite);
      db.exec(`PRAGMA user_version = ${m.version}`);
    }
    db.exec("COMMIT");
  } catch (err) {
    db.exec("ROLLBACK");
    throw err;
  }
}
