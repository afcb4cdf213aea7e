/**
 * The SQL of ledger writes, apart from the catalog so that the import's writer thread loads
 * only this (see `_writer.ts`).
 */
import type { SqlValue, StoreBackend, StoreQueries, StoreTx } from "../core/store.ts";
import { ROLLUP_IMPORT } from "../core/store_migrations.ts";
import type { PricedEntry } from "./ledger.ts";

const COLUMNS = [
  "key",
  "time",
  "source",
  "model",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_creation_1h_tokens",
  "cache_read_tokens",
  "cost_usd",
  "priced",
  "logged_cost_usd",
  "session",
  "project",
  "feature",
  "task",
  "recorded_at",
  "import_run",
];

/** One `?` per column, in the order of {@link COLUMNS}. */
const VALUES = COLUMNS.map(() => "?").join(", ");

/** The larger of the stored value of `column` and the one inserted (portable SQL). */
const larger = (column: string) =>
  `${column} = CASE WHEN excluded.${column} > cost_ledger.${column} THEN excluded.${column} ` +
  `ELSE cost_ledger.${column} END`;

/**
 * The upsert: a second line of the same API response (same key) keeps the larger counts
 * (Claude Code writes partial output counts on the first lines of a streamed response).
 */
const UPSERT = `INSERT INTO cost_ledger (${COLUMNS.join(", ")}) VALUES (${VALUES})
ON CONFLICT(key) DO UPDATE SET
  ${
  [
    "input_tokens",
    "output_tokens",
    "cache_creation_tokens",
    "cache_creation_1h_tokens",
    "cache_read_tokens",
    "cost_usd",
  ].map(larger).join(",\n  ")
},
  logged_cost_usd = CASE WHEN excluded.logged_cost_usd > coalesce(cost_ledger.logged_cost_usd, -1)
    THEN excluded.logged_cost_usd ELSE cost_ledger.logged_cost_usd END`;

/** The SQL type of a ledger column, for a value selected from a parameter. */
const typeOf = (column: string) =>
  /_tokens$|^priced$/.test(column) ? "BIGINT" : /_usd$/.test(column) ? "DOUBLE PRECISION" : "TEXT";

/**
 * A sidechain line that replays a message id already counted under another key is dropped
 * (the keys of one message id share the prefix `cc:<id>:`, a range of the key index). Bound
 * as the columns, then the range of keys and the key again ({@link writeRows}); the values
 * are typed, as a selected parameter has no column to take its type from.
 */
const UPSERT_SIDECHAIN = `INSERT INTO cost_ledger (${COLUMNS.join(", ")})
SELECT ${COLUMNS.map((c) => `CAST(? AS ${typeOf(c)})`).join(", ")} WHERE NOT EXISTS (
  SELECT 1 FROM cost_ledger WHERE key >= ? AND key < ? AND key IS DISTINCT FROM CAST(? AS TEXT))
ON CONFLICT(key) DO NOTHING`;

/** The values of a ledger row, in the order of the columns of the upsert. */
export function entryParams(e: PricedEntry, now: string, run: string | null): SqlValue[] {
  return [
    e.key ?? null,
    e.time,
    e.source,
    e.model,
    e.input_tokens,
    e.output_tokens,
    e.cache_creation_tokens,
    e.cache_creation_1h_tokens ?? 0,
    e.cache_read_tokens,
    e.cost_usd,
    e.priced ? 1 : 0,
    e.logged_cost_usd ?? null,
    e.session ?? null,
    e.project ?? null,
    e.feature ?? null,
    e.task ?? null,
    now,
    run,
  ];
}

/** The message id that makes a row a sidechain replay candidate, or `null`. */
export function sidechainId(e: PricedEntry): string | null {
  return e.sidechain && e.message_id ? e.message_id : null;
}

/** Ledger rows as the upsert binds them ({@link entryParams}), with their sidechain ids. */
export interface LedgerRows {
  /** The values of each row. */
  rows: SqlValue[][];
  /** For each row, the message id of a sidechain row ({@link sidechainId}), else null. */
  sidechainIds: (string | null)[];
}

