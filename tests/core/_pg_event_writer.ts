/**
 * A writer process of the PostgreSQL telemetry test: waits for the start signal, opens the
 * project's store on the server (br's own migrations), then writes `count` events through the
 * event log (batches of 1 to 50, each batch sent twice, as a retried import would) and exits 0.
 */
import { existsSync } from "node:fs";
import type { BrEvent } from "../../src/core/events.ts";
import { writeEvents } from "../../src/core/event_log.ts";
import { openPostgresStore } from "../../src/core/store_postgres.ts";

const [url, key, goFile, worker, countRaw] = Deno.args;
const count = Number(countRaw);
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
const store = await openPostgresStore(url, { projectKey: key });
const base = Date.parse("2026-12-01T10:00:00.000Z");
const event = (i: number): BrEvent =>
  (i % 3 === 0
    ? {
      id: `${worker}-${i}`,
      type: "cost.recorded",
      time: new Date(base + i * 60_000).toISOString(),
      session: worker,
      payload: { model: "m1", usd: 0.25 },
    }
    : {
      id: `${worker}-${i}`,
      type: "gate.passed",
      time: new Date(base + i * 60_000).toISOString(),
      session: worker,
      payload: { gate: "lint", duration_ms: i },
    }) as BrEvent;
let i = 0;
let size = 1;
while (i < count) {
  const batch: BrEvent[] = [];
  for (let j = 0; j < size && i < count; j++, i++) batch.push(event(i));
  await writeEvents(store, batch);
  await writeEvents(store, batch);
  size = size % 50 + 7;
}
await store.close();
