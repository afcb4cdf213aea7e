import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { br, brArgv, tempProject } from "../helpers.ts";
import { MAX_LINE_CHARS } from "../../src/mcp/transport.ts";
import { connect } from "./_client.ts";

function errorText(result: unknown): string {
  const r = result as CallToolResult;
  assert.equal(r.isError, true, `expected a tool error, got ${JSON.stringify(r).slice(0, 300)}`);
  return (r.content[0] as { text: string }).text;
}

interface Prop {
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  items?: Prop;
}

Deno.test("br mcp: feature arguments have the schema's limits, and oversized calls are refused", async (t) => {
  await using dir = await tempProject();
  await using conn = await connect(dir.path);
  const { client } = conn;
  const features = `${dir.path}/.buildrunner/features.json`;
  const before = await Deno.readTextFile(features);

  await t.step("the input schema of br_add_feature carries the limits", async () => {
    const { tools } = await client.listTools();
    const add = tools.find((x) => x.name === "br_add_feature")!;
    const p = add.inputSchema.properties as Record<string, Prop>;
    assert.equal(p.name.maxLength, 200);
    assert.ok(p.name.pattern, "name has a one-line pattern");
    assert.ok(!new RegExp(p.name.pattern!).test("a\nb"));
    assert.ok(new RegExp(p.name.pattern!).test("Login page"));
    assert.equal(p.description.maxLength, 10_000);
    assert.equal(p.acceptance.maxItems, 200);
    assert.equal(p.acceptance.items!.maxLength, 1_000);
    assert.equal(p.tags.maxItems, 200);
    assert.equal(p.id.maxLength, 100);
  });

  await t.step(
    "a 5 MB name: a short tool error, nothing stored, the connection lives",
    async () => {
      const result = await client.callTool({
        name: "br_add_feature",
        arguments: { name: "x".repeat(5_000_000) },
      });
      const text = errorText(result);
      assert.match(text, /^error: Invalid arguments for br_add_feature: /);
      assert.ok(JSON.stringify(result).length < 2_000, "the value is not echoed");
      assert.equal(await Deno.readTextFile(features), before);
    },
  );

  await t.step("over a field limit: the field and the limit are named", async () => {
    const long = errorText(
      await client.callTool({ name: "br_add_feature", arguments: { name: "x".repeat(201) } }),
    );
    assert.match(long, /name: a name has at most 200 characters/);
    const many = errorText(
      await client.callTool({
        name: "br_add_feature",
        arguments: { name: "Login", acceptance: Array.from({ length: 201 }, (_, i) => `c${i}`) },
      }),
    );
    assert.match(many, /acceptance: acceptance criteria have at most 200 items/);
    const desc = errorText(
      await client.callTool({
        name: "br_add_feature",
        arguments: { name: "Login", description: "d".repeat(10_001) },
      }),
    );
    assert.match(desc, /description: a description has at most 10000 characters/);
  });

  await t.step("a name with a line break is refused", async () => {
    const text = errorText(
      await client.callTool({
        name: "br_add_feature",
        arguments: { name: "Login\n## Injected\n- [x] done" },
      }),
    );
    assert.match(text, /name: a name is one line/);
    assert.equal(await Deno.readTextFile(features), before);
  });

  await t.step("within the limits the same call works", async () => {
    const ok = await client.callTool({
      name: "br_add_feature",
      arguments: { name: "x".repeat(200), id: "long" },
    });
    assert.notEqual((ok as CallToolResult).isError, true, JSON.stringify(ok).slice(0, 300));
  });
});

Deno.test("br feature add/update: the same limits on the command line (exit 3)", async () => {
  await using dir = await tempProject();
  const features = `${dir.path}/.buildrunner/features.json`;
  const before = await Deno.readTextFile(features);
  const cases: [string[], RegExp][] = [
    [["feature", "add", "x".repeat(201)], /name: a name has at most 200 characters/],
    [["feature", "add", "Login\n## Injected"], /name: a name is one line/],
    [["feature", "add", "Login\rpage"], /name: a name is one line/],
    [["feature", "add", "Login", "--tag", "a\tb"], /tags\[0\]: a tag is one line/],
    [["feature", "add", "Login", "--description", "d".repeat(10_001)], /description: /],
  ];
  for (const [args, message] of cases) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, message);
    assert.equal(res.stderr.trimEnd().split("\n").length, 2, "one error line and a hint");
  }
  assert.equal(await Deno.readTextFile(features), before);
  assert.equal((await br(["feature", "add", "Login"], { cwd: dir.path })).code, 0);
  const update = await br(["feature", "update", "login", "--name", "a\nb"], { cwd: dir.path });
  assert.equal(update.code, 3, update.stderr);
  assert.match(update.stderr, /^error: Cannot change feature "login": name: a name is one line/);
});

Deno.test("br mcp: a message longer than the line limit gets -32600 with its id; serving goes on", async () => {
  await using dir = await tempProject();
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["mcp"]),
    cwd: dir.path,
    env: { BR_HOME: `${dir.path}/.br-home`, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1" },
    },
  };
  const huge = JSON.stringify({
    jsonrpc: "2.0",
    id: 7,
    method: "tools/call",
    params: { name: "br_add_feature", arguments: { name: "x".repeat(MAX_LINE_CHARS) } },
  });
  const status = { jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "br_status" } };
  const w = child.stdin.getWriter();
  const enc = new TextEncoder();
  await w.write(enc.encode(JSON.stringify(init) + "\n"));
  await w.write(
    enc.encode(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })),
  );
  await w.write(enc.encode("\n"));
  // In pieces, as a pipe delivers it.
  for (let i = 0; i < huge.length; i += 1 << 20) {
    await w.write(enc.encode(huge.slice(i, i + (1 << 20))));
  }
  await w.write(enc.encode("\n" + JSON.stringify(status) + "\n"));
  await w.close();
  const out = await child.output();
  assert.equal(out.code, 0);
  const messages = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const byId = new Map(messages.map((m) => [m.id, m]));
  assert.equal(byId.get(7)?.error?.code, -32600);
  assert.match(byId.get(7)?.error?.message, /longer than/);
  assert.equal(byId.get(8)?.result?.structuredContent?.project, "demo");
  const features = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  assert.ok(!features.includes("xxxx"));
});
