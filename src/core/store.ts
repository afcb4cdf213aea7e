/**
 * The store: the one database of a project (`.buildrunner/br.db`, or the project's schema on
 * a PostgreSQL server), behind an interface that does not name its backend. Every call returns
 * a promise; SQLite is `store_sqlite.ts`, PostgreSQL `store_postgres.ts` (loaded only when
 * `BR_DATABASE_URL` or `store.url` names a `postgres://` server).
 *
 * SQL written by capabilities should stay portable (plain `SELECT`/`INSERT`/`UPDATE`,
 * `INSERT ... ON CONFLICT`), and backend-specific schema lives in the migrations
 * (`src/core/store_migrations.ts`, one SQL text per backend).
 *
 * @module
 */
import { BrError } from "./errors.ts";

/** A value that can be bound to a statement parameter or read from a column. */
export type SqlValue = null | number | bigint | string | Uint8Array;

/**
 * Statement parameters: named (`{ $id: 1 }` or `{ id: 1 }` for `$id`, `:id` or `@id` in the
 * SQL) or positional (`[1, "a"]` for `?`).
 */
export type SqlParams = Readonly<Record<string, SqlValue>> | readonly SqlValue[];

/** What a write statement reports. */
export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
  /**
   * Row id of the last inserted row (SQLite rowid; `0` when none, and always `0` on
   * PostgreSQL: use `INSERT ... RETURNING id` with `get` there).
   */
  lastInsertRowid: number;
}

/** The queries available both on the {@link Store} and inside a transaction. */
export interface StoreQueries {
  /** Runs a query and returns every row. Columns come back as numbers, strings or null. */
  all<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T[]>;
  /** Runs a query and returns its first row, or `undefined` when there is none. */
  get<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T | undefined>;
  /** Runs a write statement. */
  run(sql: string, params?: SqlParams): Promise<RunResult>;
  /**
   * Runs one write statement once per parameter set (a batch insert); returns the total of
   * changed rows. Outside a transaction the whole batch runs in one.
   */
  many(sql: string, rows: readonly SqlParams[]): Promise<number>;
}

/** The queries of one open transaction (see {@link Store.tx}). */
export interface StoreTx extends StoreQueries {
  /** Runs `fn` in a nested transaction (a savepoint): its failure undoes only its own writes. */
  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T>;
}

/** The backends a store can have. */
export type StoreBackend = "sqlite" | "postgres";

/**
 * An open store.
 *
 * @example
 * ```ts
 * import { openProject } from "@buildrunner/br";
 * const project = await openProject();
 * const store = await project.store();
 * await store.tx(async (t) => {
 *   await t.run("INSERT INTO kv (key, value) VALUES ($key, $value)", { $key: "a", $value: "1" });
 * });
 * console.log(await store.get<{ value: string }>("SELECT value FROM kv WHERE key = ?", ["a"]));
 * await project.close();
 * ```
 */
