/**
 * Ledger rows packed into typed arrays, the way the reader thread (`_read_worker.ts`) hands
 * them to the main thread: transferred, the buffers cost no copy and no per-object
 * serialization, they live outside the JavaScript heaps of both threads, and they go back to
 * the reader thread to be filled again.
 */
import type { SqlValue } from "../core/store.ts";
import type { PricedEntry } from "./ledger.ts";
import type { LedgerRows } from "./_ledger_write.ts";

/** Rows packed by {@link RowPacker}. */
export interface PackedRows {
  /** How many rows. */
  count: number;
  /** {@link NUMS} numbers a row (`NaN`: null). */
  nums: Float64Array<ArrayBuffer>;
  /**
   * {@link REFS} integers a row: the key, time and sidechain message id as a length of bytes
   * in `text` (-1: null; -2 - i: `dict[i]`), then source, model, session, project, feature and
   * task as an index in `dict` (-1: null).
   */
  refs: Int32Array<ArrayBuffer>;
  /** The ASCII bytes of the keys, times and message ids, in row order. */
  text: Uint8Array<ArrayBuffer>;
  /** Bytes used in `text`. */
  textLength: number;
  /** The other strings of the rows, each once (and any key, time or id that is not ASCII). */
  dict: string[];
}

const NUMS = 8;
const REFS = 9;

/** The buffers of packed rows, handed back with {@link RowPacker.recycle} once read. */
export interface RowBuffers {
  /** See {@link PackedRows}. */
  nums: Float64Array<ArrayBuffer>;
  /** See {@link PackedRows}. */
  refs: Int32Array<ArrayBuffer>;
  /** See {@link PackedRows}. */
  text: Uint8Array<ArrayBuffer>;
}

/**
 * Packs rows (room for `capacity` first, more when needed); {@link take} hands them over.
 * Buffers come back through {@link recycle}, so that a stream of rows reuses a few buffers.
 */
export class RowPacker {
  readonly capacity: number;
  #free: RowBuffers[] = [];
  #count = 0;
  #nums!: Float64Array<ArrayBuffer>;
  #refs!: Int32Array<ArrayBuffer>;
  #text!: Uint8Array<ArrayBuffer>;
  #textLength = 0;
  #dict: string[] = [];
  #ids = new Map<string, number>();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#reset();
  }

  /** Rows packed so far. */
  get count(): number {
    return this.#count;
  }

  /** Takes back the buffers of rows that were read. */
  recycle(buffers: RowBuffers): void {
    this.#free.push(buffers);
  }

  #reset(): void {
    this.#count = 0;
    const free = this.#free.pop();
    this.#nums = free?.nums ?? new Float64Array(this.capacity * NUMS);
    this.#refs = free?.refs ?? new Int32Array(this.capacity * REFS);
    this.#text = free?.text ?? new Uint8Array(this.capacity * 64);
    this.#textLength = 0;
    this.#dict = [];
    this.#ids = new Map();
  }

  #id(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#dict.push(s) - 1;
      this.#ids.set(s, id);
    }
    return id;
  }

  /** Writes `s` into `text` when it is ASCII; its length, or -2 - its index in `dict`. */
  #ascii(s: string | null | undefined): number {
    if (s === null || s === undefined) return -1;
    if (this.#textLength + s.length > this.#text.length) {
      const grown = new Uint8Array(Math.max(this.#text.length * 2, this.#textLength + s.length));
      grown.set(this.#text.subarray(0, this.#textLength));
      this.#text = grown;
    }
    const text = this.#text;
    let at = this.#textLength;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return -2 - this.#id(s);
      text[at++] = c;
    }
    this.#textLength = at;
    return s.length;
  }

  /** Packs one row. */
  add(e: PricedEntry): void {
    const n = this.#count++;
    if (n * NUMS === this.#nums.length) {
      const nums = new Float64Array(this.#nums.length * 2);
      nums.set(this.#nums);
      this.#nums = nums;
      const refs = new Int32Array(this.#refs.length * 2);
      refs.set(this.#refs);
      this.#refs = refs;
    }
    const nums = this.#nums;
    let i = n * NUMS;
    nums[i++] = e.input_tokens;
    nums[i++] = e.output_tokens;
    nums[i++] = e.cache_creation_tokens;
    nums[i++] = e.cache_creation_1h_tokens ?? 0;
    nums[i++] = e.cache_read_tokens;
    nums[i++] = e.cost_usd;
    nums[i++] = e.priced ? 1 : 0;
    nums[i] = e.logged_cost_usd ?? NaN;
    const refs = this.#refs;
    let j = n * REFS;
    refs[j++] = this.#ascii(e.key);
    refs[j++] = this.#ascii(e.time);
    refs[j++] = this.#ascii(e.sidechain && e.message_id ? e.message_id : null);
    refs[j++] = this.#id(e.source);
    refs[j++] = this.#id(e.model);
    refs[j++] = this.#id(e.session);
    refs[j++] = this.#id(e.project);
    refs[j++] = this.#id(e.feature);
    refs[j] = this.#id(e.task);
  }

  /** The rows packed since the last call (their buffers are the caller's now). */
  take(): PackedRows {
    const packed: PackedRows = {
      count: this.#count,
      nums: this.#nums,
      refs: this.#refs,
      text: this.#text,
      textLength: this.#textLength,
      dict: this.#dict,
    };
    this.#reset();
    return packed;
  }
}

/** The buffers to transfer with a message carrying `packed`. */
export function transferables(packed: PackedRows): ArrayBuffer[] {
  return [packed.nums.buffer, packed.refs.buffer, packed.text.buffer];
}

/** Reads packed rows back, in order: {@link next} gives the next rows. */
export class RowUnpacker {
  readonly #packed: PackedRows;
  readonly #now: string;
  readonly #run: string;
  readonly #text: string;
  #row = 0;
  #at = 0;

  constructor(packed: PackedRows, now: string, run: string) {
    this.#packed = packed;
    this.#now = now;
    this.#run = run;
    this.#text = new TextDecoder().decode(packed.text.subarray(0, packed.textLength));
  }

  #str(ref: number): string | null {
    if (ref === -1) return null;
    if (ref < -1) return this.#packed.dict[-2 - ref];
    const s = this.#text.slice(this.#at, this.#at + ref);
    this.#at += ref;
    return s;
  }

  #opt(ref: number): string | null {
    return ref < 0 ? null : this.#packed.dict[ref];
  }

  /** The next `count` rows, as the ledger upsert binds them (see `_ledger_write.ts`). */
  next(count: number): LedgerRows {
    const { nums, refs, dict } = this.#packed;
    const rows: SqlValue[][] = new Array(count);
    const sidechainIds: (string | null)[] = new Array(count);
    for (let k = 0; k < count; k++) {
      const n = this.#row++;
      const i = n * NUMS;
      const j = n * REFS;
      const key = this.#str(refs[j]);
      const time = this.#str(refs[j + 1]);
      sidechainIds[k] = this.#str(refs[j + 2]);
      const logged = nums[i + 7];
      rows[k] = [
        key,
        time,
        dict[refs[j + 3]],
        dict[refs[j + 4]],
        nums[i],
        nums[i + 1],
        nums[i + 2],
        nums[i + 3],
        nums[i + 4],
        nums[i + 5],
        nums[i + 6],
        Number.isNaN(logged) ? null : logged,
        this.#opt(refs[j + 5]),
        this.#opt(refs[j + 6]),
        this.#opt(refs[j + 7]),
        this.#opt(refs[j + 8]),
        this.#now,
        this.#run,
      ];
    }
    return { rows, sidechainIds };
  }
}
