import { basename, dirname, join, sep } from "./path.ts";
import { BrError } from "./errors.ts";

/**
 * True when `path` exists (file or folder). Synchronous underneath, as
 * {@link readTextOrNull}.
 */
export function exists(path: string): Promise<boolean> {
  try {
    return Promise.resolve(existsSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** Synchronous {@link exists}. */
export function existsSync(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * {@link existsSync} of `join(dir, ...names)` for a folder `dir` that exists, found by listing
 * the folders on the way instead of a stat: a missing path throws no exception underneath (a
 * process's first one costs about 0.3 ms, a tenth of a warm `br status`). A path through
 * anything but folders, or a folder that cannot be listed, is left to {@link existsSync}.
 */
export function existsIn(dir: string, ...names: string[]): boolean {
  let at = dir;
  for (const [i, name] of names.entries()) {
    let entry: Deno.DirEntry | undefined;
    try {
      for (const e of Deno.readDirSync(at)) {
        if (e.name === name) {
          entry = e;
          break;
        }
      }
    } catch {
      return existsSync(join(dir, ...names));
    }
    if (entry === undefined) return false;
    if (i === names.length - 1) break;
    if (!entry.isDirectory) return existsSync(join(dir, ...names));
    at = join(at, name);
  }
  return true;
}

/**
 * Reads a text file, or returns `null` when it does not exist. The read is synchronous (see
 * {@link writeFileAtomic}); the promise is for callers that do not care.
 */
export function readTextOrNull(path: string): Promise<string | null> {
  try {
    return Promise.resolve(Deno.readTextFileSync(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return Promise.resolve(null);
    return Promise.reject(
      new BrError("storage", `Cannot read "${path}": ${(err as Error).message}`, {
        hint: "check that it is a file br may read",
        cause: err,
      }),
    );
  }
}

/**
 * Reads one of br's own data files (features.json, config, governance, the spec, files br
 * rewrites) as strict UTF-8, or returns `null` when it does not exist. Invalid UTF-8 is an
 * error rather than U+FFFD: br would otherwise write the replacement characters back. A
 * leading byte order mark is kept (as U+FEFF), so the text stands for the bytes one to one.
 * Synchronous underneath, as {@link readTextOrNull}. `label` names the file in messages.
 *
 * @throws {BrError} `invalid_data` for invalid UTF-8, `storage` when the file cannot be read.
 */
export function readOwnTextOrNull(path: string, label = `"${path}"`): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return Promise.resolve(null);
    return Promise.reject(
      new BrError("storage", `Cannot read ${label}: ${(err as Error).message}`, {
        cause: err,
        hint: "check that the file is readable (permissions, a folder in its place)",
      }),
    );
  }
  try {
    return Promise.resolve(ownUtf8.decode(bytes));
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = bytes[at].toString(16).toUpperCase().padStart(2, "0");
    return Promise.reject(
      new BrError(
        "invalid_data",
        `Cannot read ${label}: it is not valid UTF-8 (byte 0x${byte} at offset ${at})`,
        { hint: "the file was not changed; save it as UTF-8 or restore it with git" },
      ),
    );
  }
}

const ownUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The offset of the first byte that does not start a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80
      ? 1
      : b >= 0xc2 && b <= 0xdf
      ? 2
      : b >= 0xe0 && b <= 0xef
      ? 3
      : b >= 0xf0 && b <= 0xf4
      ? 4
      : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      ownUtf8.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return Math.max(0, bytes.length - 1);
}

/**
 * The glob that matches every temp file {@link writeFileAtomic} creates, in any folder
 * (`.<name>.br-<pid>-<random>.tmp`): `br init` and `br attach` put it in the root
 * `.gitignore`.
 */
export const TEMP_FILE_GLOB = ".*.br-*.tmp";
const TEMP_FILE = /^\..+\.br-(\d+)-[0-9a-z]+\.tmp$/;

/** Options of {@link writeFileAtomic}. */
export interface WriteOptions {
  /** False skips the flush to disk (derived files that can be rebuilt, such as caches). */
  durable?: boolean;
  /**
   * A folder (the project root) the file must really live in. With it, a symbolic link at
   * `path` is written through (its target replaced atomically, in the target's folder) when
   * its real target is inside this folder, and refused otherwise; a folder on the way that
   * links outside is refused too. Without it, a link at `path` is refused.
   */
  linksWithin?: string;
}

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, flushed to disk, then
 * renamed over the target. A reader (or a crash) sees the old file or the new one, never a mix.
 * The temp file is created exclusively (never through a link) and named
 * `.<name>.br-<pid>-<random>.tmp`, so one ignore rule ({@link TEMP_FILE_GLOB}) covers it and
 * the one a killed writer leaves is found again ({@link removeStaleTempFiles}). A link at
 * `path` is never replaced by a regular file: see {@link WriteOptions.linksWithin}.
 * Files are opened, written and renamed with synchronous calls: each asynchronous file
 * operation costs a hop to a worker thread (the first one starts that thread), more than
 * writing a small file takes. Only the flush is asynchronous.
 *
 * @throws {BrError} `invalid_data` for a link it must not follow, `storage` when the write
 * fails.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  await writeFileAtomicWith(path, (file) => {
    let written = 0;
    while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
  }, options);
}

/**
 * {@link writeFileAtomic} for content produced piece by piece (an export too large to hold
 * in memory): `fill` writes to the temp file, which then replaces `path` the same way. When
 * `fill` throws, the temp file is removed and `path` is left as it was.
 *
 * @throws {BrError} `invalid_data` for a link it must not follow, `storage` when the write
 * fails; what `fill` throws, as it is.
 */
export async function writeFileAtomicWith<T>(
  path: string,
  fill: (file: Deno.FsFile) => T | Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  const target = writeTarget(path, options.linksWithin);
  const dir = dirname(target);
  // A unique name (createNew fails rather than sharing one); Math.random spares loading
  // the crypto module on the start-up path.
  const tag = `${Deno.pid}-${Math.random().toString(36).slice(2, 8) || "0"}`;
  const tmp = join(dir, `.${basename(target)}.br-${tag}.tmp`);
  let result: T;
  let filling = false;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const file = Deno.openSync(tmp, { write: true, createNew: true });
    try {
      filling = true;
      result = await fill(file);
      filling = false;
      if (options.durable !== false) await file.syncData();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, target);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    if (filling) throw err;
    throw new BrError("storage", `Cannot write "${path}": ${(err as Error).message}`, {
      cause: err,
      hint: "check that the folder exists and is writable",
    });
  }
  return result;
}

/** The file to replace for `path` (see {@link WriteOptions.linksWithin}). */
function writeTarget(path: string, within: string | undefined): string {
  let info: Deno.FileInfo | null = null;
  try {
    info = Deno.lstatSync(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw storageError(path, err);
  }
  if (within === undefined) {
    if (!info?.isSymlink) return path;
    throw new BrError("invalid_data", `Cannot write "${path}": it is a symbolic link`, {
      hint: "br does not write through this link; replace it with a regular file",
    });
  }
  let real: string;
  try {
    real = info?.isSymlink
      ? Deno.realPathSync(path)
      : join(realPathOfNearest(dirname(path)), basename(path));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BrError("invalid_data", `Cannot write "${path}": it links to a missing file`, {
        hint: "replace the link with a regular file, or create its target inside the project",
      });
    }
    throw storageError(path, err);
  }
  if (!isInside(real, within)) {
    throw new BrError(
      "invalid_data",
      `Cannot write "${path}": it links to "${real}", outside the project`,
      { hint: "br writes through links only inside the project; replace it with a regular file" },
    );
  }
  return info?.isSymlink ? real : path;
}

function storageError(path: string, err: unknown): BrError {
  return new BrError("storage", `Cannot write "${path}": ${(err as Error).message}`, {
    cause: err,
    hint: "check that the folder exists and is writable",
  });
}

/** The real path of `dir`, or of its nearest existing ancestor joined with the rest. */
function realPathOfNearest(dir: string): string {
  try {
    return Deno.realPathSync(dir);
  } catch (err) {
    const parent = dirname(dir);
    if (!(err instanceof Deno.errors.NotFound) || parent === dir) throw err;
    return join(realPathOfNearest(parent), basename(dir));
  }
}

/** True when the real path `real` is `folder` (resolved) or inside it. */
export function isInside(real: string, folder: string): boolean {
  const root = realPathOfNearest(folder);
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Where `dir` really leads when that is outside the folder `levels` above it, else null. For
 * br's state folders (`.buildrunner/cache/`, `.buildrunner/spool/`, checked against the
 * project root): a link committed in their place, or in place of `.buildrunner`, would have
 * br write, or delete, files elsewhere.
 */
export function leadsOutside(dir: string, levels = 2): string | null {
  let top = dir;
  for (let i = 0; i < levels; i++) top = dirname(top);
  try {
    const real = realPathOfNearest(dir);
    return isInside(real, top) ? null : real;
  } catch {
    return null; // unreadable: whatever uses it fails on its own
  }
}

/**
 * Removes the temp files of writers that died before renaming them (see
 * {@link writeFileAtomic}) from the folders `dirs` (not below them): only names of br's
 * pattern whose process is gone. Cheap enough for every lock: one listing per folder.
 * Where processes cannot be looked up (no `/proc`), a temp file older than an hour counts
 * as left behind. Failures are ignored.
 */
export function removeStaleTempFiles(dirs: readonly string[]): void {
  for (const dir of dirs) {
    try {
      for (const entry of Deno.readDirSync(dir)) {
        const m = entry.isFile ? TEMP_FILE.exec(entry.name) : null;
        if (!m) continue;
        const path = join(dir, entry.name);
        if (!writerGone(Number(m[1]), path)) continue;
        try {
          Deno.removeSync(path);
        } catch {
          // Gone already, or not ours to remove.
        }
      }
    } catch {
      // No such folder, or not readable: nothing to clean.
    }
  }
}

let procMounted: boolean | undefined;

function writerGone(pid: number, path: string): boolean {
  if (pid === Deno.pid) return false;
  procMounted ??= existsSync("/proc/self");
  if (procMounted) return !existsSync(`/proc/${pid}`);
  try {
    const mtime = Deno.lstatSync(path).mtime?.getTime();
    return mtime !== undefined && Date.now() - mtime > 3_600_000;
  } catch {
    return false;
  }
}

/**
 * Writes `data` atomically only when the file content differs (options as for
 * {@link writeFileAtomic}). Returns true when written.
 */
export async function writeIfChanged(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<boolean> {
  if (typeof data === "string" ? (await readTextOrNull(path)) === data : holds(path, data)) {
    return false;
  }
  await writeFileAtomic(path, data, options);
  return true;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** True when the file at `path` holds exactly `bytes`. */
function holds(path: string, bytes: Uint8Array): boolean {
  let current: Uint8Array;
  try {
    if (Deno.statSync(path).size !== bytes.length) return false;
    current = Deno.readFileSync(path);
  } catch {
    return false;
  }
  if (current.length !== bytes.length) return false;
  try {
    // Strict UTF-8 decoding is one-to-one, and much faster than comparing byte by byte here.
    return strictUtf8.decode(current) === strictUtf8.decode(bytes);
  } catch {
    // Not UTF-8 (then not what br writes): compare the bytes.
    return current.every((b, i) => b === bytes[i]);
  }
}

/**
 * Gives a folder of `br`'s own state a `.gitignore` that ignores the whole folder (`# note`,
 * then `*`), so that it never shows up in git, whatever the project's own ignore rules.
 */
export async function ensureIgnoredFolder(dir: string, note: string): Promise<void> {
  const ignore = join(dir, ".gitignore");
  if (existsSync(ignore)) return;
  await writeFileAtomic(ignore, `# ${note}\n*\n`, { durable: false });
}
