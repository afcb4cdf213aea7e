/**
 * The tools beyond the default set (BR_MCP_TOOLS=all), each compared with the CLI command
 * that calls the same capability function.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { br, tempProject } from "../helpers.ts";
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
});
