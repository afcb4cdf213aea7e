/**
 * The PostgreSQL backend of the {@link Store} (npm `postgres`, loaded only when a
 * `postgres://` URL is used): pooled connections, every project in its own schema (all
 * connections of the pool have it as `search_path`, so callers' SQL is the SQLite one
 * unchanged), write transactions serialized per project with an advisory lock (like SQLite's
 * `BEGIN IMMEDIATE`), and migrations applied once even when many processes open the store
 * at the same moment.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import postgres from "postgres";
import { BrError } from "./errors.ts";
import { git } from "./git.ts";
import { hexBytes } from "./hash.ts";
import type { Project } from "./project.ts";
import {
  type Migration,
  orderMigrations,
  redactUrl,
  type RunResult,
  type SqlParams,
  type SqlValue,
  type Store,
  type StoreTx,
  urlPasswords,
} from "./store.ts";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** The project key: projects with different keys never see each other's data. */
  projectKey: string;
  /** The migrations to apply (default: the built-in list). */
  migrations?: readonly Migration[];
  /** Environment (`BR_DATABASE_CONNECT_TIMEOUT_MS`; default: the process environment). */
  env?: Record<string, string | undefined>;
  /** The setting that named the URL, for hints (default `BR_DATABASE_URL`). */
  source?: string;
}

/** Connections per process, unless the URL says otherwise (`?max=8`). */
export const DEFAULT_POOL_SIZE = 4;
/** How long connecting may take, unless `BR_DATABASE_CONNECT_TIMEOUT_MS` says otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

const RETRIES = 8;

type Sql = postgres.Sql<Record<string, never>>;
type TxSql = postgres.TransactionSql<Record<string, never>>;

/**
 * True for the driver's known crash on a lost connection (porsager/postgres#1154, #1208):
 * a write it queued runs after the socket closed and throws from a timer, out of reach of
 * any `await`. The query it belonged to has already failed with `CONNECTION_CLOSED` (which
 * the caller reports as exit 8), so there is nothing left to do with it.
 */
function isDriverWriteAfterClose(err: unknown): boolean {
  return err instanceof TypeError &&
    /reading 'write'|evaluating 'socket\.write'/.test(err.message) &&
    /nextWrite/.test(err.stack ?? "") && /postgres/.test(err.stack ?? "");
}

let guarded = false;

/** Keeps {@link isDriverWriteAfterClose} from ending the process with a stack trace. */
function guardDriverCrash(): void {
  if (guarded) return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    if (isDriverWriteAfterClose(event.error)) event.preventDefault();
  });
}

/**
 * Opens the PostgreSQL store of one project at `url` and brings its schema up to date.
 *
 * @throws {BrError} `storage` (exit 8) when the server cannot be reached or refuses, naming
 * the URL without its password; `usage` for a bad `BR_DATABASE_CONNECT_TIMEOUT_MS`.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions,
): Promise<Store> {
  const migrations = options.migrations ??
    (await import("./store_migrations.ts")).MIGRATIONS;
  const env = options.env ?? Deno.env.toObject();
  guardDriverCrash();
  const store = new PostgresStore(
    url,
    options.projectKey,
    connectTimeoutMs(env),
    (options.source ?? "BR_DATABASE_URL").split(" ")[0],
  );
  try {
    await store.init(migrations);
  } catch (err) {
    await store.close();
    throw store.error("open", err);
  }
  return store;
}

/** How a hint says to stop using the setting that named the URL. */
function dropSetting(setting: string): string {
  return setting.startsWith("--") ? `run without ${setting}` : `unset ${setting}`;
}

/**
 * `BR_DATABASE_CONNECT_TIMEOUT_MS`: whole milliseconds from 1 to 600 000; unset or empty is
 * the URL's `connect_timeout` (seconds), else {@link DEFAULT_CONNECT_TIMEOUT_MS}.
 *
 * @throws {BrError} `usage` for any other value.
 */
