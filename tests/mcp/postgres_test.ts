import assert from "node:assert/strict";
import { br, brArgv, tempProject } from "../helpers.ts";
import { postgresBinDir, startPostgres } from "../postgres.ts";

const PASSWORD = "mcp-pw";

Deno.test("br mcp on PostgreSQL: each call opens and closes the store; the server going away is an exit-8 tool error, and br mcp still ends cleanly", async () => {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  await using p = await tempProject("mcp");
  const env = {
    BR_DATABASE_URL: server.url.replace("://br@", `://br:${PASSWORD}@`),
    BR_PROJECT_KEY: `mcp-${crypto.randomUUID()}`,
    BR_MCP_TOOLS: "all",
    BR_HOME: `${p.path}/.br-home`,
    NO_COLOR: "1",
  };
  assert.equal((await br(["feature", "add", "Login"], { cwd: p.path, env })).code, 0);
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["mcp"]),
    cwd: p.path,
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const stderr = new Response(child.stderr).text();
  let buffered = "";
  const send = (msg: unknown) =>
    writer.write(
      new TextEncoder().encode(JSON.stringify({ jsonrpc: "2.0", ...msg as object }) + "\n"),
    );
  const answer = async (id: number) => {
    for (;;) {
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line);
        if (msg.id === id) return msg;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error(`br mcp ended before answering ${id}`);
      buffered += value;
    }
  };
  const call = async (id: number, name: string, args: Record<string, unknown> = {}) => {
    await send({ id, method: "tools/call", params: { name, arguments: args } });
    return (await answer(id)).result;
  };
  await send({
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "test", version: "1" },
    },
  });
  await answer(1);
  await send({ method: "notifications/initialized" });

  const before = await call(2, "br_telemetry_summary");
  assert.notEqual(before.isError, true, JSON.stringify(before));
  // Between calls br holds no connection: the server sees none from br.
  const psql = await new Deno.Command(`${postgresBinDir()}/psql`, {
    args: [
      server.url,
      "-At",
      "-c",
      "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'br'",
    ],
    env: { PGCONNECT_TIMEOUT: "5" },
  }).output();
  assert.equal(new TextDecoder().decode(psql.stdout).trim(), "0");
  await server.stop();
  const after = await call(3, "br_telemetry_summary");
  assert.equal(after.isError, true);
  assert.equal(after._meta["br/error"].exit_code, 8);
  assert.match(after._meta["br/error"].message, /cannot reach the PostgreSQL server/);
  const status = await call(4, "br_status");
  assert.notEqual(status.isError, true, "a tool that needs no store still answers");
  await writer.close();
  const [end, err] = await Promise.all([child.status, stderr]);
  assert.equal(end.code, 0, err);
  const text = JSON.stringify([before, after, status]) + err;
  assert.ok(!text.includes(PASSWORD));
});
