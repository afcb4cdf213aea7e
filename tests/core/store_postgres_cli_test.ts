import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openPostgresStore } from "../../src/core/store_postgres.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { br, brArgv, brProcess, gitRun, tempDir } from "../helpers.ts";
import { sharedPostgres } from "../postgres.ts";

const EVENT_WRITER = fileURLToPath(new URL("./_pg_event_writer.ts", import.meta.url));
const TESTS_DENO_JSON = fileURLToPath(new URL("../deno.json", import.meta.url));

/** The shared test server's URL, or null (with a printed line) when PostgreSQL is absent. */
async function serverUrl(): Promise<string | null> {
  const server = await sharedPostgres();
  if (!server) console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  return server?.url ?? null;
}

/** A new git repository with `origin` at `remote`, and `br init` done in it. */
async function clone(parent: string, name: string, remote: string, env: Record<string, string>) {
  const path = `${parent}/${name}`;
  await Deno.mkdir(path);
  await gitRun(["init", "-q"], path);
  await gitRun(["remote", "add", "origin", remote], path);
  const init = await br(["init", "--name", name], { cwd: path, env });
  assert.equal(init.code, 0, init.stderr);
  return path;
}

async function localStoreFiles(project: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${project}/.buildrunner`)) {
    if (e.name.startsWith("br.db") || e.name === "spool") out.push(e.name);
  }
  return out;
}

/** The password of the URLs below (trust authentication ignores it): never printed. */
const PASSWORD = "s3cret-pw";

function withPassword(url: string): string {
  return url.replace("://br@", `://br:${PASSWORD}@`);
}

async function json<T>(args: string[], cwd: string, env: Record<string, string>): Promise<T> {
  const res = await br([...args, "--json"], { cwd, env });
  assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
  assert.ok(!(res.stdout + res.stderr).includes(PASSWORD), `${args.join(" ")} printed it`);
  return JSON.parse(res.stdout) as T;
}

Deno.test("postgres store, end to end: features, telemetry, budgets and routing live on the server", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  const env = { BR_DATABASE_URL: withPassword(url) };
  const remote = `https://bot:tok3n@git.example.com/team/app-${crypto.randomUUID()}.git`;
  const a = await clone(dir.path, "a", remote, env);

  for (const name of ["Login", "Signup"]) {
    const add = await brProcess(["feature", "add", name], { cwd: a, env });
    assert.equal(add.code, 0, add.stderr);
    assert.ok(!(add.stdout + add.stderr).includes(PASSWORD));
  }
  const set = await br(["cost", "budget", "set", "daily", "5"], { cwd: a, env });
  assert.equal(set.code, 0, set.stderr);
  const outcome = await br(
    ["routing", "outcome", "login", "--model", "claude-haiku-4-5", "--result", "success"],
    { cwd: a, env },
  );
  assert.equal(outcome.code, 0, outcome.stderr);

  const summary = await json<{ by_type: { type: string; count: number }[] }>(
    ["telemetry", "summary"],
    a,
    env,
  );
  assert.equal(summary.by_type.find((t) => t.type === "feature.added")?.count, 2);
  const budgets = await json<{ name: string; limit_usd: number }[]>(
    ["cost", "budget", "list"],
    a,
    env,
  );
  assert.deepEqual(budgets.map((b) => [b.name, b.limit_usd]), [["daily", 5]]);
  const models = await json<{ id: string; records: Record<string, { success: number }> }[]>(
    ["routing", "models"],
    a,
    env,
  );
  const haiku = models.find((m) => m.id === "claude-haiku-4-5")!;
  assert.equal(Object.values(haiku.records).reduce((n, r) => n + r.success, 0), 1);
  assert.deepEqual(await localStoreFiles(a), [], "no br.db, no spool");

  // Another clone of the same repository (another URL form) sees the same data.
  const b = await clone(dir.path, "b", remote.replace("https://bot:tok3n@", "ssh://git@"), env);
  const events = await json<{ type: string; feature: string | null }[]>(
    ["telemetry", "events", "--type", "feature.added"],
    b,
    env,
  );
  assert.deepEqual(events.map((e) => e.feature).sort(), ["login", "signup"]);
  assert.deepEqual(
    (await json<{ name: string }[]>(["cost", "budget", "list"], b, env)).map((x) => x.name),
    ["daily"],
  );

  // A project of another repository in the same database sees none of it.
  const other = await clone(dir.path, "other", `${remote}-other`, env);
  assert.deepEqual(
    await json<unknown[]>(["telemetry", "events", "--type", "feature.added"], other, env),
    [],
  );
  assert.deepEqual(await json<unknown[]>(["cost", "budget", "list"], other, env), []);
  // ... unless it is given the same key.
  const shared = await json<unknown[]>(
    ["telemetry", "events", "--type", "feature.added"],
    other,
    { ...env, BR_PROJECT_KEY: "git.example.com/team/" + remote.split("/team/")[1].slice(0, -4) },
  );
  assert.equal(shared.length, 2);
  for (const p of [a, b, other]) assert.deepEqual(await localStoreFiles(p), [], p);
});

