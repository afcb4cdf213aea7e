import assert from "node:assert/strict";
import { recordUsage } from "../../src/cost/mod.ts";
import { evaluateAlerts } from "../../src/telemetry/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { recorder } from "./_util.ts";

async function setAll(root: string, pairs: Record<string, string>) {
  for (const [k, v] of Object.entries(pairs)) {
    const res = await br(["config", "set", k, v], { cwd: root });
    assert.equal(res.code, 0, res.stderr);
  }
}

function emitTasks(r: ReturnType<typeof recorder>, ok: number, failed: number, ms = 10) {
  for (let i = 0; i < ok; i++) {
    r.project.bus.emit("task.completed", { task_id: `ok${i}`, duration_ms: ms });
  }
  for (let i = 0; i < failed; i++) {
    r.project.bus.emit("task.failed", { task_id: `f${i}`, duration_ms: ms });
  }
}

Deno.test("alerts fire exactly at their thresholds", async (t) => {
  const now = new Date("2026-11-25T12:30:00.000Z");

  async function rates(ok: number, failed: number) {
    await using dir = await tempProject();
    const a = recorder(dir.path);
    emitTasks(a, ok, failed);
    await a.project.close();
    const b = recorder(dir.path);
    const report = await evaluateAlerts(b.project, { now });
    await b.project.close();
    const check = (rule: string) => report.checks.find((c) => c.rule === rule)!;
    return {
      success: check("success_rate"),
      error: check("error_rate"),
      active: report.active.map((x) => x.rule),
    };
  }

  await t.step("success rate min 0.8 and error rate max 0.2: 4 of 5 fires both", async () => {
    const at = await rates(4, 1);
    assert.equal(at.success.value, 0.8);
    assert.equal(at.error.value, 0.2);
    assert.deepEqual(at.active, ["error_rate", "success_rate"]);
  });

  await t.step("5 of 6 (0.8333 / 0.1667) fires neither", async () => {
    const above = await rates(5, 1);
    assert.equal(above.success.value, 0.8333);
    assert.equal(above.error.value, 0.1667);
    assert.deepEqual(above.active, []);
  });

  await t.step(
    "daily cost, p95 and findings: at the threshold fires, just below does not",
    async () => {
      await using dir = await tempProject();
      await setAll(dir.path, {
        "telemetry.alerts.daily_cost_usd_max": "1",
        "telemetry.alerts.p95_duration_ms_max": "50",
        "telemetry.alerts.security_findings_max": "2",
        "telemetry.alerts.success_rate_min": "null",
        "telemetry.alerts.error_rate_max": "null",
      });
      const a = recorder(dir.path);
      await recordUsage(a.project, { source: "t", model: "m", cost_usd: 0.99 });
      emitTasks(a, 20, 0, 49);
      a.project.bus.emit("security.finding", { rule: "aws-key", file: "a.ts", fingerprint: "f1" });
      await a.project.close();
      const b = recorder(dir.path);
      let report = await evaluateAlerts(b.project, { now });
      assert.deepEqual(report.active, []);
      assert.deepEqual(
        report.checks.map((c) => [c.rule, c.value, c.firing]),
        [
          ["daily_cost_usd", 0.99, false],
          ["error_rate", 0, false],
          ["p95_duration_ms", 49, false],
          ["security_findings", 1, false],
          ["success_rate", 1, false],
        ],
      );
      await recordUsage(b.project, { source: "t", model: "m", cost_usd: 0.01 });
      emitTasks(b, 2, 0, 50); // 22 tasks: p95 rank 21 -> 50
      b.project.bus.emit("security.finding", { rule: "aws-key", file: "b.ts", fingerprint: "f2" });
      await b.project.close();
      const c = recorder(dir.path);
      report = await evaluateAlerts(c.project, { now });
      assert.deepEqual(report.active.map((x) => x.rule), [
        "daily_cost_usd",
        "p95_duration_ms",
        "security_findings",
      ]);
      assert.equal(report.checks.find((x) => x.rule === "daily_cost_usd")?.value, 1);
      // Evaluated again: still active, not stored twice.
      report = await evaluateAlerts(c.project, { now });
      assert.equal(report.fired.length, 0);
      assert.equal(report.history.length, 3);
      // A day later the window is empty: everything resolves, the history keeps them.
      report = await evaluateAlerts(c.project, { now: new Date("2026-11-27T12:00:00Z") });
      assert.deepEqual(report.active, []);
      assert.equal(report.resolved.length, 3);
      assert.ok(report.history.every((h) => h.resolved_at === "2026-11-27T12:00:00.000Z"));
      await c.project.close();
    },
  );

  await t.step("daily cost is today's ledger cost, not old usage recorded today", async () => {
    async function daily(threshold: string) {
      await using dir = await tempProject();
      await setAll(dir.path, { "telemetry.alerts.daily_cost_usd_max": threshold });
      const a = recorder(dir.path);
      // 10 days old (as an import records it, today): $1.80 at the catalog's $3/$15.
      await recordUsage(a.project, {
        source: "claude-code",
        model: "claude-sonnet-4-5",
        time: "2026-11-15T09:00:00.000Z",
        input_tokens: 100_000,
        output_tokens: 100_000,
      });
      // Today: $2.25 at gpt-5-mini's $0.25/$2.
      await recordUsage(a.project, {
        source: "test",
        model: "gpt-5-mini",
        time: "2026-11-25T11:00:00.000Z",
        input_tokens: 1_000_000,
        output_tokens: 1_000_000,
      });
      await a.project.close();
      const b = recorder(dir.path);
      const report = await evaluateAlerts(b.project, { now });
      await b.project.close();
      return report.checks.find((c) => c.rule === "daily_cost_usd")!;
    }
    assert.deepEqual(await daily("2.25"), {
      rule: "daily_cost_usd",
      value: 2.25,
      threshold: 2.25,
      kind: "max",
      firing: true,
    });
    const above = await daily("2.26");
    assert.equal(above.value, 2.25);
    assert.equal(above.firing, false);
  });

  await t.step("the collector checks alerts after writing outcomes", async () => {
    await using dir = await tempProject();
    const a = recorder(dir.path);
    emitTasks(a, 0, 3);
    await a.project.close();
    const b = recorder(dir.path);
    const store = await b.project.store();
    const rows = await store.all<{ rule: string }>("SELECT rule FROM alerts ORDER BY rule");
    assert.deepEqual(rows.map((r) => r.rule), ["error_rate", "success_rate"]);
    await b.project.close();
  });

  await t.step("a bad threshold in config is invalid data", async () => {
    await using dir = await tempProject();
    const res = await br(["config", "set", "telemetry.alerts.error_rate_max", "high"], {
      cwd: dir.path,
    });
    assert.equal(res.code, 3, res.stderr);
  });
});

