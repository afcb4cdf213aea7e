/**
 * `br watch` on a PostgreSQL store whose server goes away: the events it can no longer record
 * end the watch with exit 8 and one error line, instead of a watch that silently records
 * nothing until Ctrl-C.
 */
import assert from "node:assert/strict";
import { brArgv, tempProject } from "../helpers.ts";
import { startPostgres } from "../postgres.ts";

const PASSWORD = "watch-pw";
const ERROR_LINES = "adds numbers => ./src/math_test.ts:3:6\nerror: AssertionError: 1 !== 2\n";

Deno.test("br watch on PostgreSQL: the server going away ends the watch with exit 8", async () => {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  await using dir = await tempProject();
  const cwd = dir.path;
  await Deno.mkdir(`${cwd}/logs`);
  await Deno.writeTextFile(`${cwd}/logs/test.log`, "");
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["watch", "logs/*.log", "--interval", "100"]),
    cwd,
    env: {
      BR_HOME: `${cwd}/.br-home`,
      NO_COLOR: "1",
      BR_DATABASE_URL: server.url.replace("://br@", `://br:${PASSWORD}@`),
      BR_PROJECT_KEY: `watch-${crypto.randomUUID()}`,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const reading = (async () => {
    const dec = new TextDecoder();
    for await (const c of child.stdout) out += dec.decode(c, { stream: true });
  })();
  const stderr = new Response(child.stderr).text();
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, re);
  };
  let ended = false;
  try {
    await waitFor(/Watching 1 file/);
    await Deno.writeTextFile(`${cwd}/logs/test.log`, ERROR_LINES, { append: true });
    await waitFor(/test_failure in logs\/test\.log/);
    await server.stop();
    // The next error cannot be recorded on the server.
    await Deno.writeTextFile(`${cwd}/logs/test.log`, ERROR_LINES, { append: true });
    const status = await child.status;
    ended = true;
    await reading;
    const err = await stderr;
    assert.equal(status.code, 8, err);
    const errors = err.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 1, err);
    assert.match(errors[0], /cannot reach the PostgreSQL server/);
    assert.ok(!(out + err).includes(PASSWORD));
  } finally {
    if (!ended) child.kill("SIGKILL");
  }
});
