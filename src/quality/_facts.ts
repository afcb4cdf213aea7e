/** Languages the analyzers understand. */
export type SourceLang = "ts" | "js" | "py";

/** One import of a source file. */
export interface ImportFact {
  /** The module specifier as written (`./a.ts`, `react`, `.models`, `os.path`). */
  spec: string;
  /** 1-based line. */
  line: number;
  /** Erased at run time (`import type`, `export type ... from`). */
  type_only: boolean;
  /** A dynamic `import()`: loaded on demand, so it cannot create a load-order cycle. */
  dynamic?: boolean;
  /** A name of `from pkg import name` that may be a submodule: kept only if it resolves. */
  submodule?: boolean;
}

/** One function (or method) of a source file. */
export interface FunctionFact {
  /** Name (`<anonymous>` when it has none). */
  name: string;
  /** First line. */
  line: number;
  /** Last line. */
  end_line: number;
  /** Lines from first to last. */
  lines: number;
  /** Cyclomatic complexity (1 + decision points). */
  complexity: number;
}

/** A stub: a body that does nothing or says it is not implemented. */
export interface StubFact {
  /** 1-based line. */
  line: number;
  /** Function name, when known. */
  name: string;
  /** Why it counts as a stub. */
  reason: string;
}

/** A TODO/FIXME/XXX/HACK marker in a comment. */
export interface MarkerFact {
  /** 1-based line. */
  line: number;
  /** TODO, FIXME, XXX or HACK. */
  kind: string;
  /**
   * The comment text (trimmed, whole: a report masks secrets in it before cutting it short,
   * so that no cut secret escapes the masker).
   */
  text: string;
}

/** An exported (public) declaration and whether it carries a doc comment. */
export interface ExportFact {
  /** Name. */
  name: string;
  /** 1-based line. */
  line: number;
  /** Has a JSDoc comment / docstring. */
  documented: boolean;
}

/** What the analyzers know about one file. */
export interface FileFacts {
  /** Path relative to the analysis root, with `/`. */
  file: string;
  /** Language. */
  lang: SourceLang;
  /** Number of lines. */
  lines: number;
  /** A test file (by name or folder). */
  test: boolean;
  /** Imports. */
  imports: ImportFact[];
  /** Functions. */
  functions: FunctionFact[];
  /** Stubs. */
  stubs: StubFact[];
  /** Comment markers. */
  markers: MarkerFact[];
  /** Public declarations. */
  exports: ExportFact[];
  /** Set when the file could not be parsed. */
  parse_error?: string;
}

/** Comment markers that count as unfinished work. */
export const MARKER_RE: RegExp = /\b(TODO|FIXME|XXX|HACK)\b[:\s]?(.*)/;

/** Finds the first marker in a comment text. */
export function markerIn(comment: string, line: number): MarkerFact | null {
  const m = MARKER_RE.exec(comment);
  if (!m) return null;
  const text = comment.replace(/^\s*(\/\/+|\/\*+|\*+|#+)\s*/, "").replace(/\*\/\s*$/, "").trim();
  return { line, kind: m[1], text };
}

/** Messages that mark an explicit stub (`throw new Error("not implemented")`). */
export const NOT_IMPLEMENTED_RE: RegExp = /\b(not\s+(yet\s+)?implemented|unimplemented)\b/i;

/** True when a path (with `/`) names a test file. */
export function isTestPath(path: string): boolean {
  const name = path.split("/").pop() ?? path;
  if (/(^|\/)(tests?|__tests__|spec)\//.test(path)) return true;
  if (/[._](test|spec)\.[cm]?[jt]sx?$/.test(name)) return true;
  return /^test_.*\.py$/.test(name) || /_test\.py$/.test(name) || name === "conftest.py";
}

/** The 1-based line of a position, given the positions where lines start (ascending, from 0). */
export function lineLookup(starts: readonly number[]): (pos: number) => number {
  return (pos) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
