import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  type CallToolResult,
  McpError,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { pathToFileURL } from "node:url";
import { br, brProcess, DENO_JSON, MAIN_TS, tempDir, tempProject } from "../helpers.ts";
import { RUN_FLAGS } from "../../src/core/self.ts";
import { connect, waitFor } from "./_client.ts";

const DEFAULT_TOOLS = [
  "br_status",
  "br_list_features",
  "br_get_feature",
  "br_next_feature",
  "br_set_feature_status",
  "br_add_feature",
  "br_validate",
];

function structured<T = Record<string, unknown>>(result: unknown): T {
  const r = result as CallToolResult;
  assert.notEqual(r.isError, true, JSON.stringify(r.content));
  assert.ok(r.structuredContent, "structuredContent");
  // The text block carries the same JSON, for clients that do not read structuredContent.
  const text = (r.content[0] as { text: string }).text;
  assert.deepEqual(JSON.parse(text), r.structuredContent);
  return r.structuredContent as T;
}

function errorText(result: unknown): string {
  const r = result as CallToolResult;
  assert.equal(r.isError, true, `expected a tool error, got ${JSON.stringify(r)}`);
  return (r.content[0] as { text: string }).text;
}

Deno.test("br mcp: the SDK client lists the tools and calls each one", async (t) => {
  await using dir = await tempProject();
  await using conn = await connect(dir.path);
  const { client } = conn;

  await t.step("initialize: server info and capabilities", () => {
    assert.equal(client.getServerVersion()?.name, "buildrunner");
    const caps = client.getServerCapabilities();
    assert.ok(caps?.tools);
    assert.equal(caps?.resources?.subscribe, true);
  });

  await t.step("tools/list: names, schemas, annotations", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((x) => x.name);
    for (const name of DEFAULT_TOOLS) assert.ok(names.includes(name), `${name} listed`);
    for (const tool of tools) {
      assert.match(tool.name, /^br_[a-z_]+$/);
      assert.equal(tool.inputSchema.type, "object");
      assert.equal(tool.outputSchema?.type, "object", `${tool.name} has an outputSchema`);
      assert.equal(typeof tool.annotations?.readOnlyHint, "boolean");
      assert.ok(tool.description && tool.description.length > 20);
    }
    const byName = new Map(tools.map((x) => [x.name, x]));
    assert.equal(byName.get("br_status")!.annotations!.readOnlyHint, true);
    assert.equal(byName.get("br_add_feature")!.annotations!.readOnlyHint, false);
    assert.equal(byName.get("br_set_feature_status")!.annotations!.idempotentHint, true);
    const list = byName.get("br_list_features")!.inputSchema as {
      properties: Record<string, { enum?: string[] }>;
      required?: string[];
    };
    assert.deepEqual(Object.keys(list.properties).sort(), [
      "cursor",
      "limit",
      "priority",
      "status",
      "tag",
    ]);
    assert.deepEqual(list.properties.status.enum, [
      "planned",
      "in_progress",
      "testing",
      "blocked",
      "complete",
    ]);
    assert.deepEqual(byName.get("br_get_feature")!.inputSchema.required, ["id"]);
  });

  await t.step("br_add_feature adds what br feature show reads", async () => {
    const a = structured<{ feature: { id: string } }>(
      await client.callTool({
        name: "br_add_feature",
        arguments: { name: "User model", priority: "high", acceptance: ["Has email"] },
      }),
    );
    assert.equal(a.feature.id, "user-model");
    structured(
      await client.callTool({
        name: "br_add_feature",
        arguments: {
          name: "Login",
          dependencies: ["user-model"],
          files: ["src/auth/**"],
          tags: ["auth"],
        },
      }),
    );
    structured(await client.callTool({ name: "br_add_feature", arguments: { name: "Docs" } }));
    const show = await br(["feature", "show", "login", "--json"], { cwd: dir.path });
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(
      JSON.parse(show.stdout),
      structured(
        await client.callTool({ name: "br_get_feature", arguments: { id: "login" } }),
      ),
    );
  });

  await t.step("br_list_features pages with limit and cursor", async () => {
    const first = structured<{ features: { id: string }[]; next_cursor: string; total: number }>(
      await client.callTool({ name: "br_list_features", arguments: { limit: 2 } }),
    );
    assert.deepEqual(first.features.map((f) => f.id), ["user-model", "login"]);
    assert.equal(first.total, 3);
    assert.equal(typeof first.next_cursor, "string");
    const second = structured<{ features: { id: string }[]; next_cursor: string | null }>(
      await client.callTool({
        name: "br_list_features",
        arguments: { limit: 2, cursor: first.next_cursor },
      }),
    );
    assert.deepEqual(second.features.map((f) => f.id), ["docs"]);
    assert.equal(second.next_cursor, null);
    const tagged = structured<{ features: { id: string }[] }>(
      await client.callTool({ name: "br_list_features", arguments: { tag: "auth" } }),
    );
    assert.deepEqual(tagged.features.map((f) => f.id), ["login"]);
    const cli = await br(["feature", "list", "--json"], { cwd: dir.path });
    const all = structured<{ features: unknown[] }>(
      await client.callTool({ name: "br_list_features", arguments: {} }),
    );
    assert.deepEqual(all.features, JSON.parse(cli.stdout));
  });

  await t.step("br_get_feature and br_next_feature", async () => {
    const got = structured<{
      feature: { id: string };
      dependencies: { id: string; status: string }[];
      needed_by: string[];
    }>(await client.callTool({ name: "br_get_feature", arguments: { id: "user-model" } }));
    assert.equal(got.feature.id, "user-model");
    assert.deepEqual(got.needed_by, ["login"]);
    const login = structured<{ dependencies: { id: string; status: string }[] }>(
      await client.callTool({ name: "br_get_feature", arguments: { id: "login" } }),
    );
    assert.deepEqual(login.dependencies, [{ id: "user-model", status: "planned" }]);
    const next = structured<{ feature: { id: string }; ready: string[] }>(
      await client.callTool({ name: "br_next_feature", arguments: {} }),
    );
    assert.equal(next.feature.id, "user-model");
    assert.deepEqual(next.ready, ["user-model", "docs"]);
    const cli = await br(["feature", "next", "--json"], { cwd: dir.path });
    assert.deepEqual(next.feature, JSON.parse(cli.stdout));
  });

  await t.step("br_set_feature_status keeps the CLI's rules and messages", async () => {
    const refused = errorText(
      await client.callTool({
        name: "br_set_feature_status",
        arguments: { id: "login", status: "complete" },
      }),
    );
    const cli = await br(["feature", "complete", "login"], { cwd: dir.path });
    assert.equal(cli.code, 5);
    assert.equal(refused, cli.stderr.trim(), "same error and hint as the CLI");
    const done = structured<{ feature: { status: string; completed_at: string } }>(
      await client.callTool({
        name: "br_set_feature_status",
        arguments: { id: "user-model", status: "complete" },
      }),
    );
    assert.equal(done.feature.status, "complete");
    const blocked = structured<{ feature: { status: string; blocked_reason: string } }>(
      await client.callTool({
        name: "br_set_feature_status",
        arguments: { id: "docs", status: "blocked", reason: "waiting for copy" },
      }),
    );
    assert.equal(blocked.feature.blocked_reason, "waiting for copy");
  });

  await t.step("an edit made by the CLI is seen by the next call", async () => {
    const before = structured<{ total: number }>(
      await client.callTool({ name: "br_list_features", arguments: {} }),
    );
    const res = await br(["feature", "update", "docs", "--priority", "low"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    const got = structured<{ feature: { priority: string } }>(
      await client.callTool({ name: "br_get_feature", arguments: { id: "docs" } }),
    );
    assert.equal(got.feature.priority, "low");
    assert.equal(before.total, 3);
  });

  await t.step("br_validate runs the gates like br validate", async () => {
    const r = structured<{ passed: boolean; gates: { gate: string; duration_ms: number }[] }>(
      await client.callTool({
        name: "br_validate",
        arguments: { gates: ["features", "governance"] },
      }),
    );
    const cli = await br(["validate", "--gates", "features,governance", "--json"], {
      cwd: dir.path,
    });
    const fromCli = JSON.parse(cli.stdout);
    // The tool ran the gates; the command, with nothing changed since, gives their results again.
    assert.equal((r as { reused?: boolean }).reused, undefined);
    assert.equal(fromCli.reused, true);
    const strip = (
      { reused: _, ...x }: { reused?: boolean; gates: { duration_ms: number }[] },
    ) => ({
      ...x,
      gates: x.gates.map((g) => ({ ...g, duration_ms: 0 })),
    });
    assert.deepEqual(strip(r), strip(fromCli));
    assert.deepEqual(r.gates.map((g) => g.gate), ["features", "governance"]);
    const unknown = errorText(
      await client.callTool({ name: "br_validate", arguments: { gates: ["nope"] } }),
    );
    const cliUnknown = await br(["validate", "--gates", "nope"], { cwd: dir.path });
    assert.equal(unknown, cliUnknown.stderr.trim());
    const outside = errorText(
      await client.callTool({ name: "br_validate", arguments: { cwd: ".." } }),
    );
    assert.match(outside, /Path "\.\." of "cwd" is outside the project/);
  });

  await t.step("br_status equals br status --json", async () => {
    const status = structured(await client.callTool({ name: "br_status", arguments: {} }));
    const cli = await br(["status", "--json"], { cwd: dir.path });
    assert.deepEqual(status, JSON.parse(cli.stdout));
    assert.equal((status.metrics as { features_complete: number }).features_complete, 1);
  });
});

Deno.test("br mcp: bad calls get errors and the server keeps serving", async (t) => {
  await using dir = await tempProject();
  await using conn = await connect(dir.path);
  const { client } = conn;
  const stillServing = async () => {
    const r = structured<{ project: string }>(
      await client.callTool({ name: "br_status", arguments: {} }),
    );
    assert.equal(r.project, "demo");
  };

  await t.step("unknown tool: JSON-RPC invalid params", async () => {
    const err = await client.callTool({ name: "br_nope", arguments: {} }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err instanceof McpError, String(err));
    assert.equal(err.code, -32602);
    assert.match(err.message, /Unknown tool "br_nope"/);
    await stillServing();
  });

  await t.step("invalid arguments: a tool error naming the field", async () => {
    const text = errorText(
      await client.callTool({
        name: "br_set_feature_status",
        arguments: { id: "x", status: "done" },
      }),
    );
    assert.match(text, /^error: Invalid arguments for br_set_feature_status: status: /);
    assert.match(text, /\nhint: /);
    const unknownKey = errorText(
      await client.callTool({ name: "br_get_feature", arguments: { feature_id: "x" } }),
    );
    assert.match(unknownKey, /id: required/);
    assert.match(unknownKey, /feature_id/);
    const limit = errorText(
      await client.callTool({ name: "br_list_features", arguments: { limit: 0 } }),
    );
    assert.match(limit, /limit/);
    await stillServing();
  });

  await t.step("a failing capability: the CLI's message and hint", async () => {
    const text = errorText(
      await client.callTool({ name: "br_get_feature", arguments: { id: "missing" } }),
    );
    assert.equal(
      text,
      'error: Cannot find feature "missing"\nhint: run "br feature list" to see ids',
    );
    const bad = errorText(
      await client.callTool({ name: "br_list_features", arguments: { cursor: "zzz" } }),
    );
    assert.match(bad, /^error: Invalid cursor "zzz"/);
    await stillServing();
  });

  await t.step("a corrupt features.json: the CLI's error, then recovery", async () => {
    const file = `${dir.path}/.buildrunner/features.json`;
    const good = await Deno.readTextFile(file);
    await Deno.writeTextFile(file, good.slice(0, 40));
    const text = errorText(await client.callTool({ name: "br_status", arguments: {} }));
    const cli = await br(["status"], { cwd: dir.path });
    assert.equal(cli.code, 3);
    assert.equal(text, cli.stderr.trim());
    await Deno.writeTextFile(file, good);
    await stillServing();
  });

  await t.step("paths outside the project are refused", async () => {
    for (const glob of ["../elsewhere/**", "/etc/*", "src/../../x"]) {
      const text = errorText(
        await client.callTool({
          name: "br_add_feature",
          arguments: { name: `Outside ${glob}`, files: [glob] },
        }),
      );
      assert.match(text, /is outside the project/);
    }
    const list = structured<{ total: number }>(
      await client.callTool({ name: "br_list_features", arguments: {} }),
    );
    assert.equal(list.total, 0, "nothing was added");
    await stillServing();
  });
});

Deno.test("br mcp: malformed JSON gets a parse error and the next request an answer", async () => {
  await using dir = await tempProject();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...RUN_FLAGS, "--config", DENO_JSON, MAIN_TS, "mcp"],
    cwd: dir.path,
    env: { BR_HOME: `${dir.path}/.br-home`, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = [
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "1" },
      },
    }),
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    '{"jsonrpc": "2.0", "id": 2, "method": "tools/list"',
    JSON.stringify({ jsonrpc: "2.0", id: 3, method: 42 }),
    JSON.stringify({ jsonrpc: "2.0", id: 4, method: "no/such/method" }),
    JSON.stringify({
      jsonrpc: "2.0",
      id: 5,
      method: "tools/call",
      params: { name: "br_status", arguments: {} },
    }),
  ];
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  await w.close();
  const out = await child.output();
  const stdout = new TextDecoder().decode(out.stdout);
  // Every stdout line is a JSON-RPC message: logs went to stderr.
  const messages = stdout.trim().split("\n").map((l) => JSON.parse(l));
  for (const m of messages) assert.equal(m.jsonrpc, "2.0");
  const byId = new Map(messages.map((m) => [m.id, m]));
  assert.equal(out.code, 0);
  const parse = messages.find((m) => m.id === null && m.error?.code === -32700);
  assert.ok(parse, `a parse error in ${stdout}`);
  assert.equal(byId.get(3)?.error?.code, -32600);
  assert.equal(byId.get(4)?.error?.code, -32601);
  assert.equal(byId.get(5)?.result?.structuredContent?.project, "demo");
  assert.equal(messages.length, 5, "initialize, parse error, invalid request, no method, status");
  assert.match(new TextDecoder().decode(out.stderr), /Malformed JSON/);
});

