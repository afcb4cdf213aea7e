import assert from "node:assert/strict";
import { br, brProcess, tempProject } from "../helpers.ts";

const OTHER = { BR_DATABASE_URL: "mysql://app:s3cret-pw@db.internal:3306/br" };

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

function assertStoreUrlError(res: { code: number; stderr: string }, what: string): void {
  assert.equal(res.code, 8, `${what}: ${res.stderr}`);
  const lines = res.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 2, `${what}: ${res.stderr}`);
  assert.match(lines[0], /^error: Cannot use BR_DATABASE_URL \(a mysql URL\): /);
  assert.match(
    lines[1],
    /^hint: give a postgres:\/\/ URL, or unset BR_DATABASE_URL to use the local SQLite file/,
  );
  assert.ok(!res.stderr.includes("s3cret"), "the URL's password is never printed");
}

Deno.test("BR_DATABASE_URL naming a backend br lacks: a change is refused before anything is written", async () => {
  await using dir = await tempProject();
  const bd = `${dir.path}/.buildrunner`;
  const features = await Deno.readTextFile(`${bd}/features.json`);
  const before = await names(bd);
  const add = await br(["feature", "add", "Login"], { cwd: dir.path, env: OTHER });
  assertStoreUrlError(add, "feature add");
  assert.equal(await Deno.readTextFile(`${bd}/features.json`), features);
  assert.deepEqual(await names(bd), before, "no spool, no br.db");

  // The same as a real subprocess: exit 8, and the local file is not used.
  const sub = await brProcess(["feature", "add", "Login"], { cwd: dir.path, env: OTHER });
  assertStoreUrlError(sub, "feature add (subprocess)");
  assert.deepEqual(await names(bd), before);
});

Deno.test("BR_DATABASE_URL naming a backend br lacks: commands that read or write the store fail with exit 8", async () => {
  await using dir = await tempProject();
  const bd = `${dir.path}/.buildrunner`;
  const before = await names(bd);
  for (
    const args of [
      ["cost", "summary", "--json"],
      ["cost", "budget", "list", "--json"],
      ["cost", "budget", "set", "daily", "5"],
      ["telemetry", "summary", "--json"],
      ["telemetry", "events", "--json"],
      ["parallel", "list", "--json"],
      ["parallel", "status", "--json"],
    ]
  ) {
    assertStoreUrlError(await br(args, { cwd: dir.path, env: OTHER }), args.join(" "));
  }
  assert.deepEqual(await names(bd), before);
  // A command that needs no store still works, and so does a sqlite: URL.
  assert.equal((await br(["status", "--json"], { cwd: dir.path, env: OTHER })).code, 0);
  const sqlite = await br(["feature", "add", "Login"], {
    cwd: dir.path,
    env: { BR_DATABASE_URL: "sqlite:" },
  });
  assert.equal(sqlite.code, 0, sqlite.stderr);
});
