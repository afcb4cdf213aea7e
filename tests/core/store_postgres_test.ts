import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { BrError } from "../../src/core/errors.ts";
import { redactUrl } from "../../src/core/store.ts";
import {
  connectTimeoutMs,
  normaliseRemote,
  openPostgresStore,
  projectKey,
  projectSchema,
  translateParams,
} from "../../src/core/store_postgres.ts";
import { br, brProcess, gitRun, moduleGraph, tempDir, tempProject } from "../helpers.ts";
import { sharedPostgres } from "../postgres.ts";
import { INSERT_EVENT, TEST_MIGRATIONS } from "./_pg_schema.ts";

const WRITER = fileURLToPath(new URL("./_pg_writer.ts", import.meta.url));
const TESTS_DENO_JSON = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The shared test server's URL, or null (with a printed line) when PostgreSQL is absent. */
async function serverUrl(): Promise<string | null> {
  const server = await sharedPostgres();
  if (!server) console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  return server?.url ?? null;
}

function uniqueKey(name: string): string {
  return `test/${name}/${crypto.randomUUID()}`;
}

Deno.test("postgres params: named and positional become $n; literals, comments and casts stay", () => {
  assert.deepEqual(translateParams("SELECT * FROM t WHERE a = ? AND b = ?"), {
    text: "SELECT * FROM t WHERE a = $1 AND b = $2",
    names: null,
    count: 2,
  });
  const named = translateParams(
    "INSERT INTO t (a, b, c) VALUES ($a, :b, @c) ON CONFLICT (a) DO UPDATE SET b = :b",
  );
  assert.equal(
    named.text,
    "INSERT INTO t (a, b, c) VALUES ($1, $2, $3) ON CONFLICT (a) DO UPDATE SET b = $2",
  );
  assert.deepEqual(named.names, ["a", "b", "c"]);
  const skipped = translateParams(
    "SELECT '?', 'it''s :x', \"we?ird\", x::text, E'\\'?' -- why ? :no\n" +
      "/* ? $no */ , $$ ? :z $$, $q$ ? $q$, ? FROM t WHERE y @> '{}' AND z = :z",
  );
  assert.equal(
    skipped.text,
    "SELECT '?', 'it''s :x', \"we?ird\", x::text, E'\\'?' -- why ? :no\n" +
      "/* ? $no */ , $$ ? :z $$, $q$ ? $q$, $1 FROM t WHERE y @> '{}' AND z = $1",
  );
  assert.deepEqual(skipped.names, ["z"]);
});

Deno.test("postgres project key: a remote without scheme, credentials or .git; the schema name", async () => {
  for (
    const [remote, key] of [
      ["https://user:pw@GitHub.com/Org/Repo.git", "github.com/Org/Repo"],
      ["git@github.com:Org/Repo.git", "github.com/Org/Repo"],
      ["ssh://git@github.com:22/Org/Repo.git/", "github.com/Org/Repo"],
      ["ssh://git@git.example.com:2222/team/app", "git.example.com:2222/team/app"],
      ["/srv/git/app.git", "/srv/git/app"],
      ["file:///srv/git/app.git", "/srv/git/app"],
    ]
  ) assert.equal(normaliseRemote(remote), key, remote);

  const schema = await projectSchema("github.com/Org/My-Repo");
  assert.match(schema, /^br_my_repo_[0-9a-f]{8}$/);
  assert.equal(await projectSchema("github.com/Org/My-Repo"), schema);
  assert.notEqual(await projectSchema("github.com/Other/My-Repo"), schema);
  assert.ok((await projectSchema("x/" + "a".repeat(200))).length <= 63);

  await using dir = await tempDir();
  const root = `${dir.path}/clone`;
  await Deno.mkdir(root);
  assert.match(await projectKey(root, {}), new RegExp(`^${Deno.hostname()}:/`), "no repo: path");
  await gitRun(["init", "-q"], root);
  await gitRun(["remote", "add", "origin", "https://bot:tok3n@Example.org/Team/App.git"], root);
  assert.equal(await projectKey(root, {}), "example.org/Team/App");
  assert.equal(await projectKey(root, {}, "configured"), "configured");
  assert.equal(await projectKey(root, { BR_PROJECT_KEY: "from-env" }, "configured"), "from-env");
});

