import { join, relative, resolve, sep } from "node:path";
import { BrError } from "../core/errors.ts";
import { git, gitOk } from "../core/git.ts";
import type { ScanSkipped } from "./types.ts";

/** One text to scan: a repo-relative path, its content and, for history, the commit. */
export interface ScanUnit {
  /** Repo-relative path with `/` separators. */
  file: string;
  /** The text. */
  text: string;
  /** Commit of a history scan, else null. */
  commit: string | null;
  /** 1-based line numbers of the text's lines in the file (history hunks), else null. */
  lineMap: number[] | null;
}

/** Default size limit of one file (bytes). */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

const decoder = new TextDecoder();

/**
 * Vendored and generated folders the scanner does not enter (counted as `vendored`): the
 * SKIP_DIRS of src/project/detect.ts (a test keeps both lists equal) except `.buildrunner/`,
 * which the scanner enters because config.yaml is committed and may hold a webhook URL. It
 * is copied rather than imported to keep the project module (and zod) off the pre-commit path.
 */
export const VENDORED_DIRS: ReadonlySet<string> = new Set([
  "node_modules",
  "vendor",
  "dist",
  "build",
  "target",
  ".venv",
  "venv",
  "__pycache__",
  ".next",
  ".nuxt",
  "coverage",
  ".cache",
  ".tox",
  ".mypy_cache",
  ".pytest_cache",
  "third_party",
]);

// Never entered and not counted: git's data, and br's own worktrees, records and database.
const OWN_DIRS = new Set([".git"]);
// (the baseline holds fingerprints, `<rule>:<hex>`, which look like assignments of secrets)
const OWN_PATHS = [
  ".buildrunner/worktrees",
  ".buildrunner/context",
  ".buildrunner/security-baseline.json",
];

function ownPath(rel: string): boolean {
  return OWN_PATHS.some((p) => rel === p || rel.startsWith(p + "/"));
}

/** True when `bytes` look binary (a NUL byte in the first 8000 bytes, as git decides). */
export function isBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8000);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/** The repo-relative, `/`-separated form of an absolute path. */
export function toRel(root: string, abs: string): string {
  const rel = relative(root, abs);
  return sep === "/" ? rel : rel.split(sep).join("/");
}

// Read-ahead holds raw bytes (off the JS heap); text is decoded only when its turn comes, so
// few large strings survive a young-generation GC and peak memory stays flat with tree size.
type Loaded = { kind: "text"; abs: string; bytes: Uint8Array } | {
  kind: "binary" | "large" | "gone";
};

/** How many files are read ahead while the current one is scanned. */
const READ_AHEAD = 4;

/**
 * Walks `paths` (files or folders) and yields each text file in path order, reading a few
 * files ahead while the current one is scanned, so memory stays flat whatever the size of
 * the tree. Vendored folders, binary and huge files are skipped and counted in `skipped`.
 *
 * @throws {BrError} `not_found` for an explicit path that does not exist.
 */
export async function* walkFiles(
  root: string,
  paths: readonly string[],
  skipped: ScanSkipped,
  maxBytes: number,
): AsyncGenerator<ScanUnit> {
  const load = async (abs: string): Promise<Loaded> => {
    try {
      const info = await Deno.stat(abs);
      if (info.size > maxBytes) return { kind: "large" };
      const bytes = await Deno.readFile(abs);
      if (isBinary(bytes)) return { kind: "binary" };
      return { kind: "text", abs, bytes };
    } catch {
      return { kind: "gone" };
    }
  };
  const unit = (done: { abs: string; bytes: Uint8Array }): ScanUnit => ({
    file: toRel(root, done.abs),
    text: decoder.decode(done.bytes),
    commit: null,
    lineMap: null,
  });
  const queue: Promise<Loaded>[] = [];
  for await (const abs of listFiles(root, paths, skipped)) {
    queue.push(load(abs));
    if (queue.length >= READ_AHEAD) {
      const done = await queue.shift()!;
      if (done.kind === "text") yield unit(done);
      else if (done.kind !== "gone") skipped[done.kind]++;
    }
  }
  while (queue.length) {
    const done = await queue.shift()!;
    if (done.kind === "text") yield unit(done);
    else if (done.kind !== "gone") skipped[done.kind]++;
  }
}

