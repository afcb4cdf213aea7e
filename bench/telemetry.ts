/**
 * Telemetry benchmark: N events through the collector (bus -> batches -> store with rollups)
 * next to raw prepared inserts of the same rows into the same table (the floor), then
 * `telemetry summary` over them.
 *
 *   deno run -A bench/telemetry.ts            # 100,000 events
 *   deno run -A bench/telemetry.ts --full     # 1,000,000 events (the size)
 *   deno run -A bench/telemetry.ts --events 250000
 *   deno run -A bench/telemetry.ts --dir /dev/shm   # databases in memory: CPU cost only
 *
 * Each side runs three times, alternating, after a warm-up; the fastest run counts (the disk of a shared machine
 * is noisy).
 * Targets: collector <= 1.5x the floor; summary <= 300 ms.
 */
import { DatabaseSync } from "node:sqlite";
import { createProject } from "../src/core/project.ts";
import type { BrEvent, EventType } from "../src/core/events.ts";
import { openSqliteStore } from "../src/core/store_sqlite.ts";
import { attachCollector, telemetrySummary } from "../src/telemetry/mod.ts";

const args = Deno.args;
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const at = args.indexOf("--events");
const N = at >= 0 ? Number(args[at + 1]) : args.includes("--full") ? 1_000_000 : 100_000;
const BATCH = 500;
const DAYS = 30;
const END = Date.parse("2026-11-25T12:00:00.000Z");

function makeEvents(n: number): BrEvent[] {
  const out: BrEvent[] = [];
  const models = ["claude-sonnet-4-5", "claude-haiku-4-5", "gpt-5", "gpt-5-mini", "gemini-2.5-pro"];
  const gates = ["lint", "test", "typecheck", "security", "gaps"];
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const time = new Date(END - DAYS * 86_400_000 + Math.floor((i / n) * DAYS * 86_400_000));
    const r = rnd();
    const d = Math.round(Math.exp(rnd() * 14)); // 1 ms .. 20 min, log-uniform
    let type: EventType;
    let payload: Record<string, unknown>;
    if (r < 0.3) {
      type = "worker.heartbeat";
      payload = { worker: `w${i % 8}`, task: `t${i % 500}`, pid: 1000 + (i % 8) };
    } else if (r < 0.45) {
      type = "task.started";
      payload = { task_id: `t${i % 500}`, feature: `f${i % 40}`, worker: `w${i % 8}`, attempt: 1 };
    } else if (r < 0.57) {
      type = "task.completed";
      payload = { task_id: `t${i % 500}`, feature: `f${i % 40}`, duration_ms: d, attempt: 1 };
    } else if (r < 0.6) {
      type = "task.failed";
      payload = { task_id: `t${i % 500}`, duration_ms: d, error: "tests failed", attempt: 1 };
    } else if (r < 0.72) {
      type = rnd() < 0.85 ? "gate.passed" : "gate.failed";
      payload = { gate: gates[i % gates.length], counts: { files: 12 }, duration_ms: d };
    } else if (r < 0.84) {
      type = "cost.recorded";
      payload = {
        model: models[i % models.length],
        tokens: { input: 1200, output: 300, cache_read: 5000 },
        usd: Math.round(rnd() * 10000) / 1e5,
        source: "claude-code",
      };
    } else if (r < 0.9) {
      type = "model.selected";
      payload = { model: models[i % models.length], level: "moderate", reasons: ["wording"] };
    } else if (r < 0.95) {
      type = "session.ended";
      payload = { command: "feature update", exit_code: 0, duration_ms: d % 5000 };
    } else {
      type = "feature.updated";
      payload = { id: `f${i % 40}`, changes: { status: { from: "planned", to: "in_progress" } } };
    }
    out.push({
      id: crypto.randomUUID(),
      type,
      time: time.toISOString(),
      session: `s${Math.floor(i / 50)}`,
      feature: `f${i % 40}`,
      task: null,
      payload,
    } as BrEvent);
  }
  return out;
}

async function floor(dir: string, events: BrEvent[], run: number): Promise<number> {
  const path = `${dir}/floor-${run}.db`;
  await (await openSqliteStore(path)).close(); // same schema, same indexes
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  const insert = db.prepare(
    "INSERT INTO events (id, type, time, ts, session, feature, task, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += BATCH) {
    db.exec("BEGIN IMMEDIATE");
    for (const e of events.slice(i, i + BATCH)) {
      insert.run(
        e.id,
        e.type,
        e.time,
        Date.parse(e.time),
        e.session,
        e.feature ?? null,
        e.task ?? null,
        JSON.stringify(e.payload),
      );
    }
    db.exec("COMMIT");
  }
  const ms = performance.now() - t0;
  db.close();
  return ms;
}

