/**
 * In-place edits of one table of a TOML file (Codex's `config.toml`): the keys br owns are
 * rewritten where they stand and every other byte — comments, spacing, other tables and keys —
 * stays as it was. The result is checked by parsing it (the caller does) rather than trusted.
 */

/** A header line `[a.b]` (not `[[a]]`), split into its dotted key parts, or null. */
function headerKeys(line: string): string[] | null {
  const m = /^\s*\[(?!\[)(.*)\]\s*(?:#.*)?$/.exec(line);
  if (!m) return null;
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(\.|$)/y;
  let rest = m[1];
  re.lastIndex = 0;
  while (rest.length) {
    const k = re.exec(rest);
    if (!k) return null;
    parts.push(k[1] !== undefined ? JSON.parse(`"${k[1]}"`) : k[2] ?? k[3]);
    rest = rest.slice(re.lastIndex);
    re.lastIndex = 0;
    if (k[4] === "") break;
  }
  return parts;
}

function isHeader(line: string): boolean {
  return /^\s*\[/.test(line);
}

interface Lines {
  /** Start offset of each line in the text. */
  starts: number[];
  lines: string[];
}

function splitLines(text: string): Lines {
  const lines: string[] = [];
  const starts: number[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf("\n", at);
    const end = nl === -1 ? text.length : nl + 1;
    starts.push(at);
    lines.push(text.slice(at, end));
    at = end;
  }
  return { starts, lines };
}

/** The extent of the table `[path]`: its header line and the lines up to the next header. */
function findTable(
  l: Lines,
  path: string[],
): { header: number; end: number } | null {
  const same = (keys: string[] | null) =>
    keys !== null && keys.length === path.length && keys.every((k, i) => k === path[i]);
  let header = -1;
  let inMultiline = false;
  for (let i = 0; i < l.lines.length; i++) {
    const line = l.lines[i];
    const quotes = (line.match(/"""|'''/g) ?? []).length;
    if (!inMultiline && isHeader(line)) {
      if (header >= 0) return { header, end: i };
      if (same(headerKeys(line.replace(/\r?\n$/, "")))) header = i;
    }
    if (quotes % 2 === 1) inMultiline = !inMultiline;
  }
  return header >= 0 ? { header, end: l.lines.length } : null;
}

/** End offset (exclusive) of the TOML value starting at `at` in `text`. */
function valueEnd(text: string, at: number): number {
  const c = text[at];
  if (text.startsWith('"""', at) || text.startsWith("'''", at)) {
    const q = text.slice(at, at + 3);
    let i = at + 3;
    for (;;) {
      const j = text.indexOf(q, i);
      if (j === -1) return text.length;
      if (q === '"""' && text[j - 1] === "\\" && text[j - 2] !== "\\") {
        i = j + 1;
        continue;
      }
      let k = j + 3;
      while (text[k] === q[0]) k++; // up to two quotes may close the content
      return k;
    }
  }
  if (c === '"') {
    for (let i = at + 1; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"' || text[i] === "\n") return i + 1;
    }
    return text.length;
  }
  if (c === "'") {
    const j = text.indexOf("'", at + 1);
    return j === -1 ? text.length : j + 1;
  }
  if (c === "[" || c === "{") {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"' || ch === "'") {
        i = valueEnd(text, i) - 1;
      } else if (ch === "#") {
        const nl = text.indexOf("\n", i);
        i = nl === -1 ? text.length : nl;
      } else if (ch === "[" || ch === "{") depth++;
      else if (ch === "]" || ch === "}") {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  let i = at;
  while (i < text.length && text[i] !== "\n" && text[i] !== "#") i++;
  while (i > at && /\s/.test(text[i - 1])) i--;
  return i;
}

/** A TOML basic string (JSON's escapes are TOML's). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * Sets `keys` (already rendered TOML values) in the table `[path]` of `text`, in place: a key that
 * is there gets its value replaced (comments after it stay), a missing one is added after the
 * header, a missing table is appended at the end.
 */
export function setTableKeys(text: string, path: string[], keys: [string, string][]): string {
  const l = splitLines(text);
  const table = findTable(l, path);
  if (!table) {
    const header = `[${path.map((p) => /^[A-Za-z0-9_-]+$/.test(p) ? p : tomlString(p)).join(".")}]`;
    const eol = text.includes("\r\n") ? "\r\n" : "\n";
    const sep = text === "" ? "" : text.endsWith("\n") ? eol : eol + eol;
    return text + sep + [header, ...keys.map(([k, v]) => `${k} = ${v}`)].join(eol) + eol;
  }
  let out = text;
  const missing: [string, string][] = [];
  // Replace from the last key to the first so earlier offsets stay valid.
  const found: { start: number; end: number; value: string }[] = [];
  const bodyStart = l.starts[table.header] + l.lines[table.header].length;
  const bodyEnd = table.end < l.lines.length ? l.starts[table.end] : text.length;
  for (const [key, value] of keys) {
    const re = new RegExp(`^[ \\t]*(?:${key}|"${key}")[ \\t]*=[ \\t]*`, "m");
    const body = text.slice(bodyStart, bodyEnd);
    const m = re.exec(body);
    if (!m) {
      missing.push([key, value]);
      continue;
    }
    const start = bodyStart + m.index + m[0].length;
    found.push({ start, end: valueEnd(text, start), value });
  }
  for (const f of found.sort((a, b) => b.start - a.start)) {
    out = out.slice(0, f.start) + f.value + out.slice(f.end);
  }
  if (missing.length) {
    const eol = l.lines[table.header].endsWith("\r\n") ? "\r\n" : "\n";
    const headerLine = l.lines[table.header];
    const insertAt = l.starts[table.header] + headerLine.length;
    const lead = headerLine.endsWith("\n") ? "" : eol;
    out = out.slice(0, insertAt) + lead + missing.map(([k, v]) => `${k} = ${v}${eol}`).join("") +
      out.slice(insertAt);
  }
  return out;
}

/**
 * Removes the table `[path]` and its subtables (`[path.x]`) from `text`: their header lines and
 * bodies, except comment and blank lines right before the next table (they belong to it).
 */
export function removeTable(text: string, path: string[]): string {
  const l = splitLines(text);
  const within = (keys: string[] | null) =>
    keys !== null && keys.length >= path.length && path.every((k, i) => keys[i] === k);
  const drop = new Set<number>();
  let inside = false;
  let last = -1;
  const close = () => {
    // Trailing comments and blank lines of the removed block stay with what follows.
    for (let i = last + 1; i < l.lines.length && drop.has(i); i++) drop.delete(i);
  };
  for (let i = 0; i < l.lines.length; i++) {
    const line = l.lines[i];
    if (isHeader(line)) {
      const mine = within(headerKeys(line.replace(/\r?\n$/, "")));
      if (inside && !mine) close();
      inside = mine;
    }
    if (inside) {
      drop.add(i);
      if (!/^\s*(?:#.*)?\r?\n?$/.test(line)) last = i;
    }
  }
  if (inside) {
    close();
    // A table at the end takes the blank line that `setTableKeys` put before it.
    const first = Math.min(...drop);
    if (drop.has(l.lines.length - 1) && first > 0 && /^\s*$/.test(l.lines[first - 1])) {
      drop.add(first - 1);
    }
  }
  return l.lines.filter((_, i) => !drop.has(i)).join("");
}
