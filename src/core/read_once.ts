/**
 * Files read and hashed once per run. The gates read the same source files twice (the secret
 * scan, then the analyzers), and the signed caches of both are keyed by each file's content:
 * the first reader hands the bytes it read and their hash to the next, so a file is read and
 * hashed once, and both see the same content.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The lower-case hex SHA-256 of `bytes` (Web Crypto: native code, off the main thread). */
export async function contentHash(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  let out = "";
  for (const b of digest) out += HEX[b];
  return out;
}

/** A file's bytes as read, and {@link contentHash} of them. */
export interface ReadFile {
  /** The bytes (which the reader that read them no longer changes). */
  bytes: Uint8Array;
  /** Their hex SHA-256. */
  hash: string;
}

/**
 * The files one reader hands on to the next (by path relative to the tree's root), among those
 * `wanted` accepts (the next reader's files: it holds them in memory anyway).
 */
export class ReadOnce {
  #files = new Map<string, ReadFile>();

  /** `wanted(rel, size)`: whether the next reader reads the file (its path and size). */
  constructor(readonly wanted: (rel: string, size: number) => boolean) {}

  /**
   * Hands on a file read with its hash, when the next reader wants it (`bytes` are kept: the
   * caller must not change them).
   */
  offer(rel: string, bytes: Uint8Array, hash: string): void {
    if (this.wanted(rel, bytes.length)) this.#files.set(rel, { bytes, hash });
  }

  /** The file handed on under `rel`, once (it is then forgotten), or undefined. */
  take(rel: string): ReadFile | undefined {
    const file = this.#files.get(rel);
    this.#files.delete(rel);
    return file;
  }

  /** Forgets the files no one took (the next reader is done). */
  clear(): void {
    this.#files.clear();
  }
}
