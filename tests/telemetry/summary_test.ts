import assert from "node:assert/strict";
import {
  durationBucket,
  pruneTelemetry,
  telemetryEvents,
  telemetryPerformance,
  telemetrySummary,
} from "../../src/telemetry/mod.ts";
import { recordUsage } from "../../src/cost/mod.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import { br, fixedClock, tempDir, tempProject } from "../helpers.ts";
import { ON_POSTGRES } from "../postgres.ts";
import { recorder } from "./_util.ts";

Deno.test("summary: every figure comes from the recorded events", async () => {
  await using dir = await tempDir();
  const r = recorder(dir.path);
  const { bus } = r.project;
  for (const d of [10, 20, 30, 40, 50, 60, 70, 80, 90, 95]) {
    bus.emit("task.completed", { task_id: `t${d}`, duration_ms: d }, { feature: "login" });
  }
  bus.emit("task.failed", { task_id: "tf", duration_ms: 5, error: "boom" }, { feature: "login" });
  bus.emit("build.completed", { run_id: "r1", duration_ms: 1000 });
  bus.emit("build.failed", { run_id: "r2", duration_ms: 2000 });
  bus.emit("gate.passed", { gate: "lint", duration_ms: 12 });
  bus.emit("gate.failed", { gate: "test", duration_ms: 99 });
  bus.emit("gate.passed", { gate: "test", duration_ms: 98 });
  bus.emit("model.selected", { model: "claude-sonnet-4-5", level: "moderate" });
  bus.emit("model.fallback", { from: "claude-sonnet-4-5", to: "gpt-5-mini" });
  // Cost comes from the ledger; recordUsage writes a row and emits cost.recorded.
  await recordUsage(r.project, {
    source: "test",
    model: "claude-sonnet-4-5",
    input_tokens: 1000,
    output_tokens: 200,
    cost_usd: 0.25,
  });
  await recordUsage(r.project, { source: "test", model: "gpt-5-mini", cost_usd: 0.5 });
  // A cost.recorded event without a ledger row adds no cost.
  bus.emit("cost.recorded", { model: "gpt-5-mini", tokens: {}, usd: 9, source: "test" });
  // Old event, outside the last day.
  r.at("2026-11-20T10:00:00.000Z");
  bus.emit("task.failed", { task_id: "old", duration_ms: 7 });
  r.at("2026-11-25T12:00:00.000Z");
  await r.project.close();

  const again = recorder(dir.path);
  const now = new Date("2026-11-25T12:30:00.000Z");
  const s = await telemetrySummary(again.project, { period: "day", now });
  assert.equal(s.since, "2026-11-24T12:00:00.000Z");
  assert.deepEqual(s.success.tasks, { succeeded: 10, failed: 1, rate: 0.9091 });
  assert.deepEqual(s.success.builds, { succeeded: 1, failed: 1, rate: 0.5 });
  assert.equal(s.success.rate, 0.8462); // 11 / 13
  assert.equal(s.error_rate, 0.1875); // (1 + 1 + 1) / 16
  const tc = s.durations.find((d) => d.type === "task.completed")!;
  assert.deepEqual(tc, { type: "task.completed", count: 10, p50_ms: 50, p95_ms: 95 });
  assert.deepEqual(s.cost, {
    usd: 0.75,
    calls: 2,
    by_model: [
      { model: "gpt-5-mini", usd: 0.5, calls: 1 },
      { model: "claude-sonnet-4-5", usd: 0.25, calls: 1 },
    ],
  });
  assert.deepEqual(s.gates, [
    { gate: "lint", passed: 1, failed: 0 },
    { gate: "test", passed: 1, failed: 1 },
  ]);
  assert.deepEqual(s.models, [
    { model: "claude-sonnet-4-5", selected: 1, fallback_to: 0, cost_calls: 1, usd: 0.25 },
    { model: "gpt-5-mini", selected: 0, fallback_to: 1, cost_calls: 1, usd: 0.5 },
  ]);
  assert.deepEqual(s.errors, [
    { type: "build.failed", count: 1 },
    { type: "gate.failed", count: 1 },
    { type: "task.failed", count: 1 },
  ]);
  assert.equal(s.sessions.total, 1);

  const all = await telemetrySummary(again.project, { period: "all", now });
  assert.equal(all.success.tasks.failed, 2);
  assert.equal(all.events, s.events + 1);

  const perf = await telemetryPerformance(again.project, { period: "day", now });
  const p = perf.durations.find((d) => d.type === "task.completed")!;
  assert.equal(p.max_ms, 95);
  assert.equal(p.p99_ms, 95);
  assert.equal(perf.commands[0].command, "test");

  const failed = await telemetryEvents(again.project, { type: "task.failed" });
  assert.deepEqual(failed.map((e) => e.task), [null, null]);
  assert.deepEqual(failed.map((e) => e.payload), [
    { task_id: "tf", duration_ms: 5, error: "boom" },
    { task_id: "old", duration_ms: 7 },
  ]);
  const family = await telemetryEvents(again.project, { type: "gate", limit: 2 });
  assert.deepEqual(family.map((e) => e.type), ["gate.failed", "gate.passed"]);
  const login = await telemetryEvents(again.project, {
    feature: "login",
    since: new Date("2026-11-25T00:00:00Z"),
  });
  assert.equal(login.length, 11);

  const pruned = await pruneTelemetry(again.project, { olderThan: "2d", now });
  assert.equal(pruned.events, 1);
  const after = await telemetrySummary(again.project, { period: "all", now });
  assert.equal(after.success.tasks.failed, 1);
  assert.equal(after.events, s.events);
  await again.project.close();
});

