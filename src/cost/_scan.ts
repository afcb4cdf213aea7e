/**
 * The byte work of reading usage logs: finding marked lines and their ends, and reducing a
 * usage line to the members its parser reads. In a {@link readBuffer} (a WebAssembly memory)
 * the WebAssembly module of `_scan.wat` does it 16 bytes at a time (SIMD); elsewhere, and where
 * WebAssembly is missing, JavaScript finds the lines and the caller parses them whole.
 */
import { SCAN_WASM } from "./_scan_wasm.ts";

/** Size of a read buffer. */
export const CHUNK = 1 << 20;

/** An ASCII marker compiled for a byte search (Boyer-Moore-Horspool in JavaScript). */
export interface Marker {
  /** The marker's bytes. */
  bytes: Uint8Array;
  /** How far to move when a byte ends a mismatch. */
  skip: Int32Array;
}

/** Compiles ASCII markers for `readMarkedLines`. */
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

/**
 * The members of a JSON line a parser reads: the top-level members named in `keep`, and of
 * the member named `parent` (when it is an object) only those named in `inner`. A parser given
 * the reduced object must read nothing else (its tests compare it with the whole line's).
 */
export interface Fields {
  /** Top-level members kept whole. */
  keep: readonly string[];
  /** The top-level member whose object is reduced to {@link inner}. */
  parent: string;
  /** Its members kept. */
  inner: readonly string[];
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

/** The searches `readMarkedLines` makes in a block of bytes. */
export interface BlockSearch {
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

// The memory of a read buffer, in order: constants (markers, member names), the stack and the
// output of `reduce`, the buffer, room for a block joined to the line it continues, and a few
// bytes that are never data (a 4-byte load at the end of a range stays inside the memory).
const CONSTANT_BYTES = 4096;
const STACK_BYTES = 4096;
const OUT_BYTES = 1 << 16;
const JOIN_BYTES = 2 * CHUNK;
const PAD_BYTES = 16;
const PAGE = 1 << 16;

/** The exports of `_scan.wat` (addresses in its memory). */
interface ScanExports {
  find(from: number, to: number, marker: number, length: number): number;
  newline(from: number, to: number): number;
  newlineBefore(at: number, floor: number): number;
  reduce(
    from: number,
    to: number,
    out: number,
    outLength: number,
    keep: number,
    parent: number,
    inner: number,
    literals: number,
    stack: number,
    stackLength: number,
  ): number;
}

/** A read buffer in the memory of an instance of `_scan.wat`. */
class WasmBuffer {
  readonly buf: Uint8Array;
  readonly join: Uint8Array;
  readonly #memory: Uint8Array;
  readonly #scan: ScanExports;
  readonly #constants = new Map<unknown, number>();
  readonly #fields = new Map<Fields, readonly [number, number, number] | null>();
  readonly #stack = CONSTANT_BYTES;
  readonly #out = CONSTANT_BYTES + STACK_BYTES;
  #top = 0;
  readonly #literals: number;
  // What `reduce` writes is UTF-8 (it checked the line), and a decoder that need not check it
  // again is several times faster.
  readonly #decoder = new TextDecoder();

  constructor(module: WebAssembly.Module) {
    const start = CONSTANT_BYTES + STACK_BYTES + OUT_BYTES;
    const pages = Math.ceil((start + CHUNK + JOIN_BYTES + PAD_BYTES) / PAGE);
    // A memory that cannot grow: views of it are never detached.
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.#scan = instance.exports as unknown as ScanExports;
    this.#memory = new Uint8Array(memory.buffer);
    this.buf = this.#memory.subarray(start, start + CHUNK);
    this.join = this.#memory.subarray(start + CHUNK, start + CHUNK + JOIN_BYTES);
    this.#literals = this.#constant("literals", new TextEncoder().encode("truefalsenull"));
  }

  /** The address of `bytes` among the constants (copied there once as `key`), or -1 when full. */
  #constant(key: unknown, bytes: Uint8Array): number {
    let at = this.#constants.get(key);
    if (at === undefined) {
      if (this.#top + bytes.length > CONSTANT_BYTES) return -1;
      at = this.#top;
      this.#memory.set(bytes, at);
      this.#top += bytes.length;
      this.#constants.set(key, at);
    }
    return at;
  }

  /** The addresses of `fields`' name lists (keep, parent, inner), copied there once. */
  #lists(fields: Fields): readonly [number, number, number] | null {
    let lists = this.#fields.get(fields);
    if (lists === undefined) {
      const parts = [nameList(fields.keep), nameList([fields.parent]), nameList(fields.inner)];
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      all.set(parts[0]);
      all.set(parts[1], parts[0].length);
      all.set(parts[2], parts[0].length + parts[1].length);
      const at = this.#constant(fields, all);
      lists = at < 0 ? null : [at, at + parts[0].length, at + parts[0].length + parts[1].length];
      this.#fields.set(fields, lists);
    }
    return lists;
  }

