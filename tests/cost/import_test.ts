import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import { br, brProcess, tempDir, tempProject } from "../helpers.ts";
import { storeEnv } from "../postgres.ts";
import {
  appendLog,
  ccLine,
  ccUser,
  cxCount,
  cxItem,
  cxMeta,
  cxTurn,
  join,
  writeLog,
} from "./_logs.ts";

// List prices per million tokens (the catalog's, from @pydantic/genai-prices).
const SONNET_45 = { in: 3, out: 15, w5m: 3.75, w1h: 6, read: 0.3 };
const SONNET_45_LONG = { in: 6, out: 22.5, read: 0.6 }; // request input above 200k tokens
const OPUS_41 = { in: 15, out: 75, w5m: 18.75, read: 1.5 };
const HAIKU_45 = { in: 1, out: 5, w5m: 1.25 };
const GPT_5 = { in: 1.25, out: 10, read: 0.125 }; // gpt-5-codex is priced as gpt-5
const GPT_51 = { in: 1.25, out: 10 }; // gpt-5.1-codex-max resolves to gpt-5.1

// The cost of every record, by hand.
const L1 = (10 * SONNET_45.in + 50 * SONNET_45.out + 400 * SONNET_45.w5m + 600 * SONNET_45.w1h +
  2000 * SONNET_45.read) / 1e6; // split response: the final line's 50 output tokens
const L3 = (100 * OPUS_41.in + 200 * OPUS_41.out + 300 * OPUS_41.w5m + 5000 * OPUS_41.read) / 1e6;
const L4 = (1000 * 0.8 + 1000 * 4) / 1e6; // claude-3-5-haiku, legacy line with costUSD 0.005
const L5 = (20 * SONNET_45_LONG.in + 30 * SONNET_45_LONG.out + 250_000 * SONNET_45_LONG.read) / 1e6;
const L6 = (7 * HAIKU_45.in + 3 * HAIKU_45.out + 100 * HAIKU_45.w5m) / 1e6;
const L7 = (1000 * HAIKU_45.in + 500 * HAIKU_45.out) / 1e6;
const L8 = (2000 * HAIKU_45.in + 100 * HAIKU_45.out) / 1e6;
const E1 = (600 * GPT_5.in + 400 * GPT_5.read + 100 * GPT_5.out) / 1e6;
const E2 = (1000 * GPT_5.in + 1000 * GPT_5.read + 200 * GPT_5.out) / 1e6;
const E3 = (500 * GPT_51.in + 100 * GPT_51.out) / 1e6;

const CODEX_E = "11111111-2222-4333-8444-555555555555";
const CODEX_F = "99999999-8888-4777-8666-555555555555";

interface Row {
  key: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_creation_tokens: number;
  cache_read_tokens: number;
  total_tokens: number;
  cost_usd: number;
  logged_cost_usd: number | null;
}
interface Summary {
  rows: Row[];
  totals: Omit<Row, "key">;
  unpriced_models: string[];
}

function near(actual: number, expected: number, what: string) {
  assert.ok(Math.abs(actual - expected) < 2e-6, `${what}: ${actual} != ${expected}`);
}

