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
import { ensureIgnoredFolder, leadsOutside, readOwnTextOrNull, writeFileAtomic } from "./fs.ts";
import { join } from "./path.ts";

/** How old a features file must be before what is derived from it is cached. */
export const RACY_MS = 2000;
const FORMAT = 1;

/** The identity of a file as it is now, and when it last changed. */
interface FileKey {
  /** Size, modification and change times, inode, device. */
  id: string;
  /** The later of its modification and change times (ms since the epoch). */
  changedMs: number;
}

/** The identity of a file, or null when it does not exist (synchronous: see writeFileAtomic). */
function fileKey(path: string): FileKey | null {
  try {
    const s = Deno.statSync(path);
    const mtime = s.mtime?.getTime() ?? 0;
    const ctime = s.ctime?.getTime() ?? 0;
    return {
      id: [FORMAT, s.size, mtime, ctime, s.ino ?? "", s.dev].join(":"),
      changedMs: Math.max(mtime, ctime),
    };
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The entry `name` derived under `key`, or null. Its first line is the key's id. */
function readEntry(cacheDir: string, key: FileKey, name: string): Uint8Array | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(join(cacheDir, name));
  } catch {
    return null;
  }
  // Only the first line is decoded: a value stored as bytes is handed over as bytes.
  const nl = bytes.subarray(0, 256).indexOf(10);
  return nl > 0 && decoder.decode(bytes.subarray(0, nl)) === key.id ? bytes.subarray(nl + 1) : null;
}

/**
 * Stores `value` derived under `key` when the file is settled; failures are ignored (a cache
 * must never make a command fail).
 */
async function writeEntry(
  cacheDir: string,
  key: FileKey,
  name: string,
  value: Uint8Array,
): Promise<void> {
  if (Date.now() - key.changedMs < RACY_MS) return;
  if (leadsOutside(cacheDir) !== null) return; // never written through a planted link
  try {
    await ensureIgnoredFolder(cacheDir, "br's cache: derived data, never committed");
    const head = encoder.encode(`${key.id}\n`);
    const entry = new Uint8Array(head.length + value.length);
    entry.set(head);
    entry.set(value, head.length);
    await writeFileAtomic(join(cacheDir, name), entry, { durable: false });
  } catch {
    // A read-only checkout or a full disk: the next run computes again.
  }
}

/** How a derived value is stored: `encode` null = not cached; `decode` throws on a bad entry. */
export interface CacheCodec<T> {
  /** The entry of a value (text is stored as UTF-8), or null when it cannot be cached. */
  encode(value: T): string | Uint8Array | null;
  /** The value of an entry; throws when the entry is damaged (a miss). */
  decode(entry: Uint8Array): T;
}

/**
 * The value `name` derived from the file at `source`: the cached one while the file has not
 * changed since, otherwise `derive()`'s (then cached under the file's identity, taken before
 * `derive` reads the file).
 */
export async function derivedFromFile<T>(
  cacheDir: string,
  source: string,
  name: string,
  codec: CacheCodec<T>,
  derive: () => Promise<T>,
): Promise<T> {
  const key = fileKey(source);
  const hit = key === null ? null : readEntry(cacheDir, key, name);
  if (hit !== null) {
    try {
      return codec.decode(hit);
    } catch {
      // A damaged entry is a miss.
    }
  }
  const value = await derive();
  const entry = key === null ? null : codec.encode(value);
  if (key !== null && entry !== null) {
    const bytes = typeof entry === "string" ? encoder.encode(entry) : entry;
    await writeEntry(cacheDir, key, name, bytes);
  }
  return value;
}

/** JSON entries, for values that survive a JSON round trip (others are not cached). */
export function jsonCodec<T>(): CacheCodec<T> {
  return {
    encode: (value) => jsonSafe(value) ? JSON.stringify(value) : null,
    decode: (entry) => JSON.parse(decoder.decode(entry)) as T,
  };
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
 * The parsed content of the file at `path` (`parse` turns its text into a value), from the
 * cache while the file has not changed. Null when the file does not exist. Values that do
 * not survive JSON (a YAML date, say) are not cached.
 */
export function readParsedCached(
  cacheDir: string,
  path: string,
  name: string,
  parse: (text: string) => unknown | Promise<unknown>,
): Promise<unknown | null> {
  return derivedFromFile(cacheDir, path, name, jsonCodec<unknown>(), async () => {
    // Strict UTF-8 (br's own files), read synchronously: see writeFileAtomic.
    const text = await readOwnTextOrNull(path);
    return text === null ? null : await parse(text);
  });
}
