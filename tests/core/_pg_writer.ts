/**
 * A writer process of the PostgreSQL concurrency test: waits for the start signal, opens the
 * store (migrating it when it is the first), then writes `count` events (some one per
 * transaction, with a read-modify-write of a shared counter; the rest in batches) and exits 0.
 */
import { existsSync } from "node:fs";
import { openPostgresStore } from "../../src/core/store_postgres.ts";
import { INSERT_EVENT, TEST_MIGRATIONS } from "./_pg_schema.ts";

const [url, key, goFile, worker, countRaw] = Deno.args;
const count = Number(countRaw);
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
const store = await openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS });
const row = (i: number) => ({
  id: `${worker}-${i}`,
  worker,
  payload: JSON.stringify({ i }),
});
let i = 0;
const half = Math.floor(count / 2);
for (; i < half; i++) {
  await store.tx(async (t) => {
    await t.run(INSERT_EVENT, row(i));
    // Read, then write what was read plus one: lost updates unless writers take turns.
    const n = (await t.get<{ n: number }>("SELECT n FROM counter WHERE id = 1"))!.n;
    await t.run("UPDATE counter SET n = ? WHERE id = 1", [n + 1]);
  });
}
while (i < count) {
  const batch = [];
  for (let j = 0; j < 100 && i < count; j++, i++) batch.push(row(i));
  await store.many(INSERT_EVENT, batch);
}
await store.close();
