import { sha256Hex } from "./_sha256.ts";
import type { SecretAllowlist, SecretRule, SecretRuleSet, SecurityFinding } from "./types.ts";

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const len = [...s].length;
  for (const c of counts.values()) {
    const p = c / len;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Masks a secret: the first four characters of a long secret (20+), then a fixed run of
 * stars, so neither the value nor its length is revealed.
 */
export function maskSecret(secret: string): string {
  return (secret.length >= 20 ? secret.slice(0, 4) : "") + "********";
}

/** `<rule>:<sha256-hex(secret)>`: stable across line moves, rebases and squashes. */
export function secretFingerprint(rule: string, secret: string): string {
  return `${rule}:${sha256Hex(secret)}`;
}

/** Offsets of line starts, for turning an index into line and column. */
export class LineIndex {
  #starts: number[] | null = null;
  readonly #text: string;

  /** Indexes `text` lazily (only when a finding needs it). */
  constructor(text: string) {
    this.#text = text;
  }

  #build(): number[] {
    const starts = [0];
    const t = this.#text;
    let i = -1;
    while ((i = t.indexOf("\n", i + 1)) !== -1) starts.push(i + 1);
    return starts;
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    const s = this.#starts ??= this.#build();
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - s[lo] + 1 };
  }

  /** The text of the 1-based line `line`. */
  lineText(line: number): string {
    const s = this.#starts ??= this.#build();
    const start = s[line - 1] ?? 0;
    const end = line < s.length ? s[line] - 1 : this.#text.length;
    return this.#text.slice(start, end);
  }
}

function allowed(
  list: SecretAllowlist,
  ctx: { secret: string; match: string; line: () => string; file: string; commit: string | null },
): boolean {
  const checks: boolean[] = [];
  if (list.commits.length) checks.push(ctx.commit !== null && list.commits.includes(ctx.commit));
  if (list.paths.length) checks.push(list.paths.some((r) => r.test(ctx.file)));
  if (list.regexes.length) {
    const target = list.regexTarget === "line"
      ? ctx.line()
      : list.regexTarget === "match"
      ? ctx.match
      : ctx.secret;
    checks.push(list.regexes.some((r) => r.test(target)));
  }
  if (list.stopwords.length) {
    const lower = ctx.secret.toLowerCase();
    checks.push(list.stopwords.some((w) => lower.includes(w)));
  }
  if (checks.length === 0) return false;
  return list.condition === "AND" ? checks.every(Boolean) : checks.some(Boolean);
}

/** True when the global allowlists exclude `file` from scanning altogether. */
export function pathAllowed(set: SecretRuleSet, file: string): boolean {
  return set.allowlists.some((a) =>
    a.paths.length > 0 && a.paths.some((r) => r.test(file)) &&
    (a.condition === "OR" ||
      (a.regexes.length === 0 && a.stopwords.length === 0 && a.commits.length === 0))
  );
}

interface KeywordIndex {
  // (first, second) character class (0-127: lower-cased ASCII, 128: anything else) → the
  // 1-based index in `lists` of the keywords that start with them; 0: none
  table: Int32Array;
  lists: string[][];
  // the same keywords as bytes, for scanning raw file content
  bytes: Uint8Array[][];
  // `table` indexed by two raw bytes (`b0 << 8 | b1`), case folded in: one lookup per byte
  raw: Uint16Array;
  // one bit per hash of three lower-cased bytes that start a keyword (8 KB); a pair hit is
  // checked only when its third byte fits too, or when its slot holds a 2-byte keyword
  tri: Uint8Array;
  short: Uint8Array;
  // keyword number of each entry of `lists`, and the keyword of each number
  ids: number[][];
  names: string[];
  // keywords with a non-ASCII character, looked up the slow way
  other: string[];
  all: number;
}

const W = 129;
// lower-cased ASCII; 128 for every byte or code unit beyond ASCII
const LOWER = new Uint8Array(256).map((_, c) => (c >= 65 && c <= 90 ? c + 32 : c < 128 ? c : 128));
function triHash(a: number, b: number, c: number): number {
  return ((a * 961 + b * 31 + c) * 2654435761 >>> 16) & 0xffff;
}

const keywordIndexes = new WeakMap<SecretRuleSet, KeywordIndex>();

