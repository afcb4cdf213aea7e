import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { listCatalog, type TokenPrice } from "../../src/cost/mod.ts";
import { ROUTING_PROFILES, routingModels, selectModel } from "../../src/routing/mod.ts";
import { br, tempProject } from "../helpers.ts";

async function ok(args: string[], cwd: string) {
  const res = await br(args, { cwd });
  assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
  return res;
}

function base(p: TokenPrice | undefined): number {
  return p === undefined ? 0 : typeof p === "number" ? p : p.base;
}

function open(cwd: string) {
  return openProject({ cwd, env: { BR_HOME: `${cwd}/.br-home` } });
}

Deno.test("routing models: provider, context and prices come from the cost catalog", async () => {
  await using dir = await tempProject();
  const project = await open(dir.path);
  const models = await routingModels(project);
  assert.deepEqual(models.map((m) => m.id).sort(), Object.keys(ROUTING_PROFILES).sort());
  for (const m of models) {
    const [entry] = (await listCatalog(project, { name: m.id })).models;
    assert.ok(entry, `${m.id} is in the catalog`);
    assert.equal(m.catalog_id, entry.id);
    assert.equal(m.provider, entry.provider, m.id);
    assert.equal(m.input_usd_per_mtok, base(entry.prices.input), m.id);
    assert.equal(m.output_usd_per_mtok, base(entry.prices.output), m.id);
    assert.equal(m.price_source, "catalog");
    // The routing table's context window only fills a gap of the catalog.
    assert.equal(
      m.context_window,
      entry.context_window ?? ROUTING_PROFILES[m.id].context_window,
      m.id,
    );
  }
  // The catalog has no context window for gemini-2.5-pro; sonnet 4.5 has a long-context tier
  // of which routing takes the standard rate.
  const [pro] = (await listCatalog(project, { name: "gemini-2.5-pro" })).models;
  assert.equal(pro.context_window, null);
  assert.equal(models.find((m) => m.id === "gemini-2.5-pro")!.context_window, 1_048_576);
  const [sonnet] = (await listCatalog(project, { name: "claude-sonnet-4-5" })).models;
  assert.equal(typeof sonnet.prices.input, "object");
  assert.equal(models.find((m) => m.id === "claude-sonnet-4-5")!.input_usd_per_mtok, 3);

  // Estimated task cost = assumed tokens x catalog prices.
  const s = await selectModel(project, { level: "critical" });
  const [opus] = (await listCatalog(project, { name: "claude-opus-4-5" })).models;
  assert.equal(s.model.id, "claude-opus-4-5");
  assert.equal(
    s.model.estimated_usd,
    (600_000 * base(opus.prices.input) + 90_000 * base(opus.prices.output)) / 1e6,
  );
  await project.close();
});

Deno.test("routing follows cost.prices overrides and catalog-backed routing.models", async () => {
  await using dir = await tempProject();
  const cwd = dir.path;
  const sel = async (args: string[]) =>
    JSON.parse((await ok(["routing", "select", ...args, "--json"], cwd)).stdout);
  assert.equal((await sel(["--level", "complex"])).model.id, "gemini-2.5-pro");

  // A price override of the cost catalog moves the choice and the --max-cost verdict.
  await ok(["config", "set", "cost.prices", '{"gemini-2.5-pro": {"input": 5, "output": 40}}'], cwd);
  const s = await sel(["--level", "complex"]);
  assert.equal(s.model.id, "gpt-5");
  const pro = s.candidates.find((c: { model: string }) => c.model === "gemini-2.5-pro");
  assert.equal(pro.estimated_usd, (250_000 * 5 + 40_000 * 40) / 1e6);
  const models = JSON.parse((await ok(["routing", "models", "--json"], cwd)).stdout);
  const row = models.find((m: { id: string }) => m.id === "gemini-2.5-pro");
  assert.equal(row.price_source, "cost.prices");
  assert.equal(row.provider, "google"); // provider and context still from the dataset
  assert.equal(row.context_window, 1_048_576);
  const capped = await br([
    "routing",
    "select",
    "--level",
    "complex",
    "--provider",
    "google",
    "--max-cost",
    "2",
  ], { cwd });
  assert.equal(capped.code, 4);
  assert.match(capped.stderr, /cheapest fit is gemini-2\.5-pro at an estimated \$2\.85/);

  // A catalog model added by id and tier only: prices, provider and context from the catalog.
  await ok(["config", "set", "routing.models", '[{"id": "gpt-5-nano", "tier": 1}]'], cwd);
  const project = await open(cwd);
  const [nano] = (await listCatalog(project, { name: "gpt-5-nano" })).models;
  await project.close();
  const simple = await sel([
    "--level",
    "simple",
    "--provider",
    "openai",
    "--min-context",
    "400000",
  ]);
  assert.equal(simple.model.id, "gpt-5-nano");
  assert.equal(simple.model.provider, nano.provider);
  assert.equal(simple.model.context_window, nano.context_window);
  assert.equal(simple.model.input_usd_per_mtok, base(nano.prices.input));
  assert.equal(
    simple.model.estimated_usd,
    (20_000 * base(nano.prices.input) + 4_000 * base(nano.prices.output)) / 1e6,
  );

  // A model the catalog does not price needs its own prices.
  await ok(["config", "set", "routing.models", '[{"id": "local-coder", "tier": 2}]'], cwd);
  const unpriced = await br(["routing", "models"], { cwd });
  assert.equal(unpriced.code, 3, unpriced.stderr);
  assert.match(unpriced.stderr, /error: Routing model "local-coder" has no price in the cost/);
  assert.match(unpriced.stderr, /hint: add it to cost\.prices/);
});