Deno.test("postgres store: param styles and column types round-trip like SQLite's", async () => {
  const url = await serverUrl();
  if (!url) return;
  const store = await openPostgresStore(url, {
    projectKey: uniqueKey("types"),
    migrations: TEST_MIGRATIONS,
  });
  try {
    assert.equal(store.backend, "postgres");
    assert.equal(store.location, url);
    assert.equal(await store.schemaVersion(), 2);
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    const one = await store.run(
      "INSERT INTO kinds (k, i, n, r, m, b, j, flag) VALUES ($k, :i, @n, $r, $m, $b, $j, $flag)",
      {
        $k: "a",
        i: 5_000_000_000,
        "@n": 42,
        $r: 1.5,
        m: 2.25,
        b: bytes,
        j: '{"x":1}',
        flag: 1,
      },
    );
    assert.deepEqual(one, { changes: 1, lastInsertRowid: 0 });
    await store.run("INSERT INTO kinds (k, i, b) VALUES (?, ?, ?)", ["b", 10n, null]);
    const rows = await store.all("SELECT k, i, n, r, m, b, j, flag FROM kinds ORDER BY k");
    assert.deepEqual(rows, [
      {
        k: "a",
        i: 5_000_000_000,
        n: 42,
        r: 1.5,
        m: 2.25,
        b: bytes,
        j: '{"x": 1}',
        flag: 1,
      },
      { k: "b", i: 10, n: null, r: null, m: null, b: null, j: null, flag: null },
    ]);
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype, "plain objects");
    assert.ok(rows[0].b instanceof Uint8Array);
    assert.deepEqual(
      await store.get("SELECT count(*) AS n, sum(i) AS s, avg(n) AS a, max(k) AS k FROM kinds"),
      { n: 2, s: 5_000_000_010, a: 42, k: "b" },
    );
    assert.equal(await store.get("SELECT k FROM kinds WHERE k = ?", ["none"]), undefined);
    assert.equal(
      (await store.run("UPDATE kinds SET n = n WHERE k IN (?, ?)", ["a", "b"])).changes,
      2,
    );
    // A string holding what looks like parameters is data.
    await store.run("INSERT INTO kinds (k) VALUES ('?:x@y$z')");
    assert.equal((await store.get<{ n: number }>("SELECT count(*) AS n FROM kinds"))?.n, 3);
  } finally {
    await store.close();
  }
  await assert.rejects(store.get("SELECT 1"), /closed/);
  await store.close();
});

Deno.test("postgres store: transactions commit, roll back, nest as savepoints and join", async () => {
  const url = await serverUrl();
  if (!url) return;
  const store = await openPostgresStore(url, {
    projectKey: uniqueKey("tx"),
    migrations: TEST_MIGRATIONS,
  });
  const ids = async () =>
    (await store.all<{ id: string }>("SELECT id FROM events ORDER BY id")).map((r) => r.id);
  const add = (id: string) => ({ id, worker: "w", payload: "{}" });
  try {
    assert.equal(
      await store.tx(async (t) => {
        await t.run(INSERT_EVENT, add("a"));
        return "done";
      }),
      "done",
    );
    const boom = new Error("boom");
    await assert.rejects(
      store.tx(async (t) => {
        await t.run(INSERT_EVENT, add("b"));
        // A query on the store from inside the transaction joins it (and is undone with it).
        await store.run(INSERT_EVENT, add("c"));
        assert.deepEqual(
          (await store.all<{ id: string }>("SELECT id FROM events ORDER BY id")).map((r) => r.id),
          ["a", "b", "c"],
        );
        throw boom;
      }),
      (err) => err === boom,
      "the caller's error comes back as it was",
    );
    assert.deepEqual(await ids(), ["a"]);

    await store.tx(async (t) => {
      await t.run(INSERT_EVENT, add("d"));
      await assert.rejects(
        t.tx(async (inner) => {
          await inner.run(INSERT_EVENT, add("e"));
          throw new Error("inner");
        }),
        /inner/,
      );
      // store.tx inside a transaction is a savepoint too.
      await store.tx((inner) => inner.run(INSERT_EVENT, add("f")));
    });
    assert.deepEqual(await ids(), ["a", "d", "f"]);

    // A failing statement inside a savepoint leaves the outer transaction usable.
    await store.tx(async (t) => {
      await assert.rejects(
        t.tx((inner) => inner.run("INSERT INTO events (id) VALUES (?)", ["no-worker"])),
        (err) => err instanceof BrError && err.code === "storage" && /23502/.test(err.message),
      );
      await t.run(INSERT_EVENT, add("g"));
    });
    assert.deepEqual(await ids(), ["a", "d", "f", "g"]);

    assert.equal(await store.many(INSERT_EVENT, [add("h"), add("a"), add("i")]), 2);
    assert.equal(await store.many(INSERT_EVENT, []), 0);
    assert.deepEqual(await ids(), ["a", "d", "f", "g", "h", "i"]);

    // Transactions of one process take turns; each sees the other's committed work.
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.tx(async (t) => {
          const n = (await t.get<{ n: number }>("SELECT n FROM counter WHERE id = 1"))!.n;
          await t.run("UPDATE counter SET n = ? WHERE id = 1", [n + 1]);
        })),
    );
    assert.equal((await store.get<{ n: number }>("SELECT n FROM counter"))?.n, 20);
    assert.equal(await store.bulk(() => Promise.resolve(7)), 7);
  } finally {
    await store.close();
  }
});

