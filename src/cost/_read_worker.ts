/**
 * The reader thread of a large `br cost import` (started by `_reader.ts`): reads and prices
 * the files it is sent, in order, and posts their steps with the rows packed into buffers
 * that come back once the main thread has written them.
 */
import { type PostedError, postedError } from "../core/errors.ts";
import type { AttributionContext } from "./attribution.ts";
import { Catalog, type ModelPrices } from "./catalog.ts";
import { headHasher, readBuffer } from "./_lines.ts";
import { type FilePlan, type FileStep, readLogFile } from "./_read_file.ts";
import { type PackedRows, type RowBuffers, RowPacker, transferables } from "./_rows.ts";

/** Messages to the reader thread. */
export type ReaderRequest =
  | { type: "init"; prices: Record<string, ModelPrices>; root: string; features: string[] }
  // A file to read; `n` numbers the files in the order they are sent.
  | { type: "file"; plan: FilePlan; n: number }
  // The main thread has taken this many steps; the buffers of their rows come back.
  | { type: "credit"; steps: number; buffers: RowBuffers }
  // No more files.
  | { type: "end" };

/** Messages of the reader thread. */
export type ReaderReply =
  | { type: "ready" }
  // Steps in order, the number of each one's file, and the rows they emitted.
  // `last` on the steps of the last file (the thread is done once they are posted).
  | { type: "steps"; steps: FileStep[]; files: number[]; rows: PackedRows; last?: boolean }
  | { type: "done" }
  | ({ type: "error" } & PostedError);

// Steps posted and not yet taken, at most (about 4 MiB of log): bounds what waits in memory on
// both threads (more lets the heaps grow, and gains nothing).
const MAX_AHEAD = 64;
// A message carries this many rows or steps, or fewer when the thread is about to wait.
const BATCH_ROWS = 256;
const BATCH_STEPS = 16;

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ReaderRequest>) => void) | null;
  postMessage(reply: ReaderReply, transfer?: Transferable[]): void;
};

const packer = new RowPacker(BATCH_ROWS);
const inbox: ReaderRequest[] = [];
let taken = 0;
let wake: (() => void) | null = null;
scope.onmessage = (e) => {
  if (e.data.type === "credit") {
    taken += e.data.steps;
    packer.recycle(e.data.buffers);
  } else {
    inbox.push(e.data);
  }
  wake?.();
  wake = null;
};
const message = () => new Promise<void>((resolve) => wake = resolve);

let steps: FileStep[] = [];
let files: number[] = [];
let posted = 0;
function send(last = false): void {
  if (steps.length === 0) return;
  const rows = packer.take();
  scope.postMessage({ type: "steps", steps, files, rows, last }, transferables(rows));
  posted += steps.length;
  steps = [];
  files = [];
}

async function next(): Promise<ReaderRequest> {
  if (inbox.length === 0) {
    send(); // never wait holding steps the main thread may be waiting for
    while (inbox.length === 0) await message();
  }
  return inbox.shift()!;
}

async function run(): Promise<void> {
  const init = await next();
  if (init.type !== "init") throw new Error(`Expected "init", got "${init.type}"`);
  const attribution: AttributionContext = { root: init.root, features: new Set(init.features) };
  const ctx = {
    catalog: new Catalog(init.prices),
    attribution,
    buf: readBuffer(),
    headHash: await headHasher(),
  };
  scope.postMessage({ type: "ready" });
  while (true) {
    const request = await next();
    if (request.type === "end") break;
    if (request.type !== "file") continue;
    // Rows are packed as they are read; a step follows its rows.
    for await (const step of readLogFile(request.plan, ctx, (e) => packer.add(e))) {
      steps.push(step);
      files.push(request.n);
      if (packer.count >= BATCH_ROWS || steps.length >= BATCH_STEPS) send();
      while (posted - taken >= MAX_AHEAD) {
        send();
        await message();
      }
    }
  }
  send(true);
  scope.postMessage({ type: "done" });
}

run().catch((err) => scope.postMessage({ type: "error", ...postedError(err) }));
