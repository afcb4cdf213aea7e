/**
 * `br store migrate-to`: a project's SQLite history copied into another store exactly once,
 * with the rollups equal to what the copied rows imply and nothing doubled.
 */
import assert from "node:assert/strict";
import { createProject } from "../../src/core/project.ts";
import { COPIED_TABLES, copyStore, DERIVED_TABLES } from "../../src/core/store_copy.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import type { Store } from "../../src/core/store.ts";
import { recordUsage } from "../../src/cost/mod.ts";
import { Repo } from "../../src/orchestrator/_repo.ts";
import { ccLine } from "../cost/_logs.ts";
import { br, tempDir, tempProject } from "../helpers.ts";

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
