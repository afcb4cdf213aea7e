import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  type Blocks,
  CHUNK,
  compileMarkers,
  type Fields,
  type MarkedLine,
  oneBlock,
  readBuffer,
  readMarkedLines,
} from "../../src/cost/_lines.ts";
import { reducedBatch } from "../../src/cost/_scan.ts";
import { readLogFile } from "../../src/cost/_read_file.ts";
import type { ImportSource } from "../../src/cost/_sources.ts";
import { sha256Hex } from "../../src/core/hash.ts";
import { Catalog } from "../../src/cost/catalog.ts";
import { tempDir } from "../helpers.ts";
import { ccLine, ccUser, cxCount, cxTurn, join, writeLog } from "./_logs.ts";

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
  return concat(parts);
}

/** `parts` one after another, in a plain array of their own. */
const concat = (parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));

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

// ---- reduced lines ---------------------------------------------------------------------------

const FIELDS: Fields = {
  keep: ["message", "uuid", "n", "ok"],
  parent: "message",
  inner: ["usage", "id"],
};

/** What a parser reads of a parsed line: the kept members, the parent's reduced. */
function picked(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of FIELDS.keep) if (Object.hasOwn(obj, k)) out[k] = obj[k];
  const parent = obj[FIELDS.parent];
  if (parent && typeof parent === "object" && !Array.isArray(parent)) {
    const inner: Record<string, unknown> = {};
    for (const k of FIELDS.inner) {
      if (Object.hasOwn(parent, k)) inner[k] = (parent as Record<string, unknown>)[k];
    }
    out[FIELDS.parent] = inner;
  }
  return out;
}

const UNICODE = [
  "é",
  "ß",
  "€",
  "\u{1f600}",
  "\u2028",
  "\ud7ff",
  "\ue000",
  "\uffff",
  "\u{10000}",
  "\u{10ffff}",
  "\u0000",
  "\t",
  '"',
  "\\",
  "/",
  "\u007f",
];
const KEYS = ["message", "uuid", "n", "ok", "usage", "id", "content", "x", "mess", "messagee", "é"];

/** A random JSON value, `depth` levels deep at most. */
function randomValue(depth: number): unknown {
  const r = rand();
  if (depth > 0 && r < 0.25) {
    const o: Record<string, unknown> = {};
    for (let i = int(5); i > 0; i--) o[KEYS[int(KEYS.length)]] = randomValue(depth - 1);
    return o;
  }
  if (depth > 0 && r < 0.4) return Array.from({ length: int(4) }, () => randomValue(depth - 1));
  if (r < 0.65) {
    return Array.from(
      { length: int(12) },
      () => rand() < 0.3 ? UNICODE[int(UNICODE.length)] : "ab c",
    )
      .join("");
  }
  if (r < 0.85) {
    const n = [0, -0, 1, -17, 3.25, 1e21, 1.5e-7, -2.5e300, 123456789012, 0.1][int(10)];
    return n;
  }
  return [true, false, null][int(3)];
}

