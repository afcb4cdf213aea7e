/**
 * A writer process of the concurrency test: waits for the start signal, then writes `count`
 * events into the store at `db` (half one row per transaction, half in batches, a few as
 * plain autocommit writes) and exits 0.
 */
import { existsSync } from "node:fs";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";

const [db, goFile, worker, countRaw] = Deno.args;
const count = Number(countRaw);
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
const store = await openSqliteStore(db);
const sql = "INSERT INTO events (id, type, time, ts, session, payload) " +
  "VALUES ($id, $type, $time, $ts, $session, $payload)";
const row = (i: number) => ({
  $id: `${worker}-${i}`,
  $type: "task.completed",
  $time: new Date(1_700_000_000_000 + i).toISOString(),
  $ts: 1_700_000_000_000 + i,
  $session: worker,
  $payload: JSON.stringify({ task_id: `t${i}`, worker }),
});
let i = 0;
const half = Math.floor(count / 2);
for (; i < half; i++) {
  if (i % 50 === 0) await store.run(sql, row(i));
  else await store.tx((t) => t.run(sql, row(i)));
}
while (i < count) {
  const batch = [];
  for (let j = 0; j < 100 && i < count; j++, i++) batch.push(row(i));
  await store.many(sql, batch);
}
await store.close();
