/**
 * `br watch` as a real process: another process appends test output to a watched file; the
 * error becomes a blocker of the feature it touches (shown by `br status`, `br feature show`
 * and `br debug`, the feature's status unchanged), a later passing run clears it, and Ctrl-C
 * (SIGINT) ends the watch with exit 0.
 */
import assert from "node:assert/strict";
import { br, brArgv, tempProject } from "../helpers.ts";

async function sh(script: string, cwd: string): Promise<void> {
  const out = await new Deno.Command("sh", { args: ["-c", script], cwd }).output();
  assert.equal(out.code, 0);
}

Deno.test("br watch: appended errors become blockers until a passing run; Ctrl-C exits 0", async () => {
  await using dir = await tempProject();
  const cwd = dir.path;
  assert.equal(
    (await br(["feature", "add", "Math", "--id", "math", "--files", "src/**"], { cwd })).code,
    0,
  );
  await Deno.mkdir(`${cwd}/logs`);
  // what the file holds before the watch starts does not count
  await Deno.writeTextFile(
    `${cwd}/logs/test.log`,
    "old => ./src/old_test.ts:1:6\nerror: Error: old\n",
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["watch", "logs/*.log", "--interval", "100"]),
    cwd,
    env: { BR_HOME: `${cwd}/.br-home`, NO_COLOR: "1" },
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
  try {
    await waitFor(/Watching 1 file/);
    await sh(
      "printf 'adds numbers => ./src/math_test.ts:3:6\\nerror: AssertionError: 1 !== 2\\n' " +
        ">> logs/test.log",
      cwd,
    );
    await waitFor(/test_failure in logs\/test\.log: .*src\/math_test\.ts:3 — blocks math/);
    assert.doesNotMatch(out, /old/);

    const status = JSON.parse((await br(["status", "--json"], { cwd })).stdout);
    assert.equal(status.debug_blockers.length, 1);
    assert.equal(status.debug_blockers[0].feature, "math");
    assert.equal(status.debug_blockers[0].file, "src/math_test.ts");
    assert.deepEqual(status.debug_blockers[0].seen_in, ["logs/test.log"]);
    assert.equal(status.metrics.features_blocked, 0, "the feature's status is not changed");
    assert.match(
      (await br(["status"], { cwd })).stdout,
      /Errors seen by br watch.*\n {2}math — test_failure: adds numbers/,
    );
    const show = JSON.parse((await br(["feature", "show", "math", "--json"], { cwd })).stdout);
    assert.equal(show.feature.status, "planned");
    assert.equal(show.debug_blockers.length, 1);
    const debug = JSON.parse((await br(["debug", "--json"], { cwd })).stdout);
    assert.equal(debug.failures[0].blocker, true);

    await sh("printf 'ok | 3 passed | 0 failed (20ms)\\n' >> logs/test.log", cwd);
    await waitFor(/passed logs\/test\.log/);
    assert.deepEqual(
      JSON.parse((await br(["status", "--json"], { cwd })).stdout).debug_blockers,
      [],
    );
  } finally {
    child.kill("SIGINT");
  }
  const status = await child.status;
  await reading;
  assert.equal(status.code, 0, await stderr);
  const events = await br(["telemetry", "export", "--format", "jsonl"], { cwd });
  const errors = events.stdout.split("\n").filter((l) => l.includes('"debug.error"'));
  assert.equal(errors.length, 1, events.stdout);
  assert.match(errors[0], /"source":"watch"/);
});

Deno.test("br watch without paths or debug.watch is a usage error", async () => {
  await using dir = await tempProject();
  const res = await br(["watch"], { cwd: dir.path });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /Nothing to watch/);
  assert.match(res.stderr, /debug\.watch/);
});