export function connectTimeoutMs(env: Record<string, string | undefined>): number | null {
  const raw = env.BR_DATABASE_CONNECT_TIMEOUT_MS;
  if (raw === undefined || raw === "") return null;
  const ms = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(ms >= 1 && ms <= 600_000)) {
    throw new BrError(
      "usage",
      `Invalid BR_DATABASE_CONNECT_TIMEOUT_MS "${raw}": expected a whole number of milliseconds from 1 to 600000`,
      { hint: "unset it to wait 5 s, or give e.g. BR_DATABASE_CONNECT_TIMEOUT_MS=10000" },
    );
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Project key and schema

/** Where a project key came from (see {@link projectKey}). */
export type ProjectKeySource = "BR_PROJECT_KEY" | "store.project" | "git origin" | "path";

/**
 * The key that keeps a project's data apart from other projects in one database:
 * `BR_PROJECT_KEY`, else `configured` (`store.project`), else the project's git `origin`
 * remote (normalised by {@link normaliseRemote}, so every clone of one repository shares its
 * data), else `<hostname>:<real path of the root>`.
 */
export async function projectKey(
  root: string,
  env: Record<string, string | undefined>,
  configured?: unknown,
): Promise<string> {
  return (await projectKeyWithSource(root, env, configured)).key;
}

/** {@link projectKey} with where it came from. */
export async function projectKeyWithSource(
  root: string,
  env: Record<string, string | undefined>,
  configured?: unknown,
): Promise<{ key: string; source: ProjectKeySource }> {
  const fromEnv = env.BR_PROJECT_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: "BR_PROJECT_KEY" };
  if (typeof configured === "string" && configured.trim()) {
    return { key: configured.trim(), source: "store.project" };
  }
  try {
    const res = await git(["config", "--get", "remote.origin.url"], { cwd: root });
    const remote = res.code === 0 ? normaliseRemote(res.stdout.trim()) : "";
    if (remote) return { key: remote, source: "git origin" };
  } catch {
    // No git: the path below.
  }
  let real = root;
  try {
    real = Deno.realPathSync(root);
  } catch {
    // Keep the path as given.
  }
  return { key: `${Deno.hostname()}:${real}`, source: "path" };
}

/**
 * The project key of `project` ({@link projectKeyWithSource}), with `store.project` read from
 * its configuration when the configuration mentions the section.
 */
export async function projectKeyOf(
  project: Project,
): Promise<{ key: string; source: ProjectKeySource }> {
  const configured = project.configMentions("store")
    ? (await project.config()).get<unknown>("store.project")
    : undefined;
  return projectKeyWithSource(project.root, project.env, configured);
}

const DEFAULT_PORTS: Record<string, string> = { ssh: "22", https: "443", http: "80", git: "9418" };

/**
 * A git remote URL without scheme, credentials, default port, trailing `/` or `.git`, host in
 * lower case: `https://u:pw@GitHub.com/Org/Repo.git` and `git@github.com:Org/Repo` are both
 * `github.com/Org/Repo`. A local path stays a path (without `.git`).
 */
