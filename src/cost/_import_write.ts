/**
 * The write side of `br cost import`: the steps read from log files, in order, go into the
 * ledger in transactions that also hold the files' new offsets. The same code runs in process
 * and on the import's second thread (`_import_worker.ts`).
 */
import type { SqlValue, Store, StoreQueries } from "../core/store.ts";
import { ImportRollup, type LedgerRows, saveFiles, writeRows } from "./_ledger_write.ts";

/** One step of a log file, ready to write. */
export interface WriteStep {
  /** The file's `cost_import_files` row after the step (see `fileRow`: its path first). */
  file: SqlValue[];
  /** Its rows. */
  rows: LedgerRows;
}

/** Rows written per transaction. */
const BATCH_ROWS = 5000;
// Rows written together (in statements of 32 rows).
const WRITE_ROWS = 128;
/** Steps (about 64 KiB of log each) per transaction. */
const MAX_STEPS = 512;

/**
 * Writes the steps `next` gives (null: no more), in order, as an import run's rows: in
 * transactions of about 5,000 rows or 512 steps (so that the write lock is never held for
 * long), each with the offsets of the files it covers, during a bulk write.
 */
export async function writeImportSteps(
  store: Store,
  run: string,
  next: () => Promise<WriteStep | null>,
): Promise<void> {
  // The rows inserted are added to the rollup per transaction, not row by row.
  const rollup = new ImportRollup(store.backend, run);
  let done = false;
  // Many transactions in a row: the write-ahead log is checkpointed every 64 MiB, not 4 MiB.
  await store.bulk(async () => {
    while (!done) {
      await store.tx(async (t) => {
        await rollup.begin(t);
        let rows = 0;
        let steps = 0;
        // A file's offset is taken when the next file starts and written with the others
        // (many to a statement) before each commit.
        let last: WriteStep | null = null;
        const files: SqlValue[][] = [];
        let pending: LedgerRows = { rows: [], sidechainIds: [] };
        // Rows go out in statements of many rows: the rows past the last whole statement
        // wait for the next ones (in order), except at the end of the transaction.
        const flush = async (all: boolean) => {
          if (pending.rows.length) pending = await writeRows(t, pending, !all, rollup);
        };
        while (rows < BATCH_ROWS && steps++ < MAX_STEPS) {
          const step = await next();
          if (!step) {
            done = true;
            break;
          }
          if (last && last.file[0] !== step.file[0]) files.push(last.file);
          last = step;
          const n = step.rows.rows.length;
          if (n) {
            // Written in groups of steps (several rows per statement; see writeRows), in order.
            pending.rows.push(...step.rows.rows);
            pending.sidechainIds.push(...step.rows.sidechainIds);
            if (pending.rows.length >= WRITE_ROWS) await flush(false);
            rows += n;
          }
        }
        await flush(true);
        if (last) files.push(last.file);
        await saveFiles(t, files);
        await rollup.finish(t);
      });
    }
  });
}

/** What an import run added, per source and model. */
export interface AddedRows {
  /** The source. */
  source: string;
  /** The model. */
  model: string;
  /** Rows added. */
  n: number;
  /** Input tokens. */
  input: number;
  /** Output tokens. */
  output: number;
  /** Cache write tokens. */
  cache_creation: number;
  /** Cache read tokens. */
  cache_read: number;
  /** USD. */
  usd: number;
}

/** The rows import run `run` added (those above id `since`), per source and model. */
export function addedRows(q: StoreQueries, since: number, run: string): Promise<AddedRows[]> {
  return q.all<AddedRows>(
    `SELECT source, model, count(*) AS n, sum(input_tokens) AS input, sum(output_tokens) AS output,
       sum(cache_creation_tokens) AS cache_creation, sum(cache_read_tokens) AS cache_read,
       sum(cost_usd) AS usd
     FROM cost_ledger WHERE id > ? AND import_run = ? GROUP BY source, model
     ORDER BY source, model`,
    [since, run],
  );
}
