import { compareText } from "../core/text.ts";
import { join, pathFunctions } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { contentHash, ReadOnce } from "../core/read_once.ts";
import type { FileFacts, ImportFact, SourceLang } from "./_facts.ts";
import { langOf, listFiles, type SourceFile, sourceFilesOf } from "./_files.ts";
import { PYTHON_STDLIB } from "./_py_stdlib.ts";
import { findUndeclared, jsPackage } from "./_manifests.ts";
import {
  type AnalysisCacheLocation,
  FACTS_CODEC,
  factsKey,
  SignedCache,
} from "./_analysis_cache.ts";

/** A resolved import between two files of the project. */
export interface Edge {
  /** Importing file. */
  from: string;
  /** Imported file. */
  to: string;
  /** Line of the import. */
  line: number;
  /** Erased at run time. */
  type_only: boolean;
  /** A dynamic `import()`. */
  dynamic: boolean;
}

/** An import of a package that no manifest declares. */
export interface Undeclared {
  /** Importing file. */
  file: string;
  /** Line. */
  line: number;
  /** The package (npm name or Python top-level module). */
  package: string;
  /** The manifests that were consulted (relative paths). */
  manifests: string[];
}

/** Everything the gates learn from the source tree. */
export interface Analysis {
  /** Root that was analyzed. */
  root: string;
  /** Every file (not only sources), relative. */
  all_files: string[];
  /** Facts per source file, sorted by path. */
  files: FileFacts[];
  /** Imports that resolve to project files. */
  edges: Edge[];
  /** Bare imports (package, file, line) per file. */
  packages: { file: string; line: number; package: string; lang: "js" | "py" }[];
  /** Undeclared package imports. */
  undeclared: Undeclared[];
  /** Static runtime import cycles, each as a path whose first and last entries are equal. */
  cycles: string[][];
}

const MAX_BYTES = 512 * 1024;

/** POSIX paths (the relative paths of the tree), without `node:path` (see core/path.ts). */
const posix = pathFunctions(false, () => "/");

type Analyzer = (file: string, text: string, lang: SourceLang) => FileFacts;

/** Options of {@link analyzeTree}. */
export interface AnalyzeOptions {
  /** The per-file facts cache to use (see _analysis_cache.ts), or none. */
  cache?: AnalysisCacheLocation | null;
  /** The files of the tree ({@link listFiles}), when already asked for. */
  files?: Promise<string[]>;
  /** Source files an earlier reader of the tree read and hashed ({@link analysisReads}). */
  reads?: ReadOnce;
}

/** What the analyzers take from an earlier reader of the tree: source files they would read. */
export function analysisReads(): ReadOnce {
  return new ReadOnce((rel, size) => size <= MAX_BYTES && langOf(rel) !== null);
}

const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** The bytes of a file, or null when it does not exist. */
function readBytesOrNull(path: string): Uint8Array | null {
  try {
    return Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new BrError("storage", `Cannot read "${path}": ${(err as Error).message}`, {
      hint: "check that it is a file br may read",
      cause: err,
    });
  }
}

/**
 * Reads and analyzes every TS/JS/Python file under `root`. With a cache, a file whose exact
 * content was analyzed before is not parsed again. Each parser is loaded only when a file of
 * its language has to be parsed: acorn for TS/JS (the TypeScript compiler for a text acorn
 * refuses), @lezer/python for Python.
 */
