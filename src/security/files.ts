import { join, relative, resolve, sep } from "../core/path.ts";
import { VENDORED_DIRS } from "../core/walk.ts";
import { BrError } from "../core/errors.ts";
import type { ScanSkipped } from "./types.ts";

/** One text to scan: a repo-relative path, its content and, for history, the commit. */
export interface ScanUnit {
  /** The raw content, when read from disk or git (see {@link unitText}). */
  bytes?: Uint8Array;
  /** Repo-relative path with `/` separators. */
  file: string;
  /** The text: given, or decoded from `bytes` on first use by {@link unitText}. */
  text?: string;
  /** Commit of a history scan, else null. */
  commit: string | null;
  /** 1-based line numbers of the text's lines in the file (history hunks), else null. */
  lineMap: number[] | null;
}

/**
 * The text of a unit, decoded from its bytes on first use. Files in which no rule keyword
 * occurs (and no SQL check applies) are never decoded: less work, and less garbage.
 */
export function unitText(unit: ScanUnit): string {
  return unit.text ??= decoder.decode(unit.bytes);
}

/** Default size limit of one file (bytes). */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;

const decoder = new TextDecoder();

export { VENDORED_DIRS } from "../core/walk.ts";

// Never entered and not counted: git's data, and br's own worktrees, records and database.
const OWN_DIRS = new Set([".git"]);
// (the baseline holds fingerprints, `<rule>:<hex>`, which look like assignments of secrets)
const OWN_PATHS = [
  ".buildrunner/worktrees",
  ".buildrunner/context",
  ".buildrunner/security-baseline.json",
];

/** True for br's own files the scanner never reads (worktrees, records, the baseline). */
export function ownPath(rel: string): boolean {
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
    bytes: done.bytes,
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
