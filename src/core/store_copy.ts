/**
 * Copying a project's history from its SQLite store into another store (`br store migrate-to`),
 * exactly once and without doubling anything the target already holds.
 *
 * - The whole copy is one transaction of the target, which also records the copy in its
 *   `meta` table (a marker keyed by the source's identity): a failure part way leaves nothing,
 *   and a second copy of the same source finds the marker and writes nothing.
 * - Rows with a natural key (events by id, ledger rows by key, budgets, runs, plugin values,
 *   ...) are inserted with `ON CONFLICT DO NOTHING`; rows without one (alerts, routing
 *   outcomes, ledger rows without key) are skipped when the target holds the same row.
 * - Surrogate ids (`events.seq`, `alerts.id`, `routing_outcomes.id`, `cost_ledger.id`) are
 *   left to the target to number: the target's runners have used the same small numbers, and
 *   no other table refers to them.
 * - Derived tables are never copied: events go through the event log's own write path (which
 *   adds them to the hourly rollups and duration histograms), and the cost rollup follows the
 *   ledger rows inserted (its triggers, and for rows of a log import, which the insert trigger
 *   skips, one statement after the table's copy), so they end up what the base rows imply.
 *
 * @module
 */
import { BrError } from "./errors.ts";
import { ingestSpool, spoolPending, writeEventsTx } from "./event_log.ts";
import type { BrEvent } from "./events.ts";
import { existsSync } from "./fs.ts";
import { sha256Hex } from "./hash.ts";
import { importOptional } from "./optional.ts";
import type { Project } from "./project.ts";
import type { SqlValue, Store, StoreTx } from "./store.ts";
import { ROLLUP_COPIED } from "./store_migrations.ts";

type Row = Record<string, SqlValue>;

/** How the rows of one table are copied. */
interface TablePlan {
  table: string;
  /**
   * `key`: insert, skipping rows whose unique key the target has; `same`: skip rows equal (on
   * `same` columns) to one the target has; `ledger`: `key` for rows with a key, else `same`;
   * `events`: the event log's write path; `derived`: not copied (follows the base rows).
   */
  how: "key" | "same" | "ledger" | "events" | "derived";
  /**
   * The columns (unique together) the source is read in order of, in pages; none reads the
   * table at once.
   */
  order?: readonly string[];
  /** A surrogate id the target numbers itself (left out of the copy). */
  id?: string;
  /** The columns that tell a row without a natural key apart. */
  same?: readonly string[];
}

/** Every table of the schema, in an order that respects foreign keys. */
const PLAN: readonly TablePlan[] = [
  { table: "meta", how: "key", order: ["rowid"] },
  // Events in time order: a page covers few hours (few rollup rows to update), and the
  // target numbers them in time order.
  { table: "events", how: "events", order: ["ts", "seq"], id: "seq" },
  { table: "event_rollups", how: "derived" },
  { table: "duration_histograms", how: "derived" },
  { table: "alerts", how: "same", order: ["id"], id: "id", same: ["rule", "fired_at", "message"] },
  {
    table: "routing_outcomes",
    how: "same",
    order: ["id"],
    id: "id",
    same: ["time", "feature", "model", "level", "result", "session"],
  },
  {
    table: "cost_ledger",
    how: "ledger",
    order: ["id"],
    id: "id",
    same: ["time", "source", "model", "session", "feature", "task", "recorded_at"],
  },
  { table: "cost_rollup", how: "derived" },
  { table: "cost_import_files", how: "key", order: ["rowid"] },
  { table: "cost_budgets", how: "key", order: ["rowid"] },
  { table: "parallel_runs", how: "key", order: ["rowid"] },
  { table: "parallel_tasks", how: "key", order: ["rowid"] },
  { table: "parallel_claims", how: "key", order: ["rowid"] },
  { table: "parallel_workers", how: "key", order: ["rowid"] },
  { table: "plugin_kv", how: "key" },
];

const tablesWhere = (f: (p: TablePlan) => boolean) => PLAN.filter(f).map((p) => p.table);
/** The tables the copy writes, in copy order. */
export const COPIED_TABLES: readonly string[] = tablesWhere((p) => p.how !== "derived");
/** The tables that follow the copied rows instead of being copied. */
export const DERIVED_TABLES: readonly string[] = tablesWhere((p) => p.how === "derived");

