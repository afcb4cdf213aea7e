/** A batch of complete lines and the byte offset just after the last of them. */
export interface LineBatch {
  /** The lines (without `\n`). */
  lines: string[];
  /** Byte offset in the file after the batch. */
  end: number;
}

const CHUNK = 1 << 20;
// Decoded pieces stay below V8's large-object size (128 KiB), so they die young and memory
// stays flat however large the logs are.
const PIECE = 1 << 16;

/**
 * Streams the complete lines of `path` from byte `start`, in batches of about 64 KiB,
 * so memory stays bounded by the longest line, not the file. A last line without a final
 * newline is yielded as its own batch with `partial: true` (it may still be being written).
 */
export async function* readLineBatches(
  path: string,
  start: number,
): AsyncGenerator<LineBatch & { partial?: boolean }> {
  using file = await Deno.open(path, { read: true });
  if (start > 0) await file.seek(start, Deno.SeekMode.Start);
  const decoder = new TextDecoder();
  let carry: Uint8Array | null = null;
  let offset = start;
  // Two buffers: the next read runs while the current chunk is parsed.
  const bufs = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
  let which = 0;
  let next: Promise<number | null> = file.read(bufs[0]);
  try {
    while (true) {
      const n = await next;
      if (n === null) break;
      const cur = bufs[which];
      which ^= 1;
      next = file.read(bufs[which]);
      let data = cur.subarray(0, n);
      if (carry) {
        const joined = new Uint8Array(carry.length + n);
        joined.set(carry);
        joined.set(data, carry.length);
        data = joined;
        carry = null;
      }
      const last = data.lastIndexOf(10);
      if (last < 0) {
        carry = data.slice();
        continue;
      }
      let from = 0;
      while (from <= last) {
        // Cut at the last newline before the piece size (or the next one after it).
        let cut = from + PIECE >= last ? last : data.lastIndexOf(10, from + PIECE);
        if (cut < from) cut = data.indexOf(10, from + PIECE);
        const text = decoder.decode(data.subarray(from, cut));
        offset += cut + 1 - from;
        from = cut + 1;
        yield { lines: text.split("\n"), end: offset };
      }
      if (last + 1 < data.length) carry = data.slice(last + 1);
    }
  } finally {
    // A read still running when the caller stops early must end before the file closes.
    await next.catch(() => null);
  }
  if (carry && carry.length) {
    yield { lines: [decoder.decode(carry)], end: offset + carry.length, partial: true };
  }
}

/** SHA-256 (hex) of the first `length` bytes of `path` (at most 4 KiB): a file's identity. */
export async function headHash(path: string, length: number): Promise<string> {
  const size = Math.min(length, 4096);
  using file = await Deno.open(path, { read: true });
  const buf = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  const digest = await crypto.subtle.digest("SHA-256", buf.subarray(0, got));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
