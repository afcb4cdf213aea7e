import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../postgres.ts";

const LOST = fileURLToPath(new URL("./_pg_lost.ts", import.meta.url));
const TESTS_DENO_JSON = fileURLToPath(new URL("../deno.json", import.meta.url));
const PASSWORD = "lost-pw";

/** Runs `_pg_lost.ts` in `mode` against its own server, stops the server once it is ready. */
async function lose(mode: "sleep" | "busy") {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) {
    console.log("skipped: no PostgreSQL binaries");
    return null;
  }
  const url = server.url.replace("://br@", `://br:${PASSWORD}@`);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      TESTS_DENO_JSON,
      LOST,
      url,
      `lost-${crypto.randomUUID()}`,
      mode,
    ],
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
  // Queries are on their way to the server now; stop the server under them.
  await new Promise((r) => setTimeout(r, 300));
  await server.stop();
  for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    out += value;
  }
  const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
  return { code: status.code, out, err, redacted: server.url };
}

Deno.test("postgres store: the server stopping during a query is an error of the store, never a crash of the process", async () => {
  const res = await lose("sleep");
  if (!res) return;
  assert.equal(res.code, 0, `${res.out}\n${res.err}`);
  assert.doesNotMatch(res.err, /TypeError|Uncaught/);
  assert.ok(res.out.includes(`tx: Cannot write the store "${res.redacted}"`), res.out);
  assert.match(res.out, /after: Cannot read the store .*cannot reach the PostgreSQL server/);
  assert.ok(!(res.out + res.err).includes(PASSWORD));
});

Deno.test("postgres store: with transactions and reads in flight when the server stops, the next ones fail instead of waiting forever", async () => {
  const res = await lose("busy");
  if (!res) return;
  assert.equal(res.code, 0, `${res.out}\n${res.err}`);
  assert.doesNotMatch(res.err, /TypeError|Uncaught/);
  assert.match(res.out, /tx: Cannot (write|read) the store .*cannot reach the PostgreSQL server/);
  assert.match(res.out, /after: Cannot read the store .*cannot reach the PostgreSQL server/);
  assert.ok(!(res.out + res.err).includes(PASSWORD));
});