async function collector(dir: string, events: BrEvent[], run: number): Promise<number> {
  const root = `${dir}/project-${run}`;
  const project = createProject(root, { env: {} });
  // Open and migrate the store and load the config outside the timing (setup, as for the floor).
  await (await project.store()).schemaVersion();
  await project.config();
  attachCollector(project, { batchSize: BATCH, command: "bench" });
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) {
    project.bus.emit(events[i]);
    if (i % BATCH === BATCH - 1) await project.bus.flush();
  }
  await project.close();
  return performance.now() - t0;
}

async function summaryTimes(root: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const project = createProject(root, { env: {}, clock: { now: () => new Date(END) } });
  await telemetrySummary(project, { period: "all" }); // open the store
  for (const period of ["day", "week", "month", "all"] as const) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await telemetrySummary(project, { period });
      runs.push(performance.now() - t0);
    }
    out[period] = runs.sort((a, b) => a - b)[2];
  }
  await project.close();
  return out;
}

const dirAt = args.indexOf("--dir");
const dir = await Deno.makeTempDir({
  prefix: "br-bench-telemetry-",
  dir: dirAt >= 0 ? args[dirAt + 1] : undefined,
});
try {
  console.log(`telemetry bench: ${N.toLocaleString("en")} events, batches of ${BATCH}`);
  const events = makeEvents(N);
  const floors: number[] = [];
  const collectors: number[] = [];
  // Warm up both paths (JIT) on a small slice, then alternate three runs of each.
  const warm = events.slice(0, Math.min(20_000, events.length));
  await floor(dir, warm, 9);
  await collector(dir, warm, 9);
  const RUNS = 3;
  for (let run = 0; run < RUNS; run++) {
    floors.push(await floor(dir, events, run));
    collectors.push(await collector(dir, events, run));
    await Deno.remove(`${dir}/floor-${run}.db`).catch(() => {});
    if (run < RUNS - 1) await Deno.remove(`${dir}/project-${run}`, { recursive: true });
  }
  const floorMs = Math.min(...floors);
  const collectorMs = Math.min(...collectors);
  const ratio = collectorMs / floorMs;
  const fmt = (ms: number) =>
    `${ms.toFixed(0).padStart(7)} ms  ${(N / (ms / 1000)).toFixed(0).padStart(8)} events/s`;
  console.log(
    `  floor (raw prepared inserts, same table): ${fmt(floorMs)}  runs: ${
      floors.map((x) => x.toFixed(0)).join(", ")
    }`,
  );
  console.log(
    `  collector (bus -> batches -> rollups):    ${fmt(collectorMs)}  runs: ${
      collectors.map((x) => x.toFixed(0)).join(", ")
    }`,
  );
  console.log(`  ratio: ${ratio.toFixed(2)}x (target <= 1.5x) ${ratio <= 1.5 ? "ok" : "OVER"}`);
  const times = await summaryTimes(`${dir}/project-2`);
  for (const [period, ms] of Object.entries(times)) {
    console.log(
      `  telemetry summary --period ${period.padEnd(5)}: ${
        ms.toFixed(1).padStart(7)
      } ms (median of 5; target <= 300 ms) ${ms <= 300 ? "ok" : "OVER"}`,
    );
  }
  const cli = async (args: string[]) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", MAIN, ...args],
        env: { BR_NO_TELEMETRY: "1" },
        stdout: "null",
        stderr: "null",
      }).output();
      if (out.code !== 0) throw new Error(`br ${args.join(" ")} failed`);
      runs.push(performance.now() - t0);
    }
    return runs.sort((a, b) => a - b)[1];
  };
  const bare = await cli(["--version"]);
  const whole = await cli([
    "telemetry",
    "summary",
    "--period",
    "all",
    "--json",
    "--project",
    `${dir}/project-2`,
  ]);
  console.log(
    `  br telemetry summary --period all --json, whole process: ${whole.toFixed(0)} ms ` +
      `(br --version: ${bare.toFixed(0)} ms; median of 3)`,
  );
  const db = new DatabaseSync(`${dir}/project-2/.buildrunner/br.db`);
  const rollups = db.prepare(
    "SELECT (SELECT count(*) FROM event_rollups) AS counts, (SELECT count(*) FROM duration_histograms) AS durations",
  ).get() as { counts: number; durations: number };
  db.close();
  console.log(`  rollup rows: ${rollups.counts} counts, ${rollups.durations} duration histograms`);
} finally {
  await Deno.remove(dir, { recursive: true });
}
