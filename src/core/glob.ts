/**
 * The one glob of br, over `/`-separated relative paths: features' `files`, governance layers
 * and rules, allowed branch names, worktree includes and file claims all use it. Start-up
 * safe: it imports nothing.
 *
 * Syntax (for patterns with wildcards, what picomatch with `dot: true` matches):
 * - `*` any run of characters inside one folder name (a whole-segment `*` needs one or more);
 * - `?` one character other than `/`;
 * - `[abc]`, `[a-z]`, `[!a]`/`[^a]` one character of (or not of) a set, never `/`;
 * - `**` as a whole segment: any number of folders, none included (`**` inside a name is `*`);
 * - `{a,b}` one of the alternatives (nested too); `\x` the character `x` itself.
 * Unlike picomatch, `[!a]` is a negated set as in POSIX shells, parentheses, `!`, `+` and `@`
 * are plain characters (no extglobs), and `?` or a set matches one character (code point).
 * Names starting with `.` are matched like any other. A leading `./` is dropped, a trailing
 * `/` means everything below, and a blank pattern matches nothing. A pattern (or brace
 * alternative) without wildcards also matches everything below it, the way a `.gitignore`
 * line names a folder: `src/auth` covers `src/auth/login.ts`.
 *
 * @module
 */

type Range = readonly [number, number];

type Tok =
  | { k: "lit"; c: string }
  | { k: "any" }
  | { k: "set"; ranges: Range[]; neg: boolean }
  | { k: "star" };

/** One folder level of a pattern: `**`, or the tokens of one name. */
type Seg = "**" | Tok[];

/** Expands `{a,b}` alternatives (nested too) into plain patterns. */
function expandBraces(pattern: string): string[] {
  let depth = 0;
  let start = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "{") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" && depth > 0) {
      depth--;
      if (depth === 0) {
        const parts = splitAlternatives(pattern.slice(start + 1, i));
        if (parts.length < 2) continue;
        const head = pattern.slice(0, start);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((p) => expandBraces(head + p + tail));
      }
    }
  }
  return [pattern];
}

function splitAlternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let j = 0; j < body.length; j++) {
    const c = body[j];
    if (c === "\\") j++;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (c === "," && depth === 0) {
      parts.push(body.slice(from, j));
      from = j + 1;
    }
  }
  parts.push(body.slice(from));
  return parts;
}

function tokenize(name: string): Tok[] {
  const chars = Array.from(name);
  const out: Tok[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === "\\" && i + 1 < chars.length) out.push({ k: "lit", c: chars[++i] });
    else if (c === "*") {
      if (out[out.length - 1]?.k !== "star") out.push({ k: "star" });
    } else if (c === "?") out.push({ k: "any" });
    else if (c === "[") {
      const set = parseSet(chars, i);
      if (set) {
        out.push(set.tok);
        i = set.end;
      } else out.push({ k: "lit", c });
    } else out.push({ k: "lit", c });
  }
  return out;
}

function parseSet(chars: string[], open: number): { tok: Tok; end: number } | null {
  let i = open + 1;
  const neg = chars[i] === "!" || chars[i] === "^";
  if (neg) i++;
  const ranges: Range[] = [];
  let first = true;
  for (; i < chars.length; i++) {
    let c = chars[i];
    if (c === "]" && !first) return { tok: { k: "set", ranges, neg }, end: i };
    first = false;
    if (c === "\\" && i + 1 < chars.length) c = chars[++i];
    let lo = c.codePointAt(0)!;
    let hi = lo;
    if (chars[i + 1] === "-" && i + 2 < chars.length && chars[i + 2] !== "]") {
      let d = chars[i + 2];
      i += 2;
      if (d === "\\" && i + 1 < chars.length) d = chars[++i];
      hi = d.codePointAt(0)!;
      if (hi < lo) [lo, hi] = [hi, lo];
    }
    ranges.push([lo, hi]);
  }
  return null;
}

function isWild(seg: Seg): boolean {
  return seg === "**" || seg.some((t) => t.k !== "lit");
}

/**
 * The folder levels of one brace-free pattern, with the "covers what is below" rule; null for
 * a blank pattern, which matches nothing (`.` names the root, so it covers every path).
 */
function parse(pattern: string): Seg[] | null {
  if (pattern.trim() === "") return null;
  let p = pattern.trim().replace(/^(\.\/)+/, "").replace(/^\/+/, "");
  if (p.endsWith("/")) p += "**";
  const segs: Seg[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    const seg: Seg = part === "**" ? "**" : tokenize(part);
    if (seg === "**" && segs[segs.length - 1] === "**") continue;
    segs.push(seg);
  }
  if (segs.length === 0) return ["**"];
  if (!segs.some(isWild)) segs.push("**");
  return segs;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const escapeClass = (s: string) => s.replace(/[\^\]\\/-]/g, "\\$&");

