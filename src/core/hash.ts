/**
 * SHA-256 (FIPS 180-4) as lower-case hex, synchronously, and git's object id of a blob. The
 * SHA-256 is a small implementation: `node:crypto` costs ~25 ms to load, which the pre-commit
 * path cannot spare, and Web Crypto is asynchronous (a round trip to another thread per call).
 * It serves finding fingerprints, the governance checksum and the head of every log file a cost
 * import reads (4 KiB each, thousands in a large tree), so it compiles to plain integer code.
 *
 * @module
 */
const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);

const encoder = new TextEncoder();

// The message schedule, reused by every call.
const W = new Uint32Array(64);

/**
 * Runs the compression function over the 64-byte blocks of `d` from `from` to `to` on the
 * state `h`. Words are read with shifts and the state kept in locals (no views, no
 * destructuring), so that the engine compiles it to plain integer code.
 */
function compress(h: Uint32Array, d: Uint8Array, from: number, to: number): void {
  const w = W;
  for (let off = from; off < to; off += 64) {
    for (let i = 0, o = off; i < 16; i++, o += 4) {
      w[i] = (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15];
      const b = w[i - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0] | 0;
    let b = h[1] | 0;
    let c = h[2] | 0;
    let dd = h[3] | 0;
    let e = h[4] | 0;
    let f = h[5] | 0;
    let g = h[6] | 0;
    let hh = h[7] | 0;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (dd + t1) | 0;
      dd = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += dd;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
}

/** Lower-case hex SHA-256 of `data` (a string is hashed as UTF-8). */
export function sha256Hex(data: string | Uint8Array): string {
  if (typeof data === "string") data = encoder.encode(data);
  const h = new Uint32Array([
    0x6a09e667,
    0xbb67ae85,
    0x3c6ef372,
    0xa54ff53a,
    0x510e527f,
    0x9b05688c,
    0x1f83d9ab,
    0x5be0cd19,
  ]);
  // Whole blocks are read in place; the rest, the 0x80 byte and the bit length are padded in
  // one or two blocks of their own.
  const whole = data.length - (data.length % 64);
  compress(h, data, 0, whole);
  const rest = data.length - whole;
  const tail = new Uint8Array(rest < 56 ? 64 : 128);
  tail.set(data.subarray(whole));
  tail[rest] = 0x80;
  const bitLen = data.length * 8;
  const view = new DataView(tail.buffer);
  view.setUint32(tail.length - 8, Math.floor(bitLen / 0x100000000));
  view.setUint32(tail.length - 4, bitLen >>> 0);
  compress(h, tail, 0, tail.length);
  let out = "";
  for (let i = 0; i < 8; i++) out += h[i].toString(16).padStart(8, "0");
  return out;
}

/**
 * The id git gives `bytes` as a blob (`git hash-object`): SHA-1 of `blob <size>\0<bytes>`, or
 * SHA-256 in a repository whose ids have 64 hex digits (`objectFormat = sha256`). Through Web
 * Crypto: in a process that has just started, native code hashes faster than JavaScript the
 * engine has not compiled yet.
 */
export async function gitBlobId(bytes: Uint8Array, idLength: 40 | 64 = 40): Promise<string> {
  const header = encoder.encode(`blob ${bytes.length}\0`);
  const data = new Uint8Array(header.length + bytes.length);
  data.set(header);
  data.set(bytes, header.length);
  const digest = await crypto.subtle.digest(idLength === 64 ? "SHA-256" : "SHA-1", data);
  let out = "";
  for (const x of new Uint8Array(digest)) out += x.toString(16).padStart(2, "0");
  return out;
}

/** The bytes of a hex string (pairs of hex digits; a digest, an id). */
export function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