/** JSON text of `v` with random whitespace, escapes written as \u sequences now and then. */
function randomText(v: unknown): string {
  const ws = () => [" ", "", "", "\t", "\r", "  "][int(6)];
  const str = (s: string) =>
    rand() < 0.2
      ? `"${
        [...s].map((c) =>
          c.length === 1 && rand() < 0.5
            ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`
            : JSON.stringify(c).slice(1, -1)
        ).join("")
      }"`
      : JSON.stringify(s);
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => randomText(x) + ws()).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${ws()}${
      Object.entries(v).map(([k, x]) => `${ws()}${str(k)}${ws()}:${ws()}${randomText(x)}${ws()}`)
        .join(",")
    }}`;
  }
  if (typeof v === "string") return str(v);
  if (typeof v === "number" && rand() < 0.3) return v.toExponential();
  return JSON.stringify(v);
}

const fatal = new TextDecoder("utf-8", { fatal: true });
const INVALID = Symbol("invalid");
const parseWhole = (bytes: Uint8Array): unknown => {
  try {
    return JSON.parse(fatal.decode(bytes));
  } catch {
    return INVALID;
  }
};

const MUTATIONS = [
  0x22,
  0x5c,
  0x7b,
  0x7d,
  0x5b,
  0x5d,
  0x2c,
  0x3a,
  0x20,
  0x30,
  0x2d,
  0x2b,
  0x65,
  0x2e,
  0x00,
  0x1f,
  0x80,
  0xbf,
  0xc2,
  0xdf,
  0xe0,
  0xed,
  0xef,
  0xf0,
  0xf4,
  0xf5,
  0xff,
  0x75,
  0x74,
  0x6e,
  0x66,
  0x31,
  0x0a,
  0x0d,
  0x09,
];

const NOT_REDUCED = Symbol("not reduced");

/** `line` (in a read buffer) reduced alone, as parsed from its batch, or NOT_REDUCED. */
function reducedLine(line: Uint8Array, fields: Fields): unknown {
  const batch = reducedBatch(line, fields)!;
  if (batch.add(line) < 0) return NOT_REDUCED;
  const [value] = batch.take();
  return value;
}

/** `bytes` with a few bytes replaced, inserted or removed. */
function mutate(bytes: Uint8Array): Uint8Array {
  let b = Array.from(bytes);
  for (let i = 1 + int(3); i > 0; i--) {
    const at = int(b.length + 1);
    const r = rand();
    if (r < 0.4 && at < b.length) b[at] = MUTATIONS[int(MUTATIONS.length)];
    else if (r < 0.7) b.splice(at, 0, MUTATIONS[int(MUTATIONS.length)]);
    else b.splice(at, 1 + int(3));
  }
  if (rand() < 0.2) b = b.slice(0, int(b.length));
  return new Uint8Array(b);
}

Deno.test("reduced lines: what a parser reads of a reduced line is what it reads of the whole line, and a line that is not JSON or not UTF-8 is never reduced", () => {
  const buf = readBuffer();
  const counts = { reduced: 0, whole: 0, invalid: 0, mutatedValid: 0 };
  const check = (bytes: Uint8Array, label: string) => {
    buf.set(bytes);
    const got = reducedLine(buf.subarray(0, bytes.length), FIELDS);
    const whole = parseWhole(bytes);
    const objectLine = whole !== INVALID && !!whole && typeof whole === "object" &&
      !Array.isArray(whole);
    if (got === NOT_REDUCED) {
      counts[whole === INVALID ? "invalid" : "whole"]++;
      return;
    }
    assert.ok(objectLine, `${label}: reduced a line JSON.parse does not read as an object`);
    assert.deepEqual(got, picked(whole as Record<string, unknown>), label);
    counts.reduced++;
  };
  for (let i = 0; i < 4000; i++) {
    const obj: Record<string, unknown> = {};
    for (let k = int(7); k > 0; k--) obj[KEYS[int(KEYS.length)]] = randomValue(3);
    if (rand() < 0.7) {
      obj.message = { id: "msg_1", content: [randomValue(3)], usage: { input_tokens: int(99) } };
    }
    const text = randomText(rand() < 0.05 ? randomValue(2) : obj);
    const bytes = enc.encode(rand() < 0.05 ? `\ufeff${text}` : text);
    check(bytes, `line ${i}: ${text.slice(0, 120)}`);
    for (let m = 0; m < 5; m++) {
      const mutated = mutate(bytes);
      const before = counts.reduced;
      check(mutated, `line ${i} mutated: ${new TextDecoder().decode(mutated).slice(0, 120)}`);
      if (counts.reduced > before) counts.mutatedValid++;
    }
  }
  // Every lead byte of a UTF-8 sequence with second bytes at the edges of their ranges.
  for (let lead = 0x80; lead <= 0xff; lead++) {
    for (const b1 of [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0]) {
      for (const rest of [[], [0x80], [0x80, 0x80], [0x41, 0x80], [0x80, 0x41], [0xbf, 0xbf]]) {
        const bytes = new Uint8Array([
          ...enc.encode('{"n":"a'),
          lead,
          b1,
          ...rest,
          ...enc.encode('"}'),
        ]);
        check(bytes, `bytes ${[lead, b1, ...rest].map((b) => b.toString(16)).join(" ")}`);
      }
    }
  }
  // Deep nesting is left to JSON.parse (the stack has 4,096 levels); so are escaped keys.
  for (const text of [`{"n":${"[".repeat(5000)}${"]".repeat(5000)}}`, '{"\\u006e":1}']) {
    check(enc.encode(text), text.slice(0, 40));
  }
  assert.equal(reducedBatch(enc.encode('{"n":1}'), FIELDS), null, "outside a read buffer: never");
  // Most lines are reduced; every kind of answer is seen.
  assert.ok(counts.reduced > 2000, JSON.stringify(counts));
  assert.ok(
    counts.invalid > 5000 && counts.whole > 100 && counts.mutatedValid > 100,
    JSON.stringify(counts),
  );
});

Deno.test("reduced lines: a block whose reduced lines fill several batches yields every line in order, each as the whole line parses", () => {
  const markers = compileMarkers(['"usage"']);
  const buf = readBuffer();
  // 1,200 usage lines of about 300 reduced bytes (several 64 KiB batches), among them lines
  // that are not reduced (not JSON, an escaped key, not UTF-8) and lines without the marker.
  const texts: (string | Uint8Array)[] = [];
  for (let i = 0; i < 1200; i++) {
    const message = { id: `msg_${i}`, usage: { input_tokens: i, note: "é".repeat(100) } };
    texts.push(JSON.stringify({ uuid: `u${i}`, n: i, message, content: "x".repeat(500) }));
    if (i % 97 === 0) texts.push(`{"usage": ${i}, "broken"`);
    if (i % 89 === 0) texts.push(`{"\\u006e":1,"usage":${i}}`);
    if (i % 83 === 0) texts.push(new Uint8Array([...enc.encode('{"usage":"'), 0xff, 0x22, 0x7d]));
    if (i % 7 === 0) texts.push('{"other":1}');
  }
  const parts = texts.map((t) =>
    typeof t === "string" ? enc.encode(t + "\n") : concat([t, enc.encode("\n")])
  );
  const log = concat(parts);
  assert.ok(log.length < buf.length);
  buf.set(log);
  const got = lines(readMarkedLines(oneBlock(buf.subarray(0, log.length)), 0, markers, FIELDS));
  const plain = lines(readMarkedLines(oneBlock(log.slice()), 0, markers, FIELDS));
  // The same lines at the same offsets; where a line was reduced, its value is what a parser
  // reads of the whole line.
  assert.deepEqual(got.map((l) => l.end), plain.map((l) => l.end));
  let values = 0;
  for (const [i, l] of got.entries()) {
    const whole = plain[i];
    if (l.value === undefined) {
      assert.deepEqual(l, whole, `line ${i}`);
      continue;
    }
    values++;
    assert.equal(l.line, "");
    assert.deepEqual(l.value, picked(JSON.parse(whole.line)), `line ${i}`);
  }
  assert.equal(values, 1200);
  assert.equal(got.filter((l) => l.invalid).length, Math.ceil(1200 / 83));
  // A batch left with lines in it (a block not read to its end) is empty when the next begins.
  const first = enc.encode('{"n":1,"message":{"id":"a"}}');
  const second = enc.encode('{"n":2,"uuid":"u"}');
  buf.set(first);
  const left = reducedBatch(buf.subarray(0, first.length), FIELDS)!;
  assert.equal(left.add(buf.subarray(0, first.length)), 0);
  buf.set(second);
  const next = reducedBatch(buf.subarray(0, second.length), FIELDS)!;
  assert.equal(next.add(buf.subarray(0, second.length)), 0);
  assert.deepEqual(next.take(), [{ n: 2, uuid: "u" }]);
});

Deno.test("reduced lines: Claude Code entries read from a read buffer are those read from a plain one", async () => {
  await using dir = await tempDir();
  const lines = [
    ccLine({
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T10:00:00.000Z",
      input: 3,
      output: 5,
      write5m: 7,
      write1h: 11,
      read: 13,
      cwd: "/work/é",
      branch: "br/auth/x",
    }),
    ccLine({
      id: "msg_1",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T10:00:00.000Z",
      input: 3,
      output: 50,
      write5m: 7,
      write1h: 11,
      read: 13,
    }),
    ccLine({
      id: "msg_2",
      req: null,
      model: "claude-opus-4-1-20250805",
      time: "2026-11-25T10:00:01.5+01:00",
      input: 1,
      output: 2,
      writeLegacy: 9,
      costUSD: 0.25,
      sidechain: true,
    }),
    ccLine({
      model: "claude-haiku-4-5-20251001",
      time: "2026-11-25T10:00:02.000Z",
      input: 1,
      output: 1,
    }),
    ccLine({
      id: "msg_4",
      model: "<synthetic>",
      time: "2026-11-25T10:00:03.000Z",
      input: 1,
      output: 1,
    }),
    ccUser("2026-11-25T10:00:04.000Z"),
    JSON.stringify({
      message: {
        id: "msg_5",
        model: " claude-x ",
        usage: {
          input_tokens: "7",
          output_tokens: -1,
          cache_creation: { ephemeral_1h_input_tokens: 4 },
        },
      },
      timestamp: "2026-11-25T10:00:05Z",
      isSidechain: "yes",
      costUSD: "1",
    }),
    '{"message":{"id":"msg_6","model":"m","usage":{"input_tokens":1}},"timestamp":"2026-11-25T10:00:06.000Z","message":{"id":"msg_7","model":"m2","usage":{"output_tokens":2}}}',
    '{"message":"usage","timestamp":"2026-11-25T10:00:07.000Z"}',
    '{"type":"x","toolUseResult":{"usage":{"input_tokens":5}},"timestamp":"2026-11-25T10:00:08.000Z"}',
  ];
  const root = join(dir.path, "projects");
  const path = join(root, "-work-a", "s1.jsonl");
  await writeLog(path, lines);
  const read = (buf: Uint8Array) => readEntries("claude-code", root, path, buf);
  const plain = await read(new Uint8Array(CHUNK));
  assert.equal(plain.got.length, 5);
  assert.deepEqual((await read(readBuffer())).got, plain.got);
});

Deno.test("reduced lines: Codex entries read from a read buffer are those read from a plain one", async () => {
  await using dir = await tempDir();
  const u = (input: number, cached: number, output: number) => ({
    input_tokens: input,
    cached_input_tokens: cached,
    output_tokens: output,
    reasoning_output_tokens: 1,
    total_tokens: input + output,
  });
  const lines = [
    JSON.stringify({
      timestamp: "2026-11-25T10:00:00.000Z",
      type: "session_meta",
      payload: {
        id: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
        cwd: "/work/é",
        instructions: "Be brief.\n".repeat(200),
        git: { branch: "auth", commit_hash: "abc" },
      },
    }),
    cxTurn("gpt-5-codex", "/work/é", "2026-11-25T10:00:01.000Z"),
    cxCount("2026-11-25T10:00:02.000Z", { input: 100, cached: 40, output: 10 }),
    JSON.stringify({
      timestamp: "2026-11-25T10:00:03.000Z",
      type: "event_msg",
      payload: { type: "token_count", info: { total_token_usage: u(250, 90, 30), model: "o3" } },
    }),
    // The last of repeated members counts, as JSON.parse reads it.
    '{"timestamp":"2026-11-25T10:00:04.000Z","type":"turn_context","payload":{"model":"a"},"payload":{"model":"b","cwd":"/work/x"}}',
    '{"timestamp":"2026-11-25T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":400,"output_tokens":50}},"type":"token_count"}}',
    '{"timestamp":"2026-11-25T10:00:06.000Z","type":"event_msg","payload":["token_count"]}',
    '{"timestamp":"2026-11-25T10:00:07.000Z","type":"event_msg","payload":{"type":"token_count","info":null}}',
    '{"type":"event_msg","payload":{"type":"token_count","info":{"last_token_usage":{"input_tokens":9}}}}',
    JSON.stringify({
      timestamp: "2026-11-25T10:00:09.000Z",
      type: "response_item",
      payload: { type: "message", content: [{ text: '"token_count" in a message' }] },
    }),
    cxCount("2026-11-25T10:00:10.000Z", { input: 900, cached: 100, output: 80 }),
  ];
  const root = join(dir.path, "sessions");
  const path = join(root, "2026", "11", "25", "rollout-0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl");
  await writeLog(path, lines);
  const read = (buf: Uint8Array) => readEntries("codex", root, path, buf);
  const plain = await read(new Uint8Array(CHUNK));
  assert.equal(plain.got.length, 4);
  assert.deepEqual(await read(readBuffer()), plain);
});

/** The entries and steps of reading the log at `path` (below `root`) through `buf`. */
async function readEntries(
  source: ImportSource,
  root: string,
  path: string,
  buf: Uint8Array,
): Promise<{ got: unknown[]; steps: unknown[] }> {
  const got: unknown[] = [];
  const steps: unknown[] = [];
  const size = (await Deno.stat(path)).size;
  const plan = { path, source, root, size, mtime: null, known: null };
  const ctx = {
    catalog: new Catalog({}),
    attribution: { root: "/work/é", features: new Set(["auth"]) },
    buf,
    headHash: sha256Hex,
  };
  for await (const step of readLogFile(plan, ctx, (e) => got.push(structuredClone(e)))) {
    steps.push(step);
  }
  return { got, steps };
}
