import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import {
  entryRows,
  ImportRollup,
  type LedgerRows,
  writeEntries,
  writeRows,
} from "../../src/cost/_ledger_write.ts";
import type { PricedEntry } from "../../src/cost/ledger.ts";
import { tempProject } from "../helpers.ts";
import { ON_POSTGRES } from "../postgres.ts";

function entry(i: number, key: string, output: number, sidechain = false): PricedEntry {
  return {
    time: `2026-11-25T12:${String(i % 60).padStart(2, "0")}:00.000Z`,
    source: "claude-code",
    model: "claude-sonnet-4-5",
    input_tokens: 10,
    output_tokens: output,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    cost_usd: output / 1e6,
    priced: true,
    key,
    message_id: key.split(":")[1],
    sidechain,
  };
}

Deno.test("ledger writes merge a response's lines whether they share a statement or not", async () => {
  await using dir = await tempProject();
  const project = await openProject({ cwd: dir.path });
  try {
    // 75 responses of two lines each (partial output first), written as one run of 150
    // rows: pairs fall inside the 32-row statements and across their edges; then a
    // sidechain replay of an id already counted, and a new sidechain response.
    const entries: PricedEntry[] = [];
    for (let i = 0; i < 75; i++) {
      entries.push(entry(i, `cc:msg_${i}:req_${i}`, 3), entry(i, `cc:msg_${i}:req_${i}`, 400 + i));
    }
    entries.push(entry(1, "cc:msg_1:req_other", 999, true), entry(2, "cc:msg_new:req_x", 7, true));
    const store = await project.store();
    await store.tx((t) => writeEntries(t, entries, "2026-11-25T13:00:00.000Z"));
    const rows = await store.all<{ key: string; output_tokens: number }>(
      "SELECT key, output_tokens FROM cost_ledger ORDER BY id",
    );
    assert.equal(rows.length, 76);
    for (let i = 0; i < 75; i++) {
      assert.deepEqual(rows[i], { key: `cc:msg_${i}:req_${i}`, output_tokens: 400 + i });
    }
    assert.deepEqual(rows[75], { key: "cc:msg_new:req_x", output_tokens: 7 });
  } finally {
    await project.close();
  }
});

Deno.test("rows of one key merged before writing end as the row-by-row upserts leave them", async () => {
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const entries: PricedEntry[] = [];
  for (let i = 0; i < 400; i++) {
    const e = entry(i, `cc:msg_${Math.floor(rand() * 60)}:req`, Math.floor(rand() * 500));
    e.input_tokens = Math.floor(rand() * 50);
    e.cache_read_tokens = Math.floor(rand() * 50);
    e.cache_creation_1h_tokens = Math.floor(rand() * 5);
    e.cost_usd = rand();
    e.logged_cost_usd = rand() < 0.4 ? rand() : null;
    entries.push(e);
  }
  const table = async (how: "at once" | "one by one" | "held back") => {
    await using dir = await tempProject();
    const project = await openProject({ cwd: dir.path });
    try {
      const store = await project.store();
      // Ten rows already in the ledger before the batch.
      await store.tx((t) => writeEntries(t, entries.slice(0, 10), "now"));
      await store.tx(async (t) => {
        if (how === "at once") return writeEntries(t, entries.slice(10), "now");
        if (how === "one by one") {
          for (const e of entries.slice(10)) await writeEntries(t, [e], "now");
          return;
        }
        // In groups of 45 rows, each written in whole statements; what is left goes first
        // in the next group, and all of it at the end.
        let left: LedgerRows = { rows: [], sidechainIds: [] };
        for (let i = 10; i < entries.length; i += 45) {
          const next = entryRows(entries.slice(i, i + 45), "now", null);
          left = await writeRows(t, {
            rows: [...left.rows, ...next.rows],
            sidechainIds: [...left.sidechainIds, ...next.sidechainIds],
          }, true);
          assert.ok(left.rows.length < 32);
        }
        assert.ok(left.rows.length > 0);
        await writeRows(t, left);
      });
      // PostgreSQL's row ids skip the numbers an upsert drew for a key already there.
      const ledger = await store.all(
        `SELECT ${
          ON_POSTGRES ? "" : "id, "
        }key, time, input_tokens, output_tokens, cache_creation_1h_tokens,
           cache_read_tokens, cost_usd, logged_cost_usd FROM cost_ledger ORDER BY id`,
      );
      const rollup = await store.all(
        `SELECT quarter, rows, input, output, read, usd, logged, logged_rows FROM cost_rollup
         ORDER BY quarter`,
      );
      return { ledger, rollup };
    } finally {
      await project.close();
    }
  };
  const merged = await table("at once");
  assert.ok(
    merged.ledger.length > 50 && merged.ledger.length < 400,
    `${merged.ledger.length} rows`,
  );
  assert.deepEqual(merged, await table("one by one"));
  assert.deepEqual(await table("held back"), merged);
});

