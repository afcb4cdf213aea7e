/**
 * Scanning a tree of files: on the main thread while it is small, on the main thread and
 * worker threads once it is not. The main thread walks the tree, hands paths out in small
 * batches to the workers and scans the next file itself in between; each worker got the
 * compiled rules and keyword tables once, reads its files into one reused buffer and answers
 * with findings. The caller sorts the findings, so the report does not depend on which
 * thread scanned which file.
 *
 * Web workers, not `node:worker_threads`: those take a cap on their young generation, but
 * creating one blocks the main thread for about 50 ms (a web worker: about 15 ms). Memory
 * stays flat without a cap because each scan lets go of its file's text (`_scan_unit.ts`).
 */
import { keywordIndex } from "./_keywords.ts";
import { type ScanSettings, scanUnit } from "./_scan_unit.ts";
import type { FromWorker, ToWorker } from "./_scan_worker.ts";
import { FileLoader, listFiles, toRel } from "./files.ts";
import type { ScanSkipped, SecurityFinding } from "./types.ts";

/**
 * Bytes the main thread scans before it starts workers: a tree smaller than this is scanned
 * before workers would be of use, so it never pays for starting them.
 */
export const PARALLEL_FROM_BYTES = 1024 * 1024;
/** Files per batch, and batches in flight per worker. */
const BATCH = 8;
const DEPTH = 2;
/** The default thread count is the number of cores, at most this. */
export const MAX_AUTO_THREADS = 4;

/** Threads to scan on for a `security.threads` setting (0: automatic). */
export function scanThreads(setting: number): number {
  if (setting >= 1) return Math.floor(setting);
  return Math.max(1, Math.min(navigator.hardwareConcurrency ?? 1, MAX_AUTO_THREADS));
}

/** What {@link scanTree} found. */
export interface TreeScan {
  /** Findings, grouped by file in no particular order (the caller sorts). */
  findings: SecurityFinding[];
  /** Text files scanned. */
  filesScanned: number;
  /** Workers that scanned at least one batch (0: all on the main thread). */
  workers: number;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  dead: boolean;
  inflight: number;
  used: boolean;
}

class Pool {
  readonly slots: Slot[] = [];
  readonly results: SecurityFinding[][] = [];
  scanned = 0;
  binary = 0;
  large = 0;
  failure: Error | null = null;
  #wake: (() => void) | null = null;

  /** Starts `n` workers (fewer, or none, where workers cannot start). */
  constructor(n: number, root: string, settings: ScanSettings) {
    // the keyword tables go along, built already, instead of being built again by each worker
    const keywords = keywordIndex(settings.rules);
    for (let i = 0; i < n; i++) {
      let worker: Worker;
      try {
        // Permissions are inherited: the worker is our own code and only reads files.
        worker = new Worker(new URL("./_scan_worker.ts", import.meta.url), { type: "module" });
      } catch {
        break; // no workers here: the main thread scans alone
      }
      const slot: Slot = { worker, ready: false, dead: false, inflight: 0, used: false };
      worker.onmessage = (e: MessageEvent<FromWorker>) => {
        const m = e.data;
        if (m.type === "ready") slot.ready = true;
        else {
          slot.inflight--;
          this.results.push(m.findings);
          this.scanned += m.scanned;
          this.binary += m.binary;
          this.large += m.large;
        }
        this.#signal();
      };
      worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        slot.dead = true;
        // A worker that fails to start is left out; one that fails while scanning is a bug.
        if (slot.ready) this.failure ??= new Error(`A scan worker failed: ${e.message}`);
        this.#signal();
      };
      worker.postMessage({ type: "init", root, settings, keywords } satisfies ToWorker);
      this.slots.push(slot);
    }
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /** Some worker is ready for batches. */
  get ready(): boolean {
    return this.slots.some((s) => s.ready && !s.dead);
  }

  /** No worker started. */
  get failed(): boolean {
    return this.slots.every((s) => s.dead);
  }

  /** Batches are in flight. */
  get busy(): boolean {
    return this.slots.some((s) => s.inflight > 0);
  }

  /** The least loaded ready worker that can take another batch. */
  idle(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.ready && !s.dead && s.inflight < DEPTH && (!best || s.inflight < best.inflight)) {
        best = s;
      }
    }
    return best;
  }

  send(slot: Slot, paths: string[]): void {
    slot.inflight++;
    slot.used = true;
    slot.worker.postMessage({ type: "batch", paths } satisfies ToWorker);
  }

  /** Resolves at the next message or error of any worker. */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  close(): void {
    for (const s of this.slots) {
      s.dead = true;
      s.worker.terminate();
    }
  }
}

