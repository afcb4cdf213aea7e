import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedPostgres } from "../postgres.ts";
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
