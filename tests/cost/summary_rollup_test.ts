import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { openProject } from "../../src/core/project.ts";
import type { Project } from "../../src/core/project.ts";
import { writeEntries } from "../../src/cost/_ledger_write.ts";
import type { PricedEntry } from "../../src/cost/ledger.ts";
import {
  costSummary,
  ledgerCostSummary,
  SUMMARY_BY,
  type SummaryOptions,
} from "../../src/cost/summary.ts";
import { SESSION_IMPORTED } from "../../src/cost/record.ts";
import { SESSION_USD } from "../../src/cost/statusline.ts";
import { tempProject } from "../helpers.ts";
import { ON_POSTGRES } from "../postgres.ts";

// Deterministic pseudo-random numbers: the same varied ledger every run.
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

/**
 * Rows from 2026-10-20 to 2026-11-06 (Europe's and North America's daylight-saving switches),
 * many on or next to quarter hours, with repeated keys (merged by the upsert), missing
 * features, sessions and projects, logged costs on some, and an unpriced model.
 */
function entries(n: number): PricedEntry[] {
  const start = Date.parse("2026-10-20T00:00:00.000Z");
  const out: PricedEntry[] = [];
  for (let i = 0; i < n; i++) {
    const quarter = Math.floor(rand() * 17 * 96);
    const offset = pick([0, 1, 999, 59_999, 14 * 60_000 + 59_999, Math.floor(rand() * 900_000)]);
    // A third of the rows lie within minutes of an instant the bounds below name.
    const near = rand() < 0.35
      ? Date.parse(pick(EDGES)) + pick([-1, 0, 1, -60_000, 60_000, Math.floor(rand() * 8e5) - 4e5])
      : null;
    const model = pick(["claude-sonnet-4-5", "claude-opus-4-1", "gpt-5", "mystery"]);
    const output = Math.floor(rand() * 5000);
    out.push({
      time: new Date(near ?? start + quarter * 900_000 + offset).toISOString(),
      source: pick(["claude-code", "codex", "parallel"]),
      model,
      input_tokens: Math.floor(rand() * 1000),
      output_tokens: output,
      cache_creation_tokens: Math.floor(rand() * 300),
      cache_read_tokens: Math.floor(rand() * 9000),
      // Catalog-like prices (sums often end on half a micro-dollar) or any USD.
      cost_usd: model === "mystery"
        ? 0
        : rand() < 0.7
        ? (output * pick([15, 3.75, 0.125, 1.25]) + 1000 * pick([3, 0.3, 0.08])) / 1e6
        : output * 0.000015 + rand() / 1000,
      priced: model !== "mystery",
      logged_cost_usd: rand() < 0.1 ? rand() / 10 : null,
      session: pick([null, "s1", "s2", "s3"]),
      project: pick([null, "/p/a", "/p/b"]),
      feature: pick([null, "f1", "f2"]),
      key: rand() < 0.5 ? `k${Math.floor(rand() * n)}` : null,
    });
  }
  return out;
}

const EDGES = [
  "2026-10-25T00:07:13.500Z",
  "2026-11-02T13:52:00.000Z",
  "2026-10-30T10:01:00.000Z",
  "2026-10-30T10:14:00.000Z",
  "2026-10-30T10:15:00.000Z",
  "2026-10-22T03:33:33.000Z",
  "2026-10-28T23:59:59.999Z",
  "2026-10-25T01:00:00.000Z",
  "2026-11-01T06:00:00.000Z",
];
const ZONES = [
  "UTC",
  "Europe/Berlin",
  "America/New_York",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
];
const BOUNDS: SummaryOptions[] = [
  {},
  { since: "2026-10-25" },
  { until: "2026-11-01" },
  { since: "2026-10-24", until: "2026-10-26" },
  { since: "2026-10-25T00:07:13.500Z", until: "2026-11-02T13:52:00Z" },
  { since: "2026-10-30T10:01:00Z", until: "2026-10-30T10:14:00Z" },
  { since: "2026-10-30T10:15:00Z", until: "2026-10-30T10:45:00Z" },
  { since: "2026-10-31T00:00:00Z", until: "2026-10-30T00:00:00Z" },
  { feature: "f1", since: "2026-10-22T03:33:33Z" },
  { source: "codex", until: "2026-10-28T23:59:59.999Z" },
];

async function assertSame(project: Project): Promise<number> {
  let compared = 0;
  for (const timezone of ZONES) {
    for (const bounds of BOUNDS) {
      for (const by of SUMMARY_BY) {
        const options = { ...bounds, by, timezone };
        const expected = await ledgerCostSummary(project, options);
        assert.deepEqual(await costSummary(project, options), expected, JSON.stringify(options));
        compared += expected.rows.length;
      }
    }
  }
  return compared;
}