function setSource(t: { ranges: Range[]; neg: boolean }): string {
  const body = t.ranges.map(([lo, hi]) => {
    const a = escapeClass(String.fromCodePoint(lo));
    return lo === hi ? a : `${a}-${escapeClass(String.fromCodePoint(hi))}`;
  }).join("");
  return t.neg ? `[^/${body}]` : `(?!/)[${body}]`;
}

function nameSource(toks: Tok[]): string {
  if (toks.length === 1 && toks[0].k === "star") return "[^/]+";
  return toks.map((t) =>
    t.k === "lit" ? escapeRe(t.c) : t.k === "any" ? "[^/]" : t.k === "star" ? "[^/]*" : setSource(t)
  ).join("");
}

function segsSource(segs: Seg[]): string {
  let out = "";
  let needSep = false;
  for (const [i, seg] of segs.entries()) {
    const first = i === 0;
    const last = i === segs.length - 1;
    if (seg === "**") {
      out += first && last ? ".*" : first ? "(?:.*/)?" : last ? "(?:/.*)?" : "(?:/.*)?/";
      needSep = false;
    } else {
      if (needSep) out += "/";
      out += nameSource(seg);
      needSep = true;
    }
  }
  return out;
}

const compiled = new Map<string, RegExp>();

/** A glob (see the module's syntax) as a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    const alts = expandBraces(glob).map(parse).filter((x) => x !== null).map(segsSource);
    re = alts.length ? new RegExp(`^(?:${[...new Set(alts)].join("|")})$`, "u") : /(?!)/;
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(glob, re);
  }
  return re;
}

/** True when `path` matches any of `globs`. */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}

// Overlap: is there a path that both globs match? Decided on the patterns alone, so a path
// that does not exist yet counts too.

function inRanges(ranges: readonly Range[], c: number): boolean {
  return ranges.some(([lo, hi]) => lo <= c && c <= hi);
}

function accepts(t: Tok, c: number): boolean {
  if (c === 0x2f) return false;
  if (t.k === "lit") return t.c.codePointAt(0) === c;
  if (t.k === "set") return inRanges(t.ranges, c) !== t.neg;
  return true;
}

/** Some character of `a`'s ranges that `b` accepts (ranges are tried at their ends and gaps). */
function setsMeet(a: Tok & { k: "set" }, b: Tok & { k: "set" }): boolean {
  if (a.neg && b.neg) return true; // two finite exclusions leave characters to spare
  if (a.neg) return setsMeet(b, a);
  // Candidate characters: each range's ends and the points just past `b`'s range ends.
  for (const [lo, hi] of a.ranges) {
    const cands = [lo, hi, 0x30, ...b.ranges.flatMap(([x, y]) => [x, y, x - 1, y + 1])];
    if (cands.some((c) => c >= lo && c <= hi && c !== 0x2f && accepts(b, c))) return true;
  }
  return false;
}

function charsMeet(a: Tok, b: Tok): boolean {
  if (a.k === "any" || b.k === "any") return true;
  if (a.k === "lit") return accepts(b, a.c.codePointAt(0)!);
  if (b.k === "lit") return accepts(a, b.c.codePointAt(0)!);
  if (a.k === "set" && b.k === "set") return setsMeet(a, b);
  return true;
}

/** True when some folder name (non-empty, no `/`) matches both name patterns. */
function namesMeet(x: Tok[], y: Tok[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (y.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r = false;
    if (i === x.length && j === y.length) r = true;
    else if (i < x.length && x[i].k === "star") {
      r = go(i + 1, j) || (j < y.length && go(i, j + 1));
    } else if (j < y.length && y[j].k === "star") {
      r = go(i, j + 1) || (i < x.length && go(i + 1, j));
    } else if (i < x.length && j < y.length) {
      r = charsMeet(x[i], y[j]) && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

function pathsMeet(p: Seg[], q: Seg[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r = false;
    const a = p[i];
    const b = q[j];
    if (i === p.length && j === q.length) r = true;
    else if (a === "**") r = go(i + 1, j) || (j < q.length && go(i, j + 1));
    else if (b === "**") r = go(i, j + 1) || (i < p.length && go(i + 1, j));
    else if (a && b) r = namesMeet(a, b) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** True when some path matches both globs (decided on the patterns, not the disk). */
export function globsOverlap(a: string, b: string): boolean {
  const pa = expandBraces(a).map(parse).filter((x) => x !== null);
  const pb = expandBraces(b).map(parse).filter((x) => x !== null);
  return pa.some((x) => pb.some((y) => pathsMeet(x, y)));
}
