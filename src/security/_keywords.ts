/**
 * The keyword prefilter: which rule keywords occur in a text (case-insensitive), found in one
 * pass. Only rules whose keywords occur run their regex, so this pass sees every byte of every
 * file and is the scanner's hottest loop.
 */
import type { SecretRuleSet } from "./types.ts";

// Each byte or UTF-16 unit is folded to 7 bits: ASCII lower-cased, everything beyond ASCII
// (and NUL) to 0. Keywords holding a 0 or a non-ASCII character take the slow path, so a 0
// never matches a keyword character.
const FOLD = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c < 128 ? c : 0));

interface KeywordIndex {
  // Two raw bytes (`b0 << 8 | b1`, case folded in) → slot (1-based) of the keywords that start
  // with them; 0: none.
  raw: Uint16Array;
  // The same over two folded characters (`a << 7 | b`), for strings.
  pair: Uint16Array;
  // 128 bits per slot: bit `c` is set when a keyword of the slot has the folded character `c`
  // third, or has fewer than three characters (then every bit is set).
  third: Int32Array;
  // per slot: its keywords as folded bytes and as numbers
  bytes: Uint8Array[][];
  ids: number[][];
  // per slot: its cells in `raw` and in `pair`
  rawCells: number[][];
  pairCells: number[][];
  // per keyword number: the slots holding it; and its text
  slotsOf: number[][];
  names: string[];
  // keywords with a non-ASCII character or a NUL, looked up the slow way
  other: string[];
  all: number;
}

const indexes = new WeakMap<SecretRuleSet, KeywordIndex>();

function keywordIndex(set: SecretRuleSet): KeywordIndex {
  let index = indexes.get(set);
  if (index) return index;
  const all = new Set<string>();
  for (const rule of set.rules) for (const k of rule.keywords) all.add(k);
  const names: string[] = [];
  const other: string[] = [];
  for (const k of all) {
    if ([...k].some((ch) => ch.charCodeAt(0) > 127 || ch.charCodeAt(0) === 0)) other.push(k);
    else names.push(k);
  }
  const slotOfCell = new Map<number, number>();
  const bytes: Uint8Array[][] = [[]];
  const ids: number[][] = [[]];
  const pairCells: number[][] = [[]];
  const slotsOf: number[][] = names.map(() => []);
  const add = (cell: number, id: number) => {
    let slot = slotOfCell.get(cell);
    if (slot === undefined) {
      slot = bytes.length;
      slotOfCell.set(cell, slot);
      bytes.push([]);
      ids.push([]);
      pairCells.push([cell]);
    }
    bytes[slot].push(Uint8Array.from(names[id], (ch) => FOLD[ch.charCodeAt(0)]));
    ids[slot].push(id);
    slotsOf[id].push(slot);
  };
  names.forEach((k, id) => {
    const a = FOLD[k.charCodeAt(0)];
    if (k.length === 1) { for (let b = 0; b < 128; b++) add((a << 7) | b, id); }
    else add((a << 7) | FOLD[k.charCodeAt(1)], id);
  });
  const pair = new Uint16Array(1 << 14);
  for (const [cell, slot] of slotOfCell) pair[cell] = slot;
  const raw = new Uint16Array(1 << 16);
  const rawCells: number[][] = bytes.map(() => []);
  for (let b0 = 0; b0 < 256; b0++) {
    for (let b1 = 0; b1 < 256; b1++) {
      const slot = pair[(FOLD[b0] << 7) | FOLD[b1]];
      raw[(b0 << 8) | b1] = slot;
      if (slot) rawCells[slot].push((b0 << 8) | b1);
    }
  }
  const third = new Int32Array(bytes.length * 4);
  for (let slot = 1; slot < bytes.length; slot++) {
    for (const k of bytes[slot]) {
      if (k.length < 3) third.fill(-1, slot * 4, slot * 4 + 4);
      else third[slot * 4 + (k[2] >> 5)] |= 1 << (k[2] & 31);
    }
  }
  index = {
    raw,
    pair,
    third,
    bytes,
    ids,
    rawCells,
    pairCells,
    slotsOf,
    names,
    other,
    all: all.size,
  };
  indexes.set(set, index);
  return index;
}

/**
 * The state of one search: the keywords found so far. A slot whose keywords are all found is
 * cleared from the tables (and restored when the search ends), so a keyword that occurs
 * often costs nothing after its first occurrence.
 */
class Search {
  readonly found: Set<string> = new Set();
  readonly seen: Uint8Array;
  readonly left: Int32Array;
  readonly cleared: number[] = [];
  readonly index: KeywordIndex;
  readonly table: Uint16Array;
  readonly cells: number[][];

  constructor(index: KeywordIndex, bytes: boolean) {
    this.index = index;
    this.table = bytes ? index.raw : index.pair;
    this.cells = bytes ? index.rawCells : index.pairCells;
    this.seen = new Uint8Array(index.names.length);
    this.left = Int32Array.from(index.bytes, (list) => list.length);
  }

