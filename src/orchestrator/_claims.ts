/**
 * File claims: do two sets of globs (the `files` of two features) name a common path?
 * Decided exactly by intersecting the patterns, without looking at the disk, so a file that
 * does not exist yet is claimed too. A pattern also covers everything below it, the way a
 * `.gitignore` line names a folder (`src/auth` overlaps `src/auth/login.ts`).
 */

type Tok =
  | { k: "lit"; c: string }
  | { k: "any" }
  | { k: "set"; chars: Set<string>; neg: boolean }
  | { k: "star" };

/** Expands `{a,b}` alternatives (nested too) into plain patterns. */
export function expandBraces(pattern: string): string[] {
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
        const body = pattern.slice(start + 1, i);
        const parts: string[] = [];
        let d = 0;
        let from = 0;
        for (let j = 0; j < body.length; j++) {
          if (body[j] === "{") d++;
          else if (body[j] === "}") d--;
          else if (body[j] === "," && d === 0) {
            parts.push(body.slice(from, j));
            from = j + 1;
          }
        }
        parts.push(body.slice(from));
        if (parts.length < 2) continue;
        const head = pattern.slice(0, start);
        const tail = pattern.slice(i + 1);
        return parts.flatMap((p) => expandBraces(head + p + tail));
      }
    }
  }
  return [pattern];
}

function tokenize(segment: string): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === "\\" && i + 1 < segment.length) out.push({ k: "lit", c: segment[++i] });
    else if (c === "*") {
      if (out[out.length - 1]?.k !== "star") out.push({ k: "star" });
    } else if (c === "?") out.push({ k: "any" });
    else if (c === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) {
        out.push({ k: "lit", c });
        continue;
      }
      let body = segment.slice(i + 1, end);
      const neg = body[0] === "!" || body[0] === "^";
      if (neg) body = body.slice(1);
      const chars = new Set<string>();
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === "-" && j + 2 < body.length) {
          const a = body.charCodeAt(j);
          const b = body.charCodeAt(j + 2);
          for (let x = a; x <= b && x - a < 512; x++) chars.add(String.fromCharCode(x));
          j += 2;
        } else chars.add(body[j]);
      }
      out.push({ k: "set", chars, neg });
      i = end;
    } else out.push({ k: "lit", c });
  }
  return out;
}

function accepts(t: Tok, c: string): boolean {
  return t.k === "lit" ? t.c === c : t.k === "set" ? t.chars.has(c) !== t.neg : true;
}

function charsMeet(a: Tok, b: Tok): boolean {
  if (a.k === "any" || b.k === "any") return true;
  if (a.k === "lit") return accepts(b, a.c);
  if (b.k === "lit") return accepts(a, b.c);
  if (a.k === "set" && b.k === "set") {
    if (a.neg && b.neg) return true;
    if (!a.neg) return [...a.chars].some((c) => accepts(b, c));
    return [...b.chars].some((c) => accepts(a, c));
  }
  return true;
}

/** True when some file name matches both segment patterns (no `/` inside). */
export function segmentsMeet(a: string, b: string): boolean {
  if (a === b) return true;
  const x = tokenize(a);
  const y = tokenize(b);
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

function segments(pattern: string): string[] {
  const clean = pattern.trim().replace(/^\.\//, "").replace(/^\/+/, "").replace(/\/+$/, "");
  const parts = clean.split("/").filter((s) => s !== "" && s !== ".");
  // A pattern covers what lies below it too.
  return parts.length === 0 ? ["**"] : [...parts, "**"];
}

/** True when some path matches both globs. */
export function globsOverlap(a: string, b: string): boolean {
  for (const pa of expandBraces(a)) {
    for (const pb of expandBraces(b)) {
      if (pathsMeet(segments(pa), segments(pb))) return true;
    }
  }
  return false;
}

function pathsMeet(p: string[], q: string[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (q.length + 1) + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r = false;
    if (i === p.length && j === q.length) r = true;
    else if (i < p.length && p[i] === "**") {
      r = go(i + 1, j) || (j < q.length && go(i, j + 1));
    } else if (j < q.length && q[j] === "**") {
      r = go(i, j + 1) || (i < p.length && go(i + 1, j));
    } else if (i < p.length && j < q.length) {
      r = segmentsMeet(p[i], q[j]) && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** The first pair of overlapping globs of two lists, or null. */
export function claimOverlap(
  mine: readonly string[],
  theirs: readonly string[],
): [string, string] | null {
  for (const a of mine) for (const b of theirs) if (globsOverlap(a, b)) return [a, b];
  return null;
}
