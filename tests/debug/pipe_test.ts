/**
 * `br pipe` runs real commands (a failing `deno test`, a Python traceback, a TypeScript
 * error), exits with their code and records their errors; `br debug` groups them across runs.
 */
import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import type { DebugReport } from "../../src/debug/mod.ts";
import { br, tempProject } from "../helpers.ts";

const FAILING_TEST = `Deno.test("adds numbers", () => {
  if (1 + 1 !== 3) throw new Error("expected 3 but got 2");
});
`;

async function report(cwd: string, ...flags: string[]): Promise<DebugReport> {
  const res = await br(["debug", "--json", ...flags], { cwd });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout);
}

Deno.test("a failing deno test: exit code passed on, failure grouped across runs, resolved by a pass", async () => {
  await using dir = await tempProject();
  await Deno.mkdir(`${dir.path}/tests`);
  await Deno.writeTextFile(`${dir.path}/tests/math_test.ts`, FAILING_TEST);
  assert.equal(
    (await br(["feature", "add", "Math", "--id", "math", "--files", "tests/**"], {
      cwd: dir.path,
    })).code,
    0,
  );
  const events: BrEvent<"debug.error">[] = [];
  const run = () =>
    br(["pipe", "--", "deno", "test", "tests/math_test.ts"], {
      cwd: dir.path,
      env: { NO_COLOR: "1" },
      onProject: (p) => p.bus.on("debug.error", (e) => void events.push(e)),
    });
  const first = await run();
  assert.equal(first.code, 1);
  assert.match(first.stdout, /adds numbers/, "the output is passed on");
  assert.equal((await run()).code, 1);

  const r = await report(dir.path);
  assert.equal(r.failed_runs, 2);
  assert.equal(r.failures.length, 1, JSON.stringify(r.failures));
  const f = r.failures[0];
  assert.equal(f.kind, "test_failure");
  assert.equal(f.file, "tests/math_test.ts");
  assert.equal(f.line, 1);
  assert.equal(f.count, 2);
  assert.deepEqual(f.features, ["math"]);
  assert.match(f.message, /adds numbers/);
  assert.equal(f.next, "br pipe -- deno test tests/math_test.ts");
  assert.equal(events.length, 2);
  assert.equal(events[0].payload.signature, f.signature);

  const agent = await br(["debug", "--for-agent"], { cwd: dir.path });
  assert.match(agent.stdout, /1 open failure:/);
  assert.match(agent.stdout, /tests\/math_test\.ts:1/);
  assert.match(agent.stdout, /next: br pipe -- deno test tests\/math_test\.ts/);

  await Deno.writeTextFile(`${dir.path}/tests/math_test.ts`, FAILING_TEST.replace("3", "2"));
  assert.equal((await run()).code, 0);
  assert.equal((await report(dir.path)).failures.length, 0);
  const all = await report(dir.path, "--all");
  assert.equal(all.failures.length, 1);
  assert.equal(all.failures[0].resolved, true);
});

Deno.test("a Python traceback points at the project's own frame", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/app.py`,
    'def parse():\n    raise ValueError("bad value 42")\n\nparse()\n',
  );
  let res;
  try {
    res = await br(["pipe", "--", "python3", "app.py"], { cwd: dir.path });
  } catch (err) {
    console.log(`skipped: python3 not available (${(err as Error).message})`);
    return;
  }
  if (res.code === 7) return console.log("skipped: python3 not available");
  assert.equal(res.code, 1);
  assert.match(res.stderr, /Traceback/);
  const [f] = (await report(dir.path)).failures;
  assert.equal(f.kind, "python_traceback");
  assert.equal(f.message, "ValueError: bad value 42");
  assert.equal(f.file, "app.py");
  assert.equal(f.line, 2);
});

Deno.test("a TypeScript error is recorded with its file and line", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/bad.ts`, 'export const x: number = "text";\n');
  const res = await br(["pipe", "--", "deno", "check", "bad.ts"], { cwd: dir.path });
  assert.equal(res.code, 1);
  const [f] = (await report(dir.path)).failures;
  assert.equal(f.kind, "typescript");
  assert.match(f.message, /^TS2322: /);
  assert.equal(f.file, "bad.ts");
  assert.equal(f.line, 1);
});

Deno.test("br pipe exits with the command's own code, runs it under script with --tty", async () => {
  await using dir = await tempProject();
  assert.equal((await br(["pipe", "--", "sh", "-c", "exit 3"], { cwd: dir.path })).code, 3);
  const tty = await br(["pipe", "--tty", "--", "sh", "-c", "test -t 1 && echo tty; exit 4"], {
    cwd: dir.path,
  });
  assert.equal(tty.code, 4);
  assert.match(tty.stdout, /tty/);
  const missing = await br(["pipe", "--", "no-such-command-br"], { cwd: dir.path });
  assert.equal(missing.code, 7);
  assert.match(missing.stderr, /Cannot run "no-such-command-br"/);
});

Deno.test("what br pipe records holds neither the values of .env nor secrets", async () => {
  await using dir = await tempProject();
  const value = "v4lue-" + crypto.randomUUID();
  const token = "gh" + "p_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
  await Deno.writeTextFile(`${dir.path}/.env`, `API_TOKEN=${value}\n`);
  const script = `console.log("token ${value} ${token}"); throw new Error("failed with ${value}");`;
  await Deno.writeTextFile(`${dir.path}/leak.ts`, script);
  const res = await br(["pipe", "--", "deno", "run", "leak.ts"], { cwd: dir.path });
  assert.equal(res.code, 1);
  const log = await Deno.readTextFile(`${dir.path}/.buildrunner/context/debug.json`);
  assert.ok(log.includes("failed with"), log);
  for (const out of [log, (await br(["debug", "--json"], { cwd: dir.path })).stdout]) {
    assert.ok(!out.includes(value), "the .env value is masked");
    assert.ok(!out.includes(token), "the token is masked");
  }
});

Deno.test("a corrupt debug log is reported and never overwritten", async () => {
  await using dir = await tempProject();
  const log = `${dir.path}/.buildrunner/context/debug.json`;
  await Deno.mkdir(`${dir.path}/.buildrunner/context`, { recursive: true });
  await Deno.writeTextFile(log, "{not json");
  const debug = await br(["debug"], { cwd: dir.path });
  assert.equal(debug.code, 3);
  assert.match(debug.stderr, /Cannot read ".*debug\.json"/);
  assert.match(debug.stderr, /hint: /);
  const res = await br(["pipe", "--", "sh", "-c", "exit 1"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.equal(await Deno.readTextFile(log), "{not json");
});
