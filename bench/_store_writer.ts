/**
 * One writer process of bench/store.ts: waits for the start file, then writes its share of
 * telemetry events (the event log's write path, in the collector's batches of 500) or cost
 * ledger rows (the ledger's write path, in the importer's transactions of 5,000 rows) into
 * a SQLite file or a PostgreSQL store, and prints the milliseconds it took.
 *
 *   deno run -A bench/_store_writer.ts <sqlite-path|postgres-url> <project-key> \
 *     <events|cost> <worker> <count> <go-file>
 */
import { existsSync } from "node:fs";
import type { BrEvent, EventType } from "../src/core/events.ts";
import { writeEvents } from "../src/core/event_log.ts";
import type { Store } from "../src/core/store.ts";
import { type PricedEntry, writeEntries } from "../src/cost/ledger.ts";

const [where, key, kind, workerRaw, countRaw, goFile] = Deno.args;
const worker = Number(workerRaw);
const count = Number(countRaw);
const EVENT_BATCH = 500;
const COST_BATCH = 5000;
const END = Date.parse("2026-11-25T12:00:00.000Z");
const DAYS = 30;

let seed = 42 + worker;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5", "gpt-5-mini"];
const GATES = ["lint", "test", "typecheck", "security"];
const timeOf = (i: number) =>
  new Date(END - DAYS * 86_400_000 + Math.floor(((i + rand()) / count) * DAYS * 86_400_000))
    .toISOString();

function event(i: number): BrEvent {
  const r = rand();
  const d = Math.round(Math.exp(rand() * 12));
  let type: EventType;
  let payload: Record<string, unknown>;
  if (r < 0.3) {
    type = "worker.heartbeat";
    payload = { worker: `w${worker}`, task: `t${i % 500}`, pid: 1000 + worker };
  } else if (r < 0.5) {
    type = "task.completed";
    payload = { task_id: `t${i % 500}`, feature: `f${i % 40}`, duration_ms: d, attempt: 1 };
  } else if (r < 0.7) {
    type = rand() < 0.85 ? "gate.passed" : "gate.failed";
    payload = { gate: pick(GATES), counts: { files: 12 }, duration_ms: d };
  } else if (r < 0.85) {
    type = "cost.recorded";
    payload = {
      model: pick(MODELS),
      tokens: { input: 1200, output: 300, cache_read: 5000 },
      usd: Math.round(rand() * 10000) / 1e5,
      source: "claude-code",
    };
  } else {
    type = "session.ended";
    payload = { command: "feature update", exit_code: 0, duration_ms: d % 5000 };
  }
  return {
    id: `${worker}-${i}-${crypto.randomUUID()}`,
    type,
    time: timeOf(i),
    session: `s${worker}-${Math.floor(i / 50)}`,
    feature: `f${i % 40}`,
    task: null,
    payload,
  } as BrEvent;
}

function entry(i: number): PricedEntry {
  const output = Math.floor(rand() * 5000);
  return {
    key: `bench:${worker}:${i}`,
    time: timeOf(i),
    source: pick(["claude-code", "codex"]),
    model: pick(MODELS),
    input_tokens: Math.floor(rand() * 1000),
    output_tokens: output,
    cache_creation_tokens: Math.floor(rand() * 300),
    cache_read_tokens: Math.floor(rand() * 9000),
    cost_usd: (output * 15 + 3000) / 1e6,
    priced: true,
    logged_cost_usd: null,
    session: `s${worker}-${i % 20}`,
    project: "/bench",
    feature: `f${i % 40}`,
  };
}

async function open(): Promise<Store> {
  if (/^postgres(ql)?:/.test(where)) {
    const { openPostgresStore } = await import("../src/core/store_postgres.ts");
    return await openPostgresStore(where, { projectKey: key, env: {} });
  }
  const { openSqliteStore } = await import("../src/core/store_sqlite.ts");
  return await openSqliteStore(where);
}

const store = await open();
// Generate before the start signal: only the writes are timed.
const events = kind === "events" ? Array.from({ length: count }, (_, i) => event(i)) : [];
const entries = kind === "cost" ? Array.from({ length: count }, (_, i) => entry(i)) : [];
await Deno.writeTextFile(`${goFile}.ready-${worker}`, "");
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 2));
const t0 = performance.now();
const now = new Date(END).toISOString();
for (let i = 0; i < events.length; i += EVENT_BATCH) {
  await writeEvents(store, events.slice(i, i + EVENT_BATCH));
}
for (let i = 0; i < entries.length; i += COST_BATCH) {
  const batch = entries.slice(i, i + COST_BATCH);
  await store.tx((t) => writeEntries(t, batch, now));
}
const ms = performance.now() - t0;
await store.close();
console.log(ms.toFixed(1));