async function buildTree(home: string, root: string) {
  const wt = join(root, ".buildrunner", "worktrees", "auth-login");
  const projects = join(home, "claude", "projects");
  const a2 = {
    id: "msg_A2",
    model: "claude-opus-4-1-20250805",
    time: "2026-11-25T10:05:00.000Z",
    input: 100,
    output: 200,
    writeLegacy: 300,
    read: 5000,
    cwd: root,
    branch: "br/billing",
  };
  await writeLog(join(projects, "-work-acme", "s1.jsonl"), [
    ccUser("2026-11-25T09:59:59.000Z", wt),
    ccLine({
      id: "msg_A1",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T10:00:00.000Z",
      input: 10,
      output: 5,
      write5m: 400,
      write1h: 600,
      read: 2000,
      cwd: wt,
      branch: "br/auth-login",
    }),
    ccLine({
      id: "msg_A1",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T10:00:01.000Z",
      input: 10,
      output: 50,
      write5m: 400,
      write1h: 600,
      read: 2000,
      cwd: wt,
      branch: "br/auth-login",
    }),
    ccLine(a2),
    ccLine({
      id: "msg_syn",
      model: "<synthetic>",
      time: "2026-11-25T10:06:00.000Z",
      input: 999,
      output: 999,
    }),
    ccLine({
      id: "msg_A3",
      model: "claude-3-5-haiku-20241022",
      time: "2026-11-25T10:10:00.000Z",
      input: 1000,
      output: 1000,
      writeLegacy: 0,
      costUSD: 0.005,
      cwd: root,
      branch: "main",
    }),
    '{"type":"assistant","message":{"id":"msg_cut","usage":{"input_tokens":',
  ]);
  // A resumed session repeats msg_A2 and goes on.
  await writeLog(join(projects, "-work-acme", "s2.jsonl"), [
    ccLine(a2),
    ccLine({
      id: "msg_B1",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T11:00:00.000Z",
      input: 20,
      output: 30,
      read: 250_000,
      cwd: root,
      branch: "auth-login",
    }),
  ]);
  // A subagent: a sidechain replay of msg_A2 (without requestId) and a call of its own.
  await writeLog(join(projects, "-work-acme", "s1", "subagents", "agent-a1.jsonl"), [
    ccLine({ ...a2, req: null, sidechain: true, time: "2026-11-25T10:05:30.000Z" }),
    ccLine({
      id: "msg_C1",
      model: "claude-haiku-4-5-20251001",
      time: "2026-11-25T10:06:00.000Z",
      input: 7,
      output: 3,
      write5m: 100,
      cwd: wt,
      sidechain: true,
    }),
  ]);
  // Another project; a session crossing midnight UTC; branch named like a feature but
  // outside this project.
  await writeLog(join(projects, "-work-other", "s3.jsonl"), [
    ccLine({
      id: "msg_D1",
      model: "claude-haiku-4-5-20251001",
      time: "2026-11-24T23:50:00.000Z",
      input: 1000,
      output: 500,
      cwd: "/home/dev/other",
      branch: "auth-login",
    }),
    ccLine({
      id: "msg_D2",
      model: "claude-haiku-4-5-20251001",
      time: "2026-11-25T00:10:00.000Z",
      input: 2000,
      output: 100,
      cwd: "/home/dev/other",
    }),
  ]);
  const codex = join(home, "codex");
  const e = join(
    codex,
    "sessions",
    "2026",
    "11",
    "25",
    `rollout-2026-11-25T12-00-00-${CODEX_E}.jsonl`,
  );
  await writeLog(e, [
    cxMeta(CODEX_E, root, "br/search", "2026-11-25T12:00:00.000Z"),
    cxTurn("gpt-5-codex", root, "2026-11-25T12:00:01.000Z"),
    cxItem("2026-11-25T12:00:01.500Z"),
    cxCount("2026-11-25T12:00:02.000Z", null),
    cxCount("2026-11-25T12:00:05.000Z", { input: 1000, cached: 400, output: 100, reasoning: 50 }),
    cxCount("2026-11-25T12:00:06.000Z", { input: 1000, cached: 400, output: 100, reasoning: 50 }),
    cxCount(
      "2026-11-25T12:01:00.000Z",
      { input: 3000, cached: 1400, output: 300, reasoning: 120 },
      {
        input: 2000,
        cached: 1000,
        output: 200,
      },
    ),
    cxTurn("gpt-5.1-codex-max", root, "2026-11-25T12:02:00.000Z"),
    cxCount("2026-11-25T12:03:00.000Z", { input: 3500, cached: 1400, output: 400 }, {
      input: 500,
      cached: 0,
      output: 100,
    }),
  ]);
  const f = join(codex, "archived_sessions", `rollout-2026-11-20T08-00-00-${CODEX_F}.jsonl`);
  await writeLog(f, [
    cxMeta(CODEX_F, "/home/dev/other", "main", "2026-11-20T08:00:00.000Z"),
    cxTurn("mystery-model", "/home/dev/other", "2026-11-20T08:00:01.000Z"),
    cxCount("2026-11-20T08:01:00.000Z", { input: 100, cached: 0, output: 10 }),
  ]);
  return {
    projects,
    codex,
    s2: join(projects, "-work-acme", "s2.jsonl"),
    s3: join(projects, "-work-other", "s3.jsonl"),
    e,
  };
}

async function summary(cwd: string, args: string[]): Promise<Summary> {
  const res = await br(["cost", "summary", "--json", ...args], { cwd });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout);
}