Deno.test("postgres store: a pool of 4 connections per process, or the URL's max", async () => {
  const url = await serverUrl();
  if (!url) return;
  for (const [suffix, max] of [["", 4], ["?max=2", 2]] as const) {
    const store = await openPostgresStore(url + suffix, {
      projectKey: uniqueKey("pool"),
      migrations: [],
    });
    try {
      const pids = await Promise.all(
        Array.from(
          { length: 10 },
          () => store.get<{ pid: number }>("SELECT pg_backend_pid() AS pid, pg_sleep(0.2)"),
        ),
      );
      assert.equal(new Set(pids.map((r) => r!.pid)).size, max, suffix);
    } finally {
      await store.close();
    }
  }
});

Deno.test("postgres store: a transaction the server aborts as a deadlock runs again", async () => {
  const url = await serverUrl();
  if (!url) return;
  const a = await openPostgresStore(url, { projectKey: uniqueKey("dl-a"), migrations: [] });
  const b = await openPostgresStore(url, { projectKey: uniqueKey("dl-b"), migrations: [] });
  // A table both projects reach (qualified), so their row locks can cross.
  const table = `public.deadlock_${crypto.randomUUID().replaceAll("-", "")}`;
  try {
    await a.run(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)`);
    await a.run(`INSERT INTO ${table} (id, n) VALUES (1, 0), (2, 0)`);
    let arrived = 0;
    let release = () => {};
    const both = new Promise<void>((resolve) => (release = resolve));
    const attempts = { a: 0, b: 0 };
    const cross = (store: typeof a, name: "a" | "b", first: number, second: number) =>
      store.tx(async (t) => {
        attempts[name]++;
        await t.run(`UPDATE ${table} SET n = n + 1 WHERE id = ?`, [first]);
        if (attempts[name] === 1) {
          if (++arrived === 2) release();
          await both;
        }
        await t.run(`UPDATE ${table} SET n = n + 1 WHERE id = ?`, [second]);
        return name;
      });
    assert.deepEqual(await Promise.all([cross(a, "a", 1, 2), cross(b, "b", 2, 1)]), ["a", "b"]);
    assert.equal(attempts.a + attempts.b, 3, "one of them ran twice");
    assert.deepEqual(await a.all(`SELECT id, n FROM ${table} ORDER BY id`), [
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  } finally {
    await a.run(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await a.close();
    await b.close();
  }
});

Deno.test("postgres store: 8 processes open a new project and write at once; nothing lost or doubled", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  const key = uniqueKey("concurrent");
  const go = `${dir.path}/go`;
  const workers = 8;
  const count = 300;
  const children = Array.from({ length: workers }, (_, w) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", TESTS_DENO_JSON, WRITER, url, key, go, `w${w}`, `${count}`],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  await Deno.writeTextFile(go, "");
  const results = await Promise.all(children.map((c) => c.output()));
  for (const r of results) {
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  }
  const store = await openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS });
  try {
    const total = async () =>
      (await store.get<{ n: number }>("SELECT count(*) AS n FROM events"))?.n;
    assert.equal(await total(), workers * count);
    assert.equal(
      (await store.get<{ n: number }>("SELECT count(DISTINCT id) AS n FROM events"))?.n,
      workers * count,
    );
    // Every read-modify-write of the counter counted: the writers took turns.
    assert.equal(
      (await store.get<{ n: number }>("SELECT n FROM counter"))?.n,
      workers * Math.floor(count / 2),
    );
    // Each migration ran once, though 8 processes opened the new project at the same time.
    assert.deepEqual(
      await store.all("SELECT version, name FROM _migrations ORDER BY version"),
      TEST_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    // Importing the same rows again adds nothing.
    const again = Array.from({ length: count }, (_, i) => ({
      id: `w3-${i}`,
      worker: "w3",
      payload: "{}",
    }));
    assert.equal(await store.many(INSERT_EVENT, again), 0);
    assert.equal(await total(), workers * count);
  } finally {
    await store.close();
  }
});

Deno.test("postgres store: two project keys in one database never see each other", async () => {
  const url = await serverUrl();
  if (!url) return;
  const a = await openPostgresStore(url, {
    projectKey: uniqueKey("a"),
    migrations: TEST_MIGRATIONS,
  });
  const b = await openPostgresStore(url, {
    projectKey: uniqueKey("b"),
    migrations: TEST_MIGRATIONS,
  });
  try {
    await a.run(INSERT_EVENT, { id: "only-a", worker: "a", payload: "{}" });
    await b.run(INSERT_EVENT, { id: "only-b", worker: "b", payload: "{}" });
    await b.run(INSERT_EVENT, { id: "only-a", worker: "b", payload: "{}" });
    assert.deepEqual(await a.all("SELECT id, worker FROM events"), [
      { id: "only-a", worker: "a" },
    ]);
    assert.deepEqual(await b.all("SELECT id, worker FROM events ORDER BY id"), [
      { id: "only-a", worker: "b" },
      { id: "only-b", worker: "b" },
    ]);
    const registry = await a.all<{ key: string; schema: string }>(
      "SELECT key, schema FROM public.br_projects WHERE key LIKE 'test/a/%' OR key LIKE 'test/b/%'",
    );
    assert.ok(registry.length >= 2);
    assert.ok(registry.every((r) => /^br_[a-z0-9_]+_[0-9a-f]{8}$/.test(r.schema)));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("postgres store: a migration without PostgreSQL SQL, or a newer schema, is refused", async () => {
  const url = await serverUrl();
  if (!url) return;
  const key = uniqueKey("missing");
  const lacking = [...TEST_MIGRATIONS, { version: 3, name: "sqlite_only", sqlite: "SELECT 1" }];
  await assert.rejects(
    openPostgresStore(url, { projectKey: key, migrations: lacking }),
    (err) =>
      err instanceof BrError && err.exitCode === 8 &&
      /migration 3 \(sqlite_only\) has no PostgreSQL script/.test(err.message),
  );
  // Nothing was applied: the check comes before the migration transaction.
  const store = await openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS });
  assert.equal(await store.schemaVersion(), 2);
  await store.close();
  await assert.rejects(
    openPostgresStore(url, { projectKey: key, migrations: TEST_MIGRATIONS.slice(0, 1) }),
    (err) =>
      err instanceof BrError &&
      /schema version 2, newer than this br knows \(1\)/.test(err.message),
  );
});

Deno.test("postgres store: the location and every message leave the password out", () => {
  assert.equal(
    redactUrl("postgres://app:s3cret@db.internal:5432/br?sslmode=require&password=x"),
    "postgres://app@db.internal:5432/br",
  );
  assert.equal(redactUrl("postgresql://db/br"), "postgresql://db/br");
  assert.equal(redactUrl("postgres://:pw@db/br"), "postgres://db/br");
});

Deno.test("postgres store: the project's schema is the search path, whatever the URL says", async () => {
  const url = await serverUrl();
  if (!url) return;
  const key = uniqueKey("search-path");
  // Trust authentication ignores the password: it is there to be kept out of sight.
  const withPassword = url.replace("://br@", "://br:s3cret-pw@");
  const store = await openPostgresStore(`${withPassword}?search_path=public&application_name=x`, {
    projectKey: key,
    migrations: TEST_MIGRATIONS,
  });
  try {
    assert.equal(store.location, url);
    assert.deepEqual(await store.get("SELECT current_schema() AS s"), {
      s: await projectSchema(key),
    });
  } finally {
    await store.close();
  }
});

Deno.test("postgres store: a database that does not exist is exit 8 with a hint", async () => {
  const url = await serverUrl();
  if (!url) return;
  await assert.rejects(
    openPostgresStore(url.replace(/\/br$/, "/nope"), { projectKey: "k", migrations: [] }),
    (err) =>
      err instanceof BrError && err.exitCode === 8 &&
      /database "nope" does not exist \(3D000\)/.test(err.message) &&
      /create the database on the server, or fix its name in BR_DATABASE_URL/.test(err.hint ?? ""),
  );
});

Deno.test("postgres store: a bad connect timeout or URL is refused without the password", async () => {
  assert.equal(connectTimeoutMs({}), null);
  assert.equal(connectTimeoutMs({ BR_DATABASE_CONNECT_TIMEOUT_MS: "250" }), 250);
  for (const bad of ["0", "-1", "1.5", "5s", "600001"]) {
    assert.throws(
      () => connectTimeoutMs({ BR_DATABASE_CONNECT_TIMEOUT_MS: bad }),
      (err) =>
        err instanceof BrError && err.exitCode === 2 &&
        err.message.includes(`BR_DATABASE_CONNECT_TIMEOUT_MS "${bad}"`),
    );
  }
  for (const max of ["0", "x", "101"]) {
    await assert.rejects(
      openPostgresStore(`postgres://app:s3cret-pw@127.0.0.1:1/br?max=${max}`, {
        projectKey: "k",
        migrations: [],
      }),
      (err) =>
        err instanceof BrError && err.exitCode === 2 &&
        err.message === `Invalid max "${max}" in BR_DATABASE_URL: expected 1 to 100`,
    );
  }
  for (
    const url of [
      "postgres://app:s3cret-pw@127.0.0.1:99999/br",
      "postgres://app:s3cret%2Dpw@[::zz]/br",
      "postgres://app@127.0.0.1:1/br?password=s3cret-pw",
    ]
  ) {
    await assert.rejects(
      openPostgresStore(url, { projectKey: "k", migrations: TEST_MIGRATIONS }),
      (err) =>
        err instanceof BrError && err.exitCode === 8 && !/s3cret/.test(err.message) &&
        !/s3cret/.test(err.hint ?? ""),
      url,
    );
  }
});