Deno.test("sidechain rows written together keep and drop the rows row-by-row inserts do, and an import's rollup is the one the triggers keep", async () => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  // Responses of 12 message ids, counted first in the main session (some) and then in
  // subagents' lines: the same key again, another request, no request (a replay).
  const before: PricedEntry[] = [];
  for (let m = 0; m < 12; m += 3) before.push(entry(m, `cc:msg_${m}:req_${m}`, 100 + m));
  const side: PricedEntry[] = [];
  for (let i = 0; i < 300; i++) {
    const m = Math.floor(rand() * 40);
    const req = pick(rand, [`req_${m}`, `req_${m}_b`, ""]);
    const e = entry(i, `cc:msg_${m}:${req}`, Math.floor(rand() * 900), true);
    e.input_tokens = Math.floor(rand() * 50);
    side.push(e);
    // Now and then a main-session row between them.
    if (rand() < 0.05) side.push(entry(i, `cc:msg_main_${i}:req`, 5));
  }
  // Last, keys not of their row's message id: a row left out for a key of its id (msg_80)
  // written before the run says nothing of its own key's id (msg_91), whose first row is then
  // new; and a message id holding a colon.
  const odd = (i: number, key: string, id: string) => ({
    ...entry(i, key, 9, true),
    message_id: id,
  });
  before.push(entry(1, "cc:msg_80:req", 3));
  side.push(
    odd(2, "cc:msg_91:req_a", "msg_80"),
    odd(3, "cc:msg_91:req_b", "msg_91"),
    odd(4, "cc:msg_91:req_c", "msg_91"),
    entry(5, "cc:x:y:req", 4),
    odd(6, "cc:x:y:req_b", "x:y"),
    odd(7, "cc:x:z:req", "x:z"),
  );
  const table = async (how: "at once" | "one by one" | "as an import" | "in transactions") => {
    await using dir = await tempProject();
    const project = await openProject({ cwd: dir.path });
    try {
      const store = await project.store();
      await store.tx((t) => writeEntries(t, before, "now"));
      if (how === "in transactions") {
        // An import's transactions: a replay in a later one of a response counted in an
        // earlier one is left out too.
        const rollup = new ImportRollup(store.backend, "run");
        for (let i = 0; i < side.length; i += 110) {
          await store.tx(async (t) => {
            await rollup.begin(t);
            await writeRows(t, entryRows(side.slice(i, i + 110), "now", "run"), false, rollup);
            await rollup.finish(t);
          });
        }
      }
      if (how !== "in transactions") {
        await store.tx(async (t) => {
          if (how === "at once") return writeEntries(t, side, "now");
          if (how === "one by one") {
            for (const e of side) await writeEntries(t, [e], "now");
            return;
          }
          const rollup = new ImportRollup(store.backend, "run");
          await rollup.begin(t);
          await writeRows(t, entryRows(side, "now", "run"), false, rollup);
          await rollup.finish(t);
        });
      }
      const ledger = await store.all(
        `SELECT key, output_tokens, input_tokens FROM cost_ledger ORDER BY id`,
      );
      const rollup = await store.all(
        `SELECT quarter, rows, input, output, usd FROM cost_rollup ORDER BY quarter`,
      );
      return { ledger, rollup };
    } finally {
      await project.close();
    }
  };
  const together = await table("at once");
  assert.ok(
    together.ledger.length > 40 && together.ledger.length < 200,
    `${together.ledger.length}`,
  );
  assert.deepEqual(together, await table("one by one"));
  assert.deepEqual(await table("as an import"), together);
  assert.deepEqual(await table("in transactions"), together);
  const keys = together.ledger.map((r) => (r as { key: string }).key);
  assert.ok(!keys.includes("cc:msg_91:req_a") && keys.includes("cc:msg_91:req_b"));
  assert.ok(!keys.includes("cc:x:y:req_b") && keys.includes("cc:x:z:req"));
});

