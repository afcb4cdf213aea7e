/**
 * Reading one log file from where the last import stopped: the same code runs in process and
 * on the reader thread of a large import (`_reader.ts`), so it takes plain data in and gives
 * plain data out.
 */
import type { SqlValue } from "../core/store.ts";
import type { AttributionContext } from "./attribution.ts";
import type { Catalog } from "./catalog.ts";
import { CLAUDE_FIELDS, CLAUDE_MARKERS, claudeEntry, claudeFileContext } from "./claude_code.ts";
import {
  CODEX_FIELDS,
  CODEX_MARKERS,
  codexEntry,
  codexInitialState,
  type CodexState,
} from "./codex.ts";
import {
  compileMarkers,
  type Fields,
  fileBlocks,
  fileHead,
  HEAD_BYTES,
  type HeadHash,
  type Marker,
  oneBlock,
  readHead,
  readMarkedLines,
  sameHead,
} from "./_lines.ts";
import { type PricedEntry, priceEntry } from "./ledger.ts";
import type { ImportSource } from "./_sources.ts";
import type { UsageEntry } from "./types.ts";

/** A file's row in `cost_import_files`, as far as reading needs it. */
export interface KnownFile {
  /** Size at the last import. */
  size: number;
  /** Modification time at the last import. */
  mtime: string | null;
  /** Bytes read (always at the end of a line). */
  offset: number;
  /** Hash of the first `min(offset, 4 KiB)` bytes (see `headHasher`). */
  head_hash: string;
  /** The parser's state at `offset` (JSON), if it keeps one. */
  state: string | null;
}

/** One log file to read. */
export interface FilePlan {
  /** Its path. */
  path: string;
  /** Which agent wrote it. */
  source: ImportSource;
  /** The folder it was found in (Claude Code's project and session come from the path below). */
  root: string;
  /** Size when found. */
  size: number;
  /** Modification time when found. */
  mtime: string | null;
  /** What the last import stored about it. */
  known: KnownFile | null;
}

/** What reading about 64 KiB of a file gave (its rows went to the `emit` callback). */
export interface FileStep {
  /** Rows emitted. */
  rows: number;
  /** Usage records read (before split responses are merged into rows). */
  records: number;
  /** Lines that are not JSON (or not UTF-8). */
  malformed: number;
  /** Models of its rows that have no price. */
  unpriced: string[];
  /** Bytes of log covered. */
  bytes: number;
  /** Set on the first step of a file read from its offset (it counts as a file read). */
  opened: boolean;
  /** Byte offset after the step. */
  offset: number;
  /** Hash of the first `min(offset, 4 KiB)` bytes (see `headHasher`). */
  hash: string;
  /** The parser's state at `offset` (JSON), if it keeps one. */
  state: string | null;
}

/** The `cost_import_files` row of `plan`'s file after `step`, saved at `now` (see `saveFiles`). */
export function fileRow(plan: FilePlan, step: FileStep, now: string): SqlValue[] {
  return [plan.path, plan.source, plan.size, plan.mtime, step.offset, step.hash, step.state, now];
}

/** What reading needs besides the file. */
export interface ReadContext {
  /** Prices. */
  catalog: Catalog;
  /** Feature attribution. */
  attribution: AttributionContext;
  /** Read buffer (`CHUNK` bytes, best a `readBuffer()`), reused from file to file. */
  buf: Uint8Array;
  /** The hash of a file's head (`await headHasher()`). */
  headHash: HeadHash;
}

/** Bytes of log per step: its rows and the file's offset after it are committed together. */
const STEP_BYTES = 1 << 16;

const CLAUDE_SEARCH = compileMarkers(CLAUDE_MARKERS);
const CODEX_SEARCH = compileMarkers(CODEX_MARKERS);

interface Parser {
  /** Lines without any of these carry nothing for the parser and are skipped unread. */
  markers: readonly string[];
  /** The markers, compiled for the byte search. */
  search: readonly Marker[];
  /** The members {@link entry} reads, when a line may be reduced to them before it is parsed. */
  fields?: Fields;
  initial: unknown;
  /** The entry of a parsed line that holds a marker (throws on unexpected shapes). */
  entry(obj: unknown, state: unknown): UsageEntry | null;
}

function parserFor(plan: FilePlan, attribution: AttributionContext): Parser {
  if (plan.source === "claude-code") {
    const { session, project } = claudeFileContext(plan.root, plan.path);
    const ctx = { session, project, attribution };
    return {
      markers: CLAUDE_MARKERS,
      search: CLAUDE_SEARCH,
      fields: CLAUDE_FIELDS,
      initial: null,
      entry: (obj) => claudeEntry(obj, ctx),
    };
  }
  return {
    markers: CODEX_MARKERS,
    search: CODEX_SEARCH,
    fields: CODEX_FIELDS,
    initial: codexInitialState(plan.path),
    entry: (obj, state) => codexEntry(obj, state as CodexState, attribution),
  };
}

/** Whether the file has nothing new since the last import (it is then not even opened). */
export function unchanged(plan: FilePlan): boolean {
  const k = plan.known;
  return !!k && k.size === plan.size && k.mtime === plan.mtime && k.offset === plan.size;
}

/**
 * Reads `plan`'s file from its last offset (from the start when its head changed) and emits
 * its rows, priced, with the lines of one split response merged; yields a step every 64 KiB
 * or so with the offset and parser state after it (at least one step, unless the file is gone).
 * A last line without a newline that is not whole JSON (still being written) is left for the
 * next import.
 */
