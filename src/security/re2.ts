/**
 * Translates Go RE2 patterns (the syntax of gitleaks rules) into JavaScript RegExp source.
 * What JavaScript cannot express the same way is refused with the rule id, never guessed.
 */
import { BrError } from "../core/errors.ts";

/** A pattern translated to JavaScript. */
export interface TranslatedRegex {
  /** The JavaScript pattern source. */
  source: string;
  /** Flags to compile it with (a subset of `imsu`; the caller adds `g`). */
  flags: string;
}

// Ranges (inclusive code points) of the ASCII classes RE2 names `[[:name:]]`.
const POSIX: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

// Characters that must be escaped to stand for themselves (valid escapes in `u` mode too).
const SYNTAX = new Set([..."^$\\.*+?()[]{}|"]);
const SIMPLE_ESCAPES = new Set([..."dDwWsSbBfnrtv"]);

function cp(n: number): string {
  if (n <= 0xffff) return "\\u" + n.toString(16).padStart(4, "0");
  return "\\u{" + n.toString(16) + "}";
}

function complement(ranges: [number, number][], max: number): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (a > next) out.push([next, a - 1]);
    next = Math.max(next, b + 1);
  }
  if (next <= max) out.push([next, max]);
  return out;
}

function rangesToClassBody(ranges: [number, number][]): string {
  return ranges.map(([a, b]) => (a === b ? cp(a) : `${cp(a)}-${cp(b)}`)).join("");
}

function literal(ch: string, inClass: boolean): string {
  if (SYNTAX.has(ch) || (inClass && ch === "-")) return "\\" + ch;
  return ch;
}

/**
 * Translates one RE2 pattern to JavaScript.
 *
 * Handles `(?i)`/`(?s)`/`(?m)` (leading: flags; inside: modifier groups), `(?flags:...)`,
 * `(?P<name>...)`, `\A`, `\z`, `\Q...\E`, `[[:class:]]` and `[[:^class:]]`, `\pL`/`\p{Name}`,
 * `\x{HHHH}`, `\a`, and RE2's literal `{`. Refuses what has no faithful translation or is
 * not RE2: `(?U)`, `\C`, backreferences, lookaround, unknown escapes.
 *
 * @throws {BrError} `invalid_data` naming `ruleId` and the construct.
 */
