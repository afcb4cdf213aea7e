import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../postgres.ts";

const LOST = fileURLToPath(new URL("./_pg_lost.ts", import.meta.url));
const TESTS_DENO_JSON = fileURLToPath(new URL("../deno.json", import.meta.url));
const PASSWORD = "lost-pw";

Deno.test("postgres store: the server stopping during a query is an error of the store, never a crash of the process", async () => {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  const url = server.url.replace("://br@", `://br:${PASSWORD}@`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", TESTS_DENO_JSON, LOST, url, `lost-${crypto.randomUUID()}`],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  assert.match(out, /ready/);
  // The query is waiting on the server now (pg_sleep); stop the server under it.
  await new Promise((r) => setTimeout(r, 300));
  await server.stop();
  for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  const [status, err] = await Promise.all([
    child.status,
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 0, `${out}\n${err}`);
  assert.doesNotMatch(err, /TypeError|Uncaught/);
  const redacted = server.url.replace(/\?.*$/, "");
  assert.ok(out.includes(`tx: Cannot write the store "${redacted}"`), out);
  assert.match(out, /after: Cannot read the store .*cannot reach the PostgreSQL server/);
  assert.ok(!(out + err).includes(PASSWORD));
});