Deno.test("summary: cost comes from the ledger by the time of the call", async () => {
  await using dir = await tempDir();
  const r = recorder(dir.path);
  // Usage of 10 days ago recorded (as an import would) today, and usage of today.
  const old = await recordUsage(r.project, {
    source: "claude-code",
    model: "claude-sonnet-4-5",
    time: "2026-11-15T09:00:00.000Z",
    input_tokens: 100_000,
    output_tokens: 100_000,
  });
  await recordUsage(r.project, {
    source: "claude-code",
    model: "claude-sonnet-4-5",
    time: "2026-11-15T09:05:00.000Z",
    input_tokens: 100_000,
  });
  const today = await recordUsage(r.project, {
    source: "test",
    model: "gpt-5-mini",
    time: "2026-11-25T11:00:00.000Z",
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  });
  await r.project.close();
  // Priced from the catalog: sonnet 4.5 $3/$15, gpt-5-mini $0.25/$2 per million tokens.
  assert.equal(old.entry.cost_usd, 1.8);
  assert.equal(today.entry.cost_usd, 2.25);

  const again = recorder(dir.path);
  const now = new Date("2026-11-25T12:30:00.000Z");
  const day = await telemetrySummary(again.project, { period: "day", now });
  // All three cost.recorded events were emitted today; only one call was made today.
  assert.equal(day.by_type.find((t) => t.type === "cost.recorded")?.count, 3);
  assert.deepEqual(day.cost, {
    usd: 2.25,
    calls: 1,
    by_model: [{ model: "gpt-5-mini", usd: 2.25, calls: 1 }],
  });
  const all = await telemetrySummary(again.project, { period: "all", now });
  assert.deepEqual(all.cost, {
    usd: 4.35,
    calls: 3,
    by_model: [
      { model: "gpt-5-mini", usd: 2.25, calls: 1 },
      { model: "claude-sonnet-4-5", usd: 2.1, calls: 2 },
    ],
  });
  assert.deepEqual(all.models.map((m) => [m.model, m.cost_calls, m.usd]), [
    ["claude-sonnet-4-5", 2, 2.1],
    ["gpt-5-mini", 1, 2.25],
  ]);
  // A summary made before today's call does not count it.
  const before = await telemetrySummary(again.project, {
    period: "day",
    now: new Date("2026-11-25T10:59:59.000Z"),
  });
  assert.deepEqual(before.cost, { usd: 0, calls: 0, by_model: [] });
  await again.project.close();
});

Deno.test("summary: durations above 100 ms stay within 2.5 % of exact", () => {
  for (let ms = 0; ms < 10_000_000; ms = ms * 1.07 + 1) {
    const b = durationBucket(ms);
    if (ms < 100) assert.equal(b, Math.round(ms));
    else assert.ok(Math.abs(b - ms) / ms <= 0.026, `${ms} -> ${b}`);
  }
});