async function* listFiles(
  root: string,
  paths: readonly string[],
  skipped: ScanSkipped,
): AsyncGenerator<string> {
  async function* dir(abs: string): AsyncGenerator<string> {
    if (ownPath(toRel(root, abs))) return;
    const dirs: string[] = [];
    const files: string[] = [];
    try {
      for await (const e of Deno.readDir(abs)) {
        if (e.isSymlink) continue;
        if (e.isDirectory) {
          if (VENDORED_DIRS.has(e.name)) skipped.vendored++;
          else if (!OWN_DIRS.has(e.name)) dirs.push(e.name);
        } else if (
          e.isFile && !ownPath(toRel(root, join(abs, e.name))) &&
          !/^br\.db(?:-wal|-shm|-journal)?$|^\.lock$/.test(e.name)
        ) {
          files.push(e.name);
        }
      }
    } catch {
      return;
    }
    const names = [...dirs.map((d) => [d, true] as const), ...files.map((f) => [f, false] as const)]
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [name, isDir] of names) {
      if (isDir) yield* dir(join(abs, name));
      else yield join(abs, name);
    }
  }
  for (const p of paths) {
    const abs = resolve(root, p);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(abs);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new BrError("not_found", `Cannot find "${abs}"`, {
          hint: "pass files or folders that exist",
        });
      }
      throw err;
    }
    if (info.isDirectory) yield* dir(abs);
    else if (info.isFile) yield abs;
  }
}

