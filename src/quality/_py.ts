import {
  type ExportFact,
  type FileFacts,
  type FunctionFact,
  type ImportFact,
  isTestPath,
  type MarkerFact,
  markerIn,
  NOT_IMPLEMENTED_RE,
  type StubFact,
} from "./_facts.ts";

/**
 * One logical line of Python source: physical lines joined by brackets or a backslash,
 * with string literals replaced by `""` (their text kept aside) and comments removed.
 */
export interface LogicalLine {
  /** Indentation width of its first physical line (tabs count 8). */
  indent: number;
  /** First physical line (1-based). */
  line: number;
  /** Last physical line. */
  end_line: number;
  /** Code with every string literal replaced by `""` and no comments. */
  code: string;
  /** The text of each string literal, in order. */
  strings: string[];
}

/** The result of {@link tokenizePython}. */
export interface PythonTokens {
  /** Logical lines (blank and comment-only lines are not logical lines). */
  lines: LogicalLine[];
  /** Every comment with its line. */
  comments: { line: number; text: string }[];
}

const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

/**
 * A tokenizer that follows Python's lexical rules for what matters here: comments, string
 * literals (all prefixes, single and triple quotes, escapes), bracket nesting and backslash
 * continuation, which together decide logical lines and their indentation.
 */
export function tokenizePython(text: string): PythonTokens {
  const lines: LogicalLine[] = [];
  const comments: { line: number; text: string }[] = [];
  let i = 0;
  let lineNo = 1;
  let code = "";
  let strings: string[] = [];
  let depth = 0;
  let start = -1;
  let indent = 0;
  let atLineStart = true;
  const flush = () => {
    if (code.trim() !== "") {
      lines.push({ indent, line: start, end_line: lineNo, code: code.trim(), strings });
    }
    code = "";
    strings = [];
    start = -1;
  };
  while (i < text.length) {
    const c = text[i];
    if (atLineStart) {
      let w = 0;
      let j = i;
      while (j < text.length && (text[j] === " " || text[j] === "\t" || text[j] === "\f")) {
        w = text[j] === "\t" ? (Math.floor(w / 8) + 1) * 8 : w + 1;
        j++;
      }
      i = j;
      atLineStart = false;
      if (start === -1) indent = w;
      continue;
    }
    if (c === "#") {
      let j = text.indexOf("\n", i);
      if (j === -1) j = text.length;
      comments.push({ line: lineNo, text: text.slice(i, j) });
      i = j;
      continue;
    }
    if (c === "\n") {
      if (depth === 0) flush();
      else code += " ";
      lineNo++;
      i++;
      atLineStart = depth === 0;
      continue;
    }
    if (c === "\\" && text[i + 1] === "\n") {
      code += " ";
      lineNo++;
      i += 2;
      continue;
    }
    if (c === "\r") {
      i++;
      continue;
    }
    if (start === -1 && c.trim() !== "") start = lineNo;
    if (c === "'" || c === '"') {
      // A string prefix was already appended to `code`; drop it.
      const m = /([A-Za-z]{1,2})$/.exec(code);
      if (m && STRING_PREFIX.test(m[1]) && !/[A-Za-z0-9_]/.test(code[m.index - 1] ?? "")) {
        code = code.slice(0, m.index);
      }
      const triple = text.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      let j = i + quote.length;
      let body = "";
      while (j < text.length) {
        if (text[j] === "\\") {
          body += text.slice(j, j + 2);
          if (text[j + 1] === "\n") lineNo++;
          j += 2;
          continue;
        }
        if (text.startsWith(quote, j)) break;
        if (text[j] === "\n") {
          if (!triple) break; // unterminated single-quoted string: stop at the line end
          lineNo++;
        }
        body += text[j];
        j++;
      }
      strings.push(body);
      code += '""';
      i = text.startsWith(quote, j) ? j + quote.length : j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
    code += c;
    i++;
  }
  flush();
  return { lines, comments };
}

const DEF_RE = /^(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;
const CLASS_RE = /^class\s+([A-Za-z_]\w*)/;
const DECISION_RE = /\b(if|elif|for|while|except|and|or|case)\b/g;

// The body of a compound statement is either the rest of its header line after the
// block's colon (`def f(): pass`) or the following more-indented logical lines.
function headerRest(code: string): string {
  let depth = 0;
  for (let k = 0; k < code.length; k++) {
    const ch = code[k];
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === ":" && depth === 0) return code.slice(k + 1).trim();
  }
  return "";
}

/**
 * Analyzes one Python file: imports (`import a.b`, `from .x import y`), functions with their
 * length and cyclomatic complexity, stubs (a body of only `pass`/`...`/docstring, or
 * `raise NotImplementedError`, except under `@abstractmethod`/`@overload` and in `.pyi`
 * stubs), TODO markers in comments, and public top-level defs/classes with their docstrings.
 */
export function analyzePython(file: string, text: string): FileFacts {
  const { lines, comments } = tokenizePython(text);
  const imports: ImportFact[] = [];
  const functions: FunctionFact[] = [];
  const stubs: StubFact[] = [];
  const exports: ExportFact[] = [];
  const isStubFile = file.endsWith(".pyi");

  for (const l of lines) {
    const imp = /^import\s+(.+)$/.exec(l.code);
    if (imp) {
      for (const part of imp[1].split(",")) {
        const spec = part.trim().split(/\s+as\s+/)[0].trim();
        if (spec) imports.push({ spec, line: l.line, type_only: false });
      }
      continue;
    }
    const from = /^from\s+(\.*)\s*([\w.]*)\s+import\s+(.+)$/.exec(l.code);
    if (from) {
      const [, dots, mod, names] = from;
      if (mod) imports.push({ spec: dots + mod, line: l.line, type_only: false });
      if (!mod || dots) {
        // `from . import a, b` may import submodules a and b.
        for (const n of names.replace(/[()]/g, "").split(",")) {
          const name = n.trim().split(/\s+as\s+/)[0].trim();
          if (name && name !== "*") {
            imports.push({
              spec: `${dots}${mod ? mod + "." : ""}${name}`,
              line: l.line,
              type_only: false,
              submodule: true,
            });
          }
        }
      }
    }
  }

  lines.forEach((l, idx) => {
    const def = DEF_RE.exec(l.code);
    const cls = def ? null : CLASS_RE.exec(l.code);
    if (!def && !cls) return;
    const decorators: string[] = [];
    for (let k = idx - 1; k >= 0 && lines[k].code.startsWith("@"); k--) {
      decorators.push(lines[k].code.slice(1).split("(")[0].trim());
    }
    const rest = headerRest(l.code);
    const body: LogicalLine[] = [];
    if (rest) body.push({ ...l, code: rest });
    else {
      for (let k = idx + 1; k < lines.length && lines[k].indent > l.indent; k++) {
        body.push(lines[k]);
      }
    }
    const first = body[0];
    const documented = !!first && /^""$/.test(first.code);
    const name = (def ?? cls)![1];
    if (l.indent === 0 && !name.startsWith("_")) {
      exports.push({ name, line: l.line, documented });
    }
    if (!def) return;
    const end = body.length ? body[body.length - 1].end_line : l.end_line;
    // Only the function's own statements count, not those of nested defs.
    let complexity = 1;
    let nestedIndent = -1;
    for (const b of body) {
      if (nestedIndent >= 0 && b.indent > nestedIndent) continue;
      nestedIndent = DEF_RE.test(b.code) ? b.indent : -1;
      if (nestedIndent >= 0) continue;
      complexity += (b.code.match(DECISION_RE) ?? []).length;
    }
    functions.push({
      name,
      line: l.line,
      end_line: end,
      lines: end - l.line + 1,
      complexity,
    });
    const abstract = decorators.some((d) => /(^|\.)(abstractmethod|overload)$/.test(d));
    if (abstract || isStubFile) return;
    const own = body.filter((b) => b.indent === (body[0]?.indent ?? 0));
    const statements = own.filter((b, k) => !(k === 0 && b.code === '""'));
    if (statements.length > 0 && statements.every((s) => s.code === "pass" || s.code === "...")) {
      stubs.push({ line: l.line, name, reason: `body is only "${statements[0].code}"` });
    }
  });

  for (const l of lines) {
    if (/^raise\s+NotImplementedError\b/.test(l.code) || isNotImplementedRaise(l)) {
      const owner = functions.filter((f) => f.line <= l.line && f.end_line >= l.line).pop();
      if (owner && isAbstract(lines, owner.line)) continue;
      if (isStubFile) continue;
      stubs.push({
        line: l.line,
        name: owner?.name ?? "<module>",
        reason: "raises NotImplementedError",
      });
    }
  }

  const markers: MarkerFact[] = [];
  for (const c of comments) {
    const m = markerIn(c.text, c.line);
    if (m) markers.push(m);
  }
  return {
    file,
    lang: "py",
    lines: text.length === 0 ? 0 : text.split("\n").length,
    test: isTestPath(file),
    imports,
    functions,
    stubs: dedupeStubs(stubs),
    markers,
    exports,
  };
}

function isNotImplementedRaise(l: LogicalLine): boolean {
  return /^raise\s+\w*Error\b/.test(l.code) && l.strings.some((s) => NOT_IMPLEMENTED_RE.test(s));
}

function isAbstract(lines: LogicalLine[], defLine: number): boolean {
  const idx = lines.findIndex((l) => l.line === defLine);
  for (let k = idx - 1; k >= 0 && lines[k].code.startsWith("@"); k--) {
    if (/(^|\.)(abstractmethod|overload)\b/.test(lines[k].code.slice(1))) return true;
  }
  return false;
}

function dedupeStubs(stubs: StubFact[]): StubFact[] {
  const seen = new Set<string>();
  return stubs.filter((s) => {
    const key = `${s.line}:${s.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => a.line - b.line);
}