function byKey(s: Summary): Record<string, Row> {
  return Object.fromEntries(s.rows.map((r) => [String(r.key), r]));
}

Deno.test("cost import reads Claude Code and Codex logs with the totals computed by hand", async (t) => {
  await using project = await tempProject("acme");
  await using home = await tempDir();
  const root = project.path;
  for (const name of ["Auth login", "Billing", "Search"]) {
    assert.equal((await br(["feature", "add", name], { cwd: root })).code, 0);
  }
  const tree = await buildTree(home.path, root);
  const env = { CLAUDE_CONFIG_DIR: join(home.path, "claude"), CODEX_HOME: tree.codex, TZ: "UTC" };
  const events: BrEvent[] = [];

  await t.step("first import", async () => {
    const res = await br(["cost", "import", "--json"], {
      cwd: root,
      env,
      onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
    });
    assert.equal(res.code, 0, res.stderr);
    const report = JSON.parse(res.stdout);
    const [cc, cx] = report.sources;
    assert.equal(cc.source, "claude-code");
    assert.equal(cc.files, 4);
    assert.equal(cc.added, 7); // A1 A2 A3 B1 C1 D1 D2: no synthetic line, no replay counted twice
    assert.equal(cc.malformed_lines, 1);
    assert.equal(cx.source, "codex");
    assert.equal(cx.files, 2);
    assert.equal(cx.added, 4);
    assert.deepEqual(report.unpriced_models, ["mystery-model"]);
    near(report.cost_usd, L1 + L3 + L4 + L5 + L6 + L7 + L8 + E1 + E2 + E3, "import cost");
    const recorded = events.filter((e) => e.type === "cost.recorded");
    assert.deepEqual(
      recorded.map((e) =>
        `${(e.payload as { source: string }).source}/${(e.payload as { model: string }).model}`
      ),
      [
        "claude-code/claude-3-5-haiku-20241022",
        "claude-code/claude-haiku-4-5-20251001",
        "claude-code/claude-opus-4-1-20250805",
        "claude-code/claude-sonnet-4-5-20250929",
        "codex/gpt-5-codex",
        "codex/gpt-5.1-codex-max",
        "codex/mystery-model",
      ],
    );
  });

  await t.step("summary totals and by model", async () => {
    const s = await summary(root, ["--by", "model"]);
    assert.deepEqual(s.totals, {
      input_tokens: 10 + 100 + 1000 + 20 + 7 + 1000 + 2000 + 600 + 1000 + 500 + 100,
      output_tokens: 50 + 200 + 1000 + 30 + 3 + 500 + 100 + 100 + 200 + 100 + 10,
      cache_creation_tokens: 1000 + 300 + 100,
      cache_read_tokens: 2000 + 5000 + 250_000 + 400 + 1000,
      total_tokens: 6337 + 2293 + 1400 + 258_400,
      cost_usd: s.totals.cost_usd,
      logged_cost_usd: 0.005,
    });
    near(s.totals.cost_usd, L1 + L3 + L4 + L5 + L6 + L7 + L8 + E1 + E2 + E3, "total");
    assert.deepEqual(s.unpriced_models, ["mystery-model"]);
    const m = byKey(s);
    assert.deepEqual(Object.keys(m), [
      "claude-3-5-haiku-20241022",
      "claude-haiku-4-5-20251001",
      "claude-opus-4-1-20250805",
      "claude-sonnet-4-5-20250929",
      "gpt-5-codex",
      "gpt-5.1-codex-max",
      "mystery-model",
    ]);
    near(m["claude-sonnet-4-5-20250929"].cost_usd, L1 + L5, "sonnet");
    assert.equal(m["claude-sonnet-4-5-20250929"].output_tokens, 80);
    assert.equal(m["claude-sonnet-4-5-20250929"].cache_creation_tokens, 1000);
    near(m["claude-opus-4-1-20250805"].cost_usd, L3, "opus");
    assert.equal(m["claude-opus-4-1-20250805"].input_tokens, 100); // counted once
    near(m["claude-3-5-haiku-20241022"].cost_usd, L4, "haiku 3.5");
    assert.equal(m["claude-3-5-haiku-20241022"].logged_cost_usd, 0.005);
    assert.equal(m["claude-opus-4-1-20250805"].logged_cost_usd, null);
    near(m["claude-haiku-4-5-20251001"].cost_usd, L6 + L7 + L8, "haiku 4.5");
    near(m["gpt-5-codex"].cost_usd, E1 + E2, "gpt-5-codex");
    assert.equal(m["gpt-5-codex"].input_tokens, 1600);
    assert.equal(m["gpt-5-codex"].cache_read_tokens, 1400);
    assert.equal(m["gpt-5-codex"].output_tokens, 300);
    near(m["gpt-5.1-codex-max"].cost_usd, E3, "gpt-5.1-codex-max");
    assert.equal(m["mystery-model"].cost_usd, 0);
  });

  await t.step("br routing costs shows the same data", async () => {
    for (const by of ["model", "feature"]) {
      const a = await br(["cost", "summary", "--by", by, "--json"], { cwd: root, env });
      const b = await br(["routing", "costs", "--by", by, "--json"], { cwd: root, env });
      assert.equal(b.code, 0, b.stderr);
      assert.equal(b.stdout, a.stdout);
    }
  });

  await t.step("by feature, session and project", async () => {
    const f = byKey(await summary(root, ["--by", "feature"]));
    assert.deepEqual(Object.keys(f), ["auth-login", "billing", "search", "null"]);
    near(f["auth-login"].cost_usd, L1 + L5 + L6, "auth-login");
    near(f.billing.cost_usd, L3, "billing");
    near(f.search.cost_usd, E1 + E2 + E3, "search");
    near(f.null.cost_usd, L4 + L7 + L8, "unattributed");
    const s = byKey(await summary(root, ["--by", "session"]));
    assert.deepEqual(Object.keys(s), [CODEX_E, CODEX_F, "s1", "s2", "s3"]);
    near(s.s1.cost_usd, L1 + L3 + L4 + L6, "s1 with its subagent");
    near(s.s2.cost_usd, L5, "s2");
    const p = byKey(await summary(root, ["--by", "project"]));
    // Codex rows carry the working folder; these Claude Code folders match no line's cwd.
    assert.deepEqual(Object.keys(p), ["-work-acme", "-work-other", "/home/dev/other", root]);
    near(p["-work-other"].cost_usd, L7 + L8, "other project");
  });

  await t.step("by day in two time zones, and date bounds", async () => {
    const utc = byKey(await summary(root, ["--by", "day"]));
    assert.deepEqual(Object.keys(utc), ["2026-11-20", "2026-11-24", "2026-11-25"]);
    near(utc["2026-11-24"].cost_usd, L7, "before midnight");
    const tokyo = byKey(await summary(root, ["--by", "day", "--timezone", "Asia/Tokyo"]));
    assert.deepEqual(Object.keys(tokyo), ["2026-11-20", "2026-11-25"]);
    near(
      tokyo["2026-11-25"].cost_usd,
      L1 + L3 + L4 + L5 + L6 + L7 + L8 + E1 + E2 + E3,
      "tokyo day",
    );
    const week = byKey(await summary(root, ["--by", "week"]));
    assert.deepEqual(Object.keys(week), ["2026-W47", "2026-W48"]);
    const month = await summary(root, ["--by", "month"]);
    assert.deepEqual(month.rows.map((r) => r.key), ["2026-11"]);
    const one = await summary(root, [
      "--by",
      "day",
      "--since",
      "2026-11-24",
      "--until",
      "2026-11-24",
    ]);
    assert.deepEqual(one.rows.map((r) => r.key), ["2026-11-24"]);
    assert.deepEqual(one.unpriced_models, []);
    const csv = await br(["cost", "summary", "--by", "day", "--format", "csv"], { cwd: root, env });
    assert.equal(
      csv.stdout.split("\n")[0],
      "key,input_tokens,output_tokens,cache_creation_tokens,cache_read_tokens,total_tokens,cost_usd,logged_cost_usd",
    );
    assert.match(csv.stdout, /^2026-11-24,1000,500,0,0,1500,0.0035,$/m);
    // On a terminal: a table whose number columns are right-aligned, the total last.
    const tty = await br(["cost", "summary", "--by", "day", "--since", "2026-11-01"], {
      cwd: root,
      env,
      tty: true,
    });
    const lines = tty.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 6, tty.stdout);
    assert.match(lines[0], /^DAY +INPUT +OUTPUT/);
    assert.match(lines[4], /^total /);
    assert.match(lines[5], /^No price for: mystery-model/);
    assert.equal(new Set(lines.slice(0, 5).map((l) => l.length)).size, 1, tty.stdout);
  });

  await t.step("re-import reads only new lines", async () => {
    const again = JSON.parse((await br(["cost", "import", "--json"], { cwd: root, env })).stdout);
    assert.equal(again.added, 0);
    assert.deepEqual(again.sources.map((s: { files_read: number }) => s.files_read), [0, 0]);
    const newLine = ccLine({
      id: "msg_B2",
      model: "claude-sonnet-4-5-20250929",
      time: "2026-11-25T11:30:00.000Z",
      input: 1,
      output: 1,
      cwd: root,
    });
    await appendLog(tree.s2, [newLine]);
    // The codex state (model, branch, last totals) survives between imports.
    await appendLog(tree.e, [
      cxCount("2026-11-25T12:10:00.000Z", { input: 4000, cached: 1400, output: 500 }),
    ]);
    // A line still being written (no newline yet) is left for the next import.
    const pending = ccLine({
      id: "msg_D3",
      model: "claude-haiku-4-5-20251001",
      time: "2026-11-25T01:00:00.000Z",
      input: 10,
      output: 10,
    });
    await Deno.writeTextFile(tree.s3, pending.slice(0, 40), { append: true });
    const third = JSON.parse((await br(["cost", "import", "--json"], { cwd: root, env })).stdout);
    assert.equal(third.added, 2);
    const [cc, cx] = third.sources;
    assert.equal(cc.files_read, 2);
    assert.equal(cc.bytes_read, new TextEncoder().encode(newLine + "\n").length);
    assert.equal(cx.files_read, 1);
    near(
      third.cost_usd,
      (1 * SONNET_45.in + 1 * SONNET_45.out + 500 * GPT_51.in + 100 * GPT_51.out) / 1e6,
      "new",
    );
    await Deno.writeTextFile(tree.s3, pending.slice(40) + "\n", { append: true });
    const fourth = JSON.parse((await br(["cost", "import", "--json"], { cwd: root, env })).stdout);
    assert.equal(fourth.added, 1);
    const f = byKey(await summary(root, ["--by", "feature"]));
    near(f.search.cost_usd, E1 + E2 + 2 * E3, "search after append");
  });

  await t.step("a rewritten file is read again without counting anything twice", async () => {
    const before = (await summary(root, [])).totals;
    const text = await Deno.readTextFile(tree.s3);
    await Deno.writeTextFile(tree.s3, ccUser("2026-11-24T23:49:00.000Z") + "\n" + text);
    const res = JSON.parse(
      (await br(["cost", "import", "claude-code", "--json"], { cwd: root, env })).stdout,
    );
    assert.equal(res.sources[0].files_read, 1);
    assert.equal(res.sources[0].bytes_read, (await Deno.stat(tree.s3)).size); // from the start
    assert.equal(res.added, 0);
    assert.deepEqual((await summary(root, [])).totals, before);
  });
});

