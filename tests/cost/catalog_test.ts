import assert from "node:assert/strict";
import { Catalog, CATALOG_CORRECTIONS, recordUsage } from "../../src/cost/mod.ts";
import { createProject } from "../../src/core/project.ts";
import { br, brProcess, fixedClock, tempProject } from "../helpers.ts";

const none = { input_tokens: 0, output_tokens: 0, cache_creation_tokens: 0, cache_read_tokens: 0 };

Deno.test("catalog resolves names with provider prefixes and dated suffixes", () => {
  const c = new Catalog();
  const cases: [string, string | null][] = [
    ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5"],
    ["anthropic/claude-3-5-haiku-20241022", "claude-3-5-haiku-latest"],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-0"],
    ["claude-opus-4-1@20250805", "claude-opus-4-1"],
    ["gpt-5-codex", "gpt-5"],
    ["openai/gpt-4o-2024-08-06", "gpt-4o"],
    ["models/gemini-2.5-pro", "gemini-2.5-pro"],
    ["<synthetic>", null],
    ["mystery-model", null],
  ];
  for (const [name, id] of cases) assert.equal(c.resolve(name)?.id ?? null, id, name);
  const sonnet = c.resolve("claude-sonnet-4-5")!;
  assert.match(
    sonnet.source,
    /^@pydantic\/genai-prices@\d+\.\d+\.\d+ \(https:\/\/www\.anthropic\.com\/pricing/,
  );
  assert.equal(c.price("mystery-model", { ...none, input_tokens: 5 }, "2026-11-25"), null);
});

Deno.test("catalog prices every token kind, 5m/1h cache writes and the 200k tier", () => {
  const c = new Catalog();
  const t = "2026-11-25T00:00:00Z";
  const sonnet = (tokens: Partial<typeof none> & { cache_creation_1h_tokens?: number }) =>
    c.price("claude-sonnet-4-5", { ...none, ...tokens }, t)!;
  assert.equal(sonnet({ input_tokens: 100_000 }), 0.3);
  assert.equal(sonnet({ output_tokens: 100_000 }), 1.5);
  assert.equal(sonnet({ cache_read_tokens: 100_000 }), 0.03);
  assert.equal(sonnet({ cache_creation_tokens: 100_000 }), 0.375);
  assert.equal(sonnet({ cache_creation_tokens: 100_000, cache_creation_1h_tokens: 100_000 }), 0.6);
  // Above 200k input tokens the whole request is billed at the long-context rates.
  assert.equal(sonnet({ input_tokens: 200_000 }), 0.6);
  assert.equal(
    sonnet({ input_tokens: 200_001, output_tokens: 1000 }),
    (200_001 * 6 + 1000 * 22.5) / 1e6,
  );
  // OpenAI: cached input at the cache-read price; no cache-write price (writes are input).
  assert.equal(
    c.price("gpt-5", { ...none, input_tokens: 1000, cache_read_tokens: 1000 }, t),
    0.001375,
  );
});

Deno.test("price overrides in config win over the dataset", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    "cost:\n  prices:\n    my-local-model:\n      input: 1\n      output: 2\n    claude-sonnet-4-5:\n      input: 10\n",
  );
  const res = await br(["cost", "models", "my-local-model-20260101", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const body = JSON.parse(res.stdout);
  assert.deepEqual(body.models.map((m: { id: string; source: string }) => [m.id, m.source]), [[
    "my-local-model",
    "config (cost.prices)",
  ]]);
  const sonnet = JSON.parse(
    (await br(["cost", "models", "claude-sonnet-4-5-20250929", "--json"], { cwd: dir.path }))
      .stdout,
  );
  assert.equal(sonnet.models[0].prices.input, 10);
});

Deno.test("br cost runs as a subprocess: import, summary and usage errors", async () => {
  await using dir = await tempProject();
  const logs = `${dir.path}/logs/projects/-p`;
  await Deno.mkdir(logs, { recursive: true });
  await Deno.writeTextFile(
    `${logs}/s.jsonl`,
    JSON.stringify({
      type: "assistant",
      requestId: "req_1",
      timestamp: "2026-11-25T10:00:00.000Z",
      message: {
        id: "msg_1",
        model: "claude-haiku-4-5",
        usage: { input_tokens: 1000, output_tokens: 1000 },
      },
    }) + "\n",
  );
  const env = { HOME: dir.path, TZ: "UTC" };
  const imp = await brProcess(["cost", "import", "claude-code", "--dir", "logs"], {
    cwd: dir.path,
    env,
  });
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stdout, /claude-code: 1 new records from 1 of 1 files/);
  const sum = await brProcess(["cost", "summary", "--by", "model", "--json"], {
    cwd: dir.path,
    env,
  });
  assert.equal(sum.code, 0, sum.stderr);
  assert.equal(JSON.parse(sum.stdout).totals.cost_usd, 0.006);
  const bad = await brProcess(["cost", "summary", "--by", "hour"], { cwd: dir.path, env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^error: Cannot group by "hour"\nhint: use one of: day, week/);
  const tz = await brProcess(["cost", "summary", "--timezone", "Mars/Base"], {
    cwd: dir.path,
    env,
  });
  assert.equal(tz.code, 2);
  assert.match(tz.stderr, /Unknown time zone "Mars\/Base"/);
});

Deno.test("correction: Sonnet 4 above 200k input tokens is billed at the long-context rates", () => {
  const c = new Catalog();
  const t = "2026-11-25T00:00:00Z";
  const price = (tokens: Partial<typeof none> & { cache_creation_1h_tokens?: number }) =>
    c.price("claude-sonnet-4-20250514", { ...none, ...tokens }, t)!;
  assert.equal(price({ input_tokens: 200_000 }), 0.6);
  // Cache reads and writes count towards the 200k; the whole request moves to the higher rates.
  const big = { input_tokens: 1_000, cache_read_tokens: 150_000, cache_creation_tokens: 60_000 };
  assert.equal(
    price({ ...big, output_tokens: 2_000 }),
    (1_000 * 6 + 150_000 * 0.6 + 60_000 * 7.5 + 2_000 * 22.5) / 1e6,
  );
  assert.equal(
    price({ input_tokens: 200_001, cache_creation_tokens: 10, cache_creation_1h_tokens: 10 }),
    (200_001 * 6 + 10 * 12) / 1e6,
  );
  // Bedrock and Vertex spellings resolve to the same corrected row.
  assert.equal(
    c.price("us.anthropic.claude-sonnet-4-20250514-v1:0", { ...none, input_tokens: 300_000 }, t),
    1.8,
  );
  assert.match(
    c.resolve("claude-sonnet-4-0")!.source,
    /^https:\/\/docs\.claude\.com\/.*long-context-pricing, checked \d{4}-\d{2}-\d{2} \(correction over @pydantic\/genai-prices@/,
  );
});

Deno.test("correction: o3 cached input cost $2.50 before the 2025-06-10 price cut", () => {
  const c = new Catalog();
  const tokens = { ...none, cache_read_tokens: 1_000_000 };
  assert.equal(c.price("o3-2025-04-16", tokens, "2025-05-01T00:00:00Z"), 2.5);
  assert.equal(c.price("o3", tokens, "2025-06-10T00:00:00Z"), 0.5);
  assert.match(c.resolve("o3")!.source, /openai\.com.*checked \d{4}-\d{2}-\d{2}/);
});

Deno.test("every long-context tier and dated price change of the catalog has been reviewed", () => {
  // Adding a model here means: its tiers and dated changes were compared with the provider's
  // page, and a correction was added to src/cost/catalog_corrections.json where they differ.
  const reviewed = [
    "anthropic/claude-opus-4-6",
    "anthropic/claude-sonnet-4-0",
    "anthropic/claude-sonnet-4-5",
    "anthropic/claude-sonnet-4-6",
    "google/claude-opus-4-6",
    "google/claude-sonnet-4-5",
    "google/gemini-1.5-flash",
    "google/gemini-1.5-pro",
    "google/gemini-2.5-pro",
    "google/gemini-3-pro-preview",
    "google/gemini-3.1-pro-preview",
    "google/gemini-3.6-flash",
    "google/gemini-3.7-flash",
    "google/gemini-3.8-flash",
    "google/gemini-flash-1.5",
    "google/gemini-flash-1.5-8b",
    "google/gemini-pro-1.5",
    "openai/gpt-5.4",
    "openai/gpt-5.4-pro",
    "openai/gpt-5.5",
    "openai/gpt-5.5-pro",
    "openai/gpt-5.6-luna",
    "openai/gpt-5.6-sol",
    "openai/gpt-5.6-terra",
    "openai/gpt-6-astra",
    "openai/gpt-6-luna",
    "openai/gpt-6-sol",
    "openai/o3",
  ];
  const changing = new Catalog().models().filter((m) =>
    m.periods.length > 1 ||
    m.periods.some((p) => Object.values(p.prices).some((v) => typeof v === "object"))
  ).map((m) => `${m.provider}/${m.id}`).sort();
  assert.deepEqual(changing, reviewed);
  for (const fix of CATALOG_CORRECTIONS) {
    assert.ok(reviewed.includes(`${fix.provider}/${fix.id}`), `${fix.provider}/${fix.id}`);
    assert.match(fix.checked, /^\d{4}-\d{2}-\d{2}$/);
    assert.match(fix.source, /^https:\/\//);
  }
});

Deno.test("br cost models shows each row's own source (config, correction or dataset)", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    "cost:\n  prices:\n    claude-sonnet-4-5:\n      input: 10\n",
  );
  const one = async (name: string) => {
    const res = await br(["cost", "models", name], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };
  const override = await one("claude-sonnet-4-5");
  assert.match(override, /^claude-sonnet-4-5\tconfig\t10\t.*\tconfig \(cost\.prices\)$/m);
  assert.doesNotMatch(override, /genai-prices/);
  assert.match(await one("claude-sonnet-4-0"), /long-context-pricing, checked/);
  assert.match(await one("claude-haiku-4-5"), /\t@pydantic\/genai-prices@0\.1\.8 \(https:/);
});

Deno.test("cost summary --by day puts rows on the right side of midnight in zones with :30 and :45 offsets", async () => {
  await using dir = await tempProject();
  const clock = fixedClock("2026-11-26T12:00:00.000Z");
  for (
    const time of [
      "2026-11-25T18:14:59.000Z",
      "2026-11-25T18:15:00.000Z",
      "2026-11-25T18:29:59.000Z",
      "2026-11-25T18:30:00.000Z",
    ]
  ) {
    const project = createProject(dir.path, { clock: { now: () => new Date(time) } });
    await recordUsage(project, { source: "test", model: "m", input_tokens: 1, cost_usd: 1, time });
    await project.close();
  }
  const days = async (tz: string) =>
    Object.fromEntries(
      JSON.parse(
        (await br(["cost", "summary", "--by", "day", "--timezone", tz, "--json"], {
          cwd: dir.path,
          clock,
        })).stdout,
      ).rows.map((r: { key: string; cost_usd: number }) => [r.key, r.cost_usd]),
    );
  // India (+5:30): midnight is 18:30 UTC. Nepal (+5:45): midnight is 18:15 UTC.
  assert.deepEqual(await days("Asia/Kolkata"), { "2026-11-25": 3, "2026-11-26": 1 });
  assert.deepEqual(await days("Asia/Kathmandu"), { "2026-11-25": 1, "2026-11-26": 3 });
});

Deno.test("cost summary --by day across a daylight-saving switch (Europe/Berlin, 2026-10-25)", async () => {
  await using dir = await tempProject();
  const times = [
    "2026-10-24T21:59:00.000Z", // 23:59 CEST, the 24th
    "2026-10-24T22:00:00.000Z", // 00:00 CEST, the 25th
    "2026-10-25T00:30:00.000Z", // 02:30 CEST, before the switch at 01:00 UTC
    "2026-10-25T22:59:00.000Z", // 23:59 CET, the 25th
    "2026-10-25T23:00:00.000Z", // 00:00 CET, the 26th
  ];
  for (const time of times) {
    const project = createProject(dir.path, { clock: { now: () => new Date(time) } });
    await recordUsage(project, { source: "test", model: "m", input_tokens: 1, cost_usd: 1, time });
    await project.close();
  }
  const res = await br(
    ["cost", "summary", "--by", "day", "--timezone", "Europe/Berlin", "--json"],
    {
      cwd: dir.path,
    },
  );
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(
    JSON.parse(res.stdout).rows.map((r: { key: string; cost_usd: number }) => [r.key, r.cost_usd]),
    [["2026-10-24", 1], ["2026-10-25", 3], ["2026-10-26", 1]],
  );
});