export interface Store extends StoreQueries {
  /** Which backend this is. */
  readonly backend: StoreBackend;
  /** Where it lives (a file path for SQLite, a redacted URL for a server). */
  readonly location: string;
  /**
   * Runs `fn` in a write transaction (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: `BEGIN` and an
   * advisory lock of the project, so the writers of one project take turns either way): it
   * commits when `fn` resolves and rolls back when it throws. A busy database is waited for and
   * retried, never reported as "locked" (PostgreSQL: a transaction aborted as a deadlock or
   * serialization failure runs again). Use the `t` it receives for every query of the
   * transaction.
   *
   * @throws {BrError} `storage` when the database cannot be written (after retries).
   */
  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn`, a bulk write of many transactions, with the write-ahead log checkpointed
   * rarely (SQLite: every 64 MiB instead of every 4 MiB; the first commit after `fn`, or
   * closing, checkpoints the rest): each checkpoint writes pages again and syncs the disk
   * twice. A power cut may lose more of the latest commits (never consistency), so `fn` should
   * be work that can be redone, such as an import that stores its offsets with its rows.
   * SQLite's page cache is also larger meanwhile (16 MiB instead of 2), so that a large
   * transaction writes its pages once. PostgreSQL just runs `fn`.
   */
  bulk<T>(fn: () => Promise<T>): Promise<T>;
  /** The schema version (the highest migration applied). */
  schemaVersion(): Promise<number>;
  /** Closes the store; later calls fail. Closing twice is harmless. */
  close(): Promise<void>;
}

/**
 * SQL reading the field `key` of the JSON object text in `column`, for `backend`: SQLite's
 * `json_extract(column, '$.key')`, PostgreSQL's `column::jsonb ->> 'key'`. As `"number"`, a
 * value that is not a JSON number reads as NULL (so it can be summed, averaged and sorted).
 *
 * @throws {BrError} `usage` when `column` or `key` is not a plain name.
 */
export function jsonField(
  backend: StoreBackend,
  column: string,
  key: string,
  as: "text" | "number" = "text",
): string {
  for (const name of [column, key]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new BrError("usage", `Cannot read the JSON field "${name}" in SQL`, {
        hint: "use a plain name (letters, digits and _)",
      });
    }
  }
  if (backend === "postgres") {
    const value = `(CAST(${column} AS jsonb) ->> '${key}')`;
    return as === "text"
      ? value
      : `(CASE WHEN jsonb_typeof(CAST(${column} AS jsonb) -> '${key}') = 'number' THEN CAST(${value} AS DOUBLE PRECISION) END)`;
  }
  const value = `json_extract(${column}, '$.${key}')`;
  return as === "text"
    ? value
    : `(CASE WHEN json_type(${column}, '$.${key}') IN ('integer', 'real') THEN ${value} END)`;
}

/** One schema migration; each backend has its own SQL. */
export interface Migration {
  /**
   * Unique version number. Ranges: core/telemetry/routing 1-9, cost 10-19, orchestrator
   * 20-29, security/gates 30-39, further capabilities 40 and up in blocks of ten.
   */
  version: number;
  /** A short name (`telemetry_events`). */
  name: string;
  /** The SQLite script (may hold several statements). */
  sqlite: string;
  /**
   * The PostgreSQL script (PostgreSQL 15 or later; run with the project's schema first on the
   * `search_path`): the same tables, columns, keys, checks, defaults, indexes and triggers as
   * {@link Migration.sqlite}, with `BIGINT` for `INTEGER`, `DOUBLE PRECISION` for `REAL`,
   * `BYTEA` for `BLOB`, `TEXT COLLATE "C"` for `TEXT` (compared by bytes, as SQLite does),
   * `BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY` for an `INTEGER PRIMARY KEY` row id,
   * no `STRICT`/`WITHOUT ROWID`, and PL/pgSQL functions for triggers. Every built-in migration
   * has one; a store on PostgreSQL cannot apply a migration without it.
   */
  postgres?: string;
}

/** Where a project's store lives, as chosen by `BR_DATABASE_URL` or `store.url`. */
export type StoreChoice =
  | { backend: "sqlite" }
  | {
    backend: "postgres";
    /** The full URL (may hold a password: print {@link redactUrl} of it instead). */
    url: string;
    /** What named it (`BR_DATABASE_URL`, or `store.url in <file>`). */
    source: string;
  };

/** True for a `postgres:`/`postgresql:` URL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:/i.test(url);
}

/**
 * `url` without its password and query (which may hold one too):
 * `postgres://app:pw@db:5432/br?sslmode=require` becomes `postgres://app@db:5432/br`.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i, (_, scheme: string, cred: string) => {
      const user = cred.split(":")[0];
      return `${scheme}${user ? `${user}@` : ""}`;
    })
    .replace(/[?#].*$/s, "");
}

/**
 * Environment variables that give the store's database password (`BR_DATABASE_URL` holds it
 * in its URL; `PGPASSWORD` is where the driver reads it otherwise). Plugins never receive
 * them, even when granted by name.
 */
export const STORE_SECRET_ENV: readonly string[] = ["BR_DATABASE_URL", "PGPASSWORD"];

/**
 * The password a database URL holds (as written and percent-decoded; in its user part or as
 * `?password=`), for masking: `[]` when it has none.
 */
export function urlPasswords(url: string): string[] {
  const raw = /^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:([^@/?#]*)@/i.exec(url)?.[1] ?? "";
  const query = /[?&]password=([^&#]*)/i.exec(url)?.[1] ?? "";
  const decoded = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  return [...new Set([raw, decoded(raw), query, decoded(query)])].filter((x) => x.length > 0);
}

/**
 * The store a URL names: unset, empty, `sqlite:` or `file:` is the project's own
 * `.buildrunner/br.db` (the path of such a URL is not read); `postgres:`/`postgresql:` is a
 * PostgreSQL server.
 *
 * @throws {BrError} `storage` for any other scheme (the message names the scheme only: a
 * URL may hold a password).
 */
export function chooseStore(url: string | undefined, source = "BR_DATABASE_URL"): StoreChoice {
  if (!url || /^(sqlite|file):/i.test(url)) return { backend: "sqlite" };
  if (isPostgresUrl(url)) return { backend: "postgres", url, source };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new BrError(
    "storage",
    `Cannot use ${source}${
      scheme ? ` (a ${scheme} URL)` : ""
    }: br stores data in SQLite (.buildrunner/br.db) or PostgreSQL (postgres://...)`,
    {
      hint: `give a postgres:// URL, or unset ${
        source.split(" ")[0]
      } to use the local SQLite file .buildrunner/br.db`,
    },
  );
}

/**
 * The error for a `BR_DATABASE_URL` br cannot use (a scheme other than `sqlite:`, `file:`,
 * `postgres:` and `postgresql:`), or null. Such a URL makes every command that would write or
 * read the store fail, never fall back to the local file.
 */
export function storeUrlError(env: Record<string, string | undefined>): BrError | null {
  try {
    chooseStore(env.BR_DATABASE_URL);
    return null;
  } catch (err) {
    return err as BrError;
  }
}

/**
 * `migrations` in version order, checked: each version a whole number from 1, used once.
 *
 * @throws {BrError} `storage` for a bad or duplicate version (a bug in br).
 */
export function orderMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i];
    if (!Number.isInteger(m.version) || m.version < 1 || sorted[i - 1]?.version === m.version) {
      throw new BrError("storage", `Migration "${m.name}" has a bad or duplicate version`, {
        hint: "this is a bug in br: give each migration its own version",
      });
    }
  }
  return sorted;
}
