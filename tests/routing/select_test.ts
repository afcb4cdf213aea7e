import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { recordFallback, selectModel } from "../../src/routing/mod.ts";
import { br, brProcess, tempProject } from "../helpers.ts";
import { storeEnv } from "../postgres.ts";

async function ok(args: string[], cwd: string) {
  const res = await br(args, { cwd });
  assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
  return res;
}

Deno.test("selectModel: constraints, then the cheapest model that met the bar", async (t) => {
  await using dir = await tempProject();
  const cwd = dir.path;
  await ok([
    "feature",
    "add",
    "Checkout",
    "--description",
    "Integrate Stripe checkout and payment webhooks",
  ], cwd);
  for (const f of ["a", "b", "c", "d"]) await ok(["feature", "add", `F ${f}`], cwd);
  const sel = async (args: string[]) =>
    JSON.parse((await ok(["routing", "select", ...args, "--json"], cwd)).stdout);

  await t.step("without records: the cheapest model whose tier covers the level", async () => {
    const s = await sel(["--level", "complex"]);
    assert.equal(s.model.id, "gemini-2.5-pro"); // $1.25/$10 ties gpt-5; sorted by id
    assert.deepEqual(s.fallbacks, ["gpt-5", "claude-sonnet-4-5", "claude-opus-4-5"]);
    const estimated = await sel(["--feature", "checkout"]);
    assert.equal(estimated.level, "complex");
    assert.equal(estimated.estimate.feature, "checkout");
  });

  await t.step("provider, context and cost constraints", async () => {
    assert.equal(
      (await sel(["--level", "complex", "--provider", "anthropic"])).model.id,
      "claude-sonnet-4-5",
    );
    assert.equal(
      (await sel(["--level", "complex", "--min-context", "500000"])).model.id,
      "gemini-2.5-pro",
    );
    assert.equal(
      (await sel(["--level", "simple", "--provider", "google"])).model.id,
      "gemini-2.5-flash",
    );
    const tooCheap = await br(["routing", "select", "--level", "critical", "--max-cost", "1"], {
      cwd,
    });
    assert.equal(tooCheap.code, 4);
    assert.match(
      tooCheap.stderr,
      /hint: the cheapest fit is claude-opus-4-5 at an estimated \$5\.25/,
    );
    const nobody = await br(["routing", "select", "--level", "simple", "--provider", "acme"], {
      cwd,
    });
    assert.equal(nobody.code, 4);
    const bad = await br(["routing", "select", "--level", "huge"], { cwd });
    assert.equal(bad.code, 2);
  });

  await t.step("a cheaper model that met the bar at a level is preferred", async () => {
    for (
      const [f, result] of [["f-a", "success"], ["f-b", "success"], ["f-c", "success"], [
        "f-d",
        "rework",
      ]]
    ) {
      await ok([
        "routing",
        "outcome",
        f,
        "--model",
        "gpt-5-mini",
        "--result",
        result,
        "--level",
        "complex",
      ], cwd);
    }
    // 3/4 = 75 % is below the 80 % bar: not proven, and excluded.
    let s = await sel(["--level", "complex"]);
    assert.equal(s.model.id, "gemini-2.5-pro");
    const mini = s.candidates.find((c: { model: string }) => c.model === "gpt-5-mini");
    assert.equal(mini.eligible, false);
    assert.match(mini.why, /below the 80% bar: 3\/4 successes at complex/);
    await ok([
      "routing",
      "outcome",
      "f-a",
      "--model",
      "gpt-5-mini",
      "--result",
      "success",
      "--level",
      "complex",
    ], cwd);
    s = await sel(["--level", "complex"]); // 4/5 = 80 %: met
    assert.equal(s.model.id, "gpt-5-mini");
    assert.match(s.reasons.join("\n"), /proven record: met the 80% bar: 4\/5 successes at complex/);
    // Other levels are unaffected.
    assert.equal((await sel(["--level", "critical"])).model.id, "claude-opus-4-5");
  });

  await t.step("a model that fell below the bar loses the level it was trusted with", async () => {
    for (const f of ["f-a", "f-b", "f-c"]) {
      await ok([
        "routing",
        "outcome",
        f,
        "--model",
        "gemini-2.5-flash",
        "--result",
        "fail",
        "--level",
        "simple",
      ], cwd);
    }
    const s = await sel(["--level", "simple", "--provider", "google"]);
    assert.equal(s.model.id, "gemini-2.5-pro");
  });

  await t.step("fallback chains come from config", async () => {
    await ok([
      "config",
      "set",
      "routing.fallbacks",
      '{"claude-opus-4-5": ["gpt-5", "nope", "gemini-2.5-pro"]}',
    ], cwd);
    const s = await sel(["--level", "critical"]);
    assert.deepEqual(s.fallbacks, ["gpt-5", "gemini-2.5-pro"]);
    const project = await openProject({ cwd, env: { ...storeEnv(), BR_HOME: `${cwd}/.br-home` } });
    const seen: string[] = [];
    project.bus.on("model.fallback", (e) => void seen.push(`${e.payload.from}->${e.payload.to}`));
    assert.equal(recordFallback(project, s, "claude-opus-4-5", "rate limited"), "gpt-5");
    assert.equal(recordFallback(project, s, "gpt-5"), "gemini-2.5-pro");
    assert.equal(recordFallback(project, s, "gemini-2.5-pro"), null);
    assert.deepEqual(seen, ["claude-opus-4-5->gpt-5", "gpt-5->gemini-2.5-pro"]);
    await project.close();
  });

  await t.step("recorded costs replace the assumed task size", async () => {
    for (const cost of ["2", "4"]) {
      await ok([
        "routing",
        "outcome",
        "f-a",
        "--model",
        "claude-opus-4-5",
        "--result",
        "success",
        "--level",
        "critical",
        "--cost",
        cost,
      ], cwd);
    }
    const s = await sel(["--level", "critical"]);
    assert.equal(s.model.estimated_usd, 3);
    assert.match(
      s.reasons.at(-2),
      /estimated \$3\.00 for the task \(mean of 2 recorded cost\(s\) at critical\)/,
    );
  });

  await t.step("model.selected events are recorded", async () => {
    const events = JSON.parse(
      (await ok(["telemetry", "events", "--type", "model.selected", "--json"], cwd)).stdout,
    );
    assert.ok(events.length >= 8);
    assert.equal(events.at(-1).payload.model, "claude-opus-4-5");
    assert.equal(events.at(-1).payload.level, "critical");
  });
});

