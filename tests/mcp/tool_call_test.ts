/** A tool call is checked (tool, size, arguments) before any project is opened. */
import assert from "node:assert/strict";
import { allTools } from "../../src/mcp/catalog.ts";
import { checkToolCall, MAX_ARGUMENTS_CHARS } from "../../src/mcp/server.ts";

const tools = new Map(allTools().map((t) => [t.name, t]));

function errorOf(result: ReturnType<typeof checkToolCall>) {
  assert.ok("error" in result, "expected a tool error");
  const meta = result.error._meta?.["br/error"] as { code: string; message: string };
  assert.equal(result.error.isError, true);
  return meta;
}

Deno.test("checkToolCall: valid arguments come back parsed, with their defaults", () => {
  const call = checkToolCall(tools, "br_security_scan", { staged: true });
  assert.ok(!("error" in call));
  assert.equal(call.tool.name, "br_security_scan");
  assert.deepEqual(call.args, { staged: true, limit: 100 });
  const none = checkToolCall(tools, "br_status", undefined);
  assert.ok(!("error" in none));
});

Deno.test("checkToolCall: an unknown tool is a protocol error naming the tools served", () => {
  const one = new Map([["br_status", tools.get("br_status")!]]);
  assert.throws(() => checkToolCall(one, "br_nope", {}), (err: Error & { data?: unknown }) => {
    assert.match(err.message, /Unknown tool "br_nope"/);
    assert.deepEqual(err.data, { hint: "call tools/list; this server has br_status" });
    return true;
  });
});

Deno.test("checkToolCall: bad or oversized arguments are a usage error naming the field", () => {
  const bad = errorOf(checkToolCall(tools, "br_security_scan", { history: 0, bogus: 1 }));
  assert.equal(bad.code, "usage");
  assert.match(bad.message, /^Invalid arguments for br_security_scan: /);
  assert.match(bad.message, /history/);
  const big = errorOf(
    checkToolCall(tools, "br_security_scan", { paths: ["x".repeat(MAX_ARGUMENTS_CHARS)] }),
  );
  assert.match(big.message, /characters of JSON, at most 1000000/);
});