export function normaliseRemote(remote: string): string {
  let r = remote.trim();
  if (/^file:\/\//i.test(r)) r = r.replace(/^file:\/\/[^/]*/i, "");
  const url = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?([^/:]+)(?::(\d+))?(\/.*)?$/i.exec(r);
  const scp = /^(?:[^@/]+@)?([^/:]+):(?!\/\/)(.*)$/.exec(r);
  if (url) {
    const [, scheme, host, port, path = ""] = url;
    const keepPort = port && DEFAULT_PORTS[scheme.toLowerCase().replace(/^git\+/, "")] !== port;
    r = `${host.toLowerCase()}${keepPort ? `:${port}` : ""}${path}`;
  } else if (scp && !/^[a-z]$/i.test(scp[1])) {
    r = `${scp[1].toLowerCase()}/${scp[2].replace(/^\/+/, "")}`;
  }
  return r.replace(/\/+$/, "").replace(/\.git$/, "").replace(/\/+$/, "");
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** The schema of a project key: `br_<slug>_<8 hex of sha256(key)>` (at most 63 bytes). */
export async function projectSchema(key: string): Promise<string> {
  const hex = [...(await sha256(key)).slice(0, 4)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  const last = key.replace(/[/\\:]+$/, "").split(/[/\\:]/).pop() ?? "";
  const slug = last.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40);
  return slug ? `br_${slug}_${hex}` : `br_${hex}`;
}

/** A signed 64-bit advisory lock key (as SQL text) derived from `text`. */
async function lockKey(text: string): Promise<string> {
  const bytes = await sha256(text);
  return new DataView(bytes.buffer).getBigInt64(0).toString();
}

// ---------------------------------------------------------------------------------------------
// Parameters

interface Translated {
  text: string;
  /** Named parameters in `$n` order, or null for positional `?`. */
  names: string[] | null;
  count: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_]/;

/**
 * Rewrites SQLite-style parameters for PostgreSQL: named (`$name`, `:name`, `@name`) and
 * positional (`?`) become `$1..$n`; string literals, quoted identifiers, comments,
 * dollar-quoted text and `::` casts are left alone.
 */
export function translateParams(sql: string): Translated {
  let out = "";
  let i = 0;
  const names: string[] = [];
  const index = new Map<string, number>();
  let positional = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" || c === '"') {
      const escapes = c === "'" && (sql[i - 1] === "E" || sql[i - 1] === "e") &&
        !IDENT.test(sql[i - 2] ?? "");
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === "\\") j += 2;
        else if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      const j = end === -1 ? n : end;
      out += sql.slice(i, j);
      i = j;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      const j = end === -1 ? n : end + 2;
      out += sql.slice(i, j);
      i = j;
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (c === "$" && (next === "$" || (next && IDENT_START.test(next)))) {
      let j = i + 1;
      while (j < n && IDENT.test(sql[j])) j++;
      if (sql[j] === "$") {
        // A dollar-quoted string: $$...$$ or $tag$...$tag$.
        const tag = sql.slice(i, j + 1);
        const end = sql.indexOf(tag, j + 1);
        const k = end === -1 ? n : end + tag.length;
        out += sql.slice(i, k);
        i = k;
      } else {
        out += named(sql.slice(i + 1, j));
        i = j;
      }
    } else if (
      (c === ":" || c === "@") && next && IDENT_START.test(next) && !IDENT.test(sql[i - 1] ?? "")
    ) {
      let j = i + 1;
      while (j < n && IDENT.test(sql[j])) j++;
      out += named(sql.slice(i + 1, j));
      i = j;
    } else if (c === "?") {
      out += `$${++positional}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  function named(name: string): string {
    let at = index.get(name);
    if (at === undefined) {
      names.push(name);
      index.set(name, at = names.length);
    }
    return `$${at}`;
  }
  return names.length > 0
    ? { text: out, names, count: names.length }
    : { text: out, names: null, count: positional };
}

function bindValue(value: unknown): unknown {
  return value === undefined ? null : value;
}

function bind(t: Translated, params: SqlParams | undefined): unknown[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map(bindValue);
  const p = params as Record<string, SqlValue>;
  if (!t.names) return [];
  return t.names.map((name) => {
    for (const k of [name, `$${name}`, `:${name}`, `@${name}`]) {
      if (k in p) return bindValue(p[k]);
    }
    return null;
  });
}

// ---------------------------------------------------------------------------------------------
// Types: what SQLite returns, so callers see the same values on both backends.

function fromHex(text: string): Uint8Array {
  return hexBytes(text.startsWith("\\x") ? text.slice(2) : text);
}

const TYPES = {
  // int8 and numeric (count(*), sum(), avg()) as numbers, like SQLite's INTEGER/REAL.
  br_int8: { to: 20, from: [20, 1700], serialize: (x: unknown) => String(x), parse: Number },
  br_bool: {
    to: 16,
    from: [16],
    serialize: (x: unknown) => (x === true || x === 1 ? "t" : "f"),
    parse: (x: string) => (x === "t" ? 1 : 0),
  },
  br_bytea: {
    to: 17,
    from: [17],
    serialize: (x: Uint8Array) =>
      "\\x" + [...x].map((b) => b.toString(16).padStart(2, "0")).join(""),
    parse: fromHex,
  },
  // Dates and JSON as the text the server sends (SQLite stores both as TEXT).
  br_date: {
    to: 25,
    from: [1082, 1083, 1114, 1184, 114, 3802],
    serialize: (x: unknown) => String(x),
    parse: (x: string) => x,
  },
};

// ---------------------------------------------------------------------------------------------
// Errors

function codeOf(err: unknown): string {
  return String((err as { code?: unknown })?.code ?? "");
}

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "EAI_AGAIN",
  // A write to a connection the server closed as it stopped.
  "EPIPE",
  // The server shutting down (admin, crash) or starting up.
  "57P01",
  "57P02",
  "57P03",
]);

/** A serialization failure or deadlock (also as the cause of a BrError): try again. */
function isRetryable(err: unknown): boolean {
  const code = codeOf(err instanceof BrError ? err.cause : err);
  return code === "40001" || code === "40P01";
}

/** An error of the server or the connection (not one thrown by a caller's function). */
function isDatabaseError(err: unknown): boolean {
  return err instanceof postgres.PostgresError || CONNECT_CODES.has(codeOf(err));
}

function closedStore(): BrError {
  return new BrError("storage", "The store is closed", {
    hint: "this is a bug in br (a write after the command ended); please report it",
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// The store

class PostgresStore implements Store {
  readonly backend = "postgres" as const;
  readonly location: string;
  readonly schema: Promise<string>;
  #url: string;
  #key: string;
  #sql: Sql | null = null;
  /** The password as written in the URL and decoded (never shown in a message). */
  #secrets: string[];
  #connectTimeoutMs: number | null;
  /** What named the URL (`BR_DATABASE_URL`, `store.url` or `--database`), for hints. */
  readonly setting: string;
  #lock = "";
  #translations = new Map<string, Translated>();
  #context = new AsyncLocalStorage<PostgresTx>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /**
   * Set by the first failure of a connection (the server stopped, a network cut, the backend
   * terminated): from then on every operation of this store, pending or new, fails with it.
   * The driver can leave a query waiting forever on a connection it lost, and transactions
   * queue behind one another, so without this one lost reply would hang the process; a
   * command ends with exit 8, and long-running ones open a new store per call.
   */
  #broken: { cause: unknown } | null = null;
  #lost = Promise.withResolvers<never>();

  constructor(url: string, key: string, connectTimeoutMs: number | null, setting: string) {
    this.setting = setting;
    this.#url = url;
    this.#key = key;
    this.location = redactUrl(url);
    this.#secrets = urlPasswords(url);
    this.#connectTimeoutMs = connectTimeoutMs;
    this.schema = projectSchema(key);
    // Raced against, never awaited alone: not an unhandled rejection.
    this.#lost.promise.catch(() => {});
  }

  /** A BrError `storage` for a failure of `action`, with the password never in it. */
  error(action: string, err: unknown): BrError {
    if (err instanceof BrError) return err;
    let message = String((err as Error)?.message ?? err).split("\n")[0];
    for (const secret of this.#secrets) message = message.replaceAll(secret, "***");
    const code = codeOf(err);
    if (CONNECT_CODES.has(code) || /connect|refused|timed? ?out|getaddrinfo/i.test(message)) {
      const lost = new BrError(
        "storage",
        `Cannot ${action} the store "${this.location}": cannot reach the PostgreSQL server (${message})`,
        {
          hint: `check that the server is running and reachable from here, or ${
            dropSetting(this.setting)
          } to use the local SQLite file .buildrunner/br.db`,
          cause: err,
        },
      );
      // A connection lost (not a statement timeout, which reads alike): the driver's error,
      // so each operation failing on it words its own message.
      if (!this.#broken && CONNECT_CODES.has(code)) {
        this.#broken = { cause: err };
        this.#lost.reject(err);
      }
      return lost;
    }
    if (/invalid url/i.test(message)) {
      return new BrError("storage", `Cannot ${action} the store "${this.location}": ${message}`, {
        hint: `fix ${this.setting}: postgres://user:password@host:port/database`,
        cause: err,
      });
    }
    const hint = code.startsWith("28")
      ? `check the user and password in ${this.setting}`
      : code === "3D000"
      ? `create the database on the server, or fix its name in ${this.setting}`
      : "run again with BR_DEBUG=1 for details";
    return new BrError(
      "storage",
      `Cannot ${action} the store "${this.location}": ${message}${code ? ` (${code})` : ""}`,
      { hint, cause: err },
    );
  }

  async init(migrations: readonly Migration[]): Promise<void> {
    const schema = await this.schema;
    this.#lock = await lockKey(`br:project:${this.#key}`);
    const query = new URLSearchParams(/\?([^#]*)/.exec(this.#url)?.[1] ?? "");
    const options: postgres.Options<Record<string, never>> = {
      onnotice: () => {},
      fetch_types: false,
      types: TYPES as unknown as postgres.Options<Record<string, never>>["types"],
      connection: { application_name: "br", search_path: schema },
    };
    // The driver would take the URL's max as text (one connection): read it here.
    const max = query.get("max");
    options.max = max === null ? DEFAULT_POOL_SIZE : Number(max);
    if (!Number.isInteger(options.max) || options.max < 1 || options.max > 100) {
      throw new BrError("usage", `Invalid max "${max}" in ${this.setting}: expected 1 to 100`, {
        hint: `remove ?max= from ${this.setting} to use ${DEFAULT_POOL_SIZE} connections`,
      });
    }
    if (this.#connectTimeoutMs !== null) options.connect_timeout = this.#connectTimeoutMs / 1000;
    else if (!query.has("connect_timeout")) {
      options.connect_timeout = DEFAULT_CONNECT_TIMEOUT_MS / 1000;
    }
    // The project's schema is the search path: a URL cannot set another one.
    const url = this.#url.replace(/([?&])search_path=[^&#]*&?/i, "$1").replace(/[?&]$/, "");
    this.#sql = postgres(url, options) as unknown as Sql;
    await migrate(this, this.#sql, migrations, schema, this.#key, this.#lock);
  }

  #translate(sql: string): Translated {
    let t = this.#translations.get(sql);
    if (!t) {
      t = translateParams(sql);
      this.#translations.set(sql, t);
    }
    return t;
  }

  /** Runs one statement on `on` (the pool or a transaction's connection). */
  async query(
    on: Sql | TxSql,
    sql: string,
    params: SqlParams | undefined,
  ): Promise<postgres.RowList<postgres.Row[]>> {
    const t = this.#translate(sql);
    const args = bind(t, params);
    // Statements with parameters are prepared once per connection; without, the simple
    // protocol (which also runs a script of several statements).
    return await (on.unsafe(
      t.text,
      args as postgres.ParameterOrJSON<never>[],
      args.length > 0 ? { prepare: true } : {},
    ) as unknown as Promise<postgres.RowList<postgres.Row[]>>);
  }

  #pool(): Sql {
    if (this.#closed || !this.#sql) throw closedStore();
    if (this.#broken) throw this.#broken.cause;
    return this.#sql;
  }

  /** `work`, or the failure that broke this store, whichever comes first. */
  unlessLost<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.#lost.promise]);
  }

  /** The open transaction of this async context, if any. */
  #joined(): PostgresTx | undefined {
    const mine = this.#context.getStore();
    return mine && !mine.done ? mine : undefined;
  }

  async #onPool<T>(action: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    try {
      return await this.unlessLost(fn(this.#pool()));
    } catch (err) {
      throw this.error(action, err);
    }
  }

  all<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T[]> {
    const mine = this.#joined();
    if (mine) return mine.all<T>(sql, params);
    return this.#onPool("read", async (pool) => rows<T>(await this.query(pool, sql, params)));
  }

  get<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    const mine = this.#joined();
    if (mine) return mine.get<T>(sql, params);
    return this.#onPool(
      "read",
      async (pool) => rows<T>(await this.query(pool, sql, params))[0],
    );
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    const mine = this.#joined();
    if (mine) return mine.run(sql, params);
    return this.#onPool("write", async (pool) => result(await this.query(pool, sql, params)));
  }

  many(sql: string, rows: readonly SqlParams[]): Promise<number> {
    const mine = this.#joined();
    if (mine) return mine.many(sql, rows);
    if (rows.length === 0) return Promise.resolve(0);
    return this.tx((t) => t.many(sql, rows));
  }

  /** Runs statements of one transaction, all on its connection, pipelined. */
  async runMany(on: TxSql, sql: string, list: readonly SqlParams[]): Promise<number> {
    let changes = 0;
    for (let at = 0; at < list.length; at += 100) {
      const chunk = list.slice(at, at + 100);
      const results = await Promise.all(chunk.map((p) => this.query(on, sql, p)));
      for (const r of results) changes += r.count ?? 0;
    }
    return changes;
  }

  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
    const mine = this.#joined();
    if (mine) return mine.tx(fn);
    // One transaction at a time per process (the others wait here, not on a connection of
    // the pool, which queries outside the transaction still need).
    const run = this.#queue.then(() => this.#transaction(fn));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #transaction<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.unlessLost(
          this.#pool().begin(async (tsql) => {
            // Writers of one project take turns, like SQLite's BEGIN IMMEDIATE: a
            // read-modify-write inside a transaction sees no concurrent change.
            await tsql.unsafe(`SELECT pg_advisory_xact_lock(${this.#lock})`);
            const t = new PostgresTx(this, tsql as unknown as TxSql, this.#context);
            try {
              return await this.#context.run(t, () => fn(t));
            } finally {
              t.done = true;
            }
          }) as Promise<T>,
        );
      } catch (err) {
        if (isRetryable(err) && attempt < RETRIES) {
          const wait = Math.min(10 * 2 ** attempt, 500);
          await sleep(wait / 2 + Math.random() * wait);
          continue;
        }
        throw isDatabaseError(err) ? this.error("write", err) : err;
      }
    }
  }

  bulk<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async schemaVersion(): Promise<number> {
    const row = await this.get<{ v: number | null }>("SELECT max(version) AS v FROM _migrations");
    return row?.v ?? 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    const sql = this.#sql;
    this.#sql = null;
    this.#translations.clear();
    if (sql) await sql.end({ timeout: this.#broken ? 0 : 5 }).catch(() => {});
  }
}

class PostgresTx implements StoreTx {
  done = false;
  #store: PostgresStore;
  #sql: TxSql;
  #context: AsyncLocalStorage<PostgresTx>;

  constructor(store: PostgresStore, sql: TxSql, context: AsyncLocalStorage<PostgresTx>) {
    this.#store = store;
    this.#sql = sql;
    this.#context = context;
  }

  async #guard<T>(action: string, op: () => Promise<T>): Promise<T> {
    if (this.done) {
      throw new BrError("storage", "A store transaction was used after it ended", {
        hint: "this is a bug in br: await every query inside the transaction",
      });
    }
    try {
      return await this.#store.unlessLost(op());
    } catch (err) {
      throw this.#store.error(action, err);
    }
  }

  all<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T[]> {
    return this.#guard(
      "read",
      async () => rows<T>(await this.#store.query(this.#sql, sql, params)),
    );
  }

  get<T = Record<string, SqlValue>>(sql: string, params?: SqlParams): Promise<T | undefined> {
    return this.#guard(
      "read",
      async () => rows<T>(await this.#store.query(this.#sql, sql, params))[0],
    );
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.#guard(
      "write",
      async () => result(await this.#store.query(this.#sql, sql, params)),
    );
  }

  many(sql: string, list: readonly SqlParams[]): Promise<number> {
    return this.#guard("write", () => this.#store.runMany(this.#sql, sql, list));
  }

  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
    if (this.done) {
      return Promise.reject(
        new BrError("storage", "A store transaction was used after it ended", {
          hint: "this is a bug in br: await every query inside the transaction",
        }),
      );
    }
    // A savepoint: its failure rolls back only its own writes.
    return this.#sql.savepoint(async (inner) => {
      const t = new PostgresTx(this.#store, inner as unknown as TxSql, this.#context);
      try {
        return await this.#context.run(t, () => fn(t));
      } finally {
        t.done = true;
      }
    }) as Promise<T>;
  }
}