export async function* readLogFile(
  plan: FilePlan,
  ctx: ReadContext,
  emit: (entry: PricedEntry) => void,
): AsyncGenerator<FileStep> {
  const { path, known } = plan;
  const parser = parserFor(plan, ctx.attribution);
  // A file that fits the read buffer is read whole, in one call (most files of a log tree are
  // small: opening, seeking and reading each in several calls costs more than reading it).
  let whole: Uint8Array | null = null;
  let file: Deno.FsFile | null = null;
  try {
    if (plan.size <= ctx.buf.length) whole = readWhole(path, ctx.buf, plan.size);
    else file = Deno.openSync(path, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return; // gone since it was found: nothing to read
    throw err;
  }
  using handle = file;
  // The head identifies the file; it is hashed from memory, not read again.
  const head = whole ? whole.subarray(0, HEAD_BYTES) : readHead(handle!, 0);
  const headOf = (length: number): Uint8Array =>
    length <= head.length ? head.subarray(0, length) : fileHead(path, length);
  const hashes = new Map<number, string>();
  const hashOf = (length: number): string => {
    let hash = hashes.get(length);
    if (!hash) {
      hash = ctx.headHash(headOf(length));
      hashes.set(length, hash);
    }
    return hash;
  };
  let offset = 0;
  let state: unknown = parser.initial;
  if (known && plan.size >= known.offset && known.offset > 0) {
    if (sameHead(known.head_hash, headOf(Math.min(known.offset, HEAD_BYTES)), ctx.headHash)) {
      offset = known.offset;
      if (known.state) state = JSON.parse(known.state);
    }
  }
  let end = offset;
  let unpriced: string[] = [];
  const step = (
    rows: number,
    records: number,
    malformed: number,
    bytes: number,
    opened: boolean,
  ): FileStep => ({
    rows,
    records,
    malformed,
    unpriced,
    bytes,
    opened,
    offset: end,
    hash: hashOf(Math.min(end, HEAD_BYTES)),
    state: state === null ? null : JSON.stringify(state),
  });
  if (offset === plan.size && known) {
    yield step(0, 0, 0, 0, false);
    return;
  }
  let opened = true;
  let rows = 0;
  let records = 0;
  let malformed = 0;
  // Lines of one API response sit next to each other: they are merged before the write.
  let last: PricedEntry | null = null;
  const flush = () => {
    if (last) emit(last);
    last = null;
  };
  let stepStart = end;
  handle?.seekSync(offset, Deno.SeekMode.Start);
  const blocks = whole ? oneBlock(whole.subarray(offset)) : fileBlocks(handle!, ctx.buf);
  for (const item of readMarkedLines(blocks, offset, parser.search, parser.fields)) {
    let line = item.line;
    let obj: unknown = undefined;
    if (item.partial) {
      // Cut inside a character or not whole JSON yet: left for the next import.
      if (item.invalid) break;
      try {
        obj = JSON.parse(line);
      } catch {
        break;
      }
      if (!parser.markers.some((m) => line.includes(m))) line = "";
    }
    if (item.invalid) malformed++;
    else if (line !== "" || item.value !== undefined) {
      let entry: UsageEntry | null = null;
      try {
        const value = item.value !== undefined ? item.value : item.partial ? obj : JSON.parse(line);
        entry = parser.entry(value, state);
      } catch {
        malformed++;
      }
      if (entry) {
        records++;
        const priced = priceEntry(ctx.catalog, entry);
        if (!priced.priced && !unpriced.includes(priced.model)) unpriced.push(priced.model);
        if (last && priced.key && !priced.sidechain && priced.key === last.key) {
          mergeInto(last, priced);
        } else {
          flush();
          rows++;
          if (priced.sidechain) emit(priced);
          else last = priced;
        }
      }
    }
    end = item.end;
    if (end - stepStart >= STEP_BYTES) {
      flush();
      yield step(rows, records, malformed, end - stepStart, opened);
      stepStart = end;
      opened = false;
      rows = records = malformed = 0;
      unpriced = [];
    }
  }
  flush();
  if (rows || records || malformed || end !== stepStart || opened) {
    yield step(rows, records, malformed, end - stepStart, opened);
  }
}

/** Keeps the larger counts of two records of one response (as the ledger upsert does). */
function mergeInto(a: PricedEntry, b: PricedEntry): void {
  a.input_tokens = Math.max(a.input_tokens, b.input_tokens);
  a.output_tokens = Math.max(a.output_tokens, b.output_tokens);
  a.cache_creation_tokens = Math.max(a.cache_creation_tokens, b.cache_creation_tokens);
  a.cache_creation_1h_tokens = Math.max(
    a.cache_creation_1h_tokens ?? 0,
    b.cache_creation_1h_tokens ?? 0,
  );
  a.cache_read_tokens = Math.max(a.cache_read_tokens, b.cache_read_tokens);
  a.cost_usd = Math.max(a.cost_usd, b.cost_usd);
  if (b.logged_cost_usd != null && b.logged_cost_usd > (a.logged_cost_usd ?? -1)) {
    a.logged_cost_usd = b.logged_cost_usd;
  }
}

/**
 * A small file's bytes (`size` when found, at most `buf`'s), read into `buf` (reused from file
 * to file, instead of a new buffer per file), without a last read to find the end: what the
 * file gains meanwhile is left for the next import, unless one read already got it.
 */
function readWhole(path: string, buf: Uint8Array, size: number): Uint8Array {
  using file = Deno.openSync(path, { read: true });
  let got = 0;
  while (got < size) {
    const n = file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
