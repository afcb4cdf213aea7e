import { basename, dirname, join } from "./path.ts";
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
 * Writes `data` to `path` atomically: a temp file in the same folder, flushed to disk, then
 * renamed over the target. A reader (or a crash) sees the old file or the new one, never a mix.
 * `durable: false` skips the flush (derived files that can be rebuilt, such as caches).
 * Files are opened, written and renamed with synchronous calls: each asynchronous file
 * operation costs a hop to a worker thread (the first one starts that thread), more than
 * writing a small file takes. Only the flush is asynchronous.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: { durable?: boolean } = {},
): Promise<void> {
  const dir = dirname(path);
  // A unique name (createNew fails rather than sharing one); Math.random spares loading
  // the crypto module on the start-up path.
  const tag = `${Deno.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(dir, `.${basename(path)}.${tag}.tmp`);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const file = Deno.openSync(tmp, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
      if (options.durable !== false) await file.syncData();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new BrError("storage", `Cannot write "${path}": ${(err as Error).message}`, {
      cause: err,
      hint: "check that the folder exists and is writable",
    });
  }
}

/**
 * Writes `data` atomically only when the file content differs (`durable` as for
 * {@link writeFileAtomic}). Returns true when written.
 */
export async function writeIfChanged(
  path: string,
  data: string | Uint8Array,
  options: { durable?: boolean } = {},
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
