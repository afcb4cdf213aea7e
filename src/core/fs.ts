import { basename, dirname, join } from "./path.ts";
import { BrError } from "./errors.ts";

/** True when `path` exists (file or folder). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
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

/** Reads a text file, or returns `null` when it does not exist. */
export async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new BrError("storage", `Cannot read "${path}": ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Writes `data` to `path` atomically: a temp file in the same folder, flushed to disk, then
 * renamed over the target. A reader (or a crash) sees the old file or the new one, never a mix.
 * `durable: false` skips the flush (derived files that can be rebuilt, such as caches).
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
    await Deno.mkdir(dir, { recursive: true });
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      if (options.durable !== false) await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
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
  data: string,
  options: { durable?: boolean } = {},
): Promise<boolean> {
  const current = await readTextOrNull(path);
  if (current === data) return false;
  await writeFileAtomic(path, data, options);
  return true;
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