Deno.test({
  name: "migration 4 turns duration rows into hourly histograms, keeping percentiles",
  // SQLite's migration path; tests/core/store_migrations_test.ts applies PostgreSQL's.
  ignore: ON_POSTGRES,
}, async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/br.db`;
  const old = await openSqliteStore(path, { migrations: MIGRATIONS.filter((m) => m.version <= 3) });
  const hour = Math.floor(Date.parse("2026-11-25T11:00:00Z") / 3_600_000);
  await old.many("INSERT INTO duration_rollups (hour, type, ms, count) VALUES (?, ?, ?, ?)", [
    [hour, "task.completed", 10, 3],
    [hour, "task.completed", 90, 1],
    [hour - 1, "task.completed", 50, 2],
    [hour, "gate.passed", 7, 1],
  ]);
  await old.close();
  const store = await openSqliteStore(path);
  assert.deepEqual(
    await store.all(
      "SELECT hour - ? AS h, type, count, buckets FROM duration_histograms ORDER BY hour, type",
      [hour],
    ),
    [
      { h: -1, type: "task.completed", count: 2, buckets: '{"50":2}' },
      { h: 0, type: "gate.passed", count: 1, buckets: '{"7":1}' },
      { h: 0, type: "task.completed", count: 4, buckets: '{"10":3,"90":1}' },
    ],
  );
  await store.close();
  const project = recorder(dir.path).project;
  await Deno.mkdir(`${dir.path}/.buildrunner`);
  await Deno.rename(path, `${dir.path}/.buildrunner/br.db`);
  const s = await telemetrySummary(project, { period: "all" });
  assert.deepEqual(s.durations.find((d) => d.type === "task.completed"), {
    type: "task.completed",
    count: 6,
    p50_ms: 10,
    p95_ms: 90,
  });
  await project.close();
});

Deno.test("summary: a routing id and the dated name the log carries are one model row", async () => {
  await using dir = await tempDir();
  const r = recorder(dir.path);
  r.project.bus.emit("model.selected", { model: "claude-haiku-4-5", level: "simple" });
  r.project.bus.emit("model.fallback", { from: "gpt-5", to: "claude-haiku-4-5" });
  await recordUsage(r.project, {
    source: "claude-code",
    model: "claude-haiku-4-5-20251001",
    input_tokens: 1_000_000,
    output_tokens: 0,
  });
  await recordUsage(r.project, {
    source: "test",
    model: "claude-haiku-4-5",
    cost_usd: 0.5,
  });
  await recordUsage(r.project, { source: "test", model: "my-own-model", cost_usd: 0.25 });
  await r.project.close();
  const again = recorder(dir.path);
  const s = await telemetrySummary(again.project, {
    period: "day",
    now: new Date("2026-11-25T12:30:00.000Z"),
  });
  assert.deepEqual(s.models, [
    { model: "claude-haiku-4-5", selected: 1, fallback_to: 1, cost_calls: 2, usd: 1.5 },
    { model: "my-own-model", selected: 0, fallback_to: 0, cost_calls: 1, usd: 0.25 },
  ]);
  assert.deepEqual(s.cost.by_model, [
    { model: "claude-haiku-4-5", usd: 1.5, calls: 2 },
    { model: "my-own-model", usd: 0.25, calls: 1 },
  ]);
  await again.project.close();
});

Deno.test("br telemetry prune: --dry-run, --yes required without a terminal, summaries agree afterwards", async () => {
  await using dir = await tempProject();
  const r = recorder(dir.path, "2026-11-25T10:10:00.000Z");
  r.project.bus.emit("task.completed", { task_id: "a", duration_ms: 10 });
  r.at("2026-11-25T10:50:00.000Z");
  r.project.bus.emit("task.completed", { task_id: "b", duration_ms: 20 });
  r.at("2026-11-25T09:20:00.000Z");
  r.project.bus.emit("task.failed", { task_id: "c", duration_ms: 30 });
  await r.project.close();
  // 1 h 30 min before 12:00 is 10:30, in the middle of an hour whose rollup counts both.
  const clock = fixedClock("2026-11-25T12:00:00.000Z");
  const run = (args: string[]) => br(["telemetry", ...args], { cwd: dir.path, clock });
  const events = async () =>
    JSON.parse((await run(["events", "--json", "--limit", "1000"])).stdout) as unknown[];

  const refused = await run(["prune", "--older-than", "90m"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--yes/);

  const dry = await run(["prune", "--older-than", "90m", "--dry-run", "--json"]);
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout);
  // The cutoff moves back to the start of its hour, so events and hourly rollups go together.
  assert.equal(plan.before, "2026-11-25T10:00:00.000Z");
  assert.equal(plan.events, 2); // task.failed and the recording session's end, at 09:20
  assert.equal(plan.dry_run, true);
  // The dry run deletes nothing.
  const types = async () => (await events() as { type: string }[]).map((e) => e.type);
  assert.ok((await types()).includes("task.failed"));

  const done = await run(["prune", "--older-than", "90m", "--yes", "--json"]);
  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual({ ...JSON.parse(done.stdout), rollups: 0 }, {
    ...plan,
    dry_run: false,
    rollups: 0,
  });
  const left = await events();
  assert.ok(!(await types()).includes("task.failed"));
  const s = JSON.parse((await run(["summary", "--period", "all", "--json"])).stdout);
  // The summary counts exactly the events that remain.
  assert.equal(s.events, left.length);
  assert.deepEqual(s.success.tasks, { succeeded: 2, failed: 0, rate: 1 });
});
