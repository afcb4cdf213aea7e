import { sha256Hex } from "../core/hash.ts";
import { blockSearch, type Fields, joinRoom, type Marker, reducedLine } from "./_scan.ts";

export { CHUNK, compileMarkers, type Fields, type Marker, readBuffer } from "./_scan.ts";

/** A line of a log that holds a marker, or the end of a stretch read without one. */
export interface MarkedLine {
  /**
   * The line without `\n` (`""` when a stretch without marked lines ends), or with `fields`,
   * the line reduced to them.
   */
  line: string;
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
 * with `fields` each whole line there is reduced to those members (see `_scan.ts`): its `line`
 * is then a smaller JSON object that parses to what the parser reads of the whole line.
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
      const reduced = fields ? reducedLine(bytes, fields) : null;
      yield reduced !== null ? { line: reduced, end: offset + pos } : line(bytes, offset + pos);
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

/**
 * SHA-256 (hex) of the first `length` bytes of `path` (at most 4 KiB): a file's identity.
 * Hashed here, synchronously: Web Crypto would hand each file's few KiB to another thread
 * and back, which a tree of many small files pays for in waits.
 */
export function headHash(path: string, length: number): string {
  using file = Deno.openSync(path, { read: true });
  return sha256Hex(readHead(file, 0).subarray(0, Math.min(length, HEAD_BYTES)));
}