/**
 * `meta` keys that hold positions in the source's own numbering (the OTLP export cursor is an
 * `events.seq`) or copies recorded by the source itself: they mean nothing in the target.
 */
function localMeta(key: string): boolean {
  return key === "telemetry.otlp.last_seq" || key.startsWith(MARKER_PREFIX);
}

const MARKER_PREFIX = "store.copied_from.";
const PAGE = 2000;

/** What was done to one table. */
export interface TableCount {
  /** The table. */
  table: string;
  /** Rows read from the source. */
  read: number;
  /** Rows inserted into the target. */
  copied: number;
  /** Rows the target already had (or, in `meta`, that only mean something in the source). */
  skipped: number;
}

/** What {@link copyStore} did. */
export interface CopyResult {
  /** True when the target had recorded this source's copy already (nothing was written). */
  already: boolean;
  /** When the copy was made (now, or the earlier copy's time). */
  copied_at: string;
  /** Per copied table (in copy order); empty when `already`. */
  tables: TableCount[];
  /** The tables that follow the copied rows (rollups), not copied. */
  derived: string[];
}

/** Progress of a copy: `done` of `total` rows of `table`. */
export type CopyProgress = (table: string, done: number, total: number) => void;

/** Options of {@link copyStore}. */
export interface CopyOptions {
  /** The source's identity (such as its real path): one copy per identity and target. */
  sourceId: string;
  /** The clock (tests). */
  now?: () => Date;
  /** Called as rows are copied. */
  onProgress?: CopyProgress;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Copies every row of `source` (a SQLite store) into `target` once, in one transaction of the
 * target. Both must be open at the same schema version.
 *
 * @throws {BrError} `storage` when the schemas differ or a table is one br does not know how
 * to copy; `invalid_data` for an event whose payload is not JSON. The target is then left as
 * it was.
 */
export async function copyStore(
  source: Store,
  target: Store,
  options: CopyOptions,
): Promise<CopyResult> {
  const [from, to] = [await source.schemaVersion(), await target.schemaVersion()];
  if (from !== to) {
    throw new BrError(
      "storage",
      `Cannot copy "${source.location}" (schema ${from}) to "${target.location}" (schema ${to})`,
      { hint: "run br once against each store so that both are migrated, then copy again" },
    );
  }
  const tables = new Set(
    (await source.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' " +
        "AND name <> '_migrations'",
    )).map((r) => r.name),
  );
  const unknown = [...tables].filter((t) => !PLAN.some((p) => p.table === t));
  if (unknown.length > 0) {
    throw new BrError(
      "storage",
      `Cannot copy "${source.location}": br does not know how to copy table "${unknown[0]}"`,
      { hint: "this is a bug in br; please report it" },
    );
  }
  const marker = MARKER_PREFIX + sha256Hex(options.sourceId).slice(0, 16);
  const now = (options.now ?? (() => new Date()))().toISOString();
  return await target.tx(async (t) => {
    const earlier = await t.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [
      marker,
    ]);
    if (earlier) {
      let at = "";
      try {
        at = String(JSON.parse(earlier.value).copied_at ?? "");
      } catch {
        // A marker of another shape still means copied.
      }
      return { already: true, copied_at: at, tables: [], derived: [...DERIVED_TABLES] };
    }
    const counts: TableCount[] = [];
    for (const plan of PLAN) {
      if (plan.how === "derived" || !tables.has(plan.table)) continue;
      counts.push(await copyTable(source, t, plan, target.backend, options.onProgress));
    }
    await t.run("INSERT INTO meta (key, value) VALUES (?, ?)", [
      marker,
      JSON.stringify({
        source: options.sourceId,
        copied_at: now,
        rows: counts.reduce((n, c) => n + c.copied, 0),
      }),
    ]);
    return { already: false, copied_at: now, tables: counts, derived: [...DERIVED_TABLES] };
  });
}

