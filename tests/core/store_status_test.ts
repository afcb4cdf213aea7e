import assert from "node:assert/strict";
import { br, gitRun, tempProject } from "../helpers.ts";
import { sharedPostgres } from "../postgres.ts";

const PASSWORD = "status-pw";

interface Status {
  backend: string;
  source: string | null;
  location: string;
  project_key: string | null;
  project_key_source: string | null;
  schema: string | null;
  reachable: boolean | null;
  server_version: string | null;
  schema_version: number | null;
  error: string | null;
}

Deno.test("br store status: the backend, its redacted URL, the project key and schema, and whether the server answers", async (t) => {
  await using p = await tempProject("stat");
  await gitRun(["remote", "add", "origin", "https://bot:tok3n@GitHub.com/Team/App.git"], p.path);

  await t.step("SQLite: the local file, nothing created", async () => {
    const res = await br(["store", "status", "--json"], { cwd: p.path, env: {} });
    assert.equal(res.code, 0, res.stderr);
    const s = JSON.parse(res.stdout) as Status;
    assert.equal(s.backend, "sqlite");
    assert.match(s.location, /\.buildrunner\/br\.db$/);
    assert.equal(s.project_key, null);
    assert.equal(s.reachable, null);
    await assert.rejects(Deno.lstat(`${p.path}/.buildrunner/br.db`), Deno.errors.NotFound);
  });

  const server = await sharedPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  const url = server.url.replace("://br@", `://br:${PASSWORD}@`);

  await t.step("PostgreSQL: reachable, with the key from git origin and its schema", async () => {
    const res = await br(["store", "status", "--json"], {
      cwd: p.path,
      env: { BR_DATABASE_URL: url },
    });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
    const s = JSON.parse(res.stdout) as Status;
    assert.equal(s.backend, "postgres");
    assert.equal(s.source, "BR_DATABASE_URL");
    assert.equal(s.location, server.url);
    assert.equal(s.project_key, "github.com/Team/App");
    assert.equal(s.project_key_source, "git origin");
    assert.match(s.schema!, /^br_app_[0-9a-f]{8}$/);
    assert.equal(s.reachable, true);
    assert.match(s.server_version!, /^1[5-9]/);
    assert.ok(s.schema_version! > 0);
    assert.equal(s.error, null);
    const text = await br(["store", "status"], { cwd: p.path, env: { BR_DATABASE_URL: url } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /project key +github\.com\/Team\/App \(git origin\)/);
    assert.ok(!text.stdout.includes(PASSWORD));
  });

  await t.step(
    "PostgreSQL without a git origin: the key is the path, and the text says what that means",
    async () => {
      await using bare = await tempProject("nogit-origin");
      const env = { BR_DATABASE_URL: url };
      const res = await br(["store", "status", "--json"], { cwd: bare.path, env });
      assert.equal(res.code, 0, res.stderr);
      const s = JSON.parse(res.stdout) as Status;
      assert.equal(s.project_key_source, "path");
      assert.equal(s.project_key, `${Deno.hostname()}:${await Deno.realPath(bare.path)}`);
      const text = await br(["store", "status"], { cwd: bare.path, env });
      assert.match(
        text.stdout,
        /note: the key is this machine's path .*br config set store\.project/,
      );
    },
  );

  await t.step("PostgreSQL unreachable: reachable false, one error line, exit 8", async () => {
    const down = `postgres://br:${PASSWORD}@127.0.0.1:1/br`;
    const res = await br(["store", "status", "--json"], {
      cwd: p.path,
      env: { BR_DATABASE_URL: down, BR_PROJECT_KEY: "pinned/key" },
    });
    assert.equal(res.code, 8, res.stderr);
    assert.ok(!(res.stdout + res.stderr).includes(PASSWORD));
    const s = JSON.parse(res.stdout) as Status;
    assert.equal(s.reachable, false);
    assert.equal(s.project_key, "pinned/key");
    assert.equal(s.project_key_source, "BR_PROJECT_KEY");
    assert.match(s.error!, /cannot reach the PostgreSQL server/);
    assert.match(res.stderr, /^error: Cannot open the store "postgres:\/\/br@127\.0\.0\.1:1\/br"/m);
  });
});