Deno.test("an imported agent log replaces the session total an orchestrator recorded", async () => {
  await using project = await tempProject("acme");
  await using home = await tempDir();
  const { openProject } = await import("../../src/core/project.ts");
  const { recordUsage } = await import("../../src/cost/mod.ts");
  const p = await openProject({ cwd: project.path, env: { ...storeEnv(), TZ: "UTC" } });
  try {
    const total = (session: string) =>
      recordUsage(p, {
        source: "parallel",
        model: "claude-sonnet-4-5",
        session,
        key: `agent-session:${session}`,
        cost_usd: 1.5,
        time: "2026-11-25T09:00:00.000Z",
      });
    assert.equal((await total("sess-a")).written, true);
    assert.equal((await total("sess-a")).written, true); // same key: still one row
    const projects = join(home.path, "claude", "projects");
    await writeLog(join(projects, "-acme", "sess-a.jsonl"), [
      ccLine({
        id: "m1",
        model: "claude-haiku-4-5-20251001",
        time: "2026-11-25T09:01:00.000Z",
        input: 1000,
        output: 0,
      }),
    ]);
    const { importUsage, costSummary } = await import("../../src/cost/mod.ts");
    const report = await importUsage(p, { dirs: [join(home.path, "claude")] });
    assert.equal(report.superseded, 1);
    assert.equal(report.added, 1);
    assert.equal((await costSummary(p, { by: "session" })).totals.cost_usd, 0.001);
    // Recorded after the import: not written.
    assert.equal((await total("sess-a")).written, false);
    assert.equal((await costSummary(p, { by: "session" })).totals.cost_usd, 0.001);
    assert.equal((await total("sess-b")).written, true);
    assert.equal((await costSummary(p, { by: "session" })).totals.cost_usd, 1.501);
  } finally {
    await p.close();
  }
});