/** The source's rows of a table, a page at a time. */
async function* pages(source: Store, plan: TablePlan, columns: string): AsyncGenerator<Row[]> {
  if (!plan.order) {
    yield await source.all<Row>(`SELECT ${columns} FROM ${quote(plan.table)}`);
    return;
  }
  const order = plan.order.join(", ");
  const positions = plan.order.map((c, i) => `${c} AS _p${i}`).join(", ");
  const marks = plan.order.map(() => "?").join(", ");
  let after: SqlValue[] | null = null;
  while (true) {
    const rows: Row[] = await source.all<Row>(
      `SELECT ${positions}, ${columns} FROM ${quote(plan.table)}` +
        `${after ? ` WHERE (${order}) > (${marks})` : ""} ORDER BY ${order} LIMIT ${PAGE}`,
      after ?? [],
    );
    if (rows.length === 0) return;
    const last = rows[rows.length - 1];
    after = plan.order.map((_, i) => last[`_p${i}`]);
    for (const row of rows) plan.order.forEach((_, i) => delete row[`_p${i}`]);
    yield rows;
  }
}

async function copyTable(
  source: Store,
  t: StoreTx,
  plan: TablePlan,
  backend: Store["backend"],
  onProgress?: CopyProgress,
): Promise<TableCount> {
  const names = (await source.all<{ name: string }>(
    `SELECT name FROM pragma_table_info(?) ORDER BY cid`,
    [plan.table],
  )).map((r) => r.name).filter((n) => n !== plan.id);
  const total = (await source.get<{ n: number }>(`SELECT count(*) AS n FROM ${quote(plan.table)}`))
    ?.n ?? 0;
  const count: TableCount = { table: plan.table, read: 0, copied: 0, skipped: 0 };
  const list = names.map(quote).join(", ");
  const head = `INSERT INTO ${quote(plan.table)} (${list})`;
  const same = plan.same ? await sameRows(t, plan) : null;
  // Ledger rows of a log import are added to the cost rollup after the copy (migration 12).
  const since = plan.table === "cost_ledger"
    ? Number((await t.get<{ id: number | null }>("SELECT max(id) AS id FROM cost_ledger"))?.id ?? 0)
    : null;
  onProgress?.(plan.table, 0, total);
  for await (const rows of pages(source, plan, list)) {
    count.read += rows.length;
    if (plan.how === "events") {
      count.copied += await writeEventsTx(t, rows.map(toEvent));
    } else {
      const keyed: SqlValue[][] = [];
      const plain: SqlValue[][] = [];
      for (const row of rows) {
        if (plan.table === "meta" && localMeta(String(row.key))) continue;
        const params = names.map((n) => row[n]);
        if (plan.how === "key" || (plan.how === "ledger" && row.key !== null)) {
          keyed.push(params);
        } else {
          const sig = signature(row, plan.same!);
          if (same!.has(sig)) continue;
          same!.add(sig);
          plain.push(params);
        }
      }
      count.copied += await insertRows(t, head, names.length, keyed, " ON CONFLICT DO NOTHING");
      count.copied += await insertRows(t, head, names.length, plain, "");
    }
    onProgress?.(plan.table, count.read, total);
  }
  if (since !== null) await t.run(ROLLUP_COPIED[backend], { $since: since });
  count.skipped = count.read - count.copied;
  return count;
}

/** Rows per statement of the copy's inserts: one round trip to a server for many rows. */
const ROWS_PER_INSERT = 50;

/** Inserts rows of `width` values (`head` VALUES ... `tail`); returns how many were added. */
async function insertRows(
  t: StoreTx,
  head: string,
  width: number,
  rows: readonly SqlValue[][],
  tail: string,
): Promise<number> {
  const one = `(${new Array(width).fill("?").join(", ")})`;
  let changes = 0;
  let i = 0;
  if (rows.length >= ROWS_PER_INSERT) {
    const sql = `${head} VALUES ${new Array(ROWS_PER_INSERT).fill(one).join(", ")}${tail}`;
    for (; i + ROWS_PER_INSERT <= rows.length; i += ROWS_PER_INSERT) {
      changes += (await t.run(sql, rows.slice(i, i + ROWS_PER_INSERT).flat())).changes;
    }
  }
  if (i < rows.length) changes += await t.many(`${head} VALUES ${one}${tail}`, rows.slice(i));
  return changes;
}

