/**
 * The writer thread of a `br cost import` of many megabytes into SQLite (started by
 * `_import_parallel.ts`): it writes the ledger while the main thread reads the log files. The
 * steps come in order, their rows packed in transferred buffers that go back once written;
 * the transactions are those of an import in process (`_import_write.ts`), so is the ledger.
 */
import { type PostedError, postedError } from "../core/errors.ts";
import { openSqliteStore } from "../core/store_sqlite.ts";
import { MIGRATIONS } from "../core/store_migrations.ts";
import type { SqlValue, Store } from "../core/store.ts";
import { type PackedRows, type RowBuffers, RowUnpacker } from "./_rows.ts";
import { writeImportSteps, type WriteStep } from "./_import_write.ts";

/** Messages to the import thread. */
export type ImportRequest =
  // The store's file, the import run, and when its rows are recorded.
  | { type: "init"; db: string; run: string; now: string }
  // Steps in order: each one's file row (`cost_import_files`, see `fileRow`), how many rows it
  // has, and the rows.
  | { type: "steps"; files: SqlValue[][]; counts: number[]; rows: PackedRows }
  // No more steps.
  | { type: "end" }
  // After "end": the main thread's checkpoint, if it ran one, ended.
  | { type: "checkpointed" }
  // The main thread failed: undo the open transaction and close.
  | { type: "abort" };

/** Messages of the import thread. */
export type ImportReply =
  // Messages of steps written, and their buffers to fill again.
  | { type: "credit"; messages: number; buffers: RowBuffers[] }
  // Everything written and committed.
  | { type: "written" }
  // The write-ahead log checkpointed and the store closed.
  | { type: "done" }
  // Closed without writing more (after "abort").
  | { type: "closed" }
  | ({ type: "error" } & PostedError);

// Messages taken before the main thread hears of them (it may post a few more meanwhile).
const CREDIT_EVERY = 4;

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ImportRequest>) => void) | null;
  postMessage(reply: ImportReply, transfer?: Transferable[]): void;
};

const inbox: ImportRequest[] = [];
let wake: (() => void) | null = null;
scope.onmessage = (e) => {
  inbox.push(e.data);
  wake?.();
  wake = null;
};
const message = () => new Promise<void>((resolve) => wake = resolve);

async function nextRequest(): Promise<ImportRequest> {
  while (inbox.length === 0) await message();
  return inbox.shift()!;
}

class Aborted extends Error {}

async function run(): Promise<void> {
  const init = await nextRequest();
  if (init.type !== "init") throw new Error(`Expected "init", got "${init.type}"`);
  const { run, now } = init;
  let store: Store | null = await openSqliteStore(init.db, { migrations: MIGRATIONS });
  try {
    // The message being written, and where in it.
    let current: Extract<ImportRequest, { type: "steps" }> | null = null;
    let unpacker: RowUnpacker | null = null;
    let at = 0;
    let credits = 0;
    const buffers: RowBuffers[] = [];
    const credit = () => {
      if (credits === 0) return;
      const back = buffers.splice(0);
      scope.postMessage(
        { type: "credit", messages: credits, buffers: back },
        back.flatMap((b) => [b.nums.buffer, b.refs.buffer, b.text.buffer]),
      );
      credits = 0;
    };
    let ended = false;
    const next = async (): Promise<WriteStep | null> => {
      while (!current || at === current.counts.length) {
        if (current) {
          const { nums, refs, text } = current.rows;
          buffers.push({ nums, refs, text });
          current = null;
          if (++credits >= CREDIT_EVERY) credit();
        }
        if (ended) return null;
        if (inbox.length === 0) credit(); // never wait holding credits
        const m = await nextRequest();
        if (m.type === "abort") throw new Aborted();
        if (m.type === "end") ended = true;
        else if (m.type === "steps") {
          current = m;
          unpacker = new RowUnpacker(m.rows, now, run);
          at = 0;
        }
      }
      const file = current.files[at];
      return { file, rows: unpacker!.next(current.counts[at++]) };
    };
    await writeImportSteps(store, run, next);
    credit();
    // Everything is committed: the main thread sums what the run added while the rest of the
    // write-ahead log is copied into the database here (the next commit of the process would
    // otherwise do it), once the main thread's checkpoint of what was committed before ended
    // (while one runs, another does nothing).
    scope.postMessage({ type: "written" });
    while ((await nextRequest()).type !== "checkpointed");
    await store.run("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (err) {
    if (err instanceof Aborted) {
      await store.close();
      store = null;
      scope.postMessage({ type: "closed" });
      return;
    }
    throw err;
  } finally {
    await store?.close();
  }
  scope.postMessage({ type: "done" });
}

run().catch((err) => scope.postMessage({ type: "error", ...postedError(err) }));
