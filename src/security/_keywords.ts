/**
 * The keyword prefilter: which rule keywords occur in a text (case-insensitive), found in one
 * pass. Only rules whose keywords occur run their regex, so this pass sees every byte of every
 * file and is the scanner's hottest loop.
 *
 * Each keyword is looked for through one of its character pairs, its anchor: the pair least
 * common in source code and prose (`tg` of `postgres`, `ku` of `heroku`), so that few
 * positions of a text lead to a closer look. Raw bytes are read two at a time (a 16-bit word
 * at each even position): one table lookup tells whether an anchor can start at the word,
 * one byte before it or one byte after it. Only then is the pair's slot looked up; the
 * character after the pair rules most keywords out before a whole keyword is compared.
 */
import type { SecretRuleSet } from "./types.ts";

// Each byte or UTF-16 unit is folded to 7 bits: ASCII lower-cased, everything beyond ASCII
// (and NUL) to 0. Keywords holding a 0 or a non-ASCII character take the slow path, so a 0
// never matches a keyword character.
const FOLD = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c < 128 ? c : 0));

// The bytes that fold to each character, and all bytes.
const UNFOLD: number[][] = Array.from({ length: 128 }, () => []);
for (let b = 0; b < 256; b++) UNFOLD[FOLD[b]].push(b);
const ANY_BYTE: number[] = Array.from({ length: 256 }, (_, b) => b);

// Letter pairs of English and code, most common first (only the choice of anchors depends
// on it, never a result).
const COMMON_PAIRS = (
  "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le " +
  "ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec " +
  "pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na " +
  "ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ig tu ev ld ry mp fe bl ab " +
  "gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt oc fa " +
  "ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi " +
  "rc rr eg au ck ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip " +
  "ub oi rl gu dr hr cc tw ft wn nu af hu nn eo vo rv nf xp fl ok cy ox"
).split(" ");
const PAIR_RANK = new Map(COMMON_PAIRS.map((p, i) => [p, i]));

/** How rare the pair at `o` of `k` is expected to be (higher: rarer). */
function rarity(k: string, o: number): number {
  const pair = k.slice(o, o + 2);
  if (!/^[a-z]{2}$/.test(pair)) return COMMON_PAIRS.length / 2; // `_`, `-`, digits, ...
  return PAIR_RANK.get(pair) ?? COMMON_PAIRS.length;
}

/** The offset of the anchor pair of `k`: the rarest, with a character after it if possible. */
function anchorOf(k: string): number {
  const last = k.length >= 3 ? k.length - 3 : 0;
  let best = 0;
  for (let o = 1; o <= last; o++) if (rarity(k, o) > rarity(k, best)) best = o;
  return best;
}