/** The signatures of the rows the target has of a table without a natural key. */
async function sameRows(t: StoreTx, plan: TablePlan): Promise<Set<string>> {
  const columns = plan.same!.map(quote).join(", ");
  const where = plan.how === "ledger" ? " WHERE key IS NULL" : "";
  const rows = await t.all<Row>(`SELECT ${columns} FROM ${quote(plan.table)}${where}`);
  return new Set(rows.map((r) => signature(r, plan.same!)));
}

function signature(row: Row, columns: readonly string[]): string {
  return JSON.stringify(columns.map((c) => row[c] ?? null));
}

/** An event as the event log writes it, from its stored row. */
function toEvent(row: Row): BrEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(String(row.payload));
  } catch (err) {
    throw new BrError("invalid_data", `Cannot copy event "${row.id}": its payload is not JSON`, {
      hint: "the source is damaged; copy a backup of .buildrunner/br.db instead",
      cause: err,
    });
  }
  return {
    id: String(row.id),
    type: row.type,
    time: String(row.time),
    session: String(row.session),
    feature: row.feature as string | null,
    task: row.task as string | null,
    payload,
  } as BrEvent;
}

/** What {@link copyProjectStore} did. */
export interface ProjectCopyReport extends Omit<CopyResult, "already"> {
  /**
   * `copied`, `already_copied` (an earlier copy of this file), `nothing_to_copy` (no br.db
   * and no spooled events).
   */
  status: "copied" | "already_copied" | "nothing_to_copy";
  /** The SQLite file read. */
  source: string;
  /** The target, without password. */
  target: string;
  /** The project key the rows were copied under (null when nothing was copied). */
  project_key: string | null;
}

/**
 * Copies the project's `.buildrunner/br.db` into the PostgreSQL store at `url`, under the
 * project's key (`BR_PROJECT_KEY`, `store.project`, the origin remote, else host and path),
 * once: the copy is recorded with the file's real path, and a second call copies nothing.
 *
 * @throws {BrError} `usage` for a URL that is not `postgres://`/`postgresql://`; `storage`
 * when the server cannot be reached (naming the URL without password) or the copy fails (the
 * target is then left as it was).
 */
export async function copyProjectStore(
  project: Project,
  url: string,
  options: { onProgress?: CopyProgress } = {},
): Promise<ProjectCopyReport> {
  const { isPostgresUrl, redactUrl } = await import("./store.ts");
  const target = redactUrl(url);
  if (!isPostgresUrl(url)) {
    throw new BrError("usage", `Cannot copy the store to "${target}": not a PostgreSQL URL`, {
      hint: "give a URL such as postgres://user@host:5432/db",
    });
  }
  const source = project.paths.db;
  const report = (status: ProjectCopyReport["status"], key: string | null, r?: CopyResult) => ({
    status,
    source,
    target,
    project_key: key,
    copied_at: r?.copied_at ?? "",
    tables: r?.tables ?? [],
    derived: r?.derived ?? [],
  });
  // Events short commands spooled belong to this history: only a SQLite project spools (a
  // PostgreSQL one never does), and one that only ran such commands has no br.db yet.
  const spooled = await spoolPending(project.paths.spool);
  if (!existsSync(source) && !spooled) return report("nothing_to_copy", null);
  const pg = await importOptional<typeof import("./store_postgres.ts")>(
    "src/core/store_postgres.ts",
  );
  const { key } = await pg.projectKeyOf(project);
  const { openSqliteStore } = await import("./store_sqlite.ts");
  const from = await openSqliteStore(source);
  try {
    if (spooled) await ingestSpool(from, project.paths.spool);
    const to = await pg.openPostgresStore(url, { projectKey: key, env: project.env });
    try {
      const result = await copyStore(from, to, {
        sourceId: Deno.realPathSync(source),
        now: () => project.clock.now(),
        onProgress: options.onProgress,
      });
      return report(result.already ? "already_copied" : "copied", key, result);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}