Deno.test("postgres store, end to end: store.url in the configuration selects the server", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  // The URL with its password lives in this machine's global file (the project's own
  // config.yaml, tracked by git, refuses a password).
  const env = { BR_HOME: `${dir.path}/home` };
  const p = await clone(dir.path, "p", `/srv/git/cfg-${crypto.randomUUID()}.git`, env);
  const refused = await br(["config", "set", "store.url", withPassword(url)], { cwd: p, env });
  assert.equal(refused.code, 2, refused.stderr);
  const set = await br(["config", "set", "--global", "store.url", withPassword(url)], {
    cwd: p,
    env,
  });
  assert.equal(set.code, 0, set.stderr);
  const list = await br(["config", "list", "--json"], { cwd: p, env });
  const get = await br(["config", "get", "store.url"], { cwd: p, env });
  assert.ok(list.stdout.includes(url.split("@")[1]), "the server is shown");
  for (const out of [list, get, set, refused]) {
    assert.ok(!(out.stdout + out.stderr).includes(PASSWORD), out.stdout);
  }
  const key = await br(["config", "set", "store.project", `cfg-${crypto.randomUUID()}`], {
    cwd: p,
    env,
  });
  assert.equal(key.code, 0, key.stderr);
  const add = await brProcess(["feature", "add", "Login"], { cwd: p, env });
  assert.equal(add.code, 0, add.stderr);
  const events = await json<unknown[]>(["telemetry", "events", "--type", "feature.added"], p, env);
  assert.equal(events.length, 1);
  // Nothing after store.url was set is in the local file.
  const local = await br(["telemetry", "events", "--type", "feature.added", "--json"], {
    cwd: p,
    env: { ...env, BR_DATABASE_URL: "sqlite:" },
  });
  assert.deepEqual(JSON.parse(local.stdout), []);
});

Deno.test("postgres store, end to end: 8 br processes on a new project at once; each event stored once", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  const env = { BR_DATABASE_URL: url, BR_PROJECT_KEY: `concurrent-${crypto.randomUUID()}` };
  const p = await clone(dir.path, "p", "/srv/git/unused.git", { BR_DATABASE_URL: "sqlite:" });
  await Deno.remove(`${p}/.buildrunner/br.db`).catch(() => {});
  const children = Array.from({ length: 8 }, (_, i) =>
    new Deno.Command(Deno.execPath(), {
      args: brArgv(["feature", "add", `Feature ${i}`]),
      cwd: p,
      env: { BR_HOME: `${p}/.br-home`, NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output());
  for (const r of await Promise.all(children)) {
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  }
  const summary = await json<{ by_type: { type: string; count: number }[] }>(
    ["telemetry", "summary"],
    p,
    env,
  );
  const count = (type: string) => summary.by_type.find((t) => t.type === type)?.count;
  assert.equal(count("feature.added"), 8);
  assert.equal(count("session.started"), 8);
  assert.equal(count("session.ended"), 8);
  const store = await openPostgresStore(url, { projectKey: env.BR_PROJECT_KEY });
  try {
    assert.deepEqual(
      (await store.all<{ version: number }>("SELECT version FROM _migrations ORDER BY version"))
        .map((r) => r.version),
      MIGRATIONS.map((m) => m.version).sort((x, y) => x - y),
      "every migration applied once",
    );
  } finally {
    await store.close();
  }
  assert.deepEqual(await localStoreFiles(p), []);
});

Deno.test("postgres store: 8 processes write telemetry batches twice at once; events and rollups exact", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  const key = `telemetry-${crypto.randomUUID()}`;
  const go = `${dir.path}/go`;
  const workers = 8;
  const count = 240;
  const children = Array.from({ length: workers }, (_, w) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        TESTS_DENO_JSON,
        EVENT_WRITER,
        url,
        key,
        go,
        `w${w}`,
        `${count}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  await Deno.writeTextFile(go, "");
  for (const r of await Promise.all(children.map((c) => c.output()))) {
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  }
  const store = await openPostgresStore(url, { projectKey: key });
  try {
    const one = async (sql: string) => (await store.get<{ n: number }>(sql))?.n;
    const total = workers * count;
    const costs = workers * Math.ceil(count / 3);
    assert.equal(await one("SELECT count(*) AS n FROM events"), total);
    assert.equal(await one("SELECT count(DISTINCT id) AS n FROM events"), total);
    assert.equal(await one("SELECT sum(count) AS n FROM event_rollups"), total);
    assert.equal(
      await one("SELECT sum(count) AS n FROM event_rollups WHERE type = 'cost.recorded'"),
      costs,
    );
    assert.equal(await one("SELECT sum(usd) AS n FROM event_rollups"), costs * 0.25);
    assert.equal(await one("SELECT sum(count) AS n FROM duration_histograms"), total - costs);
  } finally {
    await store.close();
  }
});

Deno.test("postgres store, end to end: the git hooks write to the server and never spool", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using dir = await tempDir();
  const env = { BR_DATABASE_URL: url, BR_PROJECT_KEY: `hooks-${crypto.randomUUID()}` };
  const p = await clone(dir.path, "p", "/srv/git/hooks.git", env);
  await gitRun(["add", "-A"], p);
  const run = await brProcess(["hooks", "run", "pre-commit"], { cwd: p, env });
  assert.equal(run.code, 0, run.stderr);
  const sessions = await json<{ payload: { command: string } }[]>(
    ["telemetry", "events", "--type", "session.started"],
    p,
    env,
  );
  assert.ok(sessions.some((e) => e.payload.command === "hooks run"), JSON.stringify(sessions));
  assert.deepEqual(await localStoreFiles(p), []);

  // An unreachable server fails the hook too (exit 8): nothing is kept locally for later.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = `postgres://br@127.0.0.1:${(listener.addr as Deno.NetAddr).port}/br`;
  listener.close();
  const down = await brProcess(["hooks", "run", "pre-commit"], {
    cwd: p,
    env: { ...env, BR_DATABASE_URL: closed },
  });
  assert.equal(down.code, 8, down.stderr);
  assert.match(down.stderr, /cannot reach the PostgreSQL server/);
  assert.deepEqual(await localStoreFiles(p), []);
});
