/**
 * The release archives of one binary: a gzipped ustar tarball (Linux, macOS) and a zip
 * (Windows), each holding the one executable, with the executable bit set. Written here
 * rather than by calling `tar`/`zip` so a release builds the same archives on every runner.
 */

async function compress(bytes: Uint8Array, format: CompressionFormat): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream(format),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A `.tar.gz` holding `name` (mode 0755, modified at `mtime`, seconds since the epoch). */
export async function tarGz(name: string, data: Uint8Array, mtime: number): Promise<Uint8Array> {
  const enc = new TextEncoder();
  if (enc.encode(name).length > 100) throw new Error(`Cannot archive "${name}": name too long`);
  const header = new Uint8Array(512);
  const put = (offset: number, text: string) => header.set(enc.encode(text), offset);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, "0") + "\0";
  put(0, name);
  put(100, octal(0o755, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(data.length, 12));
  put(136, octal(Math.floor(mtime), 12));
  put(148, "        ");
  put(156, "0");
  put(257, "ustar\0");
  put(263, "00");
  put(265, "root");
  put(297, "root");
  const sum = header.reduce((n, b) => n + b, 0);
  put(148, sum.toString(8).padStart(6, "0") + "\0 ");
  const padding = new Uint8Array((512 - (data.length % 512)) % 512);
  return await compress(concat([header, data, padding, new Uint8Array(1024)]), "gzip");
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as zip and gzip use it. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A `.zip` holding `name`, deflated, marked executable for unzip on POSIX systems. */
export async function zip(name: string, data: Uint8Array, mtime: number): Promise<Uint8Array> {
  const nameBytes = new TextEncoder().encode(name);
  const deflated = await compress(data, "deflate-raw");
  const crc = crc32(data);
  const d = new Date(mtime * 1000);
  const dosTime = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const dosDate = ((Math.max(d.getUTCFullYear(), 1980) - 1980) << 9) |
    ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  if (data.length >= 0xffffffff || deflated.length >= 0xffffffff) {
    throw new Error(`Cannot archive "${name}": larger than a zip without zip64 holds`);
  }

  const local = new DataView(new ArrayBuffer(30));
  local.setUint32(0, 0x04034b50, true);
  local.setUint16(4, 20, true); // version needed: 2.0 (deflate)
  local.setUint16(6, 0x0800, true); // UTF-8 name
  local.setUint16(8, 8, true); // deflate
  local.setUint16(10, dosTime, true);
  local.setUint16(12, dosDate, true);
  local.setUint32(14, crc, true);
  local.setUint32(18, deflated.length, true);
  local.setUint32(22, data.length, true);
  local.setUint16(26, nameBytes.length, true);

  const central = new DataView(new ArrayBuffer(46));
  central.setUint32(0, 0x02014b50, true);
  central.setUint16(4, (3 << 8) | 20, true); // made by: Unix, 2.0 (keeps the mode below)
  central.setUint16(6, 20, true);
  central.setUint16(8, 0x0800, true);
  central.setUint16(10, 8, true);
  central.setUint16(12, dosTime, true);
  central.setUint16(14, dosDate, true);
  central.setUint32(16, crc, true);
  central.setUint32(20, deflated.length, true);
  central.setUint32(24, data.length, true);
  central.setUint16(28, nameBytes.length, true);
  central.setUint32(38, (0o100755 << 16) >>> 0, true); // regular file, rwxr-xr-x
  central.setUint32(42, 0, true); // the local header's offset

  const centralOffset = 30 + nameBytes.length + deflated.length;
  const centralSize = 46 + nameBytes.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, 1, true);
  end.setUint16(10, 1, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, centralOffset, true);

  return concat([
    new Uint8Array(local.buffer),
    nameBytes,
    deflated,
    new Uint8Array(central.buffer),
    nameBytes,
    new Uint8Array(end.buffer),
  ]);
}

/** Lowercase hex SHA-256 of `data`. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
