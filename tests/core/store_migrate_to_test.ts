/**
 * `br store migrate-to`: a project's SQLite history copied into another store exactly once,
 * with the rollups equal to what the copied rows imply and nothing doubled.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spoolEvents, writeEvents } from "../../src/core/event_log.ts";
import type { BrEvent } from "../../src/core/events.ts";
import { createProject } from "../../src/core/project.ts";
import { COPIED_TABLES, copyStore, DERIVED_TABLES } from "../../src/core/store_copy.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import type { Store } from "../../src/core/store.ts";
import { writeEntries } from "../../src/cost/_ledger_write.ts";
import type { PricedEntry } from "../../src/cost/ledger.ts";
import { recordUsage } from "../../src/cost/mod.ts";
import { Repo } from "../../src/orchestrator/_repo.ts";
import { ccLine } from "../cost/_logs.ts";
import { br, fixedClock, tempDir, tempProject } from "../helpers.ts";
import { sharedPostgres } from "../postgres.ts";

const MODEL = "claude-sonnet-4-5-20250929";

/**
 * A project with real history: features (events with durations), routing outcomes, a cost
 * import of Claude Code logs, a recorded usage without key, a budget, a parallel run with a
 * task and an alert.
 */
async function seed(root: string, tag: string): Promise<void> {
  const ok = async (args: string[]) => {
    const r = await br(args, { cwd: root, env: { TZ: "UTC" } });
    assert.equal(r.code, 0, `br ${args.join(" ")}: ${r.stderr}`);
  };
  await ok(["feature", "add", `Login ${tag}`, "--id", "login"]);
  await ok(["feature", "start", "login"]);
  await ok(["routing", "outcome", "login", "--model", "gpt-5", "--result", "success"]);
  await ok(["routing", "outcome", "login", "--model", "gpt-5", "--result", "rework"]);
  const dir = `${root}/logs/projects/-home-dev-app`;
  await Deno.mkdir(dir, { recursive: true });
  const lines = [0, 1, 2, 3, 4, 5].map((i) =>
    ccLine({
      id: `${tag}-m${i}`,
      req: `${tag}-r${i}`,
      model: MODEL,
      time: `2026-11-2${i % 3}T0${i}:10:00.000Z`,
      input: 1000 * (i + 1),
      output: 100 * i,
      read: 50 * i,
      session: `${tag}-s${i % 2}`,
    })
  );
  await Deno.writeTextFile(`${dir}/${tag}.jsonl`, lines.join("\n") + "\n");
  await ok(["cost", "import", "claude-code", "--dir", "logs"]);
  await ok(["cost", "budget", "set", "monthly", "50"]);
  const project = createProject(root, { env: {} });
  try {
    await recordUsage(project, {
      source: "manual",
      model: "gpt-5",
      input_tokens: 321,
      output_tokens: 12,
      time: "2026-11-22T08:00:00.000Z",
      feature: "login",
    });
    const store = await project.store();
    const now = "2026-11-22T09:00:00.000Z";
    await new Repo(store).createRun({
      id: `run-${tag}`,
      state: "completed",
      created_at: now,
      updated_at: now,
      finished_at: now,
      pid: null,
      pid_start: null,
      heartbeat_at: null,
      stop_requested: 0,
      base_branch: "main",
      options: "{}",
      error: null,
    }, [{
      id: `run-${tag}:login`,
      run_id: `run-${tag}`,
      feature: "login",
      name: "Login",
      wave: 0,
      priority: 1,
      dependencies: "[]",
      files: "[]",
      state: "merged",
      phase: null,
      attempt: 1,
      max_attempts: 2,
      next_attempt_at: null,
      branch: "br/login",
      worktree: ".buildrunner/worktrees/login",
      base_commit: null,
      worker: null,
      agent_pid: null,
      agent_pid_start: null,
      log: null,
      started_at: now,
      finished_at: now,
      duration_ms: 1234,
      error: null,
      conflict_files: null,
      merge_commit: null,
      cost_usd: 0.5,
      input_tokens: 10,
      output_tokens: 20,
      cache_creation_tokens: 0,
      cache_read_tokens: 0,
      runs: 1,
    }]);
    await store.run(
      "INSERT INTO alerts (rule, value, threshold, message, fired_at) VALUES (?, ?, ?, ?, ?)",
      ["error_rate", 0.4, 0.2, `errors high ${tag}`, now],
    );
  } finally {
    await project.close();
  }
}

/** The ids a target numbers itself. */
const SURROGATE: Record<string, string> = {
  events: "seq",
  alerts: "id",
  routing_outcomes: "id",
  cost_ledger: "id",
};
const ALL = [...COPIED_TABLES, ...DERIVED_TABLES];