/** Options of {@link scanTree}. */
export interface ScanTreeOptions {
  /** Threads, the main thread included (1: no workers). */
  threads: number;
  /** Bytes scanned on the main thread before workers start (default {@link PARALLEL_FROM_BYTES}). */
  parallelFromBytes?: number;
  /**
   * The main thread scans too (default true). When false, `threads` workers scan everything
   * once they are ready, and the main thread only walks the tree.
   */
  mainThreadScans?: boolean;
}

/** Bytes the main thread scans between two turns of the event loop (workers' messages). */
const TICK_BYTES = 256 * 1024;

/**
 * Scans the files under `paths` on the main thread and, once `parallelFromBytes` bytes are
 * scanned and files remain, also on `threads - 1` workers: the main thread walks the tree,
 * hands paths out in batches to the workers that are ready, and scans the next file itself in
 * between. Memory stays flat with the size of the tree: a bounded number of files is in
 * flight.
 *
 * @throws {BrError} `not_found` for an explicit path that does not exist.
 */
export async function scanTree(
  root: string,
  paths: readonly string[],
  s: ScanSettings,
  skipped: ScanSkipped,
  options: ScanTreeOptions,
): Promise<TreeScan> {
  const fromBytes = options.parallelFromBytes ?? PARALLEL_FROM_BYTES;
  const mainScans = options.mainThreadScans !== false;
  const workerCount = mainScans ? options.threads - 1 : options.threads;
  const files = listFiles(root, paths, skipped);
  let listed = false;
  const next = async (): Promise<string | null> => {
    if (listed) return null;
    const r = await files.next();
    if (r.done) listed = true;
    return r.done ? null : r.value;
  };
  const found: SecurityFinding[][] = [];
  let scanned = 0;
  let bytes = 0;
  // Reading synchronously into one buffer is much cheaper than an async read per file, and
  // the page cache makes most reads fast anyway.
  const reader = new FileLoader();
  const scanHere = (abs: string) => {
    const file = reader.load(abs, s.maxBytes);
    if (file.kind === "text") {
      scanned++;
      bytes += file.bytes.length;
      found.push(
        scanUnit({ file: toRel(root, abs), bytes: file.bytes, commit: null, lineMap: null }, s),
      );
    } else if (file.kind !== "gone") skipped[file.kind]++;
  };
  let pool: Pool | null = null;
  let ticker: Ticker | null = null;
  let tickedAt = 0;
  try {
    while (true) {
      if (!pool && workerCount > 0 && !listed && bytes >= fromBytes) {
        pool = new Pool(workerCount, root, s);
        ticker = new Ticker();
      }
      if (pool) {
        if (pool.failure) throw pool.failure;
        let slot: Slot | undefined;
        while (!listed && (slot = pool.idle())) {
          const batch: string[] = [];
          while (batch.length < BATCH) {
            const path = await next();
            if (path === null) break;
            batch.push(path);
          }
          if (batch.length) pool.send(slot, batch);
        }
      }
      if (!pool || pool.failed || mainScans) {
        const path = await next();
        if (path !== null) {
          scanHere(path);
          if (ticker && bytes - tickedAt >= TICK_BYTES) {
            tickedAt = bytes;
            await ticker.tick();
          }
          continue;
        }
      }
      // nothing left for the main thread to scan (or it only hands paths out)
      if (!pool || pool.failed || (listed && !pool.busy)) break;
      await pool.wait();
    }
    if (pool) {
      found.push(...pool.results);
      scanned += pool.scanned;
      skipped.binary += pool.binary;
      skipped.large += pool.large;
    }
  } finally {
    ticker?.close();
    pool?.close();
  }
  const workers = pool?.slots.filter((x) => x.used).length ?? 0;
  return { findings: found.flat(), filesScanned: scanned, workers };
}

/**
 * Turns of the event loop, in which the workers' messages come in, while the main thread
 * scans (a timer would wait at least a millisecond each time).
 */
class Ticker {
  readonly #channel = new MessageChannel();
  #resolve: (() => void) | null = null;

  constructor() {
    this.#channel.port1.onmessage = () => this.#resolve?.();
  }

  /** Resolves after one turn of the event loop. */
  tick(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#channel.port2.postMessage(null);
    });
  }

  close(): void {
    this.#channel.port1.close();
    this.#channel.port2.close();
  }
}
