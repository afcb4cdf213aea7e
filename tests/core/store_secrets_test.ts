import assert from "node:assert/strict";
import { join } from "node:path";
import { br, FIXTURES, tempDir, tempProject } from "../helpers.ts";

const PASSWORD = "c0mmitted-pw";

Deno.test("br config set store.url refuses a password in the project config (git tracks it); --global takes it", async (t) => {
  await using p = await tempProject("cfg");
  await using home = await tempDir();
  // No events: the server named here does not exist (recording config.changed on it would
  // fail the command with exit 8 after the change).
  const env = { BR_HOME: home.path, BR_NO_TELEMETRY: "1" };
  const file = join(p.path, ".buildrunner", "config.yaml");
  const before = await Deno.readTextFile(file);

  await t.step(
    "a URL with a password: exit 2, nothing written, the password not printed",
    async () => {
      for (
        const url of [
          `postgres://app:${PASSWORD}@db.internal:5432/br`,
          `postgres://app@db.internal/br?sslmode=require&password=${PASSWORD}`,
        ]
      ) {
        const res = await br(["config", "set", "store.url", url], { cwd: p.path, env });
        assert.equal(res.code, 2, res.stderr);
        assert.match(res.stderr, /Cannot set store\.url .*password.*\.buildrunner\/config\.yaml/);
        assert.match(res.stderr, /hint: .*PGPASSWORD.*--global/);
        assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
        assert.equal(await Deno.readTextFile(file), before);
      }
    },
  );

  await t.step("the same URL without its password is kept in the project config", async () => {
    const res = await br(["config", "set", "store.url", "postgres://app@db.internal:5432/br"], {
      cwd: p.path,
      env,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.match(await Deno.readTextFile(file), /postgres:\/\/app@db\.internal:5432\/br/);
  });

  await t.step("--global (this machine's file) takes the password, shown masked", async () => {
    const url = `postgres://app:${PASSWORD}@db.internal:5432/br`;
    const res = await br(["config", "set", "--global", "store.url", url], { cwd: p.path, env });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
    assert.ok(!(await Deno.readTextFile(file)).includes(PASSWORD));
  });
});

Deno.test("br pipe records a command's output without the store's password, wherever it shows", async () => {
  await using p = await tempProject("pipe");
  const env = {
    BR_DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:1/br`,
    BR_NO_TELEMETRY: "1",
  };
  const res = await br([
    "pipe",
    "--",
    "sh",
    "-c",
    'echo "FATAL: login failed (password=$1)" >&2; exit 1',
    "sh",
    PASSWORD,
  ], { cwd: p.path, env });
  assert.equal(res.code, 1, res.stderr);
  const log = await Deno.readTextFile(join(p.path, ".buildrunner", "context", "debug.json"));
  assert.match(log, /FATAL: login failed \(password=\*+\)/);
  assert.ok(!log.includes(PASSWORD), log);
  const debug = await br(["debug", "--json", "--all"], { cwd: p.path, env });
  assert.ok(!(debug.stdout + debug.stderr).includes(PASSWORD));
});

Deno.test("a plugin granted BR_DATABASE_URL or PGPASSWORD by name never receives their values", async () => {
  await using p = await tempProject("plug");
  const vendor = join(p.path, "vendor");
  await Deno.mkdir(vendor);
  const probe = await Deno.readTextFile(join(FIXTURES, "plugins", "probe.js"));
  await Deno.writeTextFile(
    join(vendor, "probe.js"),
    probe.replace('env: ["PROBE_TOKEN"]', 'env: ["PROBE_TOKEN", "BR_DATABASE_URL", "PGPASSWORD"]'),
  );
  const env = { BR_NO_TELEMETRY: "1" };
  const add = await br(["plugin", "add", "vendor/probe.js", "--yes"], { cwd: p.path, env });
  assert.equal(add.code, 0, add.stderr);
  const secretEnv = {
    ...env,
    BR_DATABASE_URL: `postgres://app:${PASSWORD}@127.0.0.1:1/br`,
    PGPASSWORD: PASSWORD,
    PROBE_TOKEN: "t0k",
  };
  const token = await br(["probe", "env", "PROBE_TOKEN"], { cwd: p.path, env: secretEnv });
  assert.equal(token.stdout, "t0k\n", token.stderr);
  for (const name of ["BR_DATABASE_URL", "PGPASSWORD"]) {
    const res = await br(["probe", "env", name], { cwd: p.path, env: secretEnv });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "undefined\n");
    assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
  }
});

Deno.test("--database with a password warns that the process list shows it, and never prints it", async () => {
  await using p = await tempProject("par");
  const url = `postgres://app:${PASSWORD}@127.0.0.1:1/br`;
  const res = await br(["parallel", "status", "--database", url, "--json"], {
    cwd: p.path,
    env: { BR_DATABASE_URL: "" },
  });
  assert.equal(res.code, 8, res.stderr);
  assert.match(
    res.stderr,
    /^warning: --database holds a password, which other users of this machine can read in the process list; .*BR_DATABASE_URL/m,
  );
  assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
  const quiet = await br(["parallel", "status", "--database", "postgres://app@127.0.0.1:1/br"], {
    cwd: p.path,
    env: { BR_DATABASE_URL: "" },
  });
  assert.equal(quiet.code, 8);
  assert.doesNotMatch(quiet.stderr, /warning: --database/);
});