export function translateRe2(pattern: string, ruleId = "?"): TranslatedRegex {
  const refuse = (what: string): never => {
    throw new BrError(
      "invalid_data",
      `Cannot translate the regex of rule "${ruleId}": ${what}`,
      { hint: "rewrite that part of the pattern, or disable the rule" },
    );
  };
  let flags = "";
  let unicode = false;
  let out = "";
  let i = 0;
  const n = pattern.length;
  // One entry per open group: the modifier groups `(?i)` opened inside it.
  const groups: string[][] = [[]];

  const readFlags = (spec: string): string => {
    for (const f of spec) {
      if (f === "U") refuse("the ungreedy flag (?U) has no JavaScript equivalent");
      if (!"imsU-".includes(f)) refuse(`unknown flag "${f}" in "(?${spec})"`);
    }
    return spec;
  };

  const unicodeClass = (negated: boolean): string => {
    // at pattern[i] = 'p' or 'P' already consumed; i points after it
    let name: string;
    if (pattern[i] === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) refuse("unterminated \\p{...}");
      name = pattern.slice(i + 1, end);
      i = end + 1;
    } else {
      name = pattern[i++] ?? refuse("dangling \\p");
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    unicode = true;
    const prop = /^[A-Z][a-z]?$/.test(name) || name === "Any" ? name : `Script=${name}`;
    if (name === "Any") return negated ? "[^\\s\\S]" : "[\\s\\S]";
    return `\\${negated ? "P" : "p"}{${prop}}`;
  };

  const hexEscape = (): string => {
    // after "\x"
    if (pattern[i] === "{") {
      const end = pattern.indexOf("}", i);
      if (end < 0) refuse("unterminated \\x{...}");
      const hex = pattern.slice(i + 1, end);
      if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) refuse(`bad hex escape "\\x{${hex}}"`);
      i = end + 1;
      const v = parseInt(hex, 16);
      if (v > 0xffff) unicode = true;
      return cp(v);
    }
    const hex = pattern.slice(i, i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) refuse(`bad hex escape "\\x${hex}"`);
    i += 2;
    return "\\x" + hex;
  };

  const quoted = (inClass: boolean): string => {
    // after "\Q": literal text up to "\E" or the end
    const end = pattern.indexOf("\\E", i);
    const text = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
    i = end < 0 ? n : end + 2;
    return [...text].map((c) => literal(c, inClass)).join("");
  };

  // An escape after the backslash (pattern[i] is the escaped char). Returns JS text.
  const escape = (inClass: boolean): string => {
    const c = pattern[i++];
    if (c === undefined) return refuse("trailing backslash");
    if (SIMPLE_ESCAPES.has(c)) {
      if (inClass && (c === "b" || c === "B")) refuse(`"\\${c}" inside a character class`);
      return "\\" + c;
    }
    switch (c) {
      case "A":
        if (inClass) refuse('"\\A" inside a character class');
        return "(?<![\\s\\S])";
      case "z":
        if (inClass) refuse('"\\z" inside a character class');
        return "(?![\\s\\S])";
      case "a":
        return "\\x07";
      case "x":
        return hexEscape();
      case "p":
        return unicodeClass(false);
      case "P":
        return unicodeClass(true);
      case "Q":
        return quoted(inClass);
      case "C":
        return refuse('"\\C" (any byte) has no JavaScript equivalent');
      case "0":
        return "\\x00";
    }
    if (/[1-9]/.test(c)) return refuse(`backreference "\\${c}" is not RE2`);
    if (/[A-Za-z0-9]/.test(c)) return refuse(`unknown escape "\\${c}"`);
    return literal(c, inClass);
  };

  const charClass = (): string => {
    // pattern[i - 1] === "["
    let body = "";
    let negated = false;
    if (pattern[i] === "^") {
      negated = true;
      i++;
    }
    let first = true;
    while (true) {
      if (i >= n) refuse("unterminated character class");
      const c = pattern[i];
      if (c === "]" && !first) {
        i++;
        break;
      }
      first = false;
      if (c === "[" && pattern[i + 1] === ":") {
        const end = pattern.indexOf(":]", i + 2);
        if (end > 0) {
          let name = pattern.slice(i + 2, end);
          const neg = name.startsWith("^");
          if (neg) name = name.slice(1);
          const ranges = POSIX[name] ?? refuse(`unknown class "[:${name}:]"`);
          body += rangesToClassBody(neg ? complement(ranges, 0xffff) : ranges);
          i = end + 2;
          continue;
        }
      }
      i++;
      if (c === "\\") body += escape(true);
      else if (c === "-") {
        // a range dash stays; a dash first or last is literal
        const last = pattern[i] === "]" || body === "";
        body += last ? "\\-" : "-";
      } else body += literal(c, true).replace(/^\\-$/, "\\-");
    }
    return `[${negated ? "^" : ""}${body}]`;
  };

  while (i < n) {
    const c = pattern[i++];
    if (c === "\\") {
      out += escape(false);
    } else if (c === "[") {
      out += charClass();
    } else if (c === "(") {
      if (pattern[i] === "?") {
        const rest = pattern.slice(i + 1);
        let m: RegExpMatchArray | null;
        if ((m = rest.match(/^P?<([A-Za-z_][A-Za-z0-9_]*)>/))) {
          out += `(?<${m[1]}>`;
          i += 1 + m[0].length;
          groups.push([]);
        } else if (/^(=|!|<=|<!)/.test(rest)) {
          refuse("lookaround is not RE2");
        } else if ((m = rest.match(/^([A-Za-z-]*)\)/))) {
          const spec = readFlags(m[1]);
          i += 1 + m[0].length;
          if (out === "" && groups.length === 1 && !spec.includes("-")) {
            for (const f of spec) if (!flags.includes(f)) flags += f;
          } else {
            out += `(?${spec}:`;
            groups[groups.length - 1].push(spec);
          }
        } else if ((m = rest.match(/^([A-Za-z-]*):/))) {
          const spec = readFlags(m[1]);
          i += 1 + m[0].length;
          out += spec === "" ? "(?:" : `(?${spec}:`;
          groups.push([]);
        } else {
          refuse(`unsupported group "(?${rest.slice(0, 3)}"`);
        }
      } else {
        out += "(";
        groups.push([]);
      }
    } else if (c === ")") {
      if (groups.length === 1) refuse('unbalanced ")"');
      out += ")".repeat(groups.pop()!.length) + ")";
    } else if (c === "|") {
      const open = groups[groups.length - 1];
      out += ")".repeat(open.length) + "|" + open.map((s) => `(?${s}:`).join("");
    } else if (c === "{") {
      const m = pattern.slice(i).match(/^(\d+)(,(\d*))?\}/);
      if (m) {
        if (Number(m[1]) > 1000 || Number(m[3] || 0) > 1000) refuse("repeat count above 1000");
        out += "{" + m[0];
        i += m[0].length;
      } else out += "\\{";
    } else if (c === "}" || c === "]") {
      out += "\\" + c;
    } else {
      out += c;
    }
  }
  if (groups.length !== 1) refuse('missing ")"');
  out += ")".repeat(groups[0].length);
  if (unicode) flags += "u";
  try {
    new RegExp(out, flags);
  } catch (err) {
    refuse(`JavaScript rejects the translation (${(err as Error).message})`);
  }
  return { source: out, flags };
}