/** The tables of the keyword search of a rule set (plain data: sent to scan workers). */
export interface KeywordIndex {
  // Two raw bytes (`b0 << 8 | b1`, case folded in) → slot (1-based) of the keywords anchored
  // on them; 0: none.
  raw: Uint16Array;
  // The same over two folded characters (`a << 7 | b`), for strings.
  pair: Uint16Array;
  // Two raw bytes read as one 16-bit word at an even position e → bit 0: an anchor may start
  // at e; bit 1: at e - 1; bit 2: at e + 1 (one-character keywords).
  even: Uint8Array;
  // 128 bits per slot: bit `c` is set when a keyword of the slot has the folded character `c`
  // after its anchor, or nothing (then every bit is set).
  third: Int32Array;
  // per slot: the numbers of its keywords; per keyword: folded bytes and anchor offset
  ids: number[][];
  bytes: Uint8Array[];
  anchor: Int32Array;
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

/**
 * Uses `index` (built by {@link keywordIndex} for a copy of `set`, in another thread) for
 * `set`: a worker takes the tables instead of building them again.
 */
export function adoptKeywordIndex(set: SecretRuleSet, index: KeywordIndex): void {
  indexes.set(set, index);
}

/** The distinct keywords of `set`: plain ASCII ones, and those with a non-ASCII or NUL. */
interface KeywordLists {
  names: string[];
  other: string[];
}

const lists = new WeakMap<SecretRuleSet, KeywordLists>();

function keywordLists(set: SecretRuleSet): KeywordLists {
  let l = lists.get(set);
  if (l) return l;
  const all = new Set<string>();
  for (const rule of set.rules) for (const k of rule.keywords) all.add(k);
  l = { names: [], other: [] };
  for (const k of all) {
    if ([...k].some((ch) => ch.charCodeAt(0) > 127 || ch.charCodeAt(0) === 0)) l.other.push(k);
    else l.names.push(k);
  }
  lists.set(set, l);
  return l;
}

// Up to SHORT_UNITS texts of up to SHORT_TEXT bytes are searched keyword by keyword: for a
// few small files (a commit) that is faster than building the tables of the one-pass search,
// which a larger scan builds once and then uses for everything.
const SHORT_TEXT = 8192;
const SHORT_UNITS = 64;
const shortUses = new WeakMap<SecretRuleSet, number>();

/**
 * The keywords of `set` in a unit's content (`text` decodes it): through the tables of the
 * one-pass search, or for the first few short units of a scan one keyword at a time. The
 * result is the same either way.
 */
export function keywordsInUnit(
  data: Uint8Array,
  text: () => string,
  set: SecretRuleSet,
): Set<string> {
  if (data.length <= SHORT_TEXT && !indexes.has(set)) {
    const uses = (shortUses.get(set) ?? 0) + 1;
    shortUses.set(set, uses);
    if (uses <= SHORT_UNITS) return keywordsInShortText(text(), set);
  }
  return keywordsInBytes(data, set);
}

/**
 * The keywords of `set` in a short text, each looked up on its own; the same result as
 * {@link keywordsInText} (ASCII keywords match with ASCII case folding only).
 */
export function keywordsInShortText(text: string, set: SecretRuleSet): Set<string> {
  const { names, other } = keywordLists(set);
  const found = new Set<string>();
  const lower = /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (u) => u.toLowerCase()) : text;
  for (const k of names) if (lower.includes(k)) found.add(k);
  if (other.length) {
    const full = text.toLowerCase();
    for (const k of other) if (full.includes(k)) found.add(k);
  }
  return found;
}