Deno.test("selectModel: config routing.models adds a model", async () => {
  await using dir = await tempProject();
  const cwd = dir.path;
  await ok([
    "config",
    "set",
    "routing.models",
    '[{"id": "local-coder", "provider": "local", "context_window": 32000, "input_usd_per_mtok": 0, "output_usd_per_mtok": 0, "tier": 2}]',
  ], cwd);
  const project = await openProject({ cwd, env: { ...storeEnv(), BR_HOME: `${cwd}/.br-home` } });
  const s = await selectModel(project, { level: "moderate" });
  assert.equal(s.model.id, "local-coder");
  assert.equal(s.model.estimated_usd, 0);
  // Not in the cost catalog: its own prices apply.
  assert.equal(s.model.catalog_id, null);
  assert.equal(s.model.price_source, "routing.models");
  await project.close();
});

Deno.test("routing commands run as a subprocess", async () => {
  await using dir = await tempProject();
  const cwd = dir.path;
  const add = await brProcess(["feature", "add", "Login"], { cwd });
  assert.equal(add.code, 0, add.stderr);
  for (
    const args of [
      ["routing", "estimate", "Fix typo in README"],
      ["routing", "select", "--level", "moderate"],
      ["routing", "models"],
      ["routing", "outcome", "login", "--model", "gpt-5", "--result", "success"],
    ]
  ) {
    const res = await brProcess(args, { cwd });
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    assert.notEqual(res.stdout.trim(), "");
  }
  const models = JSON.parse((await brProcess(["routing", "models", "--json"], { cwd })).stdout);
  assert.deepEqual(models.find((m: { id: string }) => m.id === "gpt-5").records.simple, {
    outcomes: 1,
    success: 1,
    rework: 0,
    fail: 0,
    success_rate: 1,
  });
  const bad = await brProcess([
    "routing",
    "outcome",
    "login",
    "--model",
    "gpt-5",
    "--result",
    "meh",
  ], { cwd });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /hint: use one of success, rework, fail/);
});