Deno.test("three imports at once count every call exactly once", async () => {
  await using project = await tempProject("acme");
  const projects = join(project.path, "logs", "projects");
  for (let f = 0; f < 4; f++) {
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = `m${f}-${i}`;
      const time = `2026-11-25T10:${String(i).padStart(2, "0")}:00.000Z`;
      const base = { id, model: "claude-haiku-4-5-20251001", time, input: 1000, cwd: project.path };
      lines.push(ccLine({ ...base, output: 1 }), ccLine({ ...base, output: 200 }));
    }
    await writeLog(join(projects, `-p${f}`, `s${f}.jsonl`), lines);
  }
  const runs = await Promise.all(
    [1, 2, 3].map(() =>
      brProcess(["cost", "import", "claude-code", "--dir", "logs", "--json"], {
        cwd: project.path,
        env: { TZ: "UTC" },
      })
    ),
  );
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const added = runs.map((r) => JSON.parse(r.stdout).added as number);
  assert.equal(added.reduce((a, b) => a + b, 0), 200);
  const s = await summary(project.path, []);
  assert.equal(s.totals.output_tokens, 200 * 200);
  near(
    s.totals.cost_usd,
    200 * (1000 * HAIKU_45.in + 200 * HAIKU_45.out) / 1e6,
    "concurrent total",
  );
});

