/**
 * A `br cost import` of many megabytes into SQLite on both cores: a writer thread
 * (`_import_worker.ts`) writes the ledger while this one reads the log files. The rows go to
 * it packed in transferred buffers (`_rows.ts`) with their steps, in order, and it writes them
 * in the transactions of an import in process, so the ledger, the offsets and the rollup are
 * the same.
 */
import { revivedError } from "../core/errors.ts";
import type { SqlValue } from "../core/store.ts";
import { type FilePlan, fileRow, type ReadContext, readLogFile } from "./_read_file.ts";
import type { ImportReply, ImportRequest } from "./_import_worker.ts";
import { RowPacker, transferables } from "./_rows.ts";
import { type StepTally, tallyStep } from "./_import_tally.ts";

/** What the import thread needs to know. */
export interface ImportThreadOptions {
  /** The SQLite file of the store. */
  db: string;
  /** The import run. */
  run: string;
  /** When its rows are recorded. */
  now: string;
}

// Messages of rows posted and not yet written, at most.
const MAX_IN_FLIGHT = 32;
// Rows and steps of a message, at most.
const MESSAGE_ROWS = 512;
const MESSAGE_STEPS = 64;

/** The writer thread of an import: {@link start} it, then {@link run} the import with it. */
export class ImportThread {
  readonly #worker: Worker;
  readonly #options: ImportThreadOptions;
  #replies: ImportReply[] = [];
  #wake: (() => void) | null = null;
  #inFlight = 0;
  #ended = false;
  #failure: Error | null = null;
  #packer = new RowPacker(MESSAGE_ROWS);
  /** Imports of this process whose steps the writer thread wrote (for tests). */
  static written = 0;

  private constructor(worker: Worker, options: ImportThreadOptions) {
    this.#worker = worker;
    this.#options = options;
    worker.onmessage = (e: MessageEvent<ImportReply>) => {
      const reply = e.data;
      if (reply.type === "credit") {
        this.#inFlight -= reply.messages;
        for (const b of reply.buffers) this.#packer.recycle(b);
      } else if (reply.type === "error") {
        this.#failure ??= revivedError(reply);
      } else {
        this.#replies.push(reply);
      }
      this.#signal();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#failure ??= new Error(e.message);
      this.#signal();
    };
  }

  /**
   * Starts the thread (it loads and opens the store while the first files are read), or
   * returns null when it cannot start.
   */
  static start(options: ImportThreadOptions): ImportThread | null {
    let worker: Worker;
    try {
      // With the process's permissions: the thread runs br's own code only, and narrowing
      // them (Worker's `deno.permissions`) would end a process run without
      // `--unstable-worker-options` (a program using the library) instead of throwing.
      worker = new Worker(new URL("./_import_worker.ts", import.meta.url).href, {
        type: "module",
        name: "br-cost-import",
      });
    } catch {
      return null;
    }
    const thread = new ImportThread(worker, options);
    const { db, run, now } = options;
    thread.#post({ type: "init", db, run, now });
    return thread;
  }

  #signal(): void {
    this.#wake?.();
    this.#wake = null;
  }

  #message(): Promise<void> {
    return new Promise<void>((resolve) => this.#wake = resolve);
  }

  #post(request: ImportRequest, transfer: Transferable[] = []): void {
    this.#worker.postMessage(request, transfer);
  }

  async #reply(type: "written" | "done" | "closed"): Promise<ImportReply> {
    while (true) {
      if (this.#failure) throw this.#failure;
      const i = this.#replies.findIndex((r) => r.type === type);
      if (i >= 0) return this.#replies.splice(i, 1)[0];
      await this.#message();
    }
  }

  /**
   * Reads the files of `plans` (in their order) here and writes them there; adds what they
   * hold to `tally`; returns once everything is committed (then call {@link finished}). After
   * the last file, while the thread writes what is left, this one runs `idle` (a checkpoint
   * of what is committed; its failure is ignored).
   *
   * @throws what reading a file here or writing the ledger there threw (the transaction open
   * then is rolled back; those committed before stay, with their files' offsets).
   */
  async run(
    plans: AsyncIterable<FilePlan>,
    ctx: ReadContext,
    tally: StepTally,
    idle?: () => Promise<unknown>,
  ): Promise<void> {
    const { now } = this.#options;
    try {
      const packer = this.#packer;
      let files: SqlValue[][] = [];
      let counts: number[] = [];
      const send = () => {
        const rows = packer.take();
        this.#post({ type: "steps", files, counts, rows }, transferables(rows));
        files = [];
        counts = [];
        this.#inFlight++;
      };
      for await (const plan of plans) {
        for await (const step of readLogFile(plan, ctx, (e) => packer.add(e))) {
          tallyStep(tally, plan.source, step);
          files.push(fileRow(plan, step, now));
          counts.push(step.rows);
          if (packer.count >= MESSAGE_ROWS || counts.length >= MESSAGE_STEPS) {
            send();
            await this.#room();
          }
        }
      }
      if (counts.length) send();
      this.#post({ type: "end" });
    } catch (err) {
      await this.#abort();
      throw err;
    }
    try {
      await idle?.().catch(() => {});
      this.#post({ type: "checkpointed" });
      await this.#reply("written");
      ImportThread.written++;
    } catch (err) {
      this.#end();
      throw err;
    }
  }

  #end(): void {
    this.#ended = true;
    this.#worker.terminate();
  }

  /**
   * Waits for the thread to end after {@link run} (it checkpoints the write-ahead log and
   * closes the store meanwhile), then ends it. Everything was committed before: a failure of
   * the checkpoint or the close changes nothing (the next commit or close checkpoints).
   */
  async finished(): Promise<void> {
    if (this.#ended) return;
    try {
      await this.#reply("done");
    } catch {
      // see above
    } finally {
      this.#end();
    }
  }

  /** Waits while too many messages of rows are not written yet. */
  async #room(): Promise<void> {
    while (this.#inFlight > MAX_IN_FLIGHT && !this.#failure) await this.#message();
    if (this.#failure) throw this.#failure;
  }

  async #abort(): Promise<void> {
    if (!this.#failure) {
      this.#post({ type: "abort" });
      await this.#reply("closed").catch(() => {});
    }
    this.#end();
  }
}
