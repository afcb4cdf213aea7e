import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../src/core/fs.ts";
import { brArgv } from "../helpers.ts";
import { sharedPostgres, startPostgres } from "../postgres.ts";
import { AGENT, json, parallelProject } from "./_setup.ts";

/** The password of the URL below (trust authentication ignores it). */
const PASSWORD = "agent-must-not-see-this";

Deno.test("br parallel run on PostgreSQL: agents do not get the store's URL and password", async () => {
  const server = await sharedPostgres();
  if (!server) {
    return void console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  }
  await using p = await parallelProject([{ id: "a" }]);
  // The agent writes its whole environment next to the project, then does its work.
  const dump = join(p.path, "..", `${p.path.split("/").pop()}.agent.env`);
  const script = join(p.path, "..", `${p.path.split("/").pop()}.agent.log.sh`);
  await Deno.writeTextFile(script, `env > "${dump}"\nexec sh "${AGENT}" "$@"\n`);
  const url = server.url.replace("://br@", `://br:${PASSWORD}@`);
  try {
    const res = await p.br(["parallel", "run", "--agent-command", `sh ${script}`, "--json"], {
      BR_DATABASE_URL: url,
      BR_PROJECT_KEY: `agents-${crypto.randomUUID()}`,
    });
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const rep = json<{ run: { state: string }; tasks: { state: string }[] }>(res);
    assert.deepEqual(rep.tasks.map((t) => t.state), ["merged"]);
    assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
    const env = await Deno.readTextFile(dump);
    // The agent runs (BR_FEATURE is set), with the rest of br's environment, but neither the
    // URL nor its password.
    assert.match(env, /^BR_FEATURE=a$/m);
    assert.match(env, /^FIXTURE_LOG=/m);
    assert.ok(!env.includes(PASSWORD), "the agent saw the store's password");
    assert.doesNotMatch(env, /^BR_DATABASE_URL=/m);
  } finally {
    await Deno.remove(dump).catch(() => {});
    await Deno.remove(script).catch(() => {});
  }
});

/** True when `pid` runs (a zombie left to a non-reaping init does not count). */
async function alive(pid: number): Promise<boolean> {
  try {
    Deno.kill(pid, "SIGCONT");
  } catch {
    return false;
  }
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat !== "" && !/\) [ZX] /.test(stat);
}

Deno.test("br parallel run on PostgreSQL: the server stopping mid-run ends the run with exit 8 and stops its agents", async () => {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  await using p = await parallelProject([{ id: "a" }]);
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["parallel", "run", "--agent-command", `sh ${AGENT} hang`]),
    cwd: p.path,
    env: {
      ...p.env,
      BR_DATABASE_URL: server.url.replace("://br@", `://br:${PASSWORD}@`),
      BR_PROJECT_KEY: `lost-${crypto.randomUUID()}`,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const pidFile = `${p.log}.a.pid`;
  while (!(await exists(pidFile))) await new Promise((r) => setTimeout(r, 50));
  const pids = (await Deno.readTextFile(pidFile)).trim().split(" ").map(Number);
  await server.stop();
  // The agent would sleep for 10 minutes: br must not wait for it.
  const [status, out, err] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  assert.equal(status.code, 8, out + err);
  const errors = err.split("\n").filter((l) => l.startsWith("error: "));
  assert.equal(errors.length, 1, err);
  assert.match(
    errors[0],
    /^error: Cannot (read|write) the store "postgres:\/\/br@127\.0\.0\.1:\d+\/br": cannot reach the PostgreSQL server/,
  );
  assert.doesNotMatch(err, /^\s+at /m);
  assert.ok(!(out + err).includes(PASSWORD));
  for (const pid of pids) assert.equal(await alive(pid), false, `agent process ${pid} survived`);
});