/** Rows per statement of {@link UPSERT_MANY}. */
const MANY = 32;

/**
 * {@link UPSERT} of {@link MANY} rows in one statement (SQLite applies the upsert row by row,
 * so a key repeated among them is merged as in separate statements): a large import makes
 * far fewer calls, and allocates a result per 32 rows instead of per row.
 */
const UPSERT_MANY = UPSERT.replace(
  `VALUES (${VALUES})`,
  `VALUES ${
    Array.from({ length: MANY }, () => `(${COLUMNS.map(() => "?").join(", ")})`).join(", ")
  }`,
);

// One argument list for UPSERT_MANY, filled again for every group of rows.
const manyParams: SqlValue[] = new Array(MANY * COLUMNS.length);

// The columns the upsert keeps the larger of, and the logged USD (kept when larger).
const LARGER = [
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_creation_1h_tokens",
  "cache_read_tokens",
  "cost_usd",
].map((c) => COLUMNS.indexOf(c));
const LOGGED = COLUMNS.indexOf("logged_cost_usd");

/**
 * Merges the rows of one key in a run as {@link UPSERT} would merge them (the first row's
 * fields, the larger counts), so that the lines of a streamed response are one row of a
 * statement instead of an insert and updates. The rows given are not changed.
 */
export function mergeKeys(run: SqlValue[][]): SqlValue[][] {
  const at = new Map<string, number>();
  const copied = new Set<number>();
  const out: SqlValue[][] = [];
  for (const row of run) {
    const key = row[0];
    const i = typeof key === "string" ? at.get(key) : undefined;
    if (i === undefined) {
      if (typeof key === "string") at.set(key, out.length);
      out.push(row);
      continue;
    }
    if (!copied.has(i)) {
      out[i] = out[i].slice();
      copied.add(i);
    }
    const first = out[i];
    for (const c of LARGER) if ((row[c] as number) > (first[c] as number)) first[c] = row[c];
    const logged = row[LOGGED] as number | null;
    if (logged !== null && logged > ((first[LOGGED] as number | null) ?? -1)) {
      first[LOGGED] = logged;
    }
  }
  return out;
}

/** {@link UPSERT_MANY} that leaves a row whose key is taken as it is. */
const INSERT_MANY = UPSERT_MANY.slice(0, UPSERT_MANY.indexOf("ON CONFLICT")) +
  "ON CONFLICT(key) DO NOTHING";
/** {@link UPSERT} that leaves a row whose key is taken as it is. */
const INSERT = UPSERT.slice(0, UPSERT.indexOf("ON CONFLICT")) + "ON CONFLICT(key) DO NOTHING";

/**
 * The rollup of an import run's rows (migration 12: the row trigger leaves rows with an
 * `import_run` to the import): {@link begin} at the start of each transaction, {@link flush}
 * before it commits. Rows that {@link writeRows} inserts are added to the rollup per group
 * at the next flush; a row whose key is taken is first inserted as nothing, the rows before it
 * are flushed, and only then is the taken row updated (its update trigger then finds its group
 * complete).
 */
export class ImportRollup {
  readonly #sql: string;
  readonly #run: string;
  #since = 0;
  #pending = false;

  constructor(backend: StoreBackend, run: string) {
    this.#sql = ROLLUP_IMPORT[backend];
    this.#run = run;
  }

  /** The run's rows above the highest id of the ledger are not in the rollup yet. */
  async begin(t: StoreQueries): Promise<void> {
    this.#since = await maxId(t);
    this.#pending = false;
  }

  /** Rows of the run were inserted. */
  added(): void {
    this.#pending = true;
  }

