import { sha256Hex } from "../core/hash.ts";
import { blockSearch, type Fields, joinRoom, type Marker, reducedBatch } from "./_scan.ts";

export { CHUNK, compileMarkers, type Fields, type Marker, readBuffer } from "./_scan.ts";

/** A line of a log that holds a marker, or the end of a stretch read without one. */
export interface MarkedLine {
  /** The line without `\n` (`""` when a stretch without marked lines ends, or with {@link value}). */
  line: string;
  /**
   * With `fields`, the line reduced to them and parsed: what `JSON.parse` reads of the whole
   * line, as far as those members go (`line` is then `""`).
   */
  value?: unknown;
  /** Byte offset in the file just after it. */
  end: number;
  /** Set for a last line without a final newline, yielded whole whether it holds a marker or not. */
  partial?: boolean;
  /** Set (with `line` `""`) for a line whose bytes are not UTF-8. */
  invalid?: boolean;
}

/** How much of a file's head identifies it. */
export const HEAD_BYTES = 4096;

/** Successive blocks of a file's bytes (the next read, or null at its end). */
export type Blocks = () => Uint8Array | null;

/** The blocks of `file` from where it is positioned, read into `buf` (reused). */
export function fileBlocks(file: Deno.FsFile, buf: Uint8Array): Blocks {
  return () => {
    const n = file.readSync(buf);
    return n === null || n === 0 ? null : buf.subarray(0, n);
  };
}

/** `data` as one block. */
export function oneBlock(data: Uint8Array): Blocks {
  let done = false;
  return () => {
    if (done || data.length === 0) return null;
    done = true;
    return data;
  };
}

/**
 * Streams the lines of a file (its blocks from byte `start` on) that hold one of `markers`,
 * each with the byte offset after it, and the offset after each block that ends without one
 * (as a `""` line). The markers are searched in the bytes: only the lines that hold one are
 * decoded, one at a time, so what the caller keeps is a line, never a block of log (memory
 * stays flat and small however large the logs are). A UTF-8 line holds an ASCII marker
 * exactly when its bytes do; a line that is not UTF-8 is yielded `invalid` (it is not decoded
 * with replacement characters). A last line without a final newline is yielded whole with
 * `partial: true` (it may still be being written, and end inside a character). Reads are
 * synchronous (a 1 MiB read of a cached file takes less time than a round trip to an I/O
 * thread): {@link fileBlocks} reads into a reused buffer of {@link CHUNK} bytes; a small file
 * is read whole ({@link oneBlock}). Blocks in a `readBuffer()` are searched by WebAssembly, and
 * with `fields` each whole line there is reduced to those members (see `_scan.ts`), and the
 * reduced lines of a block parsed together: such a line comes with its `value`, what the
 * parser reads of the whole line.
 */