function keywordIndex(set: SecretRuleSet): KeywordIndex {
  let index = keywordIndexes.get(set);
  if (index) return index;
  const all = new Set<string>();
  for (const rule of set.rules) for (const k of rule.keywords) all.add(k);
  const table = new Int32Array(W * W);
  const lists: string[][] = [];
  const bytes: Uint8Array[][] = [];
  const other: string[] = [];
  const encoder = new TextEncoder();
  const add = (slot: number, k: string) => {
    if (table[slot] === 0) {
      lists.push([]);
      bytes.push([]);
      table[slot] = lists.length;
    }
    lists[table[slot] - 1].push(k);
    bytes[table[slot] - 1].push(encoder.encode(k));
  };
  for (const k of all) {
    if ([...k].some((ch) => ch.charCodeAt(0) > 127)) other.push(k);
    else if (k.length === 1) { for (let b = 0; b < W; b++) add(k.charCodeAt(0) * W + b, k); }
    else add(k.charCodeAt(0) * W + k.charCodeAt(1), k);
  }
  const names = [...all];
  const number = new Map(names.map((k, i) => [k, i]));
  const ids = lists.map((list) => list.map((k) => number.get(k)!));
  const raw = new Uint16Array(256 * 256);
  for (let b0 = 0; b0 < 256; b0++) {
    for (let b1 = 0; b1 < 256; b1++) raw[(b0 << 8) | b1] = table[LOWER[b0] * W + LOWER[b1]];
  }
  const tri = new Uint8Array(8192);
  const short = new Uint8Array(lists.length);
  lists.forEach((list, i) => {
    for (const k of list) {
      if (k.length < 3) short[i] = 1;
      else {
        const h = triHash(k.charCodeAt(0), k.charCodeAt(1), k.charCodeAt(2));
        tri[h >> 3] |= 1 << (h & 7);
      }
    }
  });
  index = { table, lists, bytes, raw, tri, short, ids, names, other, all: all.size };
  keywordIndexes.set(set, index);
  return index;
}

/**
 * The rule keywords present in `text` (case-insensitive), found in one pass: each position's
 * first two characters select, through one table lookup, the few keywords that can start
 * there. One pass over the text, instead of one search per keyword, keeps the prefilter
 * cheap.
 */
function keywordsIn(text: string, set: SecretRuleSet): Set<string> {
  const { table, lists, other, all } = keywordIndex(set);
  const found = new Set<string>();
  const n = text.length;
  let c = n > 0 ? text.charCodeAt(0) : 0;
  let prev = c < 128 ? LOWER[c] : 128;
  for (let i = 1; i <= n; i++) {
    c = i < n ? text.charCodeAt(i) : 0;
    const cur = c < 128 ? LOWER[c] : 128;
    const slot = table[prev * W + cur];
    prev = cur;
    if (slot === 0) continue;
    for (const k of lists[slot - 1]) {
      if (found.has(k)) continue;
      let j = 2;
      const at = i - 1;
      while (j < k.length && at + j < n) {
        const x = text.charCodeAt(at + j);
        if ((x < 128 ? LOWER[x] : 128) !== k.charCodeAt(j)) break;
        j++;
      }
      if (j >= k.length) {
        found.add(k);
        if (found.size === all) return found;
      }
    }
  }
  if (other.length) {
    const lower = text.toLowerCase();
    for (const k of other) if (lower.includes(k)) found.add(k);
  }
  return found;
}

/**
 * {@link keywordsIn} over raw UTF-8 bytes (about twice as fast as over a string): bytes of
 * multi-byte characters never equal an ASCII keyword byte, so the result is the same.
 */