  /** Marks keyword `id` found; true when every keyword is found. */
  hit(id: number): boolean {
    const { index, seen, left, table } = this;
    seen[id] = 1;
    this.found.add(index.names[id]);
    for (const slot of index.slotsOf[id]) {
      if (--left[slot] === 0) {
        for (const cell of this.cells[slot]) {
          table[cell] = 0;
          this.cleared.push(cell, slot);
        }
      }
    }
    return this.found.size === index.all;
  }

  /** Puts the cleared slots back. */
  restore(): void {
    const c = this.cleared;
    for (let i = 0; i < c.length; i += 2) this.table[c[i]] = c[i + 1];
  }

  /** Adds the keywords of the slow path, looked up in the lower-cased text. */
  slow(lower: () => string): Set<string> {
    if (this.index.other.length && this.found.size < this.index.all) {
      const text = lower();
      for (const k of this.index.other) if (text.includes(k)) this.found.add(k);
    }
    return this.found;
  }
}

// Are the keywords of `slot` at `at` in `data`? Marks each one found; true when all are.
function checkBytes(s: Search, data: Uint8Array, slot: number, at: number): boolean {
  const ks = s.index.bytes[slot];
  const ids = s.index.ids[slot];
  const n = data.length;
  for (let q = 0; q < ks.length; q++) {
    if (s.seen[ids[q]]) continue;
    const k = ks[q];
    if (at + k.length > n) continue;
    let j = 0;
    while (j < k.length && FOLD[data[at + j]] === k[j]) j++;
    if (j === k.length && s.hit(ids[q])) return true;
  }
  return false;
}

function checkText(s: Search, text: string, slot: number, at: number): boolean {
  const ks = s.index.bytes[slot];
  const ids = s.index.ids[slot];
  const n = text.length;
  for (let q = 0; q < ks.length; q++) {
    if (s.seen[ids[q]]) continue;
    const k = ks[q];
    if (at + k.length > n) continue;
    let j = 0;
    for (; j < k.length; j++) {
      const u = text.charCodeAt(at + j);
      if ((u < 128 ? FOLD[u] : 0) !== k[j]) break;
    }
    if (j === k.length && s.hit(ids[q])) return true;
  }
  return false;
}

/**
 * The rule keywords present in raw UTF-8 `data` (case-insensitive). Bytes of multi-byte
 * characters never equal an ASCII keyword byte, so the result is that of a search in the
 * decoded text. One table lookup per byte pair selects the keywords that can start there.
 */
export function keywordsInBytes(data: Uint8Array, set: SecretRuleSet): Set<string> {
  const s = new Search(keywordIndex(set), true);
  const { raw, third } = s.index;
  const n = data.length;
  try {
    // the hot loop: one table lookup per byte; rarely (a keyword's first two characters) a
    // test of the third, and more only when that fits too
    let b0 = n > 0 ? data[0] : 0;
    let b1 = n > 1 ? data[1] : 0;
    for (let i = 2; i < n; i++) {
      const b2 = data[i];
      const slot = raw[(b0 << 8) | b1];
      if (slot !== 0) {
        const c = FOLD[b2];
        if ((third[(slot << 2) | (c >> 5)] >>> c) & 1 && checkBytes(s, data, slot, i - 2)) {
          return s.found;
        }
      }
      b0 = b1;
      b1 = b2;
    }
    // keywords of one or two characters at the end (a 0 stands for the missing bytes)
    for (let at = Math.max(0, n - 2); at < n; at++) {
      const slot = raw[(data[at] << 8) | (at + 1 < n ? data[at + 1] : 0)];
      if (slot !== 0 && checkBytes(s, data, slot, at)) return s.found;
    }
  } finally {
    s.restore();
  }
  return s.slow(() => new TextDecoder().decode(data).toLowerCase());
}

/** {@link keywordsInBytes} over a string (UTF-16 units instead of bytes). */
export function keywordsInText(text: string, set: SecretRuleSet): Set<string> {
  const s = new Search(keywordIndex(set), false);
  const { pair, third } = s.index;
  const n = text.length;
  const fold = (i: number): number => {
    const u = text.charCodeAt(i);
    return u < 128 ? FOLD[u] : 0;
  };
  try {
    let a = n > 0 ? fold(0) : 0;
    let b = n > 1 ? fold(1) : 0;
    for (let i = 2; i < n + 2; i++) {
      const c = i < n ? fold(i) : 0;
      const slot = pair[(a << 7) | b];
      if (
        slot !== 0 && (third[(slot << 2) | (c >> 5)] >>> c) & 1 && checkText(s, text, slot, i - 2)
      ) {
        return s.found;
      }
      a = b;
      b = c;
    }
  } finally {
    s.restore();
  }
  return s.slow(() => text.toLowerCase());
}
