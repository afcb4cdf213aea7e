import assert from "node:assert/strict";
import { Catalog } from "../../src/cost/catalog.ts";
import type { PricedEntry } from "../../src/cost/ledger.ts";
import { entryRows } from "../../src/cost/_ledger_write.ts";
import { CHUNK, headHasher } from "../../src/cost/_lines.ts";
import type { FilePlan } from "../../src/cost/_read_file.ts";
import { LogReader } from "../../src/cost/_reader.ts";
import { RowPacker, RowUnpacker } from "../../src/cost/_rows.ts";
import { tempDir } from "../helpers.ts";
import { ccLine, ccUser, cxCount, cxItem, cxMeta, cxTurn, join, writeLog } from "./_logs.ts";

const NOW = "2026-11-25T12:00:00.000Z";
const RUN = "11111111-2222-4333-8444-555555555555";

function entry(over: Partial<PricedEntry>): PricedEntry {
  return {
    time: "2026-11-25T10:00:00.000Z",
    source: "claude-code",
    model: "claude-haiku-4-5-20251001",
    input_tokens: 1,
    output_tokens: 2,
    cache_creation_tokens: 3,
    cache_creation_1h_tokens: 1,
    cache_read_tokens: 4,
    cost_usd: 0.000123,
    priced: true,
    session: "s1",
    project: "-work-acme",
    feature: null,
    key: "cc:msg_1:req_1",
    ...over,
  };
}

Deno.test("packed rows read back exactly as the ledger binds them", async (t) => {
  const entries = [
    entry({}),
    entry({ key: null, session: null, project: null, logged_cost_usd: 0.5, priced: false }),
    entry({ key: "cc:msg_é:req_ü", model: "модель", project: "-home-dév", feature: "auth" }),
    entry({ key: "cc:msg_9:", sidechain: true, message_id: "msg_9", task: "t-1" }),
    entry({ key: "cc:msg_10:", sidechain: true, message_id: "msg_ñ", time: "2026-11-25T10:0" }),
    entry({ key: "codex:s:1:2:3", source: "codex", cost_usd: 0, cache_creation_1h_tokens: 0 }),
  ];
  const expected = entryRows(entries, NOW, RUN);

  await t.step("past the first capacity, a few rows at a time", () => {
    const packer = new RowPacker(2);
    for (const e of entries) packer.add(e);
    assert.equal(packer.count, entries.length);
    const rows = new RowUnpacker(packer.take(), NOW, RUN);
    const first = rows.next(4);
    const rest = rows.next(2);
    assert.deepEqual(first.rows.concat(rest.rows), expected.rows);
    assert.deepEqual(first.sidechainIds.concat(rest.sidechainIds), expected.sidechainIds);
    assert.equal(packer.count, 0);
  });

  await t.step("in recycled buffers that still hold earlier rows", () => {
    const packer = new RowPacker(8);
    for (let round = 0; round < 3; round++) {
      for (const e of entries) packer.add(e);
      const packed = packer.take();
      const rows = new RowUnpacker(packed, NOW, RUN).next(entries.length);
      assert.deepEqual(rows, expected);
      packer.recycle({ nums: packed.nums, refs: packed.refs, text: packed.text });
    }
  });
});

