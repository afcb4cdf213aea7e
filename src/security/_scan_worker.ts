/**
 * A scan worker: receives the settings once, then batches of absolute paths; reads and scans
 * each file and answers with the batch's findings and counts. See `_parallel.ts`.
 */
import { adoptKeywordIndex, type KeywordIndex } from "./_keywords.ts";
import { type ScanSettings, scanUnit } from "./_scan_unit.ts";
import { FileLoader, toRel } from "./files.ts";
import type { SecurityFinding } from "./types.ts";

/** Messages to a worker. */
export type ToWorker =
  | { type: "init"; root: string; settings: ScanSettings; keywords: KeywordIndex }
  | { type: "batch"; paths: string[] };

/** Messages from a worker. */
export type FromWorker =
  | { type: "ready" }
  | {
    type: "done";
    findings: SecurityFinding[];
    scanned: number;
    binary: number;
    large: number;
  };

// The worker's global scope, typed without a lib directive (the package may not change the
// globals of its users).
const self = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
};

let root = "";
let settings: ScanSettings | null = null;
const reader = new FileLoader();

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "init") {
    root = msg.root;
    settings = msg.settings;
    adoptKeywordIndex(settings.rules, msg.keywords);
    self.postMessage({ type: "ready" } satisfies FromWorker);
    return;
  }
  const s = settings!;
  const done: FromWorker = { type: "done", findings: [], scanned: 0, binary: 0, large: 0 };
  for (const abs of msg.paths) {
    const file = reader.load(abs, s.maxBytes);
    if (file.kind === "text") {
      done.scanned++;
      const found = scanUnit(
        { file: toRel(root, abs), bytes: file.bytes, commit: null, lineMap: null },
        s,
      );
      for (const f of found) done.findings.push(f);
    } else if (file.kind !== "gone") done[file.kind]++;
  }
  self.postMessage(done);
};