export async function analyzeTree(root: string, options: AnalyzeOptions = {}): Promise<Analysis> {
  const [allFiles, cache] = await Promise.all([
    options.files ?? listFiles(root),
    options.cache ? SignedCache.open<FileFacts>(options.cache, undefined, FACTS_CODEC) : null,
  ]);
  const sources = sourceFilesOf(allFiles);
  const facts: FileFacts[] = [];
  const analyzers: Partial<Record<SourceLang, Analyzer>> = {};
  const analyzer = async (lang: SourceLang): Promise<Analyzer> => {
    if (lang === "py") return analyzers.py ??= (await import("./_py.ts")).analyzePython;
    return analyzers[lang] ??= (await import("./_ts.ts")).analyzeTs;
  };
  let estree: Analyzer | null = null;
  // Synchronous reads (an asynchronous one costs a hop to a worker thread per file), then the
  // hashes all at once; a file the secret scan read and hashed is taken from it as it was.
  const read: { src: SourceFile; bytes: Uint8Array; hash: string | Promise<string> | null }[] = [];
  for (const src of sources) {
    const given = options.reads?.take(src.file);
    if (given) {
      read.push({ src, bytes: given.bytes, hash: cache ? given.hash : null });
      continue;
    }
    const abs = join(root, src.file);
    let stat: Deno.FileInfo;
    try {
      stat = Deno.statSync(abs);
    } catch {
      continue;
    }
    if (!stat.isFile || stat.size > MAX_BYTES) continue;
    const bytes = readBytesOrNull(abs);
    if (bytes !== null) read.push({ src, bytes, hash: cache ? contentHash(bytes) : null });
  }
  options.reads?.clear();
  const hashes = await Promise.all(read.map((r) => r.hash));
  for (const [i, { src, bytes }] of read.entries()) {
    const key = cache && hashes[i] !== null ? factsKey(src.file, src.lang, hashes[i]) : null;
    // An entry is used only for the path it was made for.
    const hit = key ? cache!.get(key, (f) => f.file === src.file) : undefined;
    if (hit) {
      facts.push(hit);
      continue;
    }
    // Decoded only to be parsed (as Deno.readTextFile does: a byte order mark is kept).
    const text = decoder.decode(bytes);
    // TS/JS: acorn (loads in a blink) where it reads the text, else the TypeScript compiler
    // (which also reads what acorn refuses); both give the same facts (tests/quality/estree_test.ts).
    let fresh: FileFacts | null = null;
    if (src.lang !== "py") {
      estree ??= (await import("./_estree.ts")).analyzeEstree;
      try {
        fresh = estree(src.file, text, src.lang);
      } catch {
        fresh = null;
      }
    }
    fresh ??= analyzeOne(src, text, await analyzer(src.lang));
    if (key) cache!.set(key, fresh);
    facts.push(fresh);
  }
  await cache?.save();
  const fileSet = new Set(allFiles);
  const edges: Edge[] = [];
  const packages: Analysis["packages"] = [];
  const pyRoots = pythonRoots(allFiles);
  for (const f of facts) {
    for (const imp of f.imports) {
      const target = f.lang === "py"
        ? resolvePython(f.file, imp, fileSet, pyRoots)
        : resolveJs(f.file, imp.spec, fileSet);
      if (target) {
        if (target !== f.file || f.lang !== "py") {
          edges.push({
            from: f.file,
            to: target,
            line: imp.line,
            type_only: imp.type_only,
            dynamic: !!imp.dynamic,
          });
        }
        continue;
      }
      if (imp.submodule) continue;
      const pkg = f.lang === "py" ? pythonPackage(imp.spec, f.file, fileSet, pyRoots) : jsPackage(
        imp.spec,
      );
      if (pkg) {
        packages.push({
          file: f.file,
          line: imp.line,
          package: pkg,
          lang: f.lang === "py" ? "py" : "js",
        });
      }
    }
  }
  const undeclared = await findUndeclared(root, allFiles, packages);
  return {
    root,
    all_files: allFiles,
    files: facts,
    edges,
    packages,
    undeclared,
    // Only static runtime imports decide load order; `import()` and type imports cannot cycle.
    cycles: findCycles(edges.filter((e) => !e.type_only && !e.dynamic)),
  };
}

function analyzeOne(src: SourceFile, text: string, analyze: Analyzer): FileFacts {
  try {
    return analyze(src.file, text, src.lang);
  } catch (err) {
    return {
      file: src.file,
      lang: src.lang,
      lines: text.split("\n").length,
      test: false,
      imports: [],
      functions: [],
      stubs: [],
      markers: [],
      exports: [],
      parse_error: (err as Error).message,
    };
  }
}

