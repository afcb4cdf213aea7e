/**
 * The steps of reading a sequence of log files, in order, each with its file and its rows
 * ready to bind, where the import does not write on its writer thread (`_import_parallel.ts`:
 * into PostgreSQL, or when that thread cannot start). Up to 128 MiB of new log are read in
 * process; more are read on a worker thread (`_read_worker.ts`), so that parsing (on one core)
 * and the caller's SQLite writes (on another) overlap, and the allocation-heavy parsing happens
 * in a small heap of its own. Below that the thread does not pay for itself: starting it,
 * handing rows over and warming up a second engine cost more CPU than the overlap saves on two
 * busy cores (bench/cost.ts: a 50 MB import in process uses 20% less CPU and memory than on
 * the thread, and no more time).
 */
import { revivedError } from "../core/errors.ts";
import { entryRows, type LedgerRows } from "./_ledger_write.ts";
import type { ModelPrices } from "./catalog.ts";
import type { PricedEntry } from "./ledger.ts";
import { type FilePlan, type FileStep, type ReadContext, readLogFile } from "./_read_file.ts";
import type { ReaderReply, ReaderRequest } from "./_read_worker.ts";
import { RowUnpacker } from "./_rows.ts";

/** A step with its file and its rows. */
export interface ReadStep {
  /** The file. */
  plan: FilePlan;
  /** The step. */
  step: FileStep;
  /** Its rows. */
  rows: LedgerRows;
}

/** What reading needs to know besides the files. */
export interface ReaderOptions {
  /** Price overrides of the project (`cost.prices`). */
  prices: Record<string, ModelPrices>;
  /** The folders the files are in (the only ones the reader thread may read). */
  roots: string[];
  /** When the rows are recorded. */
  now: string;
  /** The import run the rows belong to. */
  run: string;
  /** New bytes from which files are read on the reader thread (default {@link OFFLOAD_BYTES}). */
  offloadBytes?: number;
  /** Bytes of log a reader thread reads before a new one takes the next files (160 MiB). */
  recycleBytes?: number;
}

/** New bytes of log (in the files looked at together) from which they are read on a thread. */
export const OFFLOAD_BYTES = 128 << 20;
// Files looked at, at most, before deciding where to read them.
const PLANS_LOOKED_AT = 256;
// Files sent to the reader thread ahead of the one it reads, so that it never waits for one.
const PLANS_AHEAD = 16;
// A reader thread's heap grows as V8 adapts it to a long run; a new thread every 160 MiB of
// log keeps the peak memory of a large import near that of a small one (about 30 ms each).
const RECYCLE_BYTES = 160 << 20;

/** Reads log files in process or on a reader thread; {@link close} stops the thread. */
export class LogReader {
  readonly #ctx: ReadContext;
  readonly #options: ReaderOptions;
  #worker: Worker | null = null;
  #ready = false;
  #threaded = false;
  #started = 0;
  #closed = false;
  #replies: ReaderReply[] = [];
  #wake: (() => void) | null = null;

