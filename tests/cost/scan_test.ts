import assert from "node:assert/strict";
import {
  type Blocks,
  compileMarkers,
  type MarkedLine,
  oneBlock,
  readBuffer,
  readMarkedLines,
} from "../../src/cost/_lines.ts";

const IN_CI = !!Deno.env.get("CI") && Deno.env.get("CI") !== "false";

// Deterministic pseudo-random numbers (mulberry32).
let seed = 7;
const rand = () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(rand() * n);

const enc = new TextEncoder();
const MARKERS = ['"token_count"', '"usage"', '"ab"'];
const PIECES = [
  ...MARKERS,
  '"usag"',
  '"token_coun"',
  '"a"',
  "\n",
  "\n\n",
  "é",
  "\u{1f600}",
  "x",
  "{}",
  '"',
  "usage",
];

/** A log of random pieces: markers (whole and cut), newlines, non-ASCII text, bytes 0xff. */
function randomLog(length: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  while (n < length) {
    const r = rand();
    const part = r < 0.02
      ? new Uint8Array([0xff])
      : r < 0.5
      ? enc.encode(PIECES[int(PIECES.length)])
      : enc.encode("x".repeat(int(40)));
    parts.push(part);
    n += part.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The blocks of `data` in pieces of random sizes, each copied into `buf` as a file read would. */
function pieces(data: Uint8Array, buf: Uint8Array, max: number): Blocks {
  let at = 0;
  return () => {
    if (at >= data.length) return null;
    const n = Math.min(data.length - at, 1 + int(max));
    buf.set(data.subarray(at, at + n));
    at += n;
    return buf.subarray(0, n);
  };
}

const lines = (it: Iterable<MarkedLine>) => [...it];

Deno.test("marked lines: a read buffer searched by WebAssembly finds what the search in JavaScript finds", () => {
  const markers = compileMarkers(MARKERS);
  const wasm = readBuffer();
  // A read buffer lives in a WebAssembly memory (where WebAssembly runs, as in Deno).
  assert.ok(wasm.buffer instanceof ArrayBuffer);
  assert.notEqual(wasm.byteOffset, 0);
  const plain = new Uint8Array(wasm.length);
  let found = 0;
  for (let round = 0; round < 300; round++) {
    const log = randomLog(1 + int(round < 250 ? 600 : 40_000));
    const start = int(Math.min(log.length, 50));
    const max = round % 3 === 0 ? 7 : round % 3 === 1 ? 64 : 100_000;
    // The same blocks, one set read into the WebAssembly buffer, one into a plain buffer.
    const s = seed;
    const got = lines(readMarkedLines(pieces(log.subarray(start), wasm, max), start, markers));
    seed = s;
    const want = lines(readMarkedLines(pieces(log.subarray(start), plain, max), start, markers));
    assert.deepEqual(got, want, `round ${round}`);
    // Whole, from the buffer's memory.
    wasm.set(log.subarray(0, Math.min(log.length, wasm.length)));
    const whole = wasm.subarray(0, Math.min(log.length, wasm.length));
    assert.deepEqual(
      lines(readMarkedLines(oneBlock(whole), 0, markers)),
      lines(readMarkedLines(oneBlock(whole.slice()), 0, markers)),
    );
    found += got.filter((l) => l.line !== "").length;
  }
  assert.ok(found > 1000, `marked lines found: ${found}`);
});

Deno.test("marked lines: a marker at every position of a 16-byte block, and at the ends of the range", () => {
  const markers = compileMarkers(['"usage"']);
  const wasm = readBuffer();
  for (let len = 8; len <= 70; len++) {
    for (let at = 0; at + 7 <= len - 1; at++) {
      const bytes = new Uint8Array(len).fill(0x78); // "x"
      bytes.set(enc.encode('"usage"'), at);
      bytes[len - 1] = 10;
      if (at > 2) bytes[at - 2] = 10;
      wasm.set(bytes);
      const got = lines(readMarkedLines(oneBlock(wasm.subarray(0, len)), 0, markers));
      const lineStart = at > 2 ? at - 1 : 0;
      assert.deepEqual(got, [
        {
          line: new TextDecoder().decode(bytes.subarray(lineStart, len - 1)),
          end: len,
          partial: undefined,
        },
        { line: "", end: len },
      ], `length ${len}, marker at ${at}`);
    }
  }
});

Deno.test("the WebAssembly module in _scan_wasm.ts is what _scan.wat compiles to", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../scripts/build_scan_wasm.ts", import.meta.url).pathname,
      "--check",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (!out.success && /npm install .* failed/.test(text) && !IN_CI) {
    console.log(`skipped: npm is not reachable (${text.slice(0, 200)})`);
    return;
  }
  assert.equal(out.code, 0, text);
});