Deno.test("cost summary --by project: one key per working folder for Claude Code and Codex", async () => {
  await using project = await tempProject("acme");
  await using home = await tempDir();
  const root = project.path;
  const app = "/home/dev/my_app.v2";
  // Claude Code names the folder after the launch folder, every non-alphanumeric character a dash.
  const folder = app.replace(/[^a-zA-Z0-9]/g, "-");
  const projects = join(home.path, "claude", "projects");
  const line = (id: string, cwd?: string) =>
    ccLine({
      id,
      model: "claude-haiku-4-5",
      time: "2026-11-25T10:00:00.000Z",
      input: 10,
      output: 0,
      cwd,
    });
  await writeLog(join(projects, folder, "s1.jsonl"), [
    line("a", app),
    line("b", `${app}/src/deep`), // the agent moved into a subfolder
    line("c", `${app}/.buildrunner/worktrees/login`), // a br task worktree of the project
  ]);
  // A line without cwd keeps the folder's key.
  await writeLog(join(projects, "-somewhere-else", "s2.jsonl"), [
    JSON.stringify({ ...JSON.parse(line("d")), cwd: undefined }),
  ]);
  const codex = join(home.path, "codex");
  await writeLog(
    join(codex, "sessions", "2026", "11", "25", `rollout-2026-11-25T10-00-00-${CODEX_E}.jsonl`),
    [
      cxMeta(CODEX_E, app, "main", "2026-11-25T10:00:00.000Z"),
      cxTurn("gpt-5-codex", app, "2026-11-25T10:00:01.000Z"),
      cxCount("2026-11-25T10:00:05.000Z", { input: 100, cached: 0, output: 10 }),
    ],
  );
  const env = { CLAUDE_CONFIG_DIR: join(home.path, "claude"), CODEX_HOME: codex, TZ: "UTC" };
  const imp = await br(["cost", "import"], { cwd: root, env });
  assert.equal(imp.code, 0, imp.stderr);
  const res = await br(["cost", "summary", "--by", "project", "--json"], { cwd: root, env });
  assert.equal(res.code, 0, res.stderr);
  const rows = (JSON.parse(res.stdout) as Summary).rows.map((r) => [r.key, r.input_tokens]);
  assert.deepEqual(rows, [["-somewhere-else", 10], [app, 130]]);
});

