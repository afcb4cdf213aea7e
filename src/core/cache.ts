/**
 * A cache of what `br` derives from its project files (the status and STATUS.md from
 * `features.json`, the parsed `config.yaml` and `governance.yaml`), so that they are not
 * parsed again while they have not changed.
 *
 * Entries live in `.buildrunner/cache/` (which ignores itself in git) and are keyed by the
 * source file's identity: size, modification and change times, inode. `br` replaces its files
 * by rename, so every write of its own gives a new inode. A file changed less than
 * {@link RACY_MS} before the entry would be written is not cached ("racily clean", as git
 * says): a second change within the same timestamp tick could otherwise go unnoticed.
 * Anything unexpected in an entry (missing, other key, other format, unreadable) is a miss.
 * The key is taken before the file is read, so an entry is never older than its key.
 *
 * @module
 */
import { writeFileAtomic } from "./fs.ts";
import { join } from "./path.ts";

/** How old a features file must be before what is derived from it is cached. */
export const RACY_MS = 2000;
const FORMAT = 1;

/** The identity of a file, or null when it does not exist. */
export async function fileKey(path: string): Promise<string | null> {
  try {
    const s = await Deno.stat(path);
    return [
      FORMAT,
      s.size,
      s.mtime?.getTime() ?? "",
      s.ctime?.getTime() ?? "",
      s.ino ?? "",
      s.dev,
    ].join(":");
  } catch {
    return null;
  }
}

/** True when a file with this key is old enough to cache what is derived from it. */
function settled(key: string, now: number): boolean {
  const [, , mtime, ctime] = key.split(":").map(Number);
  return Number.isFinite(mtime) && now - Math.max(mtime, ctime || 0) >= RACY_MS;
}

/**
 * The cached value `name` derived from features.json as it is now, or null. The first line
 * of an entry is the key it was derived under.
 */
export async function readCached(cacheDir: string, key: string, name: string): Promise<
  string | null
> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(cacheDir, name));
  } catch {
    return null;
  }
  const nl = text.indexOf("\n");
  return nl > 0 && text.slice(0, nl) === key ? text.slice(nl + 1) : null;
}

/**
 * Stores `value` derived under `key`, when the file is settled; failures are ignored (a cache
 * must never make a command fail).
 */
export async function writeCached(
  cacheDir: string,
  key: string,
  name: string,
  value: string,
): Promise<void> {
  if (!settled(key, Date.now())) return;
  try {
    const dir = cacheDir;
    const ignore = join(dir, ".gitignore");
    try {
      await Deno.lstat(ignore);
    } catch {
      await writeFileAtomic(ignore, "# br's cache: derived data, never committed\n*\n", {
        durable: false,
      });
    }
    await writeFileAtomic(join(dir, name), `${key}\n${value}`, { durable: false });
  } catch {
    // A read-only checkout or a full disk: the next run computes again.
  }
}

/** True when `v` survives a JSON round trip unchanged (no dates, functions, NaN...). */
function jsonSafe(v: unknown): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(jsonSafe);
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.values(v as Record<string, unknown>).every(jsonSafe);
  }
  return false;
}

/**
 * Reads and parses the file at `path` (`parse` turns its text into a value), or returns the
 * value cached for the file as it is now. Null when the file does not exist. Values that do
 * not survive JSON (a YAML date, say) are not cached.
 */
export async function readParsedCached(
  cacheDir: string,
  path: string,
  name: string,
  parse: (text: string) => unknown | Promise<unknown>,
): Promise<{ text: string | null; value: unknown } | null> {
  const key = await fileKey(path);
  if (key === null) return null;
  const hit = await readCached(cacheDir, key, name);
  if (hit !== null) {
    try {
      return { text: null, value: JSON.parse(hit) };
    } catch {
      // A damaged entry is a miss.
    }
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  const value = await parse(text);
  if (jsonSafe(value)) await writeCached(cacheDir, key, name, JSON.stringify(value));
  return { text, value };
}