  constructor(ctx: ReadContext, options: ReaderOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /** Starts the reader thread; true once it is ready, false when it cannot start. */
  async #start(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      this.#worker = new Worker(new URL("./_read_worker.ts", import.meta.url).href, {
        type: "module",
        name: "br-cost-reader",
        // The log folders, read only; nothing else.
        deno: {
          permissions: {
            read: this.#options.roots,
            write: false,
            env: false,
            net: false,
            run: false,
            ffi: false,
            sys: false,
            import: false,
          },
        },
      });
    } catch {
      return false;
    }
    const signal = () => {
      this.#wake?.();
      this.#wake = null;
    };
    const worker = this.#worker;
    // A thread that was closed says nothing more (its successor may be talking already).
    worker.onmessage = (e: MessageEvent<ReaderReply>) => {
      if (this.#worker !== worker) return;
      if (e.data.type === "ready") this.#ready = true;
      else this.#replies.push(e.data);
      signal();
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (this.#worker !== worker) return;
      this.#replies.push({ type: "error", name: "Error", message: e.message });
      signal();
    };
    const { attribution } = this.#ctx;
    this.#post({
      type: "init",
      prices: this.#options.prices,
      root: attribution.root,
      features: [...attribution.features],
    });
    while (!this.#ready) {
      if (this.#replies.length || this.#closed) {
        this.#stop(); // it failed before it was ready (read in process), or the reader closed
        return false;
      }
      await this.#message();
    }
    this.#threaded = true;
    this.#started++;
    return true;
  }

  /** Whether files were read on the reader thread. */
  get threaded(): boolean {
    return this.#threaded;
  }

  /** How many reader threads were started (one per {@link ReaderOptions.recycleBytes}). */
  get threadsStarted(): number {
    return this.#started;
  }

  #message(): Promise<void> {
    return new Promise<void>((resolve) => this.#wake = resolve);
  }

  #post(request: ReaderRequest, transfer: Transferable[] = []): void {
    this.#worker?.postMessage(request, transfer);
  }

  async #reply(): Promise<ReaderReply> {
    while (this.#replies.length === 0) await this.#message();
    return this.#replies.shift()!;
  }

  async *#inProcess(plan: FilePlan): AsyncGenerator<ReadStep> {
    const { now, run } = this.#options;
    let entries: PricedEntry[] = [];
    for await (const step of readLogFile(plan, this.#ctx, (e) => void entries.push(e))) {
      yield { plan, step, rows: entryRows(entries, now, run) };
      entries = [];
    }
  }

  /** The steps of the files of `plans`, in order. */
  async *steps(plans: AsyncIterator<FilePlan>): AsyncGenerator<ReadStep> {
    const offload = this.#options.offloadBytes ?? OFFLOAD_BYTES;
    const recycleBytes = this.#options.recycleBytes ?? RECYCLE_BYTES;
    // Files are looked at before they are read: when they hold `offload` bytes of new log,
    // they and all the next ones are read on the reader thread (none in process: parsing
    // would then grow this thread's heap for the rest of the import).
    const ahead: FilePlan[] = [];
    let more = true;
    while (true) {
      let bytes = 0;
      while (more && bytes < offload && ahead.length < PLANS_LOOKED_AT) {
        const next = await plans.next();
        if (next.done) more = false;
        else {
          ahead.push(next.value);
          bytes += next.value.size - (next.value.known?.offset ?? 0);
        }
      }
      if (bytes >= offload && await this.#start()) break;
      for (const plan of ahead.splice(0)) yield* this.#inProcess(plan);
      if (!more) return;
      if (bytes >= offload) {
        // No reader thread here: the rest in process too.
        for (let next = await plans.next(); !next.done; next = await plans.next()) {
          yield* this.#inProcess(next.value);
        }
        return;
      }
    }
    // A thread reads about `recycleBytes` of log, then ends, and a new one takes the next
    // files (see RECYCLE_BYTES).
    const { now, run } = this.#options;
    // Starts the next thread when a file is left to read (feed() has looked for one): true,
    // false when it cannot start, null when nothing is left. It runs while the caller writes
    // rows, so it must not ask `plans` (whose queries belong to the caller's transaction).
    const startNext = (): Promise<boolean | null> =>
      ahead.length ? this.#start() : Promise.resolve(null);
    // The thread being started, ended with the reader whatever happens to the caller.
    let successor: Promise<boolean | null> | null = null;
    try {
      while (true) {
        // The files sent and not done, in order, with their numbers.
        const sent: { plan: FilePlan; n: number }[] = [];
        let numbered = 0;
        let ended = false;
        let budget = recycleBytes;
        const feed = async () => {
          while (sent.length < PLANS_AHEAD && budget > 0 && (ahead.length || more)) {
            const next = ahead.length ? ahead.shift()! : await plans.next().then((n) => {
              if (n.done) more = false;
              return n.done ? null : n.value;
            });
            if (next) {
              const n = numbered++;
              this.#post({ type: "file", plan: next, n });
              sent.push({ plan: next, n });
              budget -= next.size - (next.known?.offset ?? 0);
            }
          }
          if ((budget <= 0 || (!more && !ahead.length)) && !ended) {
            if (!ahead.length && more) {
              // Is there a file for a next thread? Asked here, in the caller's flow.
              const next = await plans.next();
              if (next.done) more = false;
              else ahead.push(next.value);
            }
            ended = true;
            this.#post({ type: "end" });
          }
        };
        await feed();
        // The next thread, started as soon as this one has read its last file.
        successor = null;
        while (!successor) {
          const reply = await this.#reply();
          if (reply.type === "done") {
            // Its last steps came before (or it had none): the next thread starts now.
            this.#stop();
            successor = startNext();
            break;
          }
          if (reply.type === "error") throw revivedError(reply);
          if (reply.type !== "steps") continue;
          // Its last steps: the next thread loads while their rows are written.
          if (reply.last) {
            this.#stop();
            successor = startNext();
          }
          const rows = new RowUnpacker(reply.rows, now, run);
          for (let i = 0; i < reply.steps.length; i++) {
            // Files before this step's are done (a file that is gone has no step).
            while (sent[0].n < reply.files[i]) sent.shift();
            yield {
              plan: sent[0].plan,
              step: reply.steps[i],
              rows: rows.next(reply.steps[i].rows),
            };
          }
          if (successor) break;
          // The steps are taken: the thread may read further, into the same buffers.
          const { nums, refs, text } = reply.rows;
          this.#post(
            { type: "credit", steps: reply.steps.length, buffers: { nums, refs, text } },
            [nums.buffer, refs.buffer, text.buffer],
          );
          await feed();
        }
        const started = await successor;
        successor = null;
        if (started === null) return;
        if (!started) {
          // No new thread: the rest in process.
          for (const plan of ahead.splice(0)) yield* this.#inProcess(plan);
          for (let next = await plans.next(); !next.done; next = await plans.next()) {
            yield* this.#inProcess(next.value);
          }
          return;
        }
      }
    } finally {
      // The caller stopped early or failed: a thread still starting ends at once.
      successor?.catch(() => {});
    }
  }

  /** Ends the current reader thread (a next one may start). */
  #stop(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = false;
    this.#replies = [];
  }

  /** Stops the reader thread for good; no other starts. */
  close(): void {
    this.#closed = true;
    this.#stop();
    this.#wake?.();
    this.#wake = null;
  }
}
