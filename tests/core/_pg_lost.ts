/**
 * A process of the lost-server test: opens the store at `url`, says "ready", runs a
 * transaction whose query waits on the server (the test stops the server meanwhile), then
 * one more query; prints each error's message and exits 0 when both failed as errors.
 */
import { openPostgresStore } from "../../src/core/store_postgres.ts";
import { TEST_MIGRATIONS } from "./_pg_schema.ts";

const [url, key] = Deno.args;
const store = await openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS });
console.log("ready");
let failures = 0;
try {
  await store.tx(async (t) => {
    await t.get("SELECT pg_sleep(30) AS slept");
  });
} catch (err) {
  failures++;
  console.log(`tx: ${(err as Error).message}`);
}
// Give the driver's pending writes their turn (the crash came from one of them).
await new Promise((r) => setTimeout(r, 200));
try {
  await store.get("SELECT 1 AS one");
} catch (err) {
  failures++;
  console.log(`after: ${(err as Error).message}`);
}
await store.close();
Deno.exit(failures === 2 ? 0 : 3);
