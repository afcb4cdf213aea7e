/**
 * Both scripts of every migration: each one applies in order on a real PostgreSQL server, and
 * the tables, columns, types, nullability, indexes and triggers agree with SQLite's; the
 * cost rollup triggers keep the same sums on both.
 */
import assert from "node:assert/strict";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import type { Store } from "../../src/core/store.ts";
import { tempDir } from "../helpers.ts";
import { postgresBinDir, type PostgresServer, sharedPostgres } from "../postgres.ts";

/** SQLite's declared type -> PostgreSQL's `data_type` (SQLite's `ANY` rollup keys are text). */
const TYPES: Record<string, string> = {
  INTEGER: "bigint",
  REAL: "double precision",
  BLOB: "bytea",
  TEXT: "text",
  ANY: "text",
};

/** Columns that are NOT NULL in SQLite only: the rollup keys, where PostgreSQL stores NULL. */
const NULLABLE_IN_PG = new Set([
  "cost_rollup.feature",
  "cost_rollup.session",
  "cost_rollup.project",
]);

/** Runs `sql` with psql on `server`; returns what the last statement printed (unaligned). */
async function psql(server: PostgresServer, sql: string): Promise<string> {
  const child = new Deno.Command(`${postgresBinDir()}/psql`, {
    args: ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", server.url, "-f", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(sql));
  await writer.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`psql failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text.trim();
}

/** Rows of a query as JSON, through psql. */
async function pgRows<T>(server: PostgresServer, schema: string, sql: string): Promise<T[]> {
  const out = await psql(
    server,
    `SET search_path TO ${schema};\nSELECT coalesce(json_agg(q), '[]') FROM (${sql}) q;`,
  );
  return JSON.parse(out) as T[];
}

let schemas = 0;
/** A new schema holding every migration's PostgreSQL script, applied one transaction each. */
async function migratedSchema(server: PostgresServer): Promise<string> {
  const schema = `migrations_${Date.now()}_${schemas++}`;
  await psql(server, `CREATE SCHEMA ${schema};`);
  await migrateSchema(server, schema, () => true);
  return schema;
}

/** Applies the PostgreSQL scripts of the migrations `which` selects to `schema`, in order. */
async function migrateSchema(
  server: PostgresServer,
  schema: string,
  which: (version: number) => boolean,
): Promise<void> {
  for (const m of MIGRATIONS.filter((m) => which(m.version))) {
    try {
      await psql(server, `BEGIN;\nSET LOCAL search_path TO ${schema};\n${m.postgres}\nCOMMIT;`);
    } catch (err) {
      throw new Error(`migration ${m.version} (${m.name}): ${(err as Error).message}`);
    }
  }
}

async function sqliteStore(dir: string, upTo = Infinity): Promise<Store> {
  return await openSqliteStore(`${dir}/br.db`, {
    migrations: MIGRATIONS.filter((m) => m.version <= upTo),
  });
}

interface Column {
  table: string;
  name: string;
  type: string;
  notnull: boolean;
}

async function sqliteColumns(store: Store): Promise<Column[]> {
  const tables = await store.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' " +
      "AND name != '_migrations' ORDER BY name",
  );
  const out: Column[] = [];
  for (const { name: table } of tables) {
    const cols = await store.all<{ name: string; type: string; notnull: number; pk: number }>(
      `SELECT name, type, "notnull", pk FROM pragma_table_info('${table}') ORDER BY cid`,
    );
    for (const c of cols) {
      // SQLite's INTEGER PRIMARY KEY is NOT NULL without saying so.
      const notnull = c.notnull === 1 || (c.pk > 0 && c.type === "INTEGER") ||
        (c.pk > 0 && cols.filter((x) => x.pk > 0).length > 1);
      out.push({ table, name: c.name, type: TYPES[c.type] ?? `?${c.type}`, notnull });
    }
  }
  return out;
}

Deno.test("every migration has a PostgreSQL script", () => {
  for (const m of MIGRATIONS) {
    assert.ok(m.postgres?.trim(), `migration ${m.version} (${m.name}) has no postgres script`);
    assert.doesNotMatch(m.postgres!, /\bSTRICT\b|WITHOUT ROWID|\bifnull\(|\bANY\b/i);
  }
});

Deno.test("postgres migrations: the same tables, columns, indexes and triggers", async (t) => {
  const server = await sharedPostgres();
  if (!server) {
    console.log("skipped: PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    return;
  }
  await using dir = await tempDir();
  const store = await sqliteStore(dir.path);
  try {
    const schema = await migratedSchema(server);

    await t.step("columns: names, order, types and nullability", async () => {
      const pg = await pgRows<{ table: string; name: string; type: string; nullable: string }>(
        server,
        schema,
        `SELECT table_name AS table, column_name AS name, data_type AS type,
           is_nullable AS nullable
         FROM information_schema.columns WHERE table_schema = '${schema}'
         ORDER BY table_name, ordinal_position`,
      );
      const expected = (await sqliteColumns(store)).map((c) => ({
        ...c,
        notnull: c.notnull && !NULLABLE_IN_PG.has(`${c.table}.${c.name}`),
      }));
      const actual = pg.map((c) => ({
        table: c.table,
        name: c.name,
        type: c.type,
        notnull: c.nullable === "NO",
      }));
      assert.deepEqual(actual, expected);
      // Text compares byte by byte, as in SQLite.
      const collations = await pgRows<{ c: string | null }>(
        server,
        schema,
        `SELECT DISTINCT collation_name AS c FROM information_schema.columns
         WHERE table_schema = '${schema}' AND data_type = 'text'`,
      );
      assert.deepEqual(collations, [{ c: "C" }]);
    });

    await t.step("indexes, unique keys, checks and triggers", async () => {
      const sqliteIndexes = (await store.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
      )).map((r) => r.name);
      const pgIndexes = (await pgRows<{ name: string }>(
        server,
        schema,
        `SELECT i.indexname AS name FROM pg_indexes i WHERE i.schemaname = '${schema}'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
             WHERE c.conname = i.indexname AND c.connamespace = '${schema}'::regnamespace)
         ORDER BY 1`,
      )).map((r) => r.name);
      assert.deepEqual(pgIndexes, sqliteIndexes);
      const sqliteTriggers = (await store.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
      )).map((r) => r.name);
      const pgTriggers = (await pgRows<{ name: string }>(
        server,
        schema,
        `SELECT DISTINCT trigger_name AS name FROM information_schema.triggers
         WHERE trigger_schema = '${schema}' ORDER BY 1`,
      )).map((r) => r.name);
      assert.deepEqual(pgTriggers, sqliteTriggers);
      // Every key and check of SQLite is enforced.
      const refused = async (sql: string) =>
        await assert.rejects(psql(server, `SET search_path TO ${schema};\n${sql}`));
      await refused(
        "INSERT INTO routing_outcomes (time, feature, model, level, result) " +
          "VALUES ('t', 'f', 'm', 'l', 'maybe');",
      );
      await refused(
        "INSERT INTO cost_budgets (name, period, limit_usd, warn_pct, updated_at) " +
          "VALUES ('b', 'hourly', 1, 80, 't');",
      );
      await refused(
        "INSERT INTO parallel_tasks (id, run_id, feature, name, wave, priority, " +
          "dependencies, files, state, max_attempts, branch, worktree) " +
          "VALUES ('t', 'no-run', 'f', 'n', 0, 0, '[]', '[]', 'pending', 1, 'b', 'w');",
      );
      await refused(
        "INSERT INTO events (id, type, time, ts, session, payload) VALUES " +
          "('e', 't', 'x', 1, 's', '{}'), ('e', 't', 'x', 1, 's', '{}');",
      );
      // Row ids are given on insert.
      await psql(
        server,
        `SET search_path TO ${schema};\nINSERT INTO alerts (rule, value, threshold, message, ` +
          "fired_at) VALUES ('r', 1, 2, 'm', 't'), ('r', 1, 2, 'm', 't');",
      );
      const ids = await pgRows<{ id: number }>(server, schema, "SELECT id FROM alerts");
      assert.deepEqual(ids.map((r) => r.id).sort(), [1, 2]);
    });

    await t.step("text sorts by bytes, as in SQLite", async () => {
      const words = ["b", "B", "a-c", "ab", "a", "_x", "é"];
      const values = words.map((w, i) => `('${w}', '${i}')`).join(", ");
      await store.run(`INSERT INTO meta (key, value) VALUES ${values}`);
      await psql(server, `SET search_path TO ${schema};\nINSERT INTO meta VALUES ${values};`);
      const pg = await pgRows<{ key: string }>(server, schema, "SELECT key FROM meta ORDER BY key");
      const lite = await store.all<{ key: string }>("SELECT key FROM meta ORDER BY key");
      assert.deepEqual(pg, lite);
    });
  } finally {
    await store.close();
  }
});

Deno.test("postgres migrations: the cost rollup triggers keep the same sums as SQLite's", async () => {
  const server = await sharedPostgres();
  if (!server) {
    console.log("skipped: PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    return;
  }
  await using dir = await tempDir();
  const store = await sqliteStore(dir.path);
  try {
    const schema = await migratedSchema(server);
    const insert = (
      key: string,
      time: string,
      model: string,
      feature: string | null,
      session: string | null,
      usd: number,
      logged: number | null,
      priced: number,
    ) => {
      const q = (v: string | null) => (v === null ? "NULL" : `'${v}'`);
      return `INSERT INTO cost_ledger (key, time, source, model, input_tokens, output_tokens,
          cache_creation_tokens, cache_read_tokens, cost_usd, priced, logged_cost_usd, session,
          feature, recorded_at)
        VALUES (${q(key)}, '${time}', 'claude-code', '${model}', 100, 10, 5, 1, ${usd}, ${priced},
          ${logged ?? "NULL"}, ${q(session)}, ${q(feature)}, '${time}');`;
    };
    const script = [
      insert("a", "2026-12-01T10:05:00.000Z", "m1", null, "s1", 0.25, null, 1),
      insert("b", "2026-12-01T10:14:59.000Z", "m1", null, "s1", 1.5, 1.4, 1),
      insert("c", "2026-12-01T10:15:00.000Z", "m1", "f1", null, 3.125, null, 0),
      insert("d", "2026-12-01T10:44:00.000Z", "m2", "f1", "s2", 0.000001, 0.5, 1),
      insert("e", "2026-12-01T10:59:00.000Z", "m2", "f2", "s2", 2.75, null, 1),
      // An update within its rollup row, one that moves it, and a delete.
      "UPDATE cost_ledger SET input_tokens = 300, cost_usd = 0.75, logged_cost_usd = 0.7, " +
      "priced = 0 WHERE key = 'a';",
      "UPDATE cost_ledger SET feature = 'f9', time = '2026-12-01T11:01:00.000Z' WHERE key = 'c';",
      "UPDATE cost_ledger SET session = NULL WHERE key = 'd';",
      "DELETE FROM cost_ledger WHERE key = 'e';",
    ];
    for (const sql of script) await store.run(sql);
    await psql(server, `SET search_path TO ${schema};\n${script.join("\n")}`);
    const query = `SELECT quarter, source, model, feature, session, project, rows, input,
        output, creation, read, usd, logged, logged_rows, unpriced FROM cost_rollup
      ORDER BY quarter, model, feature NULLS FIRST, session NULLS FIRST`;
    // SQLite keeps a missing key as 0, PostgreSQL as NULL.
    const lite = (await store.all<Record<string, unknown>>(query)).map((r) => ({
      ...r,
      feature: r.feature === 0 ? null : r.feature,
      session: r.session === 0 ? null : r.session,
      project: r.project === 0 ? null : r.project,
    }));
    const pg = await pgRows<Record<string, unknown>>(server, schema, query);
    assert.equal(lite.length, 3);
    assert.deepEqual(pg, lite);
  } finally {
    await store.close();
  }
});

Deno.test("postgres migrations: 4 and 11 carry the rows written before them over as SQLite's do", async () => {
  const server = await sharedPostgres();
  if (!server) {
    console.log("skipped: PostgreSQL is not installed (/usr/lib/postgresql/*/bin)");
    return;
  }
  await using dir = await tempDir();
  const schema = `migrations_${Date.now()}_${schemas++}`;
  await psql(server, `CREATE SCHEMA ${schema};`);
  const onBoth = async (store: Store, sql: string) => {
    await store.run(sql);
    await psql(server, `SET search_path TO ${schema};\n${sql};`);
  };
  // Duration rows of migration 2, then migration 4 turns them into histograms.
  let store = await sqliteStore(dir.path, 3);
  await migrateSchema(server, schema, (v) => v <= 3);
  await onBoth(
    store,
    "INSERT INTO duration_rollups (hour, type, ms, count) VALUES (7, 'a', 10, 2), " +
      "(7, 'a', 250, 1), (7, 'b', 3, 4), (8, 'a', 10, 1)",
  );
  await store.close();
  // Ledger rows of migration 10, then migration 11 sums them.
  store = await sqliteStore(dir.path, 10);
  await migrateSchema(server, schema, (v) => v > 3 && v <= 10);
  for (
    const [key, time, feature, usd, logged, priced] of [
      ["a", "2026-12-01T10:05:00.000Z", null, 0.25, null, 1],
      ["b", "2026-12-01T10:14:00.000Z", null, 1.5, 1.4, 0],
      ["c", "2026-12-01T10:20:00.000Z", "f1", 3.125, null, 1],
    ] as const
  ) {
    await onBoth(
      store,
      `INSERT INTO cost_ledger (key, time, source, model, input_tokens, cost_usd, priced,
         logged_cost_usd, feature, recorded_at)
       VALUES ('${key}', '${time}', 'codex', 'm', 10, ${usd}, ${priced}, ${logged ?? "NULL"},
         ${feature ? `'${feature}'` : "NULL"}, '${time}')`,
    );
  }
  await store.close();
  store = await sqliteStore(dir.path);
  await migrateSchema(server, schema, (v) => v > 10);
  try {
    const histograms = "SELECT hour, type, count, buckets FROM duration_histograms ORDER BY 1, 2";
    const parsed = (rows: { buckets: string }[]) =>
      rows.map((r) => ({ ...r, buckets: JSON.parse(r.buckets) }));
    const lite = parsed(await store.all<{ buckets: string }>(histograms));
    assert.equal(lite.length, 3);
    assert.deepEqual(parsed(await pgRows(server, schema, histograms)), lite);
    const rollup = `SELECT quarter, feature, rows, input, usd, logged, logged_rows, unpriced
      FROM cost_rollup ORDER BY quarter, feature NULLS FIRST`;
    const liteRollup = (await store.all<Record<string, unknown>>(rollup)).map((r) => ({
      ...r,
      feature: r.feature === 0 ? null : r.feature,
    }));
    assert.equal(liteRollup.length, 2);
    assert.deepEqual(await pgRows(server, schema, rollup), liteRollup);
  } finally {
    await store.close();
  }
});
