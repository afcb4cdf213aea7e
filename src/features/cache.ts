/**
 * A cache of what `br status` and `br generate` derive from `features.json`, so that a large
 * project is not parsed again while the file has not changed.
 *
 * Entries live in `.buildrunner/cache/` (which ignores itself in git) and are keyed by the
 * file's identity: size, modification and change times, inode. `br` replaces features.json
 * by rename, so every write of its own gives a new inode. A file changed less than
 * {@link RACY_MS} before the entry would be written is not cached ("racily clean", as git
 * says): a second change within the same timestamp tick could otherwise go unnoticed.
 * Anything unexpected in an entry (missing, other key, other format, unreadable) is a miss.
 *
 * @module
 */
import { writeFileAtomic } from "../core/fs.ts";
import { join } from "../core/path.ts";
import type { Project } from "../core/project.ts";

/** How old a features file must be before what is derived from it is cached. */
export const RACY_MS = 2000;
const FORMAT = 1;

/** The identity of features.json, or null when it does not exist. */
export async function featuresKey(project: Project): Promise<string | null> {
  try {
    const s = await Deno.stat(project.paths.features);
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
export async function readCached(project: Project, key: string, name: string): Promise<
  string | null
> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(project.paths.cache, name));
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
  project: Project,
  key: string,
  name: string,
  value: string,
): Promise<void> {
  if (!settled(key, Date.now())) return;
  try {
    const dir = project.paths.cache;
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