export function* readMarkedLines(
  blocks: Blocks,
  start: number,
  markers: readonly Marker[],
  fields?: Fields,
): Generator<MarkedLine> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const line = (bytes: Uint8Array, end: number, partial?: boolean): MarkedLine => {
    try {
      return { line: decoder.decode(bytes), end, partial };
    } catch {
      return { line: "", end, partial, invalid: true };
    }
  };
  const hits = new Array<number>(markers.length);
  let carry: Uint8Array | null = null;
  let offset = start;
  while (true) {
    const block = blocks();
    if (block === null) break;
    let data: Uint8Array = block;
    const n = block.length;
    if (carry) {
      const joined = joinRoom(block, carry.length + n);
      joined.set(carry);
      joined.set(data, carry.length);
      data = joined;
      carry = null;
    }
    const last = data.lastIndexOf(10);
    if (last < 0) {
      carry = data.slice();
      continue;
    }
    hits.fill(-2);
    const find = blockSearch(data);
    // With `fields`, the block's lines wait here (in order) while their reduced forms are
    // batched, until the batch is taken: it is always empty when a line is yielded.
    const batch = fields ? reducedBatch(data, fields) : null;
    const waiting: MarkedLine[] = [];
    let reduced: number[] = [];
    const settle = () => {
      const values = batch!.take();
      for (let i = 0; i < reduced.length; i++) {
        const item = waiting[reduced[i]];
        // undefined: not JSON after all (never seen), counted as a malformed line.
        if (values[i] === undefined) item.invalid = true;
        else item.value = values[i];
      }
      reduced = [];
    };
    let pos = 0;
    while (pos < last) {
      let at = -1;
      for (let i = 0; i < markers.length; i++) {
        if (hits[i] !== -1 && hits[i] < pos) hits[i] = find.find(markers[i], pos, last);
        if (hits[i] >= 0 && (at < 0 || hits[i] < at)) at = hits[i];
      }
      if (at < 0) break;
      const lineStart = find.newlineBefore(at) + 1;
      // A newline ends the block's last line, so one is found.
      const lineEnd = find.newline(at, last + 1);
      pos = lineEnd + 1;
      const bytes = data.subarray(lineStart, lineEnd);
      if (!batch) {
        yield line(bytes, offset + pos);
        continue;
      }
      let added = batch.add(bytes);
      if (added === -2) {
        settle();
        yield* waiting.splice(0);
        added = batch.add(bytes);
      }
      if (added >= 0) {
        reduced.push(waiting.length);
        waiting.push({ line: "", end: offset + pos });
      } else waiting.push(line(bytes, offset + pos));
    }
    if (batch) {
      settle();
      yield* waiting.splice(0);
    }
    offset += last + 1;
    yield { line: "", end: offset };
    if (last + 1 < data.length) carry = data.slice(last + 1);
  }
  if (carry && carry.length) {
    yield line(carry, offset + carry.length, true);
  }
}

/** The first bytes of `file` (at most {@link HEAD_BYTES}); leaves it positioned at `start`. */
export function readHead(file: Deno.FsFile, start: number): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(HEAD_BYTES);
  let got = 0;
  file.seekSync(0, Deno.SeekMode.Start);
  while (got < buf.length) {
    const n = file.readSync(buf.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  file.seekSync(start, Deno.SeekMode.Start);
  return buf.subarray(0, got);
}

/** The hash of a file's head (hex) kept in `cost_import_files.head_hash`: its identity. */
export type HeadHash = (head: Uint8Array) => string;

/**
 * The head hash of the rows an import writes: XXH64 (16 hex digits; xxhash-wasm, a few
 * microseconds for 4 KiB, where loading `node:crypto` alone takes about 17 ms), or SHA-256 (64
 * hex digits) where WebAssembly is missing. The head hash only tells a file replaced from one
 * that grew, so it needs no cryptographic strength. Rows of earlier versions hold SHA-256:
 * {@link sameHead} reads both.
 */
export async function headHasher(): Promise<HeadHash> {
  try {
    const { default: xxhash } = await import("xxhash-wasm");
    const { h64Raw } = await xxhash();
    return (head) => h64Raw(head).toString(16).padStart(16, "0");
  } catch {
    return sha256Hex;
  }
}

/**
 * Whether `stored` is the hash of `head`: SHA-256 when it has 64 hex digits (rows of earlier
 * versions, or where WebAssembly is missing), else `hash` (an XXH64 kept where WebAssembly is
 * now missing never matches: the file is read again from its start, and the dedup keys keep
 * that from counting anything twice).
 */
export function sameHead(stored: string, head: Uint8Array, hash: HeadHash): boolean {
  return stored === (stored.length === 64 ? sha256Hex(head) : hash(head));
}

/** The first `length` bytes of `path` (at most {@link HEAD_BYTES}): a file's head. */
export function fileHead(path: string, length: number): Uint8Array {
  using file = Deno.openSync(path, { read: true });
  return readHead(file, 0).subarray(0, Math.min(length, HEAD_BYTES));
}