Deno.test("cost import prices with the overrides of config and of BR_COST__ variables", async () => {
  await using project = await tempProject("acme");
  await using home = await tempDir();
  const root = project.path;
  const projects = join(home.path, "claude", "projects");
  const line = (id: string, model: string) =>
    ccLine({ id, model, time: "2026-11-25T10:00:00.000Z", input: 1_000_000, output: 0 });
  await writeLog(join(projects, "-work-acme", "s1.jsonl"), [line("m1", "my-local-model")]);
  const env = { CLAUDE_CONFIG_DIR: join(home.path, "claude"), TZ: "UTC" };
  const imported = async (extra: Record<string, string> = {}) => {
    const res = await br(["cost", "import", "claude-code", "--json"], {
      cwd: root,
      env: { ...env, ...extra },
    });
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout);
  };
  // No override anywhere: the model has no price.
  const none = await imported();
  assert.deepEqual([none.cost_usd, none.unpriced_models], [0, ["my-local-model"]]);
  await Deno.writeTextFile(
    join(root, ".buildrunner", "config.yaml"),
    "cost:\n  prices:\n    other-model:\n      input: 2\n",
  );
  await appendLog(join(projects, "-work-acme", "s1.jsonl"), [line("m2", "other-model")]);
  const config = await imported();
  assert.deepEqual([config.cost_usd, config.unpriced_models], [2, []]);
  await Deno.remove(join(root, ".buildrunner", "config.yaml"));
  await appendLog(join(projects, "-work-acme", "s1.jsonl"), [line("m3", "third-model")]);
  const variable = await imported({ BR_COST__PRICES: '{"third-model":{"input":3}}' });
  assert.deepEqual([variable.cost_usd, variable.unpriced_models], [3, []]);
});

Deno.test("cost import, summary and statusline read plainly give what the parser gives", async () => {
  await using home = await tempDir();
  await using a = await tempProject("acme");
  const tree = await buildTree(home.path, a.path);
  const env = { CLAUDE_CONFIG_DIR: join(home.path, "claude"), CODEX_HOME: tree.codex, TZ: "UTC" };
  const claude = join(home.path, "claude");
  // Each import line into two new projects, one run each way.
  for (
    const argv of [
      ["cost", "import"],
      ["cost", "import", "--json"],
      ["cost", "import", "codex", "--json"],
      ["cost", "import", "--dir", claude, `--dir=${tree.codex}`, "--json"],
      ["cost", "import", "claude-code", "--dir", tree.projects],
      ["cost", "import", "--dir", join(home.path, "nowhere")],
      ["cost", "import", "gemini"],
    ]
  ) {
    await using p = await tempProject("acme");
    await using q = await tempProject("acme");
    const plain = await br(argv, { cwd: p.path, env });
    const parsed = await br(argv, { cwd: q.path, env, tree: true });
    assert.equal(plain.code === 0, !/nowhere|gemini/.test(argv.join(" ")), plain.stderr);
    assert.deepEqual(plain, parsed, argv.join(" "));
    // Telemetry names the command the same way.
    for (const dir of [p.path, q.path]) {
      const events = JSON.parse(
        (await br(["telemetry", "events", "--type", "session.ended", "--json"], { cwd: dir }))
          .stdout,
      ) as { payload: { command: string } }[];
      // (a usage error ends before a session starts)
      const expected = plain.code === 2 ? [] : ["cost import"];
      assert.deepEqual(events.map((e) => e.payload.command), expected, argv.join(" "));
    }
  }
  assert.equal((await br(["cost", "import", "--json"], { cwd: a.path, env })).code, 0);
  const session = JSON.stringify({ session_id: "s1", cwd: a.path });
  for (
    const argv of [
      ["cost", "summary"],
      ["cost", "summary", "--json", "--by", "model"],
      ["cost", "summary", "--by=source", "--since", "2026-11-20", "--until=2026-11-25"],
      ["cost", "summary", "--format", "csv", "--timezone", "Asia/Kolkata", "--source", "codex"],
      ["cost", "summary", "--by", "fortnight"],
      ["cost", "statusline"],
      ["cost", "statusline", "--json", "--project", a.path],
    ]
  ) {
    const run = (tree: boolean) => br(argv, { cwd: a.path, env, stdin: session, tree });
    const plain = await run(false);
    assert.equal(plain.code, argv.includes("fortnight") ? 2 : 0, plain.stderr);
    assert.ok(plain.stdout || plain.stderr, argv.join(" "));
    assert.deepEqual(plain, await run(true), argv.join(" "));
  }
});