  /** The searches of `data`, a view of the memory. */
  search(data: Uint8Array): BlockSearch {
    const base = data.byteOffset;
    const scan = this.#scan;
    const js = jsSearch(data);
    return {
      find: (marker, from, to) => {
        const at = this.#constant(marker, marker.bytes);
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

  // The batch of reduced lines: one JSON array in the output area, "[" and "]" written at take.
  #count = 0;
  #used = 0;
  #ends: number[] = [];

  /** See {@link ReducedBatch.add}. */
  add(line: Uint8Array, fields: Fields): number {
    const lists = this.#lists(fields);
    if (lists === null) return -1;
    const [keep, parent, inner] = lists;
    const comma = this.#count ? 1 : 0;
    const at = this.#out + 1 + this.#used + comma;
    const room = OUT_BYTES - 2 - this.#used - comma;
    const from = line.byteOffset;
    const n = this.#scan.reduce(
      from,
      from + line.length,
      at,
      room,
      keep,
      parent,
      inner,
      this.#literals,
      this.#stack,
      STACK_BYTES,
    );
    if (n < 0) return this.#count ? -2 : -1;
    if (comma) this.#memory[at - 1] = 0x2c;
    this.#used += comma + n;
    this.#ends.push(this.#used);
    return this.#count++;
  }

  /** Empties the batch (lines added by a block that was not read to its end). */
  reset(): void {
    this.#count = this.#used = 0;
    this.#ends = [];
  }

  /** See {@link ReducedBatch.take}. */
  take(): unknown[] {
    const count = this.#count;
    if (count === 0) return [];
    const m = this.#memory;
    const out = this.#out;
    m[out] = 0x5b;
    m[out + 1 + this.#used] = 0x5d;
    const ends = this.#ends;
    this.#count = this.#used = 0;
    this.#ends = [];
    try {
      const values = JSON.parse(this.#decoder.decode(m.subarray(out, out + 2 + ends.at(-1)!)));
      if (Array.isArray(values) && values.length === count) return values;
    } catch {
      // below, one at a time
    }
    // Never seen (a reduced line is JSON): each one parsed alone, undefined where that fails.
    return ends.map((end, i) => {
      const start = i === 0 ? 0 : ends[i - 1] + 1;
      try {
        return JSON.parse(this.#decoder.decode(m.subarray(out + 1 + start, out + 1 + end)));
      } catch {
        return undefined;
      }
    });
  }
}

/** Names as `_scan.wat` reads a list: each a length byte and its bytes; a 0 ends the list. */
function nameList(names: readonly string[]): Uint8Array {
  const parts = names.map((n) => new TextEncoder().encode(n));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length + 1, 1));
  let at = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 255) throw new Error(`A member name of 1-255 bytes, got ${p}`);
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

let scanModule: WebAssembly.Module | null | undefined;
const wasmBuffers = new WeakMap<ArrayBufferLike, WasmBuffer>();

/**
 * A read buffer of {@link CHUNK} bytes for `fileBlocks` and `oneBlock`: the blocks read into it
 * are searched, and their marked lines reduced, by the WebAssembly module of `_scan.wat`. A
 * plain buffer (searched in JavaScript) where WebAssembly is not available.
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
export function blockSearch(data: Uint8Array): BlockSearch {
  return wasmBuffers.get(data.buffer)?.search(data) ?? jsSearch(data);
}

/**
 * The usage lines of a block reduced together to the members of `fields` (see `reduce` in
 * `_scan.wat`), then read by one decode and one `JSON.parse` instead of one of each per line.
 */
export interface ReducedBatch {
  /**
   * Reduces `line` (a view of the block's memory) into the batch: its index there; -1 for a
   * line that must be parsed whole (it may not be JSON or UTF-8, or not an object, or holds
   * something `reduce` leaves to `JSON.parse`); -2 when the batch is full ({@link take} it,
   * then add the line again).
   */
  add(line: Uint8Array): number;
  /**
   * The reduced lines added since the last take, in order, each as `JSON.parse` reads its text
   * (what a parser reads of the whole line); then the batch is empty.
   */
  take(): unknown[];
}

/**
 * The batch of reduced lines of `block` (a view of a read buffer's memory: null for any other
 * block, whose lines are always parsed whole), empty. One batch per read buffer: take it before
 * reducing lines of another block.
 */
export function reducedBatch(block: Uint8Array, fields: Fields): ReducedBatch | null {
  const wasm = wasmBuffers.get(block.buffer);
  if (!wasm) return null;
  wasm.reset();
  return { add: (line) => wasm.add(line, fields), take: () => wasm.take() };
}

/**
 * Room for `n` bytes that join the end of one block to the next: in the memory of `block`'s
 * read buffer when they fit (so they are searched there too), else a new array.
 */
export function joinRoom(block: Uint8Array, n: number): Uint8Array {
  const wasm = wasmBuffers.get(block.buffer);
  return wasm && n <= wasm.join.length ? wasm.join.subarray(0, n) : new Uint8Array(n);
}
