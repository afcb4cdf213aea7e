import { relative, resolve, sep } from "../core/path.ts";
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
  // derived copies (the parsed config.yaml is scanned as config.yaml) and spooled events
  ".buildrunner/cache",
  ".buildrunner/spool",
  ".buildrunner/security-baseline.json",
];

/** True for br's own files the scanner never reads (worktrees, records, the baseline). */
export function ownPath(rel: string): boolean {
  return OWN_PATHS.some((p) => rel === p || rel.startsWith(p + "/"));
}

/** True when `bytes` look binary (a NUL byte in the first 8000 bytes, as git decides). */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8000).indexOf(0) !== -1;
}

/** The repo-relative, `/`-separated form of an absolute path. */
export function toRel(root: string, abs: string): string {
  const rel = relative(root, abs);
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** A file read for scanning, or why it was not. */
export type LoadedFile = { kind: "text"; abs: string; bytes: Uint8Array } | {
  kind: "binary" | "large" | "gone";
};

/**
 * Reads files for scanning, synchronously and into one buffer reused from file to file (the
 * bytes returned are valid until the next call): much cheaper than an async read per file,
 * and reading allocates nothing.
 */
export class FileLoader {
  #buf = new Uint8Array(64 * 1024);

  /** Reads `abs`: `large` over `maxBytes`, `binary` with a NUL byte early, `gone` on error. */
  load(abs: string, maxBytes: number): LoadedFile {
    let file: Deno.FsFile | undefined;
    try {
      file = Deno.openSync(abs);
      const size = file.statSync().size;
      if (size > maxBytes) return { kind: "large" };
      // one byte more than the size, to see the end of the file in one read
      if (this.#buf.length <= size) {
        this.#buf = new Uint8Array(Math.max(size + 1, this.#buf.length * 2));
      }
      let n = 0;
      while (true) {
        if (n === this.#buf.length) {
          // the file grew while being read
          const next = new Uint8Array(this.#buf.length * 2);
          next.set(this.#buf);
          this.#buf = next;
        }
        const r = file.readSync(this.#buf.subarray(n));
        if (r === null || r === 0) break;
        n += r;
      }
      if (n > maxBytes) return { kind: "large" };
      const bytes = this.#buf.subarray(0, n);
      if (isBinary(bytes)) return { kind: "binary" };
      return { kind: "text", abs, bytes };
    } catch {
      return { kind: "gone" };
    } finally {
      file?.close();
    }
  }
}

/**
 * The files under `paths` (files or folders) in path order, as absolute paths: vendored
 * folders are counted in `skipped` and not entered; git's data and br's own files are left
 * out. Symbolic links are not followed.
 *
 * @throws {BrError} `not_found` for an explicit path that does not exist.
 */
export async function* listFiles(
  root: string,
  paths: readonly string[],
  skipped: ScanSkipped,
): AsyncGenerator<string> {
  // Paths are built by hand (a folder's path is normalized already; a name has no separator):
  // `join` and `relative` for each file of a large tree cost more than reading its folders.
  const child = (abs: string, name: string) => abs.endsWith(sep) ? abs + name : abs + sep + name;
  async function* dir(abs: string, rel: string): AsyncGenerator<string> {
    if (ownPath(rel)) return;
    const under = rel === "" ? "" : rel + "/";
    const dirs: string[] = [];
    const files: string[] = [];
    try {
      // (synchronous: an asynchronous read costs a hop to a worker thread per folder)
      for (const e of Deno.readDirSync(abs)) {
        if (e.isSymlink) continue;
        if (e.isDirectory) {
          if (VENDORED_DIRS.has(e.name)) skipped.vendored++;
          else if (!OWN_DIRS.has(e.name)) dirs.push(e.name);
        } else if (
          e.isFile && !ownPath(under + e.name) &&
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
      if (isDir) yield* dir(child(abs, name), under + name);
      else yield child(abs, name);
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
    if (info.isDirectory) yield* dir(abs, toRel(root, abs));
    else if (info.isFile) yield abs;
  }
}