/** The keyword tables of `set`, built on first use. */
export function keywordIndex(set: SecretRuleSet): KeywordIndex {
  let index = indexes.get(set);
  if (index) return index;
  const { names, other } = keywordLists(set);
  const bytes = names.map((k) => Uint8Array.from(k, (ch) => FOLD[ch.charCodeAt(0)]));
  const anchor = Int32Array.from(names, anchorOf);
  const slotOfCell = new Map<number, number>();
  const ids: number[][] = [[]];
  const pairCells: number[][] = [[]];
  const slotsOf: number[][] = names.map(() => []);
  const add = (cell: number, id: number) => {
    let slot = slotOfCell.get(cell);
    if (slot === undefined) {
      slot = ids.length;
      slotOfCell.set(cell, slot);
      ids.push([]);
      pairCells.push([cell]);
    }
    ids[slot].push(id);
    slotsOf[id].push(slot);
  };
  bytes.forEach((k, id) => {
    const o = anchor[id];
    if (k.length === 1) { for (let b = 0; b < 128; b++) add((k[0] << 7) | b, id); }
    else add((k[o] << 7) | k[o + 1], id);
  });
  const pair = new Uint16Array(1 << 14);
  for (const [cell, slot] of slotOfCell) pair[cell] = slot;
  // The byte tables hold only the cells of the keywords' characters, in every case.
  const raw = new Uint16Array(1 << 16);
  const rawCells: number[][] = ids.map(() => []);
  for (const [cell, slot] of slotOfCell) {
    for (const b0 of UNFOLD[cell >> 7]) {
      for (const b1 of UNFOLD[cell & 127]) {
        raw[(b0 << 8) | b1] = slot;
        rawCells[slot].push((b0 << 8) | b1);
      }
    }
  }
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const even = new Uint8Array(1 << 16);
  // marks the words whose first byte folds to `a` and second to `b` (null: any byte)
  const mark = (a: number, b: number | null, bit: number) => {
    for (const b0 of a === -1 ? ANY_BYTE : UNFOLD[a]) {
      for (const b1 of b === null ? ANY_BYTE : UNFOLD[b]) {
        even[little ? (b1 << 8) | b0 : (b0 << 8) | b1] |= bit;
      }
    }
  };
  for (const cell of slotOfCell.keys()) mark(cell >> 7, cell & 127, 1);
  bytes.forEach((k, id) => {
    const o = anchor[id];
    if (k.length === 1) mark(-1, k[0], 4);
    else mark(k[o + 1], o + 2 < k.length ? k[o + 2] : null, 2);
  });
  const third = new Int32Array(ids.length * 4);
  for (let slot = 1; slot < ids.length; slot++) {
    for (const id of ids[slot]) {
      const k = bytes[id];
      const at = anchor[id] + 2;
      if (at >= k.length) third.fill(-1, slot * 4, slot * 4 + 4);
      else third[slot * 4 + (k[at] >> 5)] |= 1 << (k[at] & 31);
    }
  }
  index = {
    raw,
    pair,
    even,
    third,
    ids,
    bytes,
    anchor,
    rawCells,
    pairCells,
    slotsOf,
    names,
    other,
    all: names.length + other.length,
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
    this.left = Int32Array.from(index.ids, (list) => list.length);
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

// Are the keywords of `slot`, anchored at `at`, in `data`? Marks each one found; true when
// all keywords are found.
function checkBytes(s: Search, data: Uint8Array, slot: number, at: number): boolean {
  const { ids, bytes, anchor } = s.index;
  const list = ids[slot];
  const n = data.length;
  for (let q = 0; q < list.length; q++) {
    const id = list[q];
    if (s.seen[id]) continue;
    const k = bytes[id];
    const p = at - anchor[id];
    if (p < 0 || p + k.length > n) continue;
    let j = 0;
    while (j < k.length && FOLD[data[p + j]] === k[j]) j++;
    if (j === k.length && s.hit(id)) return true;
  }
  return false;
}

function checkText(s: Search, text: string, slot: number, at: number): boolean {
  const { ids, bytes, anchor } = s.index;
  const list = ids[slot];
  const n = text.length;
  for (let q = 0; q < list.length; q++) {
    const id = list[q];
    if (s.seen[id]) continue;
    const k = bytes[id];
    const p = at - anchor[id];
    if (p < 0 || p + k.length > n) continue;
    let j = 0;
    for (; j < k.length; j++) {
      const u = text.charCodeAt(p + j);
      if ((u < 128 ? FOLD[u] : 0) !== k[j]) break;
    }
    if (j === k.length && s.hit(id)) return true;
  }
  return false;
}

// The next position from `from` at which an anchor pair starts and the character after it
// fits (-1: none), one byte per step (for data at an odd offset). Like `nextWord`, a function
// of its own so that the closer look, which is rare, weighs nothing on the loop (inlined into
// one loop, that code made the loop almost twice as slow).
function nextInBytes(data: Uint8Array, raw: Uint16Array, third: Int32Array, from: number): number {
  const n = data.length;
  if (from + 2 >= n) return -1;
  let b0 = data[from];
  let b1 = data[from + 1];
  for (let i = from + 2; i < n; i++) {
    const b2 = data[i];
    const slot = raw[(b0 << 8) | b1];
    if (slot !== 0) {
      const c = FOLD[b2];
      if ((third[(slot << 2) | (c >> 5)] >>> c) & 1) return i - 2;
    }
    b0 = b1;
    b1 = b2;
  }
  return -1;
}

// The next index from `from` of a 16-bit word whose two bytes may belong to an anchor pair
// (-1: none): the hot loop, half as many steps as bytes.
function nextWord(words: Uint16Array, even: Uint8Array, from: number): number {
  const n = words.length;
  for (let w = from; w < n; w++) if (even[words[w]] !== 0) return w;
  return -1;
}

/**
 * The rule keywords present in raw UTF-8 `data` (case-insensitive). Bytes of multi-byte
 * characters never equal an ASCII keyword byte, so the result is that of a search in the
 * decoded text.
 */
export function keywordsInBytes(data: Uint8Array, set: SecretRuleSet): Set<string> {
  const s = new Search(keywordIndex(set), true);
  const { raw, third, even } = s.index;
  const n = data.length;
  // Is an anchor at q? (the pair's slot, then the character after it, then the keywords)
  const at = (q: number): boolean => {
    const slot = raw[(data[q] << 8) | (q + 1 < n ? data[q + 1] : 0)];
    if (slot === 0) return false;
    if (q + 2 < n) {
      const c = FOLD[data[q + 2]];
      if (!((third[(slot << 2) | (c >> 5)] >>> c) & 1)) return false;
    }
    return checkBytes(s, data, slot, q);
  };
  try {
    if ((data.byteOffset & 1) === 0) {
      // two bytes per step: a word at an even position tells whether an anchor may start
      // there, one byte before or one byte after
      const words = new Uint16Array(data.buffer, data.byteOffset, n >> 1);
      for (let w = nextWord(words, even, 0); w >= 0; w = nextWord(words, even, w + 1)) {
        const m = even[words[w]];
        const e = w << 1;
        if ((m & 2 && e > 0 && at(e - 1)) || (m & 1 && at(e)) || (m & 4 && at(e + 1))) {
          return s.found;
        }
      }
    } else {
      for (
        let q = nextInBytes(data, raw, third, 0);
        q >= 0;
        q = nextInBytes(data, raw, third, q + 1)
      ) {
        if (checkBytes(s, data, raw[(data[q] << 8) | data[q + 1]], q)) return s.found;
      }
    }
    // anchors at the end, not followed by a character (a 0 stands for the missing byte)
    for (let q = Math.max(0, n - 2); q < n; q++) {
      const slot = raw[(data[q] << 8) | (q + 1 < n ? data[q + 1] : 0)];
      if (slot !== 0 && checkBytes(s, data, slot, q)) return s.found;
    }
  } finally {
    s.restore();
  }
  return s.slow(() => new TextDecoder().decode(data).toLowerCase());
}

function fold(text: string, i: number): number {
  const u = text.charCodeAt(i);
  return u < 128 ? FOLD[u] : 0;
}

// {@link nextInBytes} over a string, the end of which is followed by two 0 characters.
function nextInText(text: string, pair: Uint16Array, third: Int32Array, from: number): number {
  const n = text.length;
  let a = from < n ? fold(text, from) : 0;
  let b = from + 1 < n ? fold(text, from + 1) : 0;
  for (let i = from + 2; i < n + 2; i++) {
    const c = i < n ? fold(text, i) : 0;
    const slot = pair[(a << 7) | b];
    if (slot !== 0 && (third[(slot << 2) | (c >> 5)] >>> c) & 1) return i - 2;
    a = b;
    b = c;
  }
  return -1;
}

/** {@link keywordsInBytes} over a string (UTF-16 units instead of bytes). */
export function keywordsInText(text: string, set: SecretRuleSet): Set<string> {
  const s = new Search(keywordIndex(set), false);
  const { pair, third } = s.index;
  try {
    for (
      let at = nextInText(text, pair, third, 0);
      at >= 0;
      at = nextInText(text, pair, third, at + 1)
    ) {
      const slot = pair[(fold(text, at) << 7) | (at + 1 < text.length ? fold(text, at + 1) : 0)];
      if (checkText(s, text, slot, at)) return s.found;
    }
  } finally {
    s.restore();
  }
  return s.slow(() => text.toLowerCase());
}