Deno.test("an active alert's text follows the current figure; it resolves when the condition does", async () => {
  await using dir = await tempProject();
  const a = recorder(dir.path);
  emitTasks(a, 2, 1); // error rate 1/3
  await a.project.close();
  const b = recorder(dir.path);
  const first = await evaluateAlerts(b.project, { now: new Date("2026-11-25T12:30:00.000Z") });
  const fired = first.active.find((x) => x.rule === "error_rate")!;
  assert.match(fired.message, /^Error rate 33\.3% /);
  emitTasks(b, 7, 4); // 5 of 14 now: 0.3571
  await b.project.close();
  const c = recorder(dir.path);
  const later = await evaluateAlerts(c.project, { now: new Date("2026-11-25T12:40:00.000Z") });
  const check = later.checks.find((x) => x.rule === "error_rate")!;
  assert.equal(check.value, 0.3571);
  const still = later.active.find((x) => x.rule === "error_rate")!;
  assert.equal(still.id, fired.id);
  assert.equal(still.fired_at, fired.fired_at);
  assert.equal(still.value, 0.3571);
  assert.match(still.message, /^Error rate 35\.7% is at or above 20%$/);
  assert.equal(later.history.find((x) => x.id === fired.id)!.message, still.message);
  await c.project.close();
});

Deno.test("a security alert resolves once br security baseline accepted the findings", async () => {
  await using dir = await tempProject();
  const token = "ghp_" + "x7Kq2LmN9pRt4VwZ8bYc3dFg6hJk1MnP5sQa";
  await Deno.writeTextFile(`${dir.path}/config.ts`, `export const token = "${token}";\n`);
  const scan = await br(["security", "scan", "config.ts"], { cwd: dir.path });
  assert.equal(scan.code, 10, scan.stdout + scan.stderr);
  const before = JSON.parse(
    (await br(["telemetry", "alerts", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(before.active.map((x: { rule: string }) => x.rule), ["security_findings"]);
  const accept = await br(["security", "baseline"], { cwd: dir.path });
  assert.equal(accept.code, 0, accept.stderr);
  const after = JSON.parse((await br(["telemetry", "alerts", "--json"], { cwd: dir.path })).stdout);
  const check = after.checks.find((x: { rule: string }) => x.rule === "security_findings");
  assert.equal(check.value, 0);
  assert.deepEqual(after.active, []);
  assert.deepEqual(after.resolved.map((x: { rule: string }) => x.rule), ["security_findings"]);
});

Deno.test("with the daily-cost rule off, the report still shows the day's cost and the rate rules fire", async () => {
  await using dir = await tempProject();
  const a = recorder(dir.path);
  await recordUsage(a.project, {
    source: "test",
    model: "gpt-5-mini",
    time: "2026-11-25T11:00:00.000Z",
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  });
  // Failed tasks: the check after writing them fires the rate rules (the cost rule is off).
  emitTasks(a, 0, 3);
  await a.project.close();
  const b = recorder(dir.path);
  const store = await b.project.store();
  const rows = await store.all<{ rule: string }>("SELECT rule FROM alerts ORDER BY rule");
  assert.deepEqual(rows.map((r) => r.rule), ["error_rate", "success_rate"]);
  const report = await evaluateAlerts(b.project, { now: new Date("2026-11-25T12:30:00.000Z") });
  assert.deepEqual(report.checks.find((c) => c.rule === "daily_cost_usd"), {
    rule: "daily_cost_usd",
    value: 2.25,
    threshold: null,
    kind: "max",
    firing: false,
  });
  await b.project.close();
});