/** The rows of a table without the ids the target numbers itself, sorted. */
async function dump(store: Store, table: string): Promise<string[]> {
  const rows = await store.all<Record<string, unknown>>(`SELECT * FROM "${table}"`);
  return rows.map((r) => {
    delete r[SURROGATE[table]];
    // The rollup's "none" is 0 on SQLite (part of its key) and NULL on PostgreSQL.
    if (table === "cost_rollup") {
      for (const k of ["feature", "session", "project"]) if (r[k] === 0) r[k] = null;
    }
    return JSON.stringify(Object.entries(r).sort());
  }).sort();
}

/** Every table's rows (meta only counted: it holds one marker per copy). */
async function dumpAll(store: Store): Promise<Record<string, string[] | number>> {
  const out: Record<string, string[] | number> = {};
  for (const table of ALL) {
    const rows = await dump(store, table);
    out[table] = table === "meta" ? rows.length : rows;
  }
  return out;
}

Deno.test("the copy plan names every table of the schema", async () => {
  await using dir = await tempDir();
  const store = await openSqliteStore(`${dir.path}/x.db`, { migrations: MIGRATIONS });
  try {
    const tables = (await store.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' " +
        "AND name <> '_migrations' ORDER BY name",
    )).map((r) => r.name);
    assert.deepEqual([...COPIED_TABLES, ...DERIVED_TABLES].sort(), tables);
  } finally {
    await store.close();
  }
});

Deno.test("copyStore copies every row once into a SQLite target; rollups follow the rows", async () => {
  await using a = await tempProject("alpha");
  await using out = await tempDir();
  await seed(a.path, "a");
  const source = await openSqliteStore(`${a.path}/.buildrunner/br.db`);
  const target = await openSqliteStore(`${out.path}/target.db`);
  try {
    const first = await copyStore(source, target, { sourceId: `${a.path}/.buildrunner/br.db` });
    assert.equal(first.already, false);
    for (const table of ALL) {
      const want = await dump(source, table);
      const got = await dump(target, table);
      if (table === "meta") {
        assert.equal(got.length, want.length + 1, "meta: the source's rows and the marker");
        continue;
      }
      assert.deepEqual(got, want, table);
    }
    const events = first.tables.find((t) => t.table === "events")!;
    assert.ok(events.copied > 5 && events.copied === events.read, JSON.stringify(events));
    const ledger = first.tables.find((t) => t.table === "cost_ledger")!;
    assert.equal(ledger.copied, 7);

    const before = await dumpAll(target);
    const second = await copyStore(source, target, { sourceId: `${a.path}/.buildrunner/br.db` });
    assert.equal(second.already, true);
    assert.equal(second.copied_at, first.copied_at);
    assert.deepEqual(second.tables, []);
    assert.deepEqual(await dumpAll(target), before);

    // The same rows under another identity (a copy of the file): nothing is doubled.
    const third = await copyStore(source, target, { sourceId: "elsewhere/br.db" });
    assert.equal(third.already, false);
    for (const t of third.tables) assert.equal(t.copied, 0, `${t.table}: ${JSON.stringify(t)}`);
    assert.deepEqual(await dumpAll(target), { ...before, meta: (before.meta as number) + 1 });
  } finally {
    await source.close();
    await target.close();
  }
});

Deno.test("a copy that fails part way leaves the target as it was, and can be run again", async () => {
  await using a = await tempProject("alpha");
  await using out = await tempDir();
  await seed(a.path, "a");
  const source = await openSqliteStore(`${a.path}/.buildrunner/br.db`);
  const target = await openSqliteStore(`${out.path}/target.db`);
  try {
    await source.run("INSERT INTO meta (key, value) VALUES ('plugin.note', 'kept')");
    // A damaged event, read after meta's rows were written: the copy fails in the middle.
    await source.run(
      "INSERT INTO events (id, type, time, ts, session, payload) VALUES ('bad', 'x', ?, ?, 's', '{')",
      ["2026-11-22T10:00:00.000Z", Date.parse("2026-11-22T10:00:00.000Z")],
    );
    const empty = await dumpAll(target);
    await assert.rejects(
      copyStore(source, target, { sourceId: "a" }),
      /Cannot copy event "bad": its payload is not JSON/,
    );
    assert.deepEqual(await dumpAll(target), empty);
    await source.run("DELETE FROM events WHERE id = 'bad'");
    const done = await copyStore(source, target, { sourceId: "a" });
    assert.equal(done.already, false);
    assert.deepEqual(
      await dump(target, "meta").then((rows) => rows.filter((r) => r.includes("plugin.note"))),
      [JSON.stringify([["key", "plugin.note"], ["value", "kept"]])],
    );
  } finally {
    await source.close();
    await target.close();
  }
});