Deno.test("cost summary from the rollup equals the sums of the ledger's rows", async () => {
  await using dir = await tempProject();
  const project = await openProject({ cwd: dir.path });
  try {
    const store = await project.store();
    const now = "2026-11-07T00:00:00.000Z";
    await store.tx((t) => writeEntries(t, entries(1500), now));
    // A second import of some of the same keys with larger counts updates rows in place.
    await store.tx((t) => writeEntries(t, entries(300), now));
    await store.run("DELETE FROM cost_ledger WHERE session = 's3' AND source = 'codex'");
    await store.run("UPDATE cost_ledger SET feature = 'f9' WHERE feature = 'f2' AND id % 3 = 0");
    // Groups whose logged costs are all gone report none (null), not 0.
    await store.run(
      "DELETE FROM cost_ledger WHERE source = 'parallel' AND logged_cost_usd IS NOT NULL",
    );
    await store.run("UPDATE cost_ledger SET logged_cost_usd = NULL WHERE source = 'codex'");
    const compared = await assertSame(project);
    assert.ok(compared > 1000, `${compared} rows compared`);
    const all = await costSummary(project, { by: "model", timezone: "UTC" });
    assert.deepEqual(all.unpriced_models, ["mystery"]);
    const bySource = await costSummary(project, { by: "source", timezone: "UTC" });
    assert.deepEqual(
      bySource.rows.map((r) => [r.key, r.logged_cost_usd === null]),
      [["claude-code", false], ["codex", true], ["parallel", true]],
    );
    // Every group emptied by the deletion is gone from the rollup, not kept at zero.
    const empty = await store.get<{ n: number }>(
      "SELECT count(*) AS n FROM cost_rollup WHERE rows = 0",
    );
    assert.equal(empty?.n, 0);
  } finally {
    await project.close();
  }
});

Deno.test({
  name: "the cost_rollup migration backfills a ledger written before it",
  // SQLite's migration path; tests/core/store_migrations_test.ts applies PostgreSQL's.
  ignore: ON_POSTGRES,
}, async () => {
  await using dir = await tempProject();
  let project = await openProject({ cwd: dir.path });
  try {
    const store = await project.store();
    await store.tx((t) => writeEntries(t, entries(800), "2026-11-07T00:00:00.000Z"));
  } finally {
    await project.close();
  }
  // The store as it was before migration 11: the ledger without rollup and triggers.
  const db = new DatabaseSync(join(dir.path, ".buildrunner", "br.db"));
  db.exec(
    `DROP TRIGGER cost_rollup_insert; DROP TRIGGER cost_rollup_update; DROP TRIGGER cost_rollup_move;
    DROP TRIGGER cost_rollup_delete; DROP TABLE cost_rollup;
    DELETE FROM _migrations WHERE version = 11;`,
  );
  db.close();
  project = await openProject({ cwd: dir.path });
  try {
    const store = await project.store();
    const n = await store.get<{ n: number }>("SELECT count(*) AS n FROM cost_rollup");
    assert.ok((n?.n ?? 0) > 100);
    assert.ok(await assertSame(project) > 500);
  } finally {
    await project.close();
  }
});

Deno.test("a session's USD and whether its log was imported come from the rollup's session index", async () => {
  await using dir = await tempProject();
  const project = await openProject({ cwd: dir.path });
  try {
    const store = await project.store();
    await store.tx((t) => writeEntries(t, entries(600), "2026-11-07T00:00:00.000Z"));
    await store.run(
      "DELETE FROM cost_ledger WHERE session = 's2' AND source IN ('claude-code', 'codex')",
    );
    const ledger = async (session: string) => ({
      nano: Number(
        (await store.get<{ usd: number | null }>(
          "SELECT sum(CAST(round(cost_usd * 1e9) AS BIGINT)) AS usd FROM cost_ledger WHERE session = ?",
          [session],
        ))?.usd ?? NaN,
      ),
      imported: !!(await store.get(
        "SELECT 1 AS x FROM cost_ledger WHERE session = ? AND source IN ('claude-code', 'codex')",
        [session],
      )),
    });
    for (const session of ["s1", "s2", "s3", "nobody"]) {
      const want = await ledger(session);
      const usd = (await store.get<{ usd: number | null }>(SESSION_USD, [session]))?.usd;
      assert.equal(Number(usd ?? NaN), want.nano, session);
      assert.equal(!!(await store.get(SESSION_IMPORTED, [session])), want.imported, session);
    }
    assert.equal((await ledger("s2")).imported, false);
    assert.equal((await ledger("s1")).imported, true);
    if (store.backend === "sqlite") {
      // The ledger keeps no index of sessions (each inserted row would pay for it).
      const indexes = await store.all<{ sql: string | null }>(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cost_ledger'",
      );
      assert.ok(indexes.length >= 2);
      for (const { sql } of indexes) assert.doesNotMatch(sql ?? "", /\(session\)/);
      for (const sql of [SESSION_USD, SESSION_IMPORTED]) {
        const plan = await store.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ["s1"]);
        assert.match(plan.map((p) => p.detail).join("\n"), /cost_rollup_session/, sql);
      }
    }
  } finally {
    await project.close();
  }
});
