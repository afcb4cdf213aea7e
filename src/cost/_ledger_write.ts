/**
 * The SQL of ledger writes, apart from the catalog so that the import's writer thread
 * (`_import_worker.ts`) loads only this.
 */
import type { SqlValue, StoreBackend, StoreQueries, StoreTx } from "../core/store.ts";
import { ROLLUP_IMPORT, rollupValues } from "../core/store_migrations.ts";
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

/** The columns the upsert keeps the larger of (the logged USD too, when larger). */
const LARGER_COLUMNS = [
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_creation_1h_tokens",
  "cache_read_tokens",
  "cost_usd",
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
  ${LARGER_COLUMNS.map(larger).join(",\n  ")},
  logged_cost_usd = CASE WHEN excluded.logged_cost_usd > coalesce(cost_ledger.logged_cost_usd, -1)
    THEN excluded.logged_cost_usd ELSE cost_ledger.logged_cost_usd END`;

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

/**
 * Rows per statement: {@link UPSERT} of many rows (SQLite applies the upsert row by row, so a
 * key repeated among them is merged as in separate statements) makes far fewer calls, and
 * allocates a result per 32 rows instead of per row.
 */
const MANY = 32;

const DO_NOTHING = "ON CONFLICT(key) DO NOTHING";

/** The parameters of `n` ledger rows, as a statement's `VALUES` lists them. */
const ledgerRows = (n: number) => Array.from({ length: n }, () => `(${VALUES})`).join(", ");

/**
 * The statements of `n` rows: the upsert ({@link UPSERT}), the insert of sidechain rows and the
 * check of their message ids ({@link countedSql}; see {@link writeSidechains}), and the save of
 * files' offsets ({@link saveFiles}).
 */
const SIZED = {
  upsert: (n: number) => UPSERT.replace(`VALUES (${VALUES})`, `VALUES ${ledgerRows(n)}`),
  insert: (n: number) =>
    `INSERT INTO cost_ledger (${COLUMNS.join(", ")}) VALUES ${ledgerRows(n)} ${DO_NOTHING}`,
  counted: (n: number) => countedSql(n),
  rollup: (n: number) => rollupValues(n),
  files: (n: number) =>
    `INSERT INTO cost_import_files (path, source, size, mtime, "offset", head_hash, state, updated_at)
  VALUES ${Array.from({ length: n }, () => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
  ON CONFLICT(path) DO UPDATE SET source = excluded.source, size = excluded.size,
    mtime = excluded.mtime, "offset" = excluded."offset", head_hash = excluded.head_hash,
    state = excluded.state, updated_at = excluded.updated_at`,
};

/** The statement of `kind` for `n` rows, made once each. */
function sizedSql(kind: keyof typeof SIZED, n: number): string {
  const id = `${kind}${n}`;
  let sql = sized.get(id);
  if (!sql) {
    sql = SIZED[kind](n);
    sized.set(id, sql);
  }
  return sql;
}
const sized = new Map<string, string>();

/**
 * Which of `n` message ids the ledger holds a key of (the keys of one message id share the
 * prefix `cc:<id>:`, a range of the key index): each is its number in the statement and its
 * range, bound typed, as a selected parameter has no column to take its type from.
 */
function countedSql(n: number): string {
  const values = Array.from({ length: n }, (_, i) => `(${i}, CAST(? AS TEXT), CAST(? AS TEXT))`);
  return `SELECT v.column1 AS i FROM (VALUES ${values.join(", ")}) AS v
WHERE EXISTS (SELECT 1 FROM cost_ledger WHERE key >= v.column2 AND key < v.column3)`;
}

/** Where each column is in a row of the upsert. */
const AT: Readonly<Record<string, number>> = Object.fromEntries(COLUMNS.map((c, i) => [c, i]));
// The positions of the larger-kept columns, and the logged USD's.
const LARGER = LARGER_COLUMNS.map((c) => AT[c]);
const LOGGED = AT.logged_cost_usd;

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

/**
 * The rollup of an import run's rows (migration 12: the row trigger leaves rows with an
 * `import_run` to the import): {@link begin} at the start of each transaction, {@link finish}
 * before it commits. The rows that {@link writeRows} inserts are added to the rollup per group
 * when the transaction finishes. A row whose key the run has already written in the same
 * transaction (a resumed session repeating a response) waits until then: its upsert may update
 * the row written before, whose update trigger needs that row in the rollup already. Any other
 * row whose key is taken belongs to a committed transaction, so to the rollup.
 *
 * On SQLite the rows inserted are summed here as they are written (an upsert that inserts k of
 * its rows raises the highest id by k; when not all of them, their keys tell which): the sort
 * of a `GROUP BY` over every row took a fifth of an import's writing. A sum that JavaScript
 * would not make exact (USD beyond 4.5 million or sums beyond 2^53), or rows it cannot tell
 * apart, leave the transaction to {@link ROLLUP_IMPORT}, as on PostgreSQL.
 */
export class ImportRollup {
  readonly #sql: string;
  readonly #run: string;
  // SQLite: the rows inserted since #since, summed per rollup row (null on PostgreSQL).
  readonly #sums: Map<string, SqlValue[]> | null;
  #exact = true;
  #since = 0;
  // SQLite: the highest id after the last statement.
  #top = 0;
  #pending = false;
  // SQLite: rows written since the last `settle`, and the sums of the last row added.
  #written: SqlValue[][] = [];
  #last: SqlValue[] | null = null;
  // Keys written in this transaction, and the rows that repeat one of them.
  #keys = new Set<string>();
  #later: SqlValue[][] = [];

  constructor(backend: StoreBackend, run: string) {
    this.#sql = ROLLUP_IMPORT[backend];
    this.#run = run;
    this.#sums = backend === "sqlite" ? new Map() : null;
  }

  /** The run's rows above the highest id of the ledger are not in the rollup yet. */
  async begin(t: StoreQueries): Promise<void> {
    this.#since = this.#top = await maxId(t);
    this.#pending = false;
    this.#keys.clear();
    this.#later = [];
    this.#sums?.clear();
    this.#last = null;
    this.#written = [];
    this.#exact = true;
  }

  /** A statement wrote rows `[from, to)` of `rows` (rows of the run, with these keys). */
  wrote(rows: readonly SqlValue[][], from = 0, to = rows.length): void {
    this.#pending = true;
    for (let i = from; i < to; i++) {
      const key = rows[i][0];
      if (typeof key === "string") this.#keys.add(key);
      if (this.#sums && this.#exact) this.#written.push(rows[i]);
    }
  }

  /**
   * SQLite: adds the rows written since the last call that were inserted to the sums (those
   * that updated a row are in the rollup by its update trigger).
   */
  async settle(t: StoreQueries): Promise<void> {
    const written = this.#written;
    if (!this.#sums || written.length === 0) return;
    this.#written = [];
    if (!this.#exact) return;
    const top = await maxId(t);
    const inserted = top - this.#top;
    this.#top = top;
    if (inserted === written.length) {
      for (const row of written) this.#add(row);
      return;
    }
    if (inserted === 0) return;
    // Some rows updated others: the new ones by their keys (a null key is always new).
    const keys = new Set(
      (await t.all<{ key: string | null }>("SELECT key FROM cost_ledger WHERE id > ?", [
        top - inserted,
      ])).map((r) => r.key),
    );
    let added = 0;
    for (const row of written) {
      if (keys.has(row[0] as string | null)) {
        this.#add(row);
        added++;
      }
    }
    if (added !== inserted) this.#exact = false;
  }

  /** Adds an inserted row to the sums of its rollup row (as `rollupAdd` would). */
  #add(row: SqlValue[]): void {
    const time = row[AT.time] as string;
    const usd = nano(row[AT.cost_usd] as number);
    const logged = row[LOGGED] === null ? 0 : nano(row[LOGGED] as number);
    if (usd === null || logged === null) {
      this.#exact = false;
      return;
    }
    // The rows of a file come in order: most fall in the rollup row of the one before (its
    // time's first 14 characters, the quarter's, are compared in place).
    let sums = this.#last;
    if (
      !sums || sums[1] !== row[AT.source] || sums[2] !== row[AT.model] ||
      sums[3] !== row[AT.feature] ||
      sums[4] !== row[AT.session] || sums[5] !== row[AT.project] ||
      !sameQuarter(time, sums[0] as string)
    ) {
      const group = [
        quarterOf(time),
        row[AT.source],
        row[AT.model],
        row[AT.feature],
        row[AT.session],
        row[AT.project],
      ];
      const id = group.map((v) => v === null ? "-" : `${String(v).length}:${v}`).join("");
      sums = this.#sums!.get(id) ?? null;
      if (!sums) {
        sums = [...group, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        this.#sums!.set(id, sums);
      }
      this.#last = sums;
    }
    (sums[6] as number)++;
    (sums[7] as number) += row[AT.input_tokens] as number;
    (sums[8] as number) += row[AT.output_tokens] as number;
    (sums[9] as number) += row[AT.cache_creation_tokens] as number;
    (sums[10] as number) += row[AT.cache_read_tokens] as number;
    (sums[11] as number) += usd;
    (sums[12] as number) += logged;
    (sums[13] as number) += row[LOGGED] === null ? 0 : 1;
    (sums[14] as number) += row[AT.priced] === 0 ? 1 : 0;
  }

  /** Whether `row` repeats a key written in this transaction (then kept for {@link finish}). */
  later(row: SqlValue[]): boolean {
    const key = row[0];
    if (typeof key !== "string" || !this.#keys.has(key)) return false;
    this.#later.push(row);
    return true;
  }

  /**
   * Adds the run's rows written in this transaction to the rollup, then upserts the rows kept
   * for later (their update triggers find the rows they update in the rollup) and adds those
   * that were new.
   */
  async finish(t: StoreTx): Promise<void> {
    await this.#flush(t);
    if (this.#later.length === 0) return;
    const rows = mergeKeys(this.#later);
    this.#later = [];
    await runSized(t, "upsert", rows, this);
    await this.#flush(t);
  }

  async #flush(t: StoreTx): Promise<void> {
    if (!this.#pending) return;
    await this.settle(t);
    const sums = this.#sums ? [...this.#sums.values()] : [];
    if (this.#sums && this.#exact && sums.every((g) => g.every(safe))) {
      await runSized(t, "rollup", sums);
    } else {
      await t.run(this.#sql, { $since: this.#since, $run: this.#run });
    }
    this.#since = this.#top = await maxId(t);
    this.#sums?.clear();
    this.#last = null;
    this.#exact = true;
    this.#pending = false;
  }
}

/**
 * The minutes of a row's quarter hour as the rollup's SQL makes them: `00`, `15`, `30` or `45` by how
 * `substr(time, 15, 2)` compares with '15', '30' and '45' (as strings compare: a missing
 * character comes first).
 */
function bucketOf(time: string): string {
  const a = time.length > 14 ? time.charCodeAt(14) : -1;
  const b = time.length > 15 ? time.charCodeAt(15) : -1;
  const below = (x: number, y: number) => a < x || (a === x && b < y);
  return below(0x31, 0x35) ? "00" : below(0x33, 0x30) ? "15" : below(0x34, 0x35) ? "30" : "45";
}

/** The quarter hour of a row's time, as the rollup's SQL makes it: `substr(time, 1, 14)`, then {@link bucketOf}. */
function quarterOf(time: string): string {
  return time.slice(0, 14) + bucketOf(time);
}

/** Whether `quarterOf(time)` is `quarter`, without making it. */
function sameQuarter(time: string, quarter: string): boolean {
  if (time.length < 14) return quarterOf(time) === quarter;
  for (let i = 0; i < 14; i++) if (time.charCodeAt(i) !== quarter.charCodeAt(i)) return false;
  return quarter.length === 16 && quarter.endsWith(bucketOf(time));
}

/** A value JavaScript sums exactly: text, null or a safe integer. */
const safe = (v: SqlValue) => typeof v !== "number" || Number.isSafeInteger(v);

/**
 * USD as whole nano-dollars exactly as SQLite's `CAST(round(usd * 1e9) AS INTEGER)` makes them,
 * or null beyond 2^52 nano-dollars (where SQLite leaves the value unrounded).
 */
function nano(usd: number): number | null {
  const r = usd * 1e9;
  if (!(r >= -4503599627370496 && r <= 4503599627370496)) return null;
  return Math.trunc(r + (r < 0 ? -0.5 : 0.5));
}

async function maxId(t: StoreQueries): Promise<number> {
  const row = await t.get<{ id: number | null }>("SELECT max(id) AS id FROM cost_ledger");
  return Number(row?.id ?? 0);
}

/**
 * Runs the statement of `kind` for `rows` (each row's parameters), in order, in statements of
 * 32, 16, 8, 4, 2 or 1 rows: a few statements to prepare, however the rows fall.
 */
async function runSized(
  t: StoreTx,
  kind: keyof typeof SIZED,
  rows: readonly SqlValue[][],
  rollup?: ImportRollup,
): Promise<void> {
  for (const [i, n] of sizedGroups(rows.length)) {
    await t.run(sizedSql(kind, n), rows.slice(i, i + n).flat());
    rollup?.wrote(rows, i, i + n);
  }
}

/** The statements of 32, 16, 8, 4, 2 or 1 rows that `length` rows go in, in order: `[from, n]`. */
function* sizedGroups(length: number): Generator<[number, number]> {
  for (let i = 0; i < length;) {
    let n = MANY;
    while (n > length - i) n >>= 1;
    yield [i, n];
    i += n;
  }
}

// One argument list for a statement of MANY rows, filled again for every group of rows.
const manyParams: SqlValue[] = new Array(MANY * COLUMNS.length);

/**
 * Upserts a run of rows; with `whole`, returns the rows past the last whole statement. With
 * `rollup`, a row repeating a key written in the transaction is kept for its end.
 */
async function upsertRun(
  t: StoreTx,
  rows: SqlValue[][],
  whole: boolean,
  rollup: ImportRollup | undefined,
): Promise<SqlValue[][]> {
  let run = mergeKeys(rows);
  if (rollup) run = run.filter((row) => !rollup.later(row));
  let i = 0;
  for (; i + MANY <= run.length; i += MANY) {
    let k = 0;
    for (let r = i; r < i + MANY; r++) for (const v of run[r]) manyParams[k++] = v;
    await t.run(sizedSql("upsert", MANY), manyParams);
    rollup?.wrote(run, i, i + MANY);
  }
  if (i < run.length) {
    if (whole) return run.slice(i);
    await runSized(t, "upsert", run.slice(i), rollup);
  }
  return [];
}

/**
 * Inserts a run of sidechain rows (`ids`: their message ids) as row-by-row inserts would: a
 * sidechain line that replays a message id already counted (the ledger holds a key with the
 * prefix `cc:<id>:`) is dropped, and so is a row whose key is there. The ids are checked
 * {@link MANY} at a time ({@link countedSql}), then the rows left are inserted together. Row by
 * row, a row whose message id an earlier row of the run has is always dropped (that row, or the
 * one that kept it out, holds a key of the id); the others cannot meet when every key starts
 * with `cc:<its id>:` and no id holds a `:`, so each is checked against the ledger as it was
 * before the run. Otherwise, row by row.
 */
async function writeSidechains(
  t: StoreTx,
  rows: SqlValue[][],
  ids: string[],
  rollup: ImportRollup | undefined,
): Promise<void> {
  const apart = ids.every((id, i) =>
    !id.includes(":") && String(rows[i][0]).startsWith(`cc:${id}:`)
  );
  const seen = new Set<string>();
  let batch: SqlValue[][] = [];
  let ranges: SqlValue[][] = [];
  const send = async () => {
    if (batch.length === 0) return;
    const counted = new Set<number>();
    for (const [i, n] of sizedGroups(ranges.length)) {
      const found = await t.all<{ i: number }>(
        sizedSql("counted", n),
        ranges.slice(i, i + n).flat(),
      );
      for (const r of found) counted.add(i + Number(r.i));
    }
    const left = counted.size ? batch.filter((_, i) => !counted.has(i)) : batch;
    await runSized(t, "insert", left, rollup);
    batch = [];
    ranges = [];
  };
  for (let i = 0; i < rows.length; i++) {
    const id = ids[i];
    if (apart && seen.has(id)) continue;
    seen.add(id);
    batch.push(rows[i]);
    ranges.push([`cc:${id}:`, `cc:${id};`]);
    if (batch.length === MANY || !apart) await send();
  }
  await send();
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
  let side: SqlValue[][] = [];
  let ids: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const id = sidechainIds[i];
    if (id) {
      if (run.length) await upsertRun(t, run, false, rollup);
      run = [];
      side.push(rows[i]);
      ids.push(id);
    } else {
      if (side.length) await writeSidechains(t, side, ids, rollup);
      side = [];
      ids = [];
      run.push(rows[i]);
    }
  }
  if (side.length) await writeSidechains(t, side, ids, rollup);
  const left = run.length ? await upsertRun(t, run, whole, rollup) : [];
  await rollup?.settle(t);
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

/**
 * Saves files' read offsets, head hashes and parser states: each row is `path, source, size,
 * mtime, offset, head_hash, state, updated_at`, at most one per path. {@link MANY} to a
 * statement.
 */
export async function saveFiles(t: StoreTx, files: SqlValue[][]): Promise<void> {
  await runSized(t, "files", files);
}