/** The summaries `br` prints of a project's store (`BR_DATABASE_URL` picks the store). */
async function summaries(root: string, env: Record<string, string>) {
  const out: Record<string, unknown> = {};
  for (
    const args of [
      ["cost", "summary", "--json"],
      ["cost", "summary", "--by", "model", "--json"],
      ["telemetry", "summary", "--period", "all", "--json"],
      ["routing", "models", "--json"],
      ["cost", "budget", "list", "--json"],
      ["parallel", "list", "--json"],
    ]
  ) {
    const r = await br(args, { cwd: root, env, clock: fixedClock("2027-01-01T00:00:00.000Z") });
    assert.equal(r.code, 0, `br ${args.join(" ")}: ${r.stderr}`);
    out[args.join(" ")] = JSON.parse(r.stdout);
  }
  return out;
}

/** Rows per table of the project `key` on the server. */
async function pgCounts(url: string, key: string): Promise<Record<string, number>> {
  const { openPostgresStore } = await import("../../src/core/store_postgres.ts");
  const store = await openPostgresStore(url, { projectKey: key, env: {} });
  try {
    const out: Record<string, number> = {};
    for (const table of ALL) {
      out[table] = (await store.get<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`))!.n;
    }
    return out;
  } finally {
    await store.close();
  }
}

async function sqliteCounts(root: string): Promise<Record<string, number>> {
  const store = await openSqliteStore(`${root}/.buildrunner/br.db`);
  try {
    const out: Record<string, number> = {};
    for (const table of ALL) {
      out[table] = (await store.get<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`))!.n;
    }
    return out;
  } finally {
    await store.close();
  }
}

Deno.test("br store migrate-to copies a project into PostgreSQL once; its reports read the same", async () => {
  const pg = await sharedPostgres();
  if (!pg) return console.log("skipped: PostgreSQL is not installed (postgresql package)");
  await using a = await tempProject("alpha");
  await using b = await tempProject("beta");
  await seed(a.path, "a");
  await seed(b.path, "b");
  // Commands after the seed record no events of their own, so every report can be compared.
  const quiet = { TZ: "UTC", BR_NO_TELEMETRY: "1" };
  const envA = { ...quiet, BR_PROJECT_KEY: "acme/alpha" };
  const envB = { ...quiet, BR_PROJECT_KEY: "acme/beta" };
  const onPg = { BR_DATABASE_URL: pg.url };
  const sqliteA = await summaries(a.path, envA);
  const rowsA = await sqliteCounts(a.path);

  // A copy that fails part way (a damaged event, read after the meta rows were written)
  // leaves nothing on the server.
  const db = await openSqliteStore(`${a.path}/.buildrunner/br.db`);
  const bad = "INSERT INTO events (id, type, time, ts, session, payload) " +
    "VALUES ('bad', 'x', '2026-11-22T10:00:00.000Z', 1795341600000, 's', '{')";
  await db.run(bad);
  const failed = await br(["store", "migrate-to", pg.url], { cwd: a.path, env: envA });
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stderr, /Cannot copy event "bad"/);
  const none = Object.fromEntries(ALL.map((t) => [t, 0]));
  assert.deepEqual(await pgCounts(pg.url, "acme/alpha"), none);
  await db.run("DELETE FROM events WHERE id = 'bad'");
  await db.close();

  const first = await br(["store", "migrate-to", pg.url, "--json"], { cwd: a.path, env: envA });
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  assert.equal(report.status, "copied");
  assert.equal(report.project_key, "acme/alpha");
  assert.equal(report.tables.events.copied, rowsA.events);
  assert.equal(report.tables.cost_ledger.copied, rowsA.cost_ledger);
  assert.equal(report.tables.parallel_tasks.copied, 1);
  // meta: the source's rows and the copy's marker.
  assert.deepEqual(await pgCounts(pg.url, "acme/alpha"), { ...rowsA, meta: rowsA.meta + 1 });
  assert.deepEqual(await summaries(a.path, { ...envA, ...onPg }), sqliteA);

  // Again: nothing copied, said so, exit 0.
  const again = await br(["store", "migrate-to", pg.url], { cwd: a.path, env: envA });
  assert.equal(again.code, 0, again.stderr);
  assert.match(
    again.stdout,
    /^Already copied: .*br\.db went into postgres:\/\/br@127\.0\.0\.1:\d+\/br/,
  );
  assert.deepEqual(await pgCounts(pg.url, "acme/alpha"), { ...rowsA, meta: rowsA.meta + 1 });
  const againJson = await br(["store", "migrate-to", pg.url, "--json"], { cwd: a.path, env: envA });
  assert.equal(JSON.parse(againJson.stdout).status, "already_copied");
  assert.deepEqual(JSON.parse(againJson.stdout).tables, {});

  // A second project in the same database stays apart. Another runner of it imported the
  // same Claude Code logs and set the same budget on the server first: the copy adds only
  // what the server lacks, and the reports still agree.
  const sqliteB = await summaries(b.path, envB);
  for (
    const args of [["cost", "import", "claude-code", "--dir", "logs"], [
      "cost",
      "budget",
      "set",
      "monthly",
      "50",
    ]]
  ) {
    const r = await br(args, { cwd: b.path, env: { ...envB, ...onPg } });
    assert.equal(r.code, 0, r.stderr);
  }
  const beforeB = await pgCounts(pg.url, "acme/beta");
  assert.equal(beforeB.cost_ledger, 6);
  const copyB = await br(["store", "migrate-to", pg.url], { cwd: b.path, env: envB, tty: true });
  assert.equal(copyB.code, 0, copyB.stderr);
  // Progress on a terminal (stderr), none when piped.
  assert.match(copyB.stderr, /copying events: [\d,]+ of [\d,]+ rows/);
  assert.equal(first.stderr, "");
  assert.equal(again.stderr, "");
  assert.match(
    copyB.stdout,
    /^Copied [\d,]+ rows of .*br\.db into postgres:\/\/br@127\.0\.0\.1:\d+\/br \(project key "acme\/beta"\):/m,
  );
  assert.match(copyB.stdout, /^ {2}events +\d+/m);
  assert.match(copyB.stdout, /^ {2}cost_ledger +1, 6 already there$/m);
  assert.match(copyB.stdout, /^ {2}cost_budgets +0, 1 already there$/m);
  assert.deepEqual(await summaries(b.path, { ...envB, ...onPg }), sqliteB);
  assert.deepEqual(await summaries(a.path, { ...envA, ...onPg }), sqliteA);
  assert.notDeepEqual(sqliteA, sqliteB);
});

