import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { writeEntries } from "../../src/cost/_ledger_write.ts";
import type { PricedEntry } from "../../src/cost/ledger.ts";
import { tempProject } from "../helpers.ts";

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