export function keywordsInBytes(data: Uint8Array, set: SecretRuleSet): Set<string> {
  const { table, lists, bytes, raw, tri, short, ids, names, other, all } = keywordIndex(set);
  const found = new Set<string>();
  const seen = new Uint8Array(names.length);
  // keywords of each slot not found yet: a slot whose keywords are all found is skipped
  const left = lists.map((l) => l.length);
  const n = data.length;
  const check = (slot: number, at: number): boolean => {
    const ks = bytes[slot - 1];
    const kid = ids[slot - 1];
    for (let q = 0; q < ks.length; q++) {
      if (seen[kid[q]]) continue;
      const k = ks[q];
      let j = 2;
      while (j < k.length && at + j < n && LOWER[data[at + j]] === k[j]) j++;
      if (j >= k.length) {
        seen[kid[q]] = 1;
        left[slot - 1]--;
        found.add(names[kid[q]]);
        if (found.size === all) return true;
      }
    }
    return false;
  };
  // the hot loop: one table lookup per byte pair, nothing else unless a keyword may start
  let prev = n > 0 ? data[0] : 0;
  for (let i = 1; i < n; i++) {
    const cur = data[i];
    const slot = raw[(prev << 8) | cur];
    if (slot !== 0 && left[slot - 1] !== 0) {
      let go = short[slot - 1] === 1;
      if (!go && i + 1 < n) {
        const h = triHash(LOWER[prev], LOWER[cur], LOWER[data[i + 1]]);
        go = (tri[h >> 3] & (1 << (h & 7))) !== 0;
      }
      if (go && check(slot, i - 1)) return found;
    }
    prev = cur;
  }
  // the last byte, followed by a sentinel 0, for one-character keywords
  if (n > 0) {
    const slot = table[LOWER[data[n - 1]] * W];
    if (slot !== 0 && left[slot - 1] !== 0 && check(slot, n - 1)) return found;
  }
  if (other.length) {
    const lower = new TextDecoder().decode(data).toLowerCase();
    for (const k of other) if (lower.includes(k)) found.add(k);
  }
  return found;
}

/** True when some rule would look at a file with this path and these keywords present. */
export function rulesApply(set: SecretRuleSet, file: string, keywords: Set<string>): boolean {
  return set.rules.some((rule) =>
    (!rule.path || rule.path.test(file)) &&
    (rule.keywords.length === 0 || rule.keywords.some((k) => keywords.has(k)))
  );
}

const INLINE_ALLOW = /\b(?:br|gitleaks):allow\b/;

function extractSecret(rule: SecretRule, m: RegExpExecArray): string {
  if (rule.secretGroup > 0) return m[rule.secretGroup] ?? "";
  for (let g = 1; g < m.length; g++) if (m[g]) return m[g];
  return m[0];
}

/**
 * Finds secrets in one text. `file` is the repo-relative path (for path rules and
 * allowlists); `commit` is set for history scans; `keywords` are the rule keywords present
 * in the text when already known (from {@link keywordsInBytes}).
 */
export function scanSecrets(
  text: string,
  file: string,
  set: SecretRuleSet,
  commit: string | null = null,
  keywords?: Set<string>,
): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  const spans: [number, number][] = [];
  let present: Set<string> | null = keywords ?? null;
  const lines = new LineIndex(text);
  for (const rule of set.rules) {
    if (rule.path && !rule.path.test(file)) continue;
    if (!rule.regex) {
      // A path-only rule: the file itself is the finding.
      findings.push(makeFinding(rule, file, 1, 1, file, commit));
      continue;
    }
    if (rule.keywords.length) {
      present ??= keywordsIn(text, set);
      let hit = false;
      for (const k of rule.keywords) {
        if (present.has(k)) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
    const re = rule.regex;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const secret = extractSecret(rule, m);
      if (!secret) continue;
      const at = m.index + Math.max(0, m[0].indexOf(secret));
      const end = at + secret.length;
      if (rule.entropy !== null && shannonEntropy(secret) < rule.entropy) continue;
      if (rule.generic && spans.some(([a, b]) => at < b && end > a)) continue;
      const pos = lines.position(at);
      const lineText = () => lines.lineText(pos.line);
      if (INLINE_ALLOW.test(lineText())) continue;
      const ctx = { secret, match: m[0], line: lineText, file, commit };
      if (rule.allowlists.some((a) => allowed(a, ctx))) continue;
      if (set.allowlists.some((a) => allowed(a, ctx))) continue;
      spans.push([at, end]);
      findings.push(makeFinding(rule, file, pos.line, pos.column, secret, commit));
    }
  }
  return findings;
}

function makeFinding(
  rule: SecretRule,
  file: string,
  line: number,
  column: number,
  secret: string,
  commit: string | null,
): SecurityFinding {
  return {
    kind: "secret",
    file,
    line,
    column,
    rule: rule.id,
    severity: rule.severity,
    secret_masked: maskSecret(secret),
    fingerprint: secretFingerprint(rule.id, secret),
    message: rule.description,
    fix: null,
    commit,
  };
}