const JS_EXTS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** Resolves a relative TS/JS import to a project file (Node, Deno and TS `.js` → `.ts` rules). */
export function resolveJs(from: string, spec: string, files: Set<string>): string | null {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return null;
  const clean = spec.split(/[?#]/)[0];
  const base = posix.normalize(posix.join(posix.dirname(from), clean));
  if (files.has(base)) return base;
  const stem = base.replace(/\.(m|c)?jsx?$/, "");
  for (const ext of JS_EXTS) {
    if (files.has(stem + ext)) return stem + ext;
  }
  for (const ext of JS_EXTS) {
    if (files.has(`${base}/index${ext}`)) return `${base}/index${ext}`;
  }
  return null;
}

function pythonRoots(files: string[]): string[] {
  const roots = [""];
  if (files.some((f) => f.startsWith("src/") && f.endsWith(".py"))) roots.push("src/");
  return roots;
}

function pyCandidates(base: string): string[] {
  return [`${base}.py`, `${base}.pyi`, `${base}/__init__.py`];
}

function resolvePython(
  from: string,
  imp: ImportFact,
  files: Set<string>,
  roots: string[],
): string | null {
  const m = /^(\.*)(.*)$/.exec(imp.spec)!;
  const dots = m[1].length;
  const rest = m[2] ? m[2].split(".").join("/") : "";
  if (dots > 0) {
    let dir = posix.dirname(from);
    for (let k = 1; k < dots; k++) dir = posix.dirname(dir);
    const base = rest ? (dir === "." ? rest : `${dir}/${rest}`) : dir;
    for (const c of pyCandidates(base)) if (files.has(c)) return c;
    return null;
  }
  const here = posix.dirname(from);
  for (const r of [...roots, here === "." ? "" : here + "/"]) {
    for (const c of pyCandidates(r + rest)) if (files.has(c)) return c;
  }
  return null;
}

// The top-level module of an absolute import that is neither local nor stdlib.
function pythonPackage(
  spec: string,
  from: string,
  files: Set<string>,
  roots: string[],
): string | null {
  if (spec.startsWith(".")) return null;
  const top = spec.split(".")[0];
  if (!top || top === "__future__" || PYTHON_STDLIB.has(top)) return null;
  const here = posix.dirname(from);
  for (const r of [...roots, here === "." ? "" : here + "/"]) {
    for (const c of pyCandidates(r + top)) if (files.has(c)) return null;
    const prefix = `${r}${top}/`;
    for (const f of files) if (f.startsWith(prefix)) return null; // a namespace package
  }
  return top;
}

/**
 * The import cycles of a graph: one per strongly connected component with more than one
 * file (or a file importing itself), as a path from its smallest file back to it.
 */
export function findCycles(edges: readonly Edge[]): string[][] {
  const adj = new Map<string, string[]>();
  for (const e of edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    adj.get(e.from)!.push(e.to);
  }
  for (const list of adj.values()) list.sort();
  // Tarjan's algorithm with an explicit stack (a chain of tens of thousands of files must not
  // overflow the call stack).
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  const strong = (root: string): void => {
    const work: [string, number][] = [[root, 0]];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const next = adj.get(v) ?? [];
      if (i < next.length) {
        frame[1]++;
        const w = next[i];
        if (!idx.has(w)) {
          idx.set(w, index);
          low.set(w, index++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === idx.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || next.includes(v)) sccs.push(comp.sort());
      }
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) strong(v);
  return sccs.map((comp) => cyclePath(comp, adj)).sort((a, b) => compareText(a[0], b[0]));
}

function cyclePath(comp: string[], adj: Map<string, string[]>): string[] {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of adj.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let x = v; x !== start; x = prev.get(x)!) path.splice(1, 0, x);
        return [...path, start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...comp, start];
}
