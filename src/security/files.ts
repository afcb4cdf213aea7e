import { join, relative, resolve, sep } from "node:path";
import { BrError } from "../core/errors.ts";
import { git, gitOk } from "../core/git.ts";
import { SKIP_DIRS } from "../project/mod.ts";
import type { SkippedCounts } from "./types.ts";

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

// Skipped like vendored folders, but not counted as such: they are ours or git's.
const NOT_VENDORED = new Set([".git", ".buildrunner"]);

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

/**
 * Walks `paths` (files or folders) and yields each text file, one at a time, so memory
 * stays flat whatever the size of the tree. Vendored folders, binary and huge files are
 * skipped and counted in `skipped`.
 */
export async function* walkFiles(
  root: string,
  paths: readonly string[],
  skipped: SkippedCounts,
  maxBytes: number,
): AsyncGenerator<ScanUnit> {
  const worktrees = join(root, ".buildrunner", "worktrees");
  async function* visit(abs: string, explicit: boolean): AsyncGenerator<ScanUnit> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(abs);
    } catch (err) {
      if (explicit && err instanceof Deno.errors.NotFound) {
        throw new BrError("not_found", `Cannot find "${abs}"`, {
          hint: "pass files or folders that exist",
        });
      }
      return;
    }
    if (info.isSymlink) return;
    if (info.isDirectory) {
      if (abs === worktrees || abs.startsWith(worktrees + sep)) return;
      const names: string[] = [];
      for await (const e of Deno.readDir(abs)) {
        if (e.isDirectory && SKIP_DIRS.has(e.name)) {
          if (!NOT_VENDORED.has(e.name)) skipped.vendored++;
          continue;
        }
        names.push(e.name);
      }
      names.sort();
      for (const name of names) yield* visit(join(abs, name), false);
      return;
    }
    if (!info.isFile) return;
    if (info.size > maxBytes) {
      skipped.large++;
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(abs);
    } catch {
      return;
    }
    if (isBinary(bytes)) {
      skipped.binary++;
      return;
    }
    yield { file: toRel(root, abs), text: decoder.decode(bytes), commit: null, lineMap: null };
  }
  for (const p of paths) yield* visit(resolve(root, p), true);
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
  return file.split("/").slice(0, -1).some((d) => SKIP_DIRS.has(d)) ||
    file.startsWith(".buildrunner/worktrees/");
}

/**
 * Yields the staged content (the index, not the work tree) of every added, copied,
 * modified or renamed file.
 *
 * @throws {BrError} `external` outside a git repository.
 */
export async function* stagedFiles(
  root: string,
  skipped: SkippedCounts,
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
    if (f.includes("\n")) return false;
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
 * Yields the lines added by each of the last `n` commits (of `HEAD`), one unit per commit
 * and file, with the line numbers they have in that commit.
 *
 * @throws {BrError} `external` outside a git repository.
 */
export async function* historyUnits(
  root: string,
  n: number,
  skipped: SkippedCounts,
): AsyncGenerator<ScanUnit> {
  const top = await gitTop(root);
  if (!top) {
    throw new BrError("external", `"${root}" is not in a git repository`, {
      hint: "--history needs git",
    });
  }
  const head = await git(["rev-parse", "--verify", "-q", "HEAD"], { cwd: top });
  if (head.code !== 0) return;
  const revs = (await gitOk(["rev-list", `--max-count=${n}`, "HEAD"], { cwd: top }))
    .split("\n").filter(Boolean);
  for (const rev of revs) {
    const diff = await gitOk(
      ["show", "--format=", "--no-color", "--no-ext-diff", "-U0", "--no-renames", rev],
      { cwd: top },
    );
    yield* parseDiff(diff, rev, root, top, skipped);
  }
}

function* parseDiff(
  diff: string,
  commit: string,
  root: string,
  top: string,
  skipped: SkippedCounts,
): Generator<ScanUnit> {
  let file: string | null = null;
  let lines: string[] = [];
  let map: number[] = [];
  let next = 0;
  const flush = function* (): Generator<ScanUnit> {
    if (file !== null && lines.length) {
      yield { file: toRel(root, join(top, file)), text: lines.join("\n"), commit, lineMap: map };
    }
    lines = [];
    map = [];
  };
  for (const raw of diff.split("\n")) {
    if (raw.startsWith("diff --git ")) {
      yield* flush();
      file = null;
    } else if (raw.startsWith("+++ ")) {
      const p = raw.slice(4);
      file = p === "/dev/null" ? null : p.replace(/^b\//, "");
      if (file && vendored(file)) {
        skipped.vendored++;
        file = null;
      }
    } else if (raw.startsWith("Binary files ")) {
      skipped.binary++;
    } else if (raw.startsWith("@@")) {
      const m = raw.match(/\+(\d+)/);
      next = m ? Number(m[1]) : 0;
    } else if (raw.startsWith("+") && file !== null) {
      lines.push(raw.slice(1));
      map.push(next++);
    }
  }
  yield* flush();
}
