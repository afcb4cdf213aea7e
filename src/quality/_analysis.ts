import { builtinModules } from "node:module";
import { dirname, join, posix } from "node:path";
import { readTextOrNull } from "../core/fs.ts";
import type { FileFacts, ImportFact } from "./_facts.ts";
import { listFiles, listSourceFiles, type SourceFile } from "./_files.ts";
import { analyzePython } from "./_py.ts";
import { PYTHON_STDLIB } from "./_py_stdlib.ts";

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
  /** Runtime import cycles, each as a path whose first and last entries are equal. */
  cycles: string[][];
}

const MAX_BYTES = 512 * 1024;

/**
 * Reads and analyzes every TS/JS/Python file under `root`. The TypeScript compiler is loaded
 * only when the tree has TS/JS files.
 */
export async function analyzeTree(root: string): Promise<Analysis> {
  const allFiles = await listFiles(root);
  const sources = await listSourceFiles(root);
  const facts: FileFacts[] = [];
  let analyzeTs: ((f: string, t: string, l: "ts" | "js") => FileFacts) | null = null;
  if (sources.some((s) => s.lang !== "py")) {
    analyzeTs = (await import("./_ts.ts")).analyzeTs;
  }
  for (const src of sources) {
    const abs = join(root, src.file);
    const stat = await Deno.stat(abs).catch(() => null);
    if (!stat?.isFile || stat.size > MAX_BYTES) continue;
    const text = await readTextOrNull(abs);
    if (text === null) continue;
    facts.push(analyzeOne(src, text, analyzeTs));
  }
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
          edges.push({ from: f.file, to: target, line: imp.line, type_only: imp.type_only });
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
    cycles: findCycles(edges.filter((e) => !e.type_only)),
  };
}

