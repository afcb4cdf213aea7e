/**
 * A process of the lost-server test: opens the store at `url`, says "ready", then (the test
 * stops the server meanwhile):
 *
 * - `sleep`: runs a transaction whose query waits on the server, then one more query;
 * - `busy`: writes in a transaction every 50 ms and reads every 20 ms (as a coordinator's
 *   heartbeats do), then, when the server is gone, one more transaction and query.
 *
 * Prints each error's message and exits 0 when the last two failed as errors; exits 3 when
 * they have not settled after 60 s (a hang).
 */
import { openPostgresStore } from "../../src/core/store_postgres.ts";
import { TEST_MIGRATIONS } from "./_pg_schema.ts";

const [url, key, mode = "sleep"] = Deno.args;
const store = await openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS });
console.log("ready");
let failures = 0;
const hang = setTimeout(() => {
  console.log("hung");
  Deno.exit(3);
}, 60_000);
if (mode === "busy") {
  let gone = false;
  const writes = setInterval(() => {
    store.tx((t) => t.run("UPDATE counter SET n = n + 1 WHERE id = 1"))
      .catch(() => gone = true);
  }, 50);
  const reads = setInterval(() => {
    store.get("SELECT n FROM counter WHERE id = 1").catch(() => gone = true);
  }, 20);
  while (!gone) await new Promise((r) => setTimeout(r, 20));
  // They go on a while against the stopped server, as heartbeats would.
  await new Promise((r) => setTimeout(r, 1500));
  clearInterval(writes);
  clearInterval(reads);
}
try {
  await store.tx(async (t) => {
    await t.get(mode === "sleep" ? "SELECT pg_sleep(30) AS slept" : "SELECT 1 AS one");
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
clearTimeout(hang);
Deno.exit(failures === 2 ? 0 : 4);
