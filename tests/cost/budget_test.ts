import assert from "node:assert/strict";
import { checkBudgets, recordUsage, setBudget } from "../../src/cost/mod.ts";
import type { BrEvent } from "../../src/core/events.ts";
import { openProject } from "../../src/core/project.ts";
import { br, fixedClock, tempProject } from "../helpers.ts";
import { storeEnv } from "../postgres.ts";

Deno.test("budgets warn and stop at their thresholds, with budget.alert on each crossing", async (t) => {
  await using dir = await tempProject();
  // A feature budget needs its feature.
  await br(["feature", "add", "Auth"], { cwd: dir.path });
  const clock = fixedClock("2026-11-25T12:00:00.000Z");
  const project = await openProject({ cwd: dir.path, clock, env: { ...storeEnv(), TZ: "UTC" } });
  const alerts: BrEvent[] = [];
  const recorded: BrEvent[] = [];
  project.bus.on("budget.alert", (e) => void alerts.push(e));
  project.bus.on("cost.recorded", (e) => void recorded.push(e));
  try {
    await setBudget(project, { period: "daily", limit_usd: 1, warn_pct: 50 });
    await setBudget(project, { period: "total", limit_usd: 0.3, feature: "auth", warn_pct: 80 });
    const spend = (usd: number, feature?: string, time?: string) =>
      recordUsage(project, {
        source: "parallel",
        model: "claude-sonnet-4-5",
        cost_usd: usd,
        feature,
        time,
      });

    await t.step("below the warn level", async () => {
      const r = await spend(0.49);
      assert.equal(r.budgets.level, "ok");
      assert.equal(alerts.length, 0);
      assert.equal(recorded.length, 1);
      assert.equal((recorded[0].payload as { usd: number }).usd, 0.49);
    });
    await t.step("exactly at the warn level", async () => {
      const r = await spend(0.01);
      assert.equal(r.budgets.level, "warn");
      assert.deepEqual(r.budgets.alerts.map((a) => [a.name, a.level, a.spent_usd]), [[
        "daily",
        "warn",
        0.5,
      ]]);
      assert.deepEqual(alerts.map((a) => a.payload), [{
        budget: "daily",
        spent: 0.5,
        limit: 1,
        level: "warn",
      }]);
    });
    await t.step("staying at warn does not alert again", async () => {
      await spend(0.1);
      assert.equal(alerts.length, 1);
    });
    await t.step("a feature's total budget", async () => {
      const r = await spend(0.24, "auth");
      assert.equal(r.budgets.level, "warn"); // auth 0.24 = 80 % of 0.30; daily 0.84 ≥ 0.5
      assert.equal(alerts.length, 2);
      assert.deepEqual(alerts[1].payload, {
        budget: "total:auth",
        spent: 0.24,
        limit: 0.3,
        level: "warn",
      });
      assert.equal(alerts[1].feature, "auth");
    });
    await t.step("exactly at the limit stops", async () => {
      const r = await spend(0.16);
      assert.equal(r.budgets.level, "stop");
      assert.deepEqual(alerts.at(-1)!.payload, {
        budget: "daily",
        spent: 1,
        limit: 1,
        level: "stop",
      });
      const forAuth = await checkBudgets(project, { feature: "auth" });
      assert.deepEqual(forAuth.budgets.map((b) => b.name), ["daily", "total:auth"]);
      const other = await checkBudgets(project, { feature: "billing" });
      assert.deepEqual(other.budgets.map((b) => b.name), ["daily"]);
    });
    await t.step("a new day starts a new window", async () => {
      clock.set("2026-11-26T00:00:00.000Z");
      const r = await checkBudgets(project);
      const daily = r.budgets.find((b) => b.name === "daily")!;
      assert.equal(daily.window, "2026-11-26");
      assert.equal(daily.spent_usd, 0);
      assert.equal(daily.level, "ok");
    });
    await t.step("usage priced from the catalog when no USD is given", async () => {
      const r = await recordUsage(project, {
        source: "parallel",
        model: "anthropic/claude-sonnet-4-5-20250929",
        input_tokens: 1000,
        output_tokens: 1000,
        cache_read_tokens: 1000,
      });
      assert.ok(Math.abs(r.entry.cost_usd - (1000 * 3 + 1000 * 15 + 1000 * 0.3) / 1e6) < 1e-12);
      assert.equal(r.entry.priced, true);
    });
  } finally {
    await project.close();
  }

  await t.step("br cost budget check exits 10 at stop and lists in JSON", async () => {
    const env = { TZ: "UTC" };
    const clock2 = fixedClock("2026-11-25T18:00:00.000Z");
    const check = await br(["cost", "budget", "check", "--json"], {
      cwd: dir.path,
      env,
      clock: clock2,
    });
    assert.equal(check.code, 10, check.stderr);
    const body = JSON.parse(check.stdout);
    assert.equal(body.level, "stop");
    assert.deepEqual(body.alerts.map((a: { name: string; level: string }) => [a.name, a.level]), [
      ["daily", "stop"],
      ["total:auth", "warn"],
    ]);
    const list = await br(["cost", "budget", "list", "--json"], {
      cwd: dir.path,
      env,
      clock: clock2,
    });
    assert.equal(list.code, 0);
    assert.deepEqual(JSON.parse(list.stdout).map((b: { name: string }) => b.name), [
      "daily",
      "total:auth",
    ]);
    const bad = await br(["cost", "budget", "set", "hourly", "5"], { cwd: dir.path, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: Unknown budget period "hourly"/);
    assert.equal((await br(["cost", "budget", "remove", "daily"], { cwd: dir.path, env })).code, 0);
    const after = await br(["cost", "budget", "check"], { cwd: dir.path, env, clock: clock2 });
    assert.equal(after.code, 0, after.stdout); // total:auth is at warn, not stop
  });
});
