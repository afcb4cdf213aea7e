/**
 * The tools beyond the default set (BR_MCP_TOOLS=all), each compared with the CLI command
 * that calls the same capability function.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { join } from "node:path";
import { br, FIXTURES, gitRun, tempProject } from "../helpers.ts";
import { openProject } from "../../src/core/project.ts";
import { recordUsage } from "../../src/cost/mod.ts";
import { connect } from "./_client.ts";

// Assembled at run time so the repository never holds a literal secret.
const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";

function structured<T = Record<string, unknown>>(result: unknown): T {
  const r = result as CallToolResult;
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  return r.structuredContent as T;
}

function errorText(result: unknown): string {
  const r = result as CallToolResult;
  assert.equal(r.isError, true, `expected a tool error, got ${JSON.stringify(r)}`);
  return (r.content[0] as { text: string }).text;
}

Deno.test("BR_MCP_TOOLS=all: capability tools agree with their CLI commands", async (t) => {
  await using dir = await tempProject();
  await Deno.mkdir(`${dir.path}/src`);
  await Deno.writeTextFile(`${dir.path}/src/a.ts`, `export const token = "${GH}";\n`);
  await Deno.writeTextFile(`${dir.path}/clean.ts`, "export const a = 1;\n");
  const wizard = await br([
    "spec",
    "wizard",
    "--name",
    "Acme Portal",
    "--description",
    "A portal where patients book visits with their doctor and see lab results.",
    "--industry",
    "healthcare",
    "--use-case",
    "dashboard",
    "--feature",
    "User model!high: Users have an email",
    "--feature",
    "Login: A user can log in",
  ], { cwd: dir.path });
  assert.equal(wizard.code, 0, wizard.stderr);
  await using conn = await connect(dir.path, { BR_MCP_TOOLS: "all" });
  const { client } = conn;
  const { tools } = await client.listTools();
  const names = new Set(tools.map((x) => x.name));

  await t.step("br_security_scan", async () => {
    assert.ok(names.has("br_security_scan"));
    const raw = await client.callTool({ name: "br_security_scan", arguments: { paths: ["src"] } });
    assert.ok(!JSON.stringify(raw).includes(GH), "the raw secret never leaves br");
    const r = structured<{
      findings: { rule: string; file: string; secret_masked: string; fingerprint: string }[];
      new_count: number;
      total: number;
    }>(raw);
    assert.equal(r.total, 1);
    assert.equal(r.new_count, 1);
    assert.equal(r.findings[0].rule, "github-token");
    assert.equal(r.findings[0].file, "src/a.ts");
    const cli = await br(["security", "scan", "src", "--json"], { cwd: dir.path });
    assert.equal(cli.code, 10);
    const cliFindings = JSON.parse(cli.stdout).findings;
    assert.deepEqual(r.findings, cliFindings);
    const clean = structured<{ total: number }>(
      await client.callTool({ name: "br_security_scan", arguments: { paths: ["clean.ts"] } }),
    );
    assert.equal(clean.total, 0);
    const outside = errorText(
      await client.callTool({ name: "br_security_scan", arguments: { paths: ["../"] } }),
    );
    assert.match(outside, /^error: Path "\.\.\/" of "paths\[0\]" is outside the project/);
  });

  await t.step("br_spec_validate", async () => {
    const r = structured<{ valid: boolean; features: number; problems: unknown[] }>(
      await client.callTool({ name: "br_spec_validate", arguments: {} }),
    );
    const cli = await br(["spec", "validate", "--json"], { cwd: dir.path });
    assert.deepEqual(r, JSON.parse(cli.stdout));
    assert.equal(r.valid, true);
    assert.equal(r.features, 2);
  });

  await t.step("br_spec_sync: dry run, then for real", async () => {
    const plan = structured<{ dry_run: boolean; added_to_features: string[]; diff: string }>(
      await client.callTool({ name: "br_spec_sync", arguments: { dry_run: true } }),
    );
    assert.equal(plan.dry_run, true);
    assert.deepEqual(plan.added_to_features, ["login", "user-model"]);
    assert.match(plan.diff, /features\.json/);
    const list = await br(["feature", "list", "--json"], { cwd: dir.path });
    assert.deepEqual(JSON.parse(list.stdout), [], "a dry run writes nothing");
    const done = structured<{ dry_run: boolean; added_to_features: string[] }>(
      await client.callTool({ name: "br_spec_sync", arguments: {} }),
    );
    assert.equal(done.dry_run, false);
    assert.deepEqual(done.added_to_features, ["login", "user-model"]);
    const again = structured<{ added_to_features: string[] }>(
      await client.callTool({ name: "br_spec_sync", arguments: {} }),
    );
    assert.deepEqual(again.added_to_features, []);
  });

  await t.step("br_handoff", async () => {
    const r = structured<{ feature: { id: string }; prompt: string; ready: boolean }>(
      await client.callTool({ name: "br_handoff", arguments: { id: "user-model" } }),
    );
    assert.equal(r.feature.id, "user-model");
    const cli = await br(["handoff", "user-model", "--json"], { cwd: dir.path });
    const { prompt, ...rest } = r;
    assert.deepEqual(rest, JSON.parse(cli.stdout));
    const text = await br(["handoff", "user-model"], { cwd: dir.path });
    assert.equal(prompt, text.stdout);
    const missing = errorText(
      await client.callTool({ name: "br_handoff", arguments: { id: "nope" } }),
    );
    assert.match(missing, /^error: Cannot find feature "nope"/);
  });

  await t.step("br_design_generate", async () => {
    const r = structured<{
      title: string;
      out_dir: string;
      files: { path: string }[];
      source: { industry: string };
    }>(
      await client.callTool({
        name: "br_design_generate",
        arguments: { format: "tailwind4", out: "ui/theme" },
      }),
    );
    assert.equal(r.out_dir, "ui/theme");
    assert.equal(r.source.industry, "spec");
    assert.match(r.title, /Healthcare/);
    for (const f of r.files) {
      assert.ok(f.path.startsWith("ui/theme/"), f.path);
      assert.ok((await Deno.stat(`${dir.path}/${f.path}`)).isFile);
    }
    const outside = errorText(
      await client.callTool({ name: "br_design_generate", arguments: { out: "/tmp/x" } }),
    );
    assert.match(outside, /outside the project/);
    const unknown = errorText(
      await client.callTool({
        name: "br_design_generate",
        arguments: { industry: "bakery", use_case: "crm" },
      }),
    );
    const cli = await br(["design", "generate", "bakery", "crm"], { cwd: dir.path });
    assert.equal(unknown, cli.stderr.trim());
  });

  await t.step("br_gaps and br_quality", async () => {
    const gaps = structured<{ gaps: unknown[]; counts: { total: number }; total: number }>(
      await client.callTool({ name: "br_gaps", arguments: { limit: 500 } }),
    );
    const cliGaps = JSON.parse((await br(["gaps", "analyze", "--json"], { cwd: dir.path })).stdout);
    assert.deepEqual(gaps.gaps, cliGaps.gaps);
    assert.deepEqual(gaps.counts, cliGaps.counts);
    assert.ok(gaps.total > 0, "open features are gaps");
    const high = structured<{ gaps: { severity: string }[] }>(
      await client.callTool({ name: "br_gaps", arguments: { severity: "medium", limit: 1 } }),
    );
    assert.ok(high.gaps.every((g) => g.severity === "medium"));
    const q = structured<{ score: number; findings: unknown[]; next_cursor: string | null }>(
      await client.callTool({ name: "br_quality", arguments: { limit: 500 } }),
    );
    const cliQ = JSON.parse((await br(["quality", "check", "--json"], { cwd: dir.path })).stdout);
    assert.equal(q.score, cliQ.score);
    assert.deepEqual(q.findings, cliQ.findings);
  });

  await t.step("br_routing_estimate", async () => {
    const r = structured<{ feature: string; level: string; reasons: unknown[] }>(
      await client.callTool({ name: "br_routing_estimate", arguments: { feature: "login" } }),
    );
    const cli = await br(["routing", "estimate", "--feature", "login", "--json"], {
      cwd: dir.path,
    });
    assert.deepEqual(r, JSON.parse(cli.stdout));
    const text = structured<{ feature: null; level: string }>(
      await client.callTool({
        name: "br_routing_estimate",
        arguments: { text: "Migrate the payment database with zero downtime" },
      }),
    );
    assert.equal(text.feature, null);
    const neither = errorText(
      await client.callTool({ name: "br_routing_estimate", arguments: {} }),
    );
    assert.match(neither, /^error: Nothing to estimate/);
  });

  await t.step("br_telemetry_summary sees what the tool calls recorded", async () => {
    const r = structured<{ events: number; by_type: { type: string }[]; until: string }>(
      await client.callTool({ name: "br_telemetry_summary", arguments: { period: "all" } }),
    );
    const cli = JSON.parse(
      (await br(["telemetry", "summary", "--period", "all", "--json"], { cwd: dir.path })).stdout,
    );
    assert.deepEqual({ ...r, until: "" }, { ...cli, until: "" });
    const types = r.by_type.map((x) => x.type);
    assert.ok(types.includes("feature.added"), "br_spec_sync's events were stored");
    assert.ok(types.includes("complexity.estimated"));
    const sessions = await br([
      "telemetry",
      "events",
      "--type",
      "session.started",
      "--limit",
      "100",
      "--json",
    ], { cwd: dir.path });
    assert.match(sessions.stdout, /"mcp br_spec_sync"/);
  });

  await t.step("br_cost_summary", async () => {
    const project = await openProject({ cwd: dir.path });
    try {
      for (const model of ["claude-sonnet-4-5", "gpt-5", "no-such-model"]) {
        await recordUsage(project, {
          source: "test",
          model,
          input_tokens: 1000,
          output_tokens: 200,
          cache_read_tokens: 50,
          feature: "login",
          time: "2026-11-20T10:00:00Z",
        });
      }
    } finally {
      await project.close();
    }
    const r = structured<{
      rows: { key: string }[];
      next_cursor: string;
      total: number;
      totals: { total_tokens: number };
      unpriced_models: string[];
    }>(
      await client.callTool({
        name: "br_cost_summary",
        arguments: { by: "model", limit: 2, timezone: "UTC" },
      }),
    );
    assert.equal(r.total, 3);
    assert.equal(r.rows.length, 2);
    assert.equal(r.totals.total_tokens, 3 * 1250);
    assert.deepEqual(r.unpriced_models, ["no-such-model"]);
    const rest = structured<{ rows: { key: string }[] }>(
      await client.callTool({
        name: "br_cost_summary",
        arguments: { by: "model", limit: 2, timezone: "UTC", cursor: r.next_cursor },
      }),
    );
    const cli = JSON.parse(
      (await br(["cost", "summary", "--by", "model", "--timezone", "UTC", "--json"], {
        cwd: dir.path,
      })).stdout,
    );
    assert.deepEqual([...r.rows, ...rest.rows], cli.rows);
    assert.deepEqual(r.totals, cli.totals);
  });

  await t.step("br_parallel_status before any run", async () => {
    const r = structured<{ run: null; tasks: unknown[]; total: number }>(
      await client.callTool({ name: "br_parallel_status", arguments: {} }),
    );
    assert.equal(r.run, null);
    assert.deepEqual(r.tasks, []);
    assert.equal(r.total, 0);
  });
});

Deno.test("br_parallel_status reports a finished run like br parallel status", async () => {
  await using dir = await tempProject("par");
  for (const id of ["a", "b"]) {
    const res = await br(["feature", "add", id, "--acceptance", `${id} works`], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
  }
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "start"], dir.path);
  const agent = `sh ${join(FIXTURES, "parallel", "agent.sh")}`;
  const env = { BR_PARALLEL__HEARTBEAT: "100ms" };
  const run = await br(["parallel", "run", "--workers", "2", "--agent-command", agent], {
    cwd: dir.path,
    env,
  });
  assert.equal(run.code, 0, run.stderr);
  await using conn = await connect(dir.path, { BR_MCP_TOOLS: "br_parallel_status", ...env });
  const first = structured<{
    run: { state: string; counts: { merged: number } };
    tasks: { feature: string; state: string }[];
    next_cursor: string;
    total: number;
    workers: unknown[];
  }>(await conn.client.callTool({ name: "br_parallel_status", arguments: { limit: 1 } }));
  assert.equal(first.run.state, "completed");
  assert.equal(first.run.counts.merged, 2);
  assert.equal(first.total, 2);
  const second = structured<{ tasks: unknown[]; next_cursor: null }>(
    await conn.client.callTool({
      name: "br_parallel_status",
      arguments: { limit: 1, cursor: first.next_cursor },
    }),
  );
  assert.equal(second.next_cursor, null);
  const cli = JSON.parse(
    (await br(["parallel", "status", "--json"], { cwd: dir.path, env })).stdout,
  );
  assert.deepEqual([...first.tasks, ...second.tasks], cli.tasks);
  assert.deepEqual(first.run, cli.run);
  assert.deepEqual(first.workers, cli.workers);
  const unknown = errorText(
    await conn.client.callTool({ name: "br_parallel_status", arguments: { run: "nope" } }),
  );
  assert.match(unknown, /^error: Cannot find run "nope"/);
});