function pick<T>(rand: () => number, xs: T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}

Deno.test("an import's rollup sums what the row triggers sum: quarter edges, missing and text groups, USD rounded half away from zero, huge USD", async () => {
  let seed = 5;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const entries = (huge: boolean): PricedEntry[] => {
    seed = 5;
    const out: PricedEntry[] = [];
    for (let i = 0; i < 400; i++) {
      const minute = pick(rand, [0, 14, 15, 29, 30, 44, 45, 59]);
      const e = entry(i, `cc:msg_${i}:req_${i}`, Math.floor(rand() * 900));
      e.time = `2026-11-25T${String(10 + (i % 3)).padStart(2, "0")}:${
        String(minute).padStart(2, "0")
      }:${String(i % 60).padStart(2, "0")}.000Z`;
      e.model = pick(rand, ["claude-sonnet-4-5", "claude-haiku-4-5"]);
      e.session = pick(rand, [undefined, "0", "s1"]);
      e.project = pick(rand, [undefined, "p"]);
      e.feature = pick(rand, [undefined, "f", "0"]);
      // Often the group of the row before, or one of its parts changed.
      const before = out.at(-1);
      if (before && rand() < 0.6) {
        const { model, session, project, feature } = before;
        Object.assign(e, { time: before.time, model, session, project, feature });
        const part = pick(
          rand,
          ["model", "session", "project", "feature", "time", "source", ""] as const,
        );
        if (part === "source") e.source = "codex";
        else if (part === "time") e.time = e.time.replace(/:\d\d:/, ":59:");
        else if (part === "model") e.model = pick(rand, ["claude-opus-4-1", "claude-haiku-4-5"]);
        else if (part) e[part] = pick(rand, [undefined, "0", "s2"]);
      }
      // Whole and half nano-dollars, either sign, and plain fractions.
      e.cost_usd = pick(rand, [1, -1]) *
          (Math.floor(rand() * 40) + pick(rand, [0, 0.5, 0.49999999999999994])) / 1e9 +
        pick(rand, [0, rand() / 1000]);
      // Beyond 2^52 nano-dollars SQLite no longer rounds (and a sum past 2^53 cannot be read).
      if (huge && i === 200) e.cost_usd = 4_600_000.000000001;
      e.logged_cost_usd = pick(rand, [null, -2.5e-9, 1.5e-9, rand()]);
      e.priced = rand() < 0.8;
      e.cache_creation_tokens = Math.floor(rand() * 50);
      e.cache_read_tokens = Math.floor(rand() * 50);
      out.push(e);
    }
    return out;
  };
  const table = async (how: "triggers" | "import", huge: boolean) => {
    await using dir = await tempProject();
    const project = await openProject({ cwd: dir.path });
    try {
      const store = await project.store();
      await store.tx(async (t) => {
        if (how === "triggers") return writeEntries(t, entries(huge), "now");
        const rollup = new ImportRollup(store.backend, "run");
        await rollup.begin(t);
        await writeRows(t, entryRows(entries(huge), "now", "run"), false, rollup);
        await rollup.finish(t);
      });
      return await store.all(
        `SELECT * FROM cost_rollup ORDER BY quarter, source, model, feature, session, project`,
      );
    } finally {
      await project.close();
    }
  };
  for (const huge of [false, true]) {
    const byTriggers = await table("triggers", huge);
    assert.ok(byTriggers.length > 100, `${byTriggers.length} rollup rows`);
    assert.deepEqual(await table("import", huge), byTriggers, huge ? "huge USD" : "");
  }
});