  /** Adds the run's rows inserted since {@link begin} or the last flush to the rollup. */
  async flush(t: StoreQueries): Promise<void> {
    if (!this.#pending) return;
    await t.run(this.#sql, { $since: this.#since, $run: this.#run });
    this.#since = await maxId(t);
    this.#pending = false;
  }
}

async function maxId(t: StoreQueries): Promise<number> {
  return Number(
    (await t.get<{ id: number | null }>("SELECT max(id) AS id FROM cost_ledger"))?.id ?? 0,
  );
}

/**
 * Writes a statement of rows: the upsert, or with `rollup` (an import's rows) an insert of the
 * rows whose key is free, then, when some key was taken, the upsert of them all (see
 * {@link ImportRollup}).
 */
async function write(
  t: StoreTx,
  rollup: ImportRollup | undefined,
  upsert: string,
  insert: string,
  params: SqlValue[],
  rows: number,
): Promise<void> {
  if (!rollup) {
    await t.run(upsert, params);
    return;
  }
  const { changes } = await t.run(insert, params);
  if (changes > 0) rollup.added();
  if (changes < rows) {
    await rollup.flush(t);
    await t.run(upsert, params);
  }
}

/** Upserts a run of rows; with `whole`, returns the rows past the last whole statement. */
async function upsertRun(
  t: StoreTx,
  rows: SqlValue[][],
  whole: boolean,
  rollup: ImportRollup | undefined,
): Promise<SqlValue[][]> {
  const run = mergeKeys(rows);
  let i = 0;
  for (; i + MANY <= run.length; i += MANY) {
    let k = 0;
    for (let r = i; r < i + MANY; r++) for (const v of run[r]) manyParams[k++] = v;
    await write(t, rollup, UPSERT_MANY, INSERT_MANY, manyParams, MANY);
  }
  if (i < run.length) {
    if (whole) return run.slice(i);
    if (!rollup) await t.many(UPSERT, i === 0 ? run : run.slice(i));
    else for (; i < run.length; i++) await write(t, rollup, UPSERT, INSERT, run[i], 1);
  }
  return [];
}

/**
 * Writes rows inside a transaction, in order. With `whole`, only whole statements of
 * {@link MANY} rows are written: the rows after them (none of them a sidechain row)
 * are returned, to go first in the next call (a statement per row costs several of a
 * statement of many rows). An import's rows (with an `import_run`) need `rollup`.
 */
export async function writeRows(
  t: StoreTx,
  { rows, sidechainIds }: LedgerRows,
  whole = false,
  rollup?: ImportRollup,
): Promise<LedgerRows> {
  let run: SqlValue[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const id = sidechainIds[i];
    if (id) {
      if (run.length) await upsertRun(t, run, false, rollup);
      run = [];
      const { changes } = await t.run(UPSERT_SIDECHAIN, [
        ...rows[i],
        `cc:${id}:`,
        `cc:${id};`,
        rows[i][0],
      ]);
      if (changes > 0) rollup?.added();
    } else {
      run.push(rows[i]);
    }
  }
  const left = run.length ? await upsertRun(t, run, whole, rollup) : [];
  return { rows: left, sidechainIds: left.map(() => null) };
}

/** The rows of priced entries. */
export function entryRows(
  entries: readonly PricedEntry[],
  now: string,
  run: string | null,
): LedgerRows {
  return {
    rows: entries.map((e) => entryParams(e, now, run)),
    sidechainIds: entries.map(sidechainId),
  };
}

/** Writes priced entries inside a transaction, in order. */
export async function writeEntries(
  t: StoreTx,
  entries: readonly PricedEntry[],
  now: string,
  importRun: string | null = null,
): Promise<void> {
  await writeRows(t, entryRows(entries, now, importRun));
}

/** Parameters of a `cost_import_files` row (see {@link SAVE_FILE}). */
export type FileParams = Record<string, SqlValue>;

/** Saves a file's read offset, head hash and parser state. */
export const SAVE_FILE =
  `INSERT INTO cost_import_files (path, source, size, mtime, "offset", head_hash, state, updated_at)
  VALUES ($path, $source, $size, $mtime, $offset, $hash, $state, $now)
  ON CONFLICT(path) DO UPDATE SET source = excluded.source, size = excluded.size,
    mtime = excluded.mtime, "offset" = excluded."offset", head_hash = excluded.head_hash,
    state = excluded.state, updated_at = excluded.updated_at`;
