import { sha256Hex } from "../core/hash.ts";
import { SCAN_WASM } from "./_scan_wasm.ts";

/** A line of a log that holds a marker, or the end of a stretch read without one. */
export interface MarkedLine {
  /** The line without `\n` (`""` when a stretch without marked lines ends). */
  line: string;
  /** Byte offset in the file just after it. */
  end: number;
  /** Set for a last line without a final newline, yielded whole whether it holds a marker or not. */
  partial?: boolean;
  /** Set (with `line` `""`) for a line whose bytes are not UTF-8. */
  invalid?: boolean;
}

/** Size of the read buffer {@link readMarkedLines} takes. */
export const CHUNK = 1 << 20;
/** How much of a file's head identifies it. */
export const HEAD_BYTES = 4096;

/** An ASCII marker compiled for a byte search (Boyer-Moore-Horspool). */
export interface Marker {
  /** The marker's bytes. */
  bytes: Uint8Array;
  /** How far to move when a byte ends a mismatch. */
  skip: Int32Array;
}

/** Compiles ASCII markers for {@link readMarkedLines}. */
export function compileMarkers(markers: readonly string[]): Marker[] {
  return markers.map((m) => {
    const bytes = new TextEncoder().encode(m);
    if (bytes.length !== m.length || bytes.length < 2) {
      throw new Error(`A marker must be ASCII and at least two characters, got "${m}"`);
    }
    const skip = new Int32Array(256).fill(bytes.length);
    for (let i = 0; i < bytes.length - 1; i++) skip[bytes[i]] = bytes.length - 1 - i;
    return { bytes, skip };
  });
}

/** Index of the first `marker` in `data[from, to)`, or -1. */
function search(data: Uint8Array, marker: Marker, from: number, to: number): number {
  const { bytes, skip } = marker;
  const m = bytes.length;
  const lastByte = bytes[m - 1];
  let i = from + m - 1;
  while (i < to) {
    const c = data[i];
    if (c === lastByte) {
      let j = m - 2;
      let k = i - 1;
      while (j >= 0 && data[k] === bytes[j]) {
        j--;
        k--;
      }
      if (j < 0) return k + 1;
    }
    i += skip[c];
  }
  return -1;
}

/** The searches {@link readMarkedLines} makes in a block of bytes. */
interface BlockSearch {
  /** Index of the first `marker` in `[from, to)`, or -1. */
  find(marker: Marker, from: number, to: number): number;
  /** Index of the first newline in `[at, to)`, or -1. */
  newline(at: number, to: number): number;
  /** Index of the last newline in `[0, at]`, or -1. */
  newlineBefore(at: number): number;
}

/** The searches of `data` in JavaScript. */
function jsSearch(data: Uint8Array): BlockSearch {
  return {
    find: (marker, from, to) => search(data, marker, from, to),
    newline: (at, to) => {
      const i = data.indexOf(10, at);
      return i < to ? i : -1;
    },
    newlineBefore: (at) => data.lastIndexOf(10, at),
  };
}

// The memory of a read buffer: markers, then the buffer, then room for a block joined to the
// line it continues.
const MARKER_BYTES = 4096;
const JOIN_BYTES = 2 * CHUNK;
const PAGE = 1 << 16;

/** The exports of `_scan.wat`: addresses in its memory. */
interface ScanExports {
  find(from: number, to: number, marker: number, length: number): number;
  newline(from: number, to: number): number;
  newlineBefore(at: number, floor: number): number;
}

/** A read buffer searched by the WebAssembly module of `_scan.wat`, with its memory. */
class WasmBuffer {
  readonly buf: Uint8Array;
  readonly join: Uint8Array;
  readonly #memory: Uint8Array;
  readonly #scan: ScanExports;
  readonly #markers = new Map<Marker, number>();
  #top = 0;

  constructor(module: WebAssembly.Module) {
    const pages = Math.ceil((MARKER_BYTES + CHUNK + JOIN_BYTES) / PAGE);
    // A memory that cannot grow: views of it are never detached.
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.#scan = instance.exports as unknown as ScanExports;
    this.#memory = new Uint8Array(memory.buffer);
    this.buf = this.#memory.subarray(MARKER_BYTES, MARKER_BYTES + CHUNK);
    this.join = this.#memory.subarray(MARKER_BYTES + CHUNK);
  }

  /** The address of `marker`'s bytes in the memory (copied there once), or -1 when full. */
  #marker(marker: Marker): number {
    let at = this.#markers.get(marker);
    if (at === undefined) {
      if (this.#top + marker.bytes.length > MARKER_BYTES) return -1;
      at = this.#top;
      this.#memory.set(marker.bytes, at);
      this.#top += marker.bytes.length;
      this.#markers.set(marker, at);
    }
    return at;
  }

  /** The searches of `data`, a view of the memory. */
  search(data: Uint8Array): BlockSearch {
    const base = data.byteOffset;
    const scan = this.#scan;
    const js = jsSearch(data);
    return {
      find: (marker, from, to) => {
        const at = this.#marker(marker);
        if (at < 0) return js.find(marker, from, to);
        const i = scan.find(base + from, base + to, at, marker.bytes.length);
        return i < 0 ? -1 : i - base;
      },
      newline: (at, to) => {
        const i = scan.newline(base + at, base + to);
        return i < 0 ? -1 : i - base;
      },
      newlineBefore: (at) => {
        const i = scan.newlineBefore(base + at, base);
        return i < 0 ? -1 : i - base;
      },
    };
  }
}

let scanModule: WebAssembly.Module | null | undefined;
const wasmBuffers = new WeakMap<ArrayBufferLike, WasmBuffer>();

/**
 * A read buffer of {@link CHUNK} bytes for {@link fileBlocks} and {@link oneBlock}: the blocks
 * read into it are searched 16 bytes at a time by the WebAssembly module of `_scan.wat` (SIMD),
 * several times faster than in JavaScript. A plain buffer (searched in JavaScript) where
 * WebAssembly is not available.
 */
export function readBuffer(): Uint8Array {
  if (scanModule === undefined) {
    try {
      scanModule = new WebAssembly.Module(Uint8Array.from(atob(SCAN_WASM), (c) => c.charCodeAt(0)));
    } catch {
      scanModule = null;
    }
  }
  if (scanModule) {
    try {
      const wasm = new WasmBuffer(scanModule);
      wasmBuffers.set(wasm.buf.buffer, wasm);
      return wasm.buf;
    } catch {
      // no memory for it: a plain buffer
    }
  }
  return new Uint8Array(CHUNK);
}

/** The searches of a block: by WebAssembly when it lies in a read buffer's memory. */
function blockSearch(data: Uint8Array): BlockSearch {
  return wasmBuffers.get(data.buffer)?.search(data) ?? jsSearch(data);
}

/**
 * Room for `n` bytes that join the end of one block to the next: in the memory of `block`'s
 * read buffer when they fit (so they are searched there too), else a new array.
 */
function joinRoom(block: Uint8Array, n: number): Uint8Array {
  const wasm = wasmBuffers.get(block.buffer);
  return wasm && n <= wasm.join.length ? wasm.join.subarray(0, n) : new Uint8Array(n);
}

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
 * is read whole ({@link oneBlock}). Blocks in a {@link readBuffer} are searched by WebAssembly.
 */
export function* readMarkedLines(
  blocks: Blocks,
  start: number,
  markers: readonly Marker[],
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
      yield line(data.subarray(lineStart, lineEnd), offset + pos);
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