Deno.test("the reader thread reads log files exactly as the main thread does", async () => {
  await using home = await tempDir();
  const projects = join(home.path, "claude", "projects");
  const main = join(projects, "-work-acme", "s1.jsonl");
  const lines: string[] = [];
  // Over 64 KiB and 256 rows: several steps and several messages of the thread.
  for (let m = 0; m < 700; m++) {
    const time = new Date(Date.UTC(2026, 10, 25, 10, 0, m)).toISOString();
    const base = { id: `msg_${m}`, model: "claude-sonnet-4-5-20250929", time, input: m };
    if (m % 50 === 0) lines.push(ccUser(time), '{"usage": not json');
    lines.push(ccLine({ ...base, output: 1 }), ccLine({ ...base, output: m + 1, cwd: "/work/ü" }));
  }
  await writeLog(main, lines);
  const sub = join(projects, "-work-acme", "s1", "subagents", "agent-a.jsonl");
  await writeLog(sub, [
    ccLine({
      id: "msg_3",
      req: null,
      model: "m",
      time: "2026-11-25T11:00:00.000Z",
      input: 1,
      output: 1,
      sidechain: true,
    }),
    ccLine({
      id: "msg_x",
      model: "модель",
      time: "2026-11-25T11:00:01.000Z",
      input: 2,
      output: 3,
      sidechain: true,
    }),
  ]);
  // A last line still being written is left for the next import.
  const open = join(projects, "-work-other", "s2.jsonl");
  await writeLog(open, [
    ccLine({ id: "msg_o", model: "m", time: "2026-11-25T12:00:00.000Z", input: 5, output: 5 }),
    '{"type":"assistant","message":{"usage":',
  ], true);
  const codex = join(
    home.path,
    "codex",
    "rollout-2026-11-25T00-00-00-99999999-8888-4777-8666-555555555555.jsonl",
  );
  await writeLog(codex, [
    cxMeta(
      "99999999-8888-4777-8666-555555555555",
      "/work/acme",
      "br/search",
      "2026-11-25T12:00:00.000Z",
    ),
    cxTurn("gpt-5-codex", "/work/acme", "2026-11-25T12:00:01.000Z"),
    cxItem("2026-11-25T12:00:01.500Z"),
    cxCount("2026-11-25T12:00:02.000Z", { input: 1000, cached: 400, output: 100 }),
    cxCount("2026-11-25T12:00:03.000Z", { input: 3000, cached: 1400, output: 300 }),
  ]);
  const plan = (path: string, source: FilePlan["source"], root: string): FilePlan => {
    const stat = Deno.statSync(path);
    return { path, source, root, size: stat.size, mtime: stat.mtime!.toISOString(), known: null };
  };
  // A file deleted after it was found is skipped.
  const gone = join(projects, "-work-acme", "gone.jsonl");
  await writeLog(gone, [ccUser("2026-11-25T09:00:00.000Z")]);
  const gonePlan = plan(gone, "claude-code", projects);
  await Deno.remove(gone);
  const plans = [
    plan(main, "claude-code", projects),
    gonePlan,
    plan(sub, "claude-code", projects),
    plan(open, "claude-code", projects),
    plan(codex, "codex", join(home.path, "codex")),
  ];
  const read = async (offloadBytes: number, recycleBytes?: number) => {
    const reader = new LogReader(
      {
        catalog: new Catalog({}),
        attribution: { root: "/work/acme", features: new Set(["search"]) },
        buf: new Uint8Array(CHUNK),
        headHash: await headHasher(),
      },
      { prices: {}, roots: [home.path], now: NOW, run: RUN, offloadBytes, recycleBytes },
    );
    try {
      const steps = [];
      const each = async function* () {
        yield* plans;
      };
      for await (const s of reader.steps(each())) {
        steps.push({ path: s.plan.path, ...s.step, ...s.rows });
      }
      return { steps, threaded: reader.threaded, threads: reader.threadsStarted };
    } finally {
      reader.close();
    }
  };
  const inProcess = await read(Infinity);
  const threaded = await read(0);
  // A new thread for every file (each is more than one byte), the same steps.
  const recycled = await read(0, 1);
  assert.equal(inProcess.threaded, false);
  assert.equal(threaded.threaded, true);
  assert.equal(threaded.threads, 1);
  assert.deepEqual(threaded.steps, inProcess.steps);
  assert.equal(recycled.threads, plans.length);
  assert.deepEqual(recycled.steps, inProcess.steps);

  // A caller that fails and closes the reader: no thread starts after that.
  const stopped = new LogReader(
    {
      catalog: new Catalog({}),
      attribution: { root: "/work/acme", features: new Set(["search"]) },
      buf: new Uint8Array(CHUNK),
      headHash: await headHasher(),
    },
    { prices: {}, roots: [home.path], now: NOW, run: RUN, offloadBytes: 0, recycleBytes: 1 },
  );
  // Files come slowly (a query per file): the reader may be waiting for one when it closes.
  const slowly = async function* () {
    for (const p of plans) {
      yield p;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  // It fails on the last step of the first file: the next thread is starting by then.
  const firstFileSteps = inProcess.steps.filter((s) => s.path === main).length;
  let seen = 0;
  await assert.rejects(async () => {
    try {
      for await (const _ of stopped.steps(slowly())) {
        if (++seen === firstFileSteps) throw new Error("write failed");
      }
    } finally {
      stopped.close();
    }
  }, /write failed/);
  const atClose = stopped.threadsStarted;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(stopped.threadsStarted, atClose);
  assert.deepEqual(
    [...new Set(inProcess.steps.map((s) => s.path))],
    [main, sub, open, codex],
  );
  const rows = inProcess.steps.flatMap((s) => s.rows);
  // One key per response (a response split across two steps comes as two rows of one key).
  assert.equal(new Set(rows.map((r) => r[0])).size, 700 + 2 + 1 + 2);
  assert.equal(inProcess.steps.filter((s) => s.path === main).length > 2, true);
  assert.equal(inProcess.steps.reduce((n, s) => n + s.malformed, 0), 14);
  const last = inProcess.steps.filter((s) => s.path === open).at(-1)!;
  assert.equal(last.offset, (await Deno.readFile(open)).indexOf(10) + 1);
});