Deno.test("br mcp: resources and change notifications", async (t) => {
  await using dir = await tempProject();
  await using conn = await connect(dir.path);
  const { client } = conn;
  const featuresUri = pathToFileURL(`${dir.path}/.buildrunner/features.json`).href;
  const specUri = pathToFileURL(`${dir.path}/PROJECT_SPEC.md`).href;
  const updated: string[] = [];
  let listChanged = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    updated.push(n.params.uri);
  });
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
    listChanged++;
  });

  await t.step("resources/list and read", async () => {
    const { resources } = await client.listResources();
    assert.deepEqual(resources.map((r) => r.name), ["features.json", "STATUS.md"]);
    assert.deepEqual((await client.listResourceTemplates()).resourceTemplates, []);
    const read = await client.readResource({ uri: featuresUri });
    const content = read.contents[0] as { text: string; mimeType: string };
    assert.equal(content.mimeType, "application/json");
    assert.equal(content.text, await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`));
    const missing = await client.readResource({ uri: specUri }).then(() => null, (e) => e);
    assert.ok(missing instanceof McpError);
    const outside = await client.readResource({ uri: "file:///etc/passwd" }).then(
      () => null,
      (e) => e,
    );
    assert.ok(outside instanceof McpError);
    assert.match(outside.message, /Unknown resource/);
  });

  await t.step("a CLI command editing features.json notifies subscribers", async () => {
    await client.subscribeResource({ uri: featuresUri });
    const res = await brProcess(["feature", "add", "From the CLI"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    await waitFor(() => updated.includes(featuresUri) ? true : undefined);
    const read = await client.readResource({ uri: featuresUri });
    assert.match((read.contents[0] as { text: string }).text, /from-the-cli/);
  });

  await t.step("a new PROJECT_SPEC.md changes the list", async () => {
    await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, "# Spec\n");
    await waitFor(() => listChanged > 0 ? true : undefined);
    const { resources } = await client.listResources();
    assert.ok(resources.some((r) => r.uri === specUri));
    const read = await client.readResource({ uri: specUri });
    assert.equal((read.contents[0] as { text: string }).text, "# Spec\n");
  });

  await t.step("after unsubscribe no more updates", async () => {
    await client.unsubscribeResource({ uri: featuresUri });
    updated.length = 0;
    const res = await br(["feature", "add", "Quiet"], { cwd: dir.path });
    assert.equal(res.code, 0);
    // A tool call after the write: the watcher has had its debounce time by the answer.
    await new Promise((r) => setTimeout(r, 300));
    await client.callTool({ name: "br_status", arguments: {} });
    assert.deepEqual(updated, []);
  });
});

Deno.test("br mcp outside a project: tools answer with the no-project error", async () => {
  await using dir = await tempDir();
  await using conn = await connect(dir.path);
  const { tools } = await conn.client.listTools();
  assert.ok(tools.length >= DEFAULT_TOOLS.length);
  const text = errorText(await conn.client.callTool({ name: "br_status", arguments: {} }));
  assert.match(text, /^error: No BuildRunner project found/);
  assert.match(text, /hint: run "br init"/);
  assert.deepEqual((await conn.client.listResources()).resources, []);
});

Deno.test("BR_MCP_TOOLS picks the tools served", async () => {
  await using dir = await tempProject();
  await using conn = await connect(dir.path, { BR_MCP_TOOLS: "br_status,br_get_feature,nope" });
  const { tools } = await conn.client.listTools();
  assert.deepEqual(tools.map((t) => t.name), ["br_status", "br_get_feature"]);
  await waitFor(() => /no such MCP tool in this br: nope/.test(conn.stderr()) ? true : undefined);
  const err = await conn.client.callTool({ name: "br_add_feature", arguments: { name: "x" } })
    .then(() => null, (e) => e);
  assert.ok(err instanceof McpError, "a tool left out is unknown");
});