/** Reads many git objects through one `git cat-file --batch` process. */
async function* catFileBatch(
  cwd: string,
  names: string[],
): AsyncGenerator<{ name: string; bytes: Uint8Array | null }> {
  if (names.length === 0) return;
  const child = new Deno.Command("git", {
    args: ["cat-file", "--batch"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const input = new TextEncoder().encode(names.join("\n") + "\n");
  const writing = writer.write(input).then(() => writer.close());
  const reader = child.stdout.getReader();
  let buf = new Uint8Array(0);
  let done = false;
  const need = async (n: number) => {
    while (buf.length < n && !done) {
      const r = await reader.read();
      if (r.done) done = true;
      else {
        const next = new Uint8Array(buf.length + r.value.length);
        next.set(buf);
        next.set(r.value, buf.length);
        buf = next;
      }
    }
  };
  for (const name of names) {
    let nl = -1;
    while ((nl = buf.indexOf(10)) === -1 && !done) await need(buf.length + 1);
    if (nl === -1) break;
    const header = decoder.decode(buf.subarray(0, nl));
    buf = buf.subarray(nl + 1);
    const m = header.match(/^\S+ (\w+) (\d+)$/);
    if (!m) {
      yield { name, bytes: null };
      continue;
    }
    const size = Number(m[2]);
    await need(size + 1);
    const bytes = buf.slice(0, size);
    buf = buf.subarray(size + 1);
    yield { name, bytes: m[1] === "blob" ? bytes : null };
  }
  await writing.catch(() => {});
  await reader.cancel().catch(() => {});
  await child.status;
}

/** The git top-level folder of `root`, or null outside git. */
async function gitTop(root: string): Promise<string | null> {
  const res = await git(["rev-parse", "--show-toplevel"], { cwd: root });
  return res.code === 0 ? res.stdout.trim() : null;
}

function vendored(file: string): boolean {
  return file.split("/").slice(0, -1).some((d) => VENDORED_DIRS.has(d));
}

/**
 * Yields the staged content (the index, not the work tree) of every added, copied,
 * modified or renamed file.
 *
 * @throws {BrError} `external` outside a git repository.
 */
export async function* stagedFiles(
  root: string,
  skipped: ScanSkipped,
  maxBytes: number,
): AsyncGenerator<ScanUnit> {
  const top = await gitTop(root);
  if (!top) {
    throw new BrError("external", `"${root}" is not in a git repository`, {
      hint: "--staged and br security check need git",
    });
  }
  const out = await gitOk(
    ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"],
    { cwd: top },
  );
  const files = out.split("\0").filter(Boolean).filter((f) => {
    if (f.includes("\n") || ownPath(toRel(root, join(top, f)))) return false;
    if (vendored(f)) {
      skipped.vendored++;
      return false;
    }
    return true;
  }).sort();
  const prefix = toRel(top, root);
  for await (const { name, bytes } of catFileBatch(top, files.map((f) => `:${f}`))) {
    if (!bytes) continue;
    if (bytes.length > maxBytes) {
      skipped.large++;
      continue;
    }
    if (isBinary(bytes)) {
      skipped.binary++;
      continue;
    }
    const path = name.slice(1);
    const file = prefix && prefix !== "" ? toRel(root, join(top, path)) : path;
    yield { file, text: decoder.decode(bytes), commit: null, lineMap: null };
  }
}

/**
 * Yields the lines added by each of the last `n` commits of `HEAD` (one unit per commit and
 * file, with the line numbers they have in that commit), streaming one `git log -p` so that
 * memory does not grow with the history. Merge commits add no lines of their own.
 *
 * @throws {BrError} `external` outside a git repository or when git fails.
 */
export async function* historyUnits(
  root: string,
  n: number,
  skipped: ScanSkipped,
): AsyncGenerator<ScanUnit> {
  const top = await gitTop(root);
  if (!top) {
    throw new BrError("external", `"${root}" is not in a git repository`, {
      hint: "--history needs git",
    });
  }
  const head = await git(["rev-parse", "--verify", "-q", "HEAD"], { cwd: top });
  if (head.code !== 0) return;
  const child = new Deno.Command("git", {
    args: [
      "-c",
      "core.quotePath=false",
      "log",
      "-p",
      "-U0",
      "--no-color",
      "--no-ext-diff",
      "--no-renames",
      "--format=%x00%H",
      `--max-count=${n}`,
      "HEAD",
    ],
    cwd: top,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const parser = new DiffParser(root, top, skipped);
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    let from = 0;
    while ((nl = rest.indexOf("\n", from)) !== -1) {
      yield* parser.line(rest.slice(from, nl));
      from = nl + 1;
    }
    rest = rest.slice(from);
  }
  if (rest) yield* parser.line(rest);
  yield* parser.flush();
  const status = await child.status;
  if (!status.success) {
    throw new BrError("external", `git log failed: ${(await stderr).trim().split("\n")[0]}`, {
      hint: `run "git log -p -${n}" in ${top} to see the full message`,
    });
  }
}

function unquote(path: string): string {
  const p = path.replace(/\t$/, "");
  if (!p.startsWith('"')) return p;
  try {
    return JSON.parse(p);
  } catch {
    return p.slice(1, -1);
  }
}

/** Turns `git log -p -U0` lines into the added lines of each commit and file. */
class DiffParser {
  #commit: string | null = null;
  #file: string | null = null;
  #inHeader = false;
  #lines: string[] = [];
  #map: number[] = [];
  #next = 0;

  constructor(
    readonly root: string,
    readonly top: string,
    readonly skipped: ScanSkipped,
  ) {}

  *flush(): Generator<ScanUnit> {
    if (this.#file !== null && this.#lines.length && this.#commit) {
      yield {
        file: toRel(this.root, join(this.top, this.#file)),
        text: this.#lines.join("\n"),
        commit: this.#commit,
        lineMap: this.#map,
      };
    }
    this.#lines = [];
    this.#map = [];
  }

  *line(raw: string): Generator<ScanUnit> {
    if (raw.startsWith("\0")) {
      yield* this.flush();
      this.#commit = raw.slice(1).trim();
      this.#file = null;
      this.#inHeader = false;
    } else if (raw.startsWith("diff --git ")) {
      yield* this.flush();
      this.#file = null;
      this.#inHeader = true;
    } else if (this.#inHeader) {
      if (raw.startsWith("+++ ")) {
        const p = unquote(raw.slice(4));
        const file = p === "/dev/null" ? null : p.replace(/^b\//, "");
        if (file && ownPath(toRel(this.root, join(this.top, file)))) this.#file = null;
        else if (file && vendored(file)) {
          this.skipped.vendored++;
          this.#file = null;
        } else this.#file = file;
      } else if (raw.startsWith("Binary files ")) {
        this.skipped.binary++;
      } else if (raw.startsWith("@@")) {
        this.#inHeader = false;
        this.#hunk(raw);
      }
    } else if (raw.startsWith("@@")) {
      this.#hunk(raw);
    } else if (raw.startsWith("+") && this.#file !== null) {
      this.#lines.push(raw.slice(1));
      this.#map.push(this.#next++);
    }
  }

  #hunk(raw: string): void {
    const m = raw.match(/\+(\d+)/);
    this.#next = m ? Number(m[1]) : 0;
  }
}