function rows<T>(list: postgres.RowList<postgres.Row[]>): T[] {
  const out: T[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = { ...list[i] } as T;
  return out;
}

function result(list: postgres.RowList<postgres.Row[]>): RunResult {
  return { changes: list.count ?? 0, lastInsertRowid: 0 };
}

// ---------------------------------------------------------------------------------------------
// Migrations

const MIGRATE_LOCK = lockKey("br:migrate");
// PostgreSQL 15.0, as server_version_num gives it.
const MIN_SERVER_VERSION = 150000;

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

async function appliedVersions(sql: Sql | TxSql, schema: string): Promise<Set<number> | null> {
  try {
    const list = await sql.unsafe(`SELECT version FROM ${quoteIdent(schema)}._migrations`);
    return new Set(list.map((r) => Number(r.version)));
  } catch (err) {
    // No schema or no ledger yet: a new project.
    if (codeOf(err) === "42P01" || codeOf(err) === "3F000") return null;
    throw err;
  }
}

/**
 * Brings the project's schema up to date: creates it and its `_migrations` ledger, and applies
 * the missing versions in order, in one transaction holding an advisory lock (so processes
 * opening a new project at the same moment neither fail nor apply a version twice).
 */
async function migrate(
  store: PostgresStore,
  sql: Sql,
  migrations: readonly Migration[],
  schema: string,
  key: string,
  projectLock: string,
): Promise<void> {
  const sorted = orderMigrations(migrations);
  const latest = sorted.at(-1)?.version ?? 0;
  const pending = (applied: Set<number> | null): Migration[] => {
    const top = Math.max(0, ...(applied ?? []));
    if (top > latest) {
      throw new BrError(
        "storage",
        `The store "${store.location}" has schema version ${top}, newer than this br knows (${latest})`,
        { hint: "upgrade br to the version that wrote it" },
      );
    }
    return applied ? sorted.filter((m) => !applied.has(m.version)) : sorted;
  };
  const first = await appliedVersions(sql, schema);
  const needed = pending(first);
  if (needed.length === 0) return;
  const missing = needed.find((m) => !m.postgres?.trim());
  if (missing) {
    throw new BrError(
      "storage",
      `Cannot use the store "${store.location}": migration ${missing.version} (${missing.name}) has no PostgreSQL script in this br`,
      { hint: `${dropSetting(store.setting)} to use the local SQLite file .buildrunner/br.db` },
    );
  }
  // The schema needs PostgreSQL 15 (UNIQUE NULLS NOT DISTINCT in the cost rollup).
  const [{ server_version_num: num, server_version: shown }] = await sql.unsafe(
    "SELECT current_setting('server_version_num')::int AS server_version_num, " +
      "current_setting('server_version') AS server_version",
  ) as unknown as { server_version_num: number; server_version: string }[];
  if (Number(num) < MIN_SERVER_VERSION) {
    throw new BrError(
      "storage",
      `Cannot use the store "${store.location}": PostgreSQL ${shown} is older than 15, which br needs`,
      { hint: `upgrade the server to PostgreSQL 15 or later, or ${dropSetting(store.setting)}` },
    );
  }
  const s = quoteIdent(schema);
  await sql.begin(async (t) => {
    await t.unsafe(`SELECT pg_advisory_xact_lock(${await MIGRATE_LOCK})`);
    await t.unsafe(`SELECT pg_advisory_xact_lock(${projectLock})`);
    // The registry of projects sharing this database (skipped when this user may not create
    // tables in the public schema).
    await t.savepoint(async (r) => {
      await r.unsafe(
        "CREATE TABLE IF NOT EXISTS public.br_projects (key TEXT PRIMARY KEY, " +
          "schema TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL)",
      );
      await r.unsafe(
        "INSERT INTO public.br_projects (key, schema, created_at) VALUES ($1, $2, $3) " +
          "ON CONFLICT (key) DO NOTHING",
        [key, schema, Date.now()],
      );
    }).catch((err) => {
      if (codeOf(err) === "23505") {
        throw new BrError(
          "storage",
          `Cannot use schema ${schema} in "${store.location}" for project key "${key}": another project key has it`,
          { hint: "set BR_PROJECT_KEY (or store.project) to a different key" },
        );
      }
      if (codeOf(err) !== "42501") throw err;
    });
    await t.unsafe(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await t.unsafe(`SET LOCAL search_path TO ${s}`);
    await t.unsafe(
      "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, " +
        "name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    );
    // Another process may have migrated between the first look and the lock: look again.
    const todo = pending(await appliedVersions(t as unknown as TxSql, schema));
    for (const m of todo) {
      try {
        await t.unsafe(m.postgres!);
      } catch (err) {
        throw store.error(`apply migration ${m.version} (${m.name}) to`, err);
      }
      await t.unsafe("INSERT INTO _migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    }
  });
}
