import { dirname, join } from "../core/path.ts";
import { readTextOrNull } from "../core/fs.ts";
import type { Analysis, Undeclared } from "./_analysis.ts";

/**
 * Node's built-in modules (`builtinModules` of `node:module`, without `node:`). Listed here
 * because importing any `node:` module starts Deno's Node compatibility layer, which costs a
 * gate run more than its whole warm analysis; tests/quality/gaps_test.ts checks that the
 * list holds every name of `builtinModules`.
 */
export const NODE_BUILTINS: ReadonlySet<string> = new Set([
  "_http_agent",
  "_http_common",
  "_http_outgoing",
  "_http_server",
  "_stream_duplex",
  "_stream_passthrough",
  "_stream_readable",
  "_stream_transform",
  "_stream_writable",
  "_tls_common",
  "_tls_wrap",
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "inspector",
  "inspector/promises",
  "module",
  "net",
  "os",
  "path",
  "path/posix",
  "path/win32",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "readline/promises",
  "repl",
  "sea",
  "sqlite",
  "stream",
  "stream/consumers",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "sys",
  "test",
  "test/reporters",
  "timers",
  "timers/promises",
  "tls",
  "trace_events",
  "tty",
  "url",
  "util",
  "util/types",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
  "zlib",
]);

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

/** The package imports of `packages` that no manifest under `root` declares. */
export async function findUndeclared(
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