Deno.test("postgres store: an unreachable server is exit 8 with nothing written locally", async () => {
  await using dir = await tempProject();
  const bd = `${dir.path}/.buildrunner`;
  const features = await Deno.readTextFile(`${bd}/features.json`);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const env = { BR_DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/br` };
  const check = (res: { code: number; stderr: string }, what: string) => {
    assert.equal(res.code, 8, `${what}: ${res.stderr}`);
    const lines = res.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 2, `${what}: ${res.stderr}`);
    assert.match(
      lines[0],
      new RegExp(
        `^error: Cannot open the store "postgres://app@127\\.0\\.0\\.1:${port}/br": cannot reach the PostgreSQL server`,
      ),
    );
    assert.match(lines[1], /^hint: check that the server is running .* unset BR_DATABASE_URL/);
    assert.ok(!res.stderr.includes("s3cret"), "the password is never printed");
  };
  check(await brProcess(["feature", "add", "Login"], { cwd: dir.path, env }), "feature add");
  check(
    await brProcess(["telemetry", "summary", "--json"], { cwd: dir.path, env }),
    "telemetry summary",
  );
  for (
    const args of [
      ["cost", "budget", "set", "daily", "5"],
      ["cost", "summary", "--json"],
      ["parallel", "list", "--json"],
    ]
  ) check(await br(args, { cwd: dir.path, env }), args.join(" "));
  assert.equal(await Deno.readTextFile(`${bd}/features.json`), features, "the change was refused");
  for (const name of ["br.db", "br.db-wal", "spool"]) {
    await assert.rejects(Deno.stat(`${bd}/${name}`), Deno.errors.NotFound, name);
  }
});

/** Modules `entry` can load at run time (static and dynamic imports; types are not loaded). */
const codeGraph = async (
  entry: string,
) => [...await moduleGraph(new URL(entry, import.meta.url), { dynamic: true })];

Deno.test("postgres driver: never loaded by br or the hooks unless a postgres URL is used", async () => {
  for (const entry of ["../../main.ts", "../../src/cli/commands/hooks_run.ts"]) {
    const modules = await codeGraph(entry);
    assert.ok(modules.some((m) => m.endsWith("/src/core/project.ts")), `${entry}: graph read`);
    for (const never of ["/src/core/store_postgres.ts", "postgres@"]) {
      assert.equal(modules.some((m) => m.includes(never)), false, `${entry} loads ${never}`);
    }
  }
  // The backend's own graph has the driver, so the check above can tell.
  const own = await codeGraph("../../src/core/store_postgres.ts");
  assert.ok(own.some((m) => m.includes("postgres@3")), own.join(" "));
});