function analyzeOne(
  src: SourceFile,
  text: string,
  analyzeTs: ((f: string, t: string, l: "ts" | "js") => FileFacts) | null,
): FileFacts {
  try {
    return src.lang === "py" ? analyzePython(src.file, text) : analyzeTs!(src.file, text, src.lang);
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

const NODE_BUILTINS = new Set(builtinModules.map((m) => m.replace(/^node:/, "")));

/** The npm package a bare TS/JS specifier names, or null for builtins, URLs and aliases. */
export function jsPackage(spec: string): string | null {
  if (spec.startsWith(".") || spec.startsWith("/")) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return null; // node:, npm:, jsr:, https:, virtual:
  if (/^[#~$@]\//.test(spec) || spec.startsWith("#") || spec.startsWith("~")) return null;
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  if (NODE_BUILTINS.has(name) || NODE_BUILTINS.has(spec)) return null;
  return name;
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

/** Distribution names whose import name differs (normalized: lower case, `_`). */
const PY_IMPORT_NAMES: Record<string, string[]> = {
  pyyaml: ["yaml"],
  beautifulsoup4: ["bs4"],
  pillow: ["pil"],
  scikit_learn: ["sklearn"],
  python_dateutil: ["dateutil"],
  opencv_python: ["cv2"],
  opencv_python_headless: ["cv2"],
  protobuf: ["google"],
  python_dotenv: ["dotenv"],
  psycopg2_binary: ["psycopg2"],
  psycopg_binary: ["psycopg"],
  attrs: ["attr", "attrs"],
  pyjwt: ["jwt"],
  pycryptodome: ["crypto"],
  pyzmq: ["zmq"],
  grpcio: ["grpc"],
  python_multipart: ["multipart"],
  faiss_cpu: ["faiss"],
  pymupdf: ["fitz"],
  msgpack_python: ["msgpack"],
  typing_extensions: ["typing_extensions"],
  google_cloud_storage: ["google"],
  google_api_python_client: ["googleapiclient"],
  discord_py: ["discord"],
};

function normPy(name: string): string {
  return name.toLowerCase().replace(/[-.]+/g, "_");
}

/** The package name of a requirement string such as `requests[socks]>=2; python_version>"3"`. */
export function requirementName(req: string): string | null {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
  return m ? m[1] : null;
}

async function findUndeclared(
  root: string,
  allFiles: string[],
  packages: Analysis["packages"],
): Promise<Undeclared[]> {
  if (packages.length === 0) return [];
  const jsManifests = allFiles.filter((f) =>
    /(^|\/)(package\.json|deno\.jsonc?|tsconfig\.json|jsconfig\.json)$/.test(f)
  );
  const pyManifests = allFiles.filter((f) =>
    /(^|\/)(requirements[^/]*\.(txt|in)|pyproject\.toml|Pipfile|setup\.cfg|setup\.py)$/.test(f) ||
    /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(f)
  );
  const jsDeclared = new Map<string, Set<string>>();
  for (const m of jsManifests) {
    jsDeclared.set(m, jsNames(await readTextOrNull(join(root, m)) ?? "", m));
  }
  const pyDeclared = new Set<string>();
  for (const m of pyManifests) {
    for (const n of await pyNames(await readTextOrNull(join(root, m)) ?? "", m)) {
      const norm = normPy(n);
      pyDeclared.add(norm);
      for (const alias of PY_IMPORT_NAMES[norm] ?? []) pyDeclared.add(alias);
    }
  }
  const out: Undeclared[] = [];
  for (const p of packages) {
    if (p.lang === "py") {
      if (pyDeclared.has(normPy(p.package))) continue;
      out.push({ file: p.file, line: p.line, package: p.package, manifests: pyManifests });
      continue;
    }
    // JS: the manifests in the file's folder and its ancestors (monorepos).
    const applicable = jsManifests.filter((m) => {
      const d = dirname(m);
      return d === "." || p.file.startsWith(d + "/");
    });
    const declared = applicable.some((m) => {
      const names = jsDeclared.get(m)!;
      return names.has(p.package) ||
        names.has(`@types/${p.package.replace(/^@/, "").replace("/", "__")}`);
    });
    if (!declared) {
      out.push({
        file: p.file,
        line: p.line,
        package: p.package,
        manifests: applicable.filter((m) => !/config\.json$/.test(m)),
      });
    }
  }
  return out;
}

/** Strips `//` and `/* *\/` comments and trailing commas from JSONC. */
export function stripJsonc(text: string): string {
  let out = "";
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inStr = false;
    } else if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, "$1");
}

function jsNames(text: string, file: string): Set<string> {
  const names = new Set<string>();
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(stripJsonc(text));
  } catch {
    return names;
  }
  const keys = (v: unknown) => (v && typeof v === "object" ? Object.keys(v) : []);
  if (file.endsWith("package.json")) {
    if (typeof data.name === "string") names.add(data.name);
    for (
      const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]
    ) {
      for (const k of keys(data[field])) names.add(k);
    }
  } else if (/deno\.jsonc?$/.test(file)) {
    if (typeof data.name === "string") names.add(data.name);
    for (const k of keys(data.imports)) {
      names.add(k.replace(/\/$/, ""));
      const pkg = jsPackage(k.replace(/\/$/, ""));
      if (pkg) names.add(pkg);
    }
  } else {
    const paths = (data.compilerOptions as Record<string, unknown> | undefined)?.paths;
    for (const k of keys(paths)) names.add(k.replace(/\/\*$/, "").split("/")[0]);
  }
  return names;
}

async function pyNames(text: string, file: string): Promise<string[]> {
  const names: string[] = [];
  if (/\.(txt|in)$/.test(file)) {
    for (const raw of text.split("\n")) {
      const line = raw.replace(/#.*/, "").trim();
      if (!line || line.startsWith("-")) continue;
      const n = requirementName(line);
      if (n) names.push(n);
    }
    return names;
  }
  if (file.endsWith("setup.py") || file.endsWith("setup.cfg")) {
    // install_requires=[...] / install_requires = lines: the quoted or listed requirement names.
    const block = /install_requires\s*=\s*\[([\s\S]*?)\]/.exec(text)?.[1] ??
      /install_requires\s*=\s*\n((?:[ \t]+\S.*\n?)+)/.exec(text)?.[1] ?? "";
    for (const m of block.matchAll(/["']?([A-Za-z0-9][A-Za-z0-9._-]*)[^"'\n,]*["']?/g)) {
      names.push(m[1]);
    }
    return names;
  }
  // pyproject.toml and Pipfile, read with a TOML parser.
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch {
    return names;
  }
  const obj = (v: unknown): Record<string, unknown> =>
    v && typeof v === "object" && !Array.isArray(v) ? v as Record<string, unknown> : {};
  const reqs = (v: unknown) => {
    if (!Array.isArray(v)) return;
    for (const r of v) {
      const n = typeof r === "string" ? requirementName(r) : null;
      if (n) names.push(n);
    }
  };
  const keys = (v: unknown) => {
    for (const k of Object.keys(obj(v))) if (k !== "python") names.push(k);
  };
  if (file.endsWith("Pipfile")) {
    keys(doc.packages);
    keys(doc["dev-packages"]);
    return names;
  }
  const project = obj(doc.project);
  reqs(project.dependencies);
  for (const group of Object.values(obj(project["optional-dependencies"]))) reqs(group);
  for (const group of Object.values(obj(doc["dependency-groups"]))) reqs(group);
  const poetry = obj(obj(doc.tool).poetry);
  keys(poetry.dependencies);
  keys(poetry["dev-dependencies"]);
  for (const group of Object.values(obj(poetry.group))) keys(obj(group).dependencies);
  reqs(obj(doc["build-system"]).requires);
  return names;
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
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (adj.get(v) ?? []).includes(v)) sccs.push(comp.sort());
    }
  };
  for (const v of [...adj.keys()].sort()) if (!idx.has(v)) strong(v);
  return sccs.map((comp) => cyclePath(comp, adj)).sort((a, b) => a[0].localeCompare(b[0]));
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