Deno.test("br store migrate-to: a URL that is not PostgreSQL is exit 2, an unreachable server exit 8, neither shows the password", async () => {
  await using a = await tempProject("alpha");
  await seed(a.path, "a");
  const env = { BR_NO_TELEMETRY: "1", BR_DATABASE_CONNECT_TIMEOUT_MS: "3000" };
  const other = await br(["store", "migrate-to", "mysql://app:s3cret@db/br"], { cwd: a.path, env });
  assert.equal(other.code, 2, other.stderr);
  assert.match(
    other.stderr,
    /error: Cannot copy the store to "mysql:\/\/app@db\/br": not a PostgreSQL URL/,
  );
  const down = await br(["store", "migrate-to", "postgres://app:s3cret@127.0.0.1:1/br", "--json"], {
    cwd: a.path,
    env,
  });
  assert.equal(down.code, 8, down.stderr);
  assert.match(down.stderr, /postgres:\/\/app@127\.0\.0\.1:1\/br/);
  assert.equal(down.stdout, "");
  for (const r of [other, down]) assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
});

Deno.test("br store migrate-to without br.db or spooled events has nothing to copy (exit 0)", async () => {
  await using dir = await tempProject("empty");
  const env = { BR_NO_TELEMETRY: "1" };
  await Deno.remove(`${dir.path}/.buildrunner/br.db`).catch(() => {});
  await Deno.remove(`${dir.path}/.buildrunner/spool`, { recursive: true }).catch(() => {});
  const r = await br(["store", "migrate-to", "postgres://app@127.0.0.1:1/br"], {
    cwd: dir.path,
    env,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Nothing to copy: .*\.buildrunner\/br\.db does not exist\.$/m);
  const json = await br(["store", "migrate-to", "postgres://app@127.0.0.1:1/br", "--json"], {
    cwd: dir.path,
    env,
  });
  assert.equal(JSON.parse(json.stdout).status, "nothing_to_copy");
});

/** `n` events and ledger rows, varied over two days. */
function history(n: number): { events: BrEvent[]; entries: PricedEntry[] } {
  const events: BrEvent[] = [];
  const entries: PricedEntry[] = [];
  for (let i = 0; i < n; i++) {
    const time = new Date(Date.parse("2026-11-20T00:00:00.000Z") + i * 1_234_567).toISOString();
    events.push({
      id: `e${i}`,
      type: i % 3 ? "gate.passed" : "cost.recorded",
      time,
      session: `s${i % 4}`,
      feature: i % 5 ? "login" : null,
      task: null,
      payload: i % 3
        ? { gate: ["lint", "test"][i % 2], duration_ms: 10 * i }
        : { model: "gpt-5", usd: i / 1000, tokens: { input: i } },
    } as BrEvent);
    entries.push({
      key: i % 7 ? `cc:m${i}:r${i}` : null,
      time,
      source: "claude-code",
      model: ["gpt-5", "claude-sonnet-4-5"][i % 2],
      input_tokens: i,
      output_tokens: 2 * i,
      cache_creation_tokens: 0,
      cache_read_tokens: 3 * i,
      cost_usd: i / 997,
      priced: true,
      session: `s${i % 4}`,
      feature: i % 5 ? "login" : null,
    });
  }
  return { events, entries };
}

/**
 * The copy inserts many rows per statement: with a target that already has part of them
 * (another runner wrote them), it counts and adds only the others, and the rollups equal the
 * source's.
 */
async function copyOverlapping(target: Store): Promise<void> {
  await using dir = await tempDir();
  const source = await openSqliteStore(`${dir.path}/source.db`);
  try {
    const { events, entries } = history(260);
    await writeEvents(source, events);
    await source.tx((t) => writeEntries(t, entries, "2026-11-23T00:00:00.000Z"));
    await writeEvents(target, events.slice(100, 170));
    await target.tx((t) => writeEntries(t, entries.slice(30, 120), "2026-11-23T00:00:00.000Z"));
    const result = await copyStore(source, target, { sourceId: `${dir.path}/source.db` });
    const of = (table: string) => result.tables.find((t) => t.table === table)!;
    assert.deepEqual(of("events"), { table: "events", read: 260, copied: 190, skipped: 70 });
    assert.deepEqual(of("cost_ledger"), {
      table: "cost_ledger",
      read: 260,
      copied: 170,
      skipped: 90,
    });
    for (
      const table of [
        "events",
        "event_rollups",
        "duration_histograms",
        "cost_ledger",
        "cost_rollup",
      ]
    ) {
      assert.deepEqual(await dump(target, table), await dump(source, table), table);
    }
  } finally {
    await source.close();
  }
}

Deno.test("many rows, part of them already in the target: SQLite target", async () => {
  await using dir = await tempDir();
  const target = await openSqliteStore(`${dir.path}/target.db`);
  try {
    await copyOverlapping(target);
  } finally {
    await target.close();
  }
});

Deno.test("many rows, part of them already in the target: PostgreSQL target", async () => {
  const pg = await sharedPostgres();
  if (!pg) return console.log("skipped: PostgreSQL is not installed (postgresql package)");
  const { openPostgresStore } = await import("../../src/core/store_postgres.ts");
  const target = await openPostgresStore(pg.url, { projectKey: "acme/overlap", env: {} });
  try {
    await copyOverlapping(target);
  } finally {
    await target.close();
  }
});

Deno.test("br store migrate-to copies the events of a SQLite project still in its spool (no br.db yet)", async () => {
  const pg = await sharedPostgres();
  if (!pg) return console.log("skipped: PostgreSQL is not installed (postgresql package)");
  await using dir = await tempProject("spooled");
  const add = await br(["feature", "add", "Login"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  const event = {
    id: "spooled-1",
    type: "gate.passed",
    time: "2026-11-22T10:00:00.000Z",
    session: "hook",
    payload: { gate: "lint", duration_ms: 12 },
  } as BrEvent;
  await spoolEvents(`${dir.path}/.buildrunner/spool`, [event]);
  assert.equal(existsSync(`${dir.path}/.buildrunner/br.db`), false);
  // Also when the project has switched to the server already (which never spools).
  const env = { BR_NO_TELEMETRY: "1", BR_PROJECT_KEY: "acme/spooled", BR_DATABASE_URL: pg.url };
  const r = await br(["store", "migrate-to", pg.url, "--json"], { cwd: dir.path, env });
  assert.equal(r.code, 0, r.stderr);
  const { openPostgresStore } = await import("../../src/core/store_postgres.ts");
  const store = await openPostgresStore(pg.url, { projectKey: "acme/spooled", env: {} });
  try {
    const row = await store.get<{ type: string }>("SELECT type FROM events WHERE id = ?", [
      "spooled-1",
    ]);
    assert.equal(row?.type, "gate.passed");
    assert.equal(
      JSON.parse(r.stdout).tables.events.copied,
      (await pgCounts(pg.url, "acme/spooled")).events,
    );
  } finally {
    await store.close();
  }
});
