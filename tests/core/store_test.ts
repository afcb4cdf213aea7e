import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { BrError } from "../../src/core/errors.ts";
import { createProject } from "../../src/core/project.ts";
import type { Migration } from "../../src/core/store.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import { tempDir } from "../helpers.ts";

const WRITER = fileURLToPath(new URL("./_store_writer.ts", import.meta.url));

Deno.test("sqlite store: pragmas, params, plain rows and transactions", async (t) => {
  await using dir = await tempDir();
  const store = await openSqliteStore(`${dir.path}/br.db`);
  try {
    await t.step(
      "WAL, foreign keys, busy timeout, temp files in memory and schema version are set",
      async () => {
        assert.equal(
          (await store.get<{ journal_mode: string }>("PRAGMA journal_mode"))
            ?.journal_mode,
          "wal",
        );
        assert.equal(
          (await store.get<{ foreign_keys: number }>("PRAGMA foreign_keys"))
            ?.foreign_keys,
          1,
        );
        assert.ok(
          ((await store.get<{ timeout: number }>("PRAGMA busy_timeout"))?.timeout ?? 0) > 0,
        );
        // 2: MEMORY (a statement journal of a many-row statement never goes to a file).
        assert.equal((await store.get<{ temp_store: number }>("PRAGMA temp_store"))?.temp_store, 2);
        assert.equal(await store.schemaVersion(), Math.max(...MIGRATIONS.map((m) => m.version)));
        assert.equal(store.backend, "sqlite");
      },
    );

    await t.step("named ($, :, bare) and positional params; rows are plain objects", async () => {
      await store.run("INSERT INTO meta (key, value) VALUES ($key, $value)", {
        $key: "a",
        $value: "1",
      });
      await store.run("INSERT INTO meta (key, value) VALUES (:key, :value)", {
        key: "b",
        value: "2",
      });
      const res = await store.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["c", "3"]);
      assert.equal(res.changes, 1);
      const rows = await store.all("SELECT key, value FROM meta ORDER BY key");
      assert.deepEqual(rows, [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
        { key: "c", value: "3" },
      ]);
      const n = await store.get<{ n: number }>("SELECT count(*) AS n FROM meta");
      assert.equal(typeof n?.n, "number");
      assert.equal(await store.get("SELECT * FROM meta WHERE key = ?", ["zz"]), undefined);
    });

    await t.step("bulk() checkpoints rarely while it runs, then as before", async () => {
      const pages = async () =>
        (await store.get<{ wal_autocheckpoint: number }>("PRAGMA wal_autocheckpoint"))
          ?.wal_autocheckpoint;
      assert.equal(await pages(), 1000);
      const inner = await store.bulk(async () => {
        assert.equal(await pages(), 16384);
        await store.bulk(() => Promise.resolve()); // nested: the outer one decides
        assert.equal(await pages(), 16384);
        await store.tx((tx) =>
          tx.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["bulk", "1"])
        );
        return "value";
      });
      assert.equal(inner, "value");
      assert.equal(await pages(), 1000);
      await assert.rejects(store.bulk(() => Promise.reject(new Error("boom"))), /boom/);
      assert.equal(await pages(), 1000);
      await store.run("DELETE FROM meta WHERE key = 'bulk'");
    });

    await t.step("tx commits on success and rolls back on a throw", async () => {
      await store.tx(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["d", "4"]);
      });
      await assert.rejects(
        store.tx(async (tx) => {
          await tx.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["e", "5"]);
          throw new Error("boom");
        }),
        /boom/,
      );
      const keys = (await store.all<{ key: string }>("SELECT key FROM meta ORDER BY key"))
        .map((r) => r.key);
      assert.deepEqual(keys, ["a", "b", "c", "d"]);
    });

    await t.step("a nested tx is a savepoint: its failure undoes only its writes", async () => {
      await store.tx(async (tx) => {
        await tx.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["f", "6"]);
        await assert.rejects(
          tx.tx(async (inner) => {
            await inner.run("INSERT INTO meta (key, value) VALUES (?, ?)", ["g", "7"]);
            throw new Error("inner");
          }),
          /inner/,
        );
        // store.tx from inside the transaction's async context nests too (no deadlock).
        await store.tx((inner) => inner.run("INSERT INTO meta (key, value) VALUES ('h', '8')"));
      });
      const keys = (await store.all<{ key: string }>("SELECT key FROM meta ORDER BY key"))
        .map((r) => r.key);
      assert.deepEqual(keys, ["a", "b", "c", "d", "f", "h"]);
    });

    await t.step("concurrent transactions of one process are serialized", async () => {
      await store.run("INSERT INTO meta (key, value) VALUES ('n', '0')");
      const bump = () =>
        store.tx(async (tx) => {
          const row = await tx.get<{ value: string }>("SELECT value FROM meta WHERE key = 'n'");
          await new Promise((r) => setTimeout(r, 1));
          await tx.run("UPDATE meta SET value = ? WHERE key = 'n'", [
            String(Number(row!.value) + 1),
          ]);
        });
      const outside = store.get<{ value: string }>("SELECT value FROM meta WHERE key = 'n'");
      await Promise.all([bump(), bump(), bump(), bump(), bump()]);
      assert.equal((await outside)?.value, "0");
      assert.equal(
        (await store.get<{ value: string }>("SELECT value FROM meta WHERE key = 'n'"))
          ?.value,
        "5",
      );
    });

    await t.step("STRICT tables and SQL errors become storage errors (exit 8)", async () => {
      const err = await store.run(
        "INSERT INTO events (id, type, time, ts, session, payload) " +
          "VALUES ('x', 't', 'now', 'not a number', 's', '{}')",
      ).catch((e) => e);
      assert.ok(err instanceof BrError, String(err));
      assert.equal(err.exitCode, 8);
      assert.match(err.message, /cannot store TEXT value in INTEGER column/);
      const bad = await store.all("SELECT nope FROM meta").catch((e) => e);
      assert.ok(bad instanceof BrError);
      assert.equal(bad.code, "storage");
    });
  } finally {
    await store.close();
    await store.close();
  }
  await assert.rejects(store.all("SELECT 1"), /closed/);
});

Deno.test("sqlite store: 8 processes x 5,000 events at once -> 40,000 rows, never 'locked'", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/br.db`;
  const go = `${dir.path}/go`;
  const children = Array.from({ length: 8 }, (_, w) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", WRITER, db, go, `w${w}`, "5000"],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  await new Promise((r) => setTimeout(r, 300));
  await Deno.writeTextFile(go, "");
  const outs = await Promise.all(children.map((c) => c.output()));
  const dec = new TextDecoder();
  for (const out of outs) {
    const stderr = dec.decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.doesNotMatch(stderr, /locked/i);
  }
  const store = await openSqliteStore(db);
  try {
    assert.equal((await store.get<{ n: number }>("SELECT count(*) AS n FROM events"))?.n, 40_000);
    const per = await store.all<{ session: string; n: number }>(
      "SELECT session, count(DISTINCT id) AS n FROM events GROUP BY session ORDER BY session",
    );
    assert.deepEqual(per, Array.from({ length: 8 }, (_, w) => ({ session: `w${w}`, n: 5000 })));
  } finally {
    await store.close();
  }
});

const m = (version: number, sqlite: string): Migration => ({
  version,
  name: `m${version}`,
  sqlite,
});

Deno.test("sqlite store: migrations", async (t) => {
  await using dir = await tempDir();

  await t.step("an older schema is brought up to date, keeping its rows", async () => {
    const db = `${dir.path}/old.db`;
    const old = await openSqliteStore(db, { migrations: MIGRATIONS.slice(0, 1) });
    assert.equal(await old.schemaVersion(), 1);
    await old.run("INSERT INTO meta (key, value) VALUES ('kept', 'yes')");
    assert.equal(await old.get("SELECT name FROM sqlite_master WHERE name = 'events'"), undefined);
    await old.close();

    const store = await openSqliteStore(db);
    assert.equal(await store.schemaVersion(), MIGRATIONS.at(-1)!.version);
    assert.deepEqual(await store.get("SELECT value FROM meta WHERE key = 'kept'"), {
      value: "yes",
    });
    await store.run(
      "INSERT INTO events (id, type, time, ts, session, payload) " +
        "VALUES ('e1', 'feature.added', '2026-01-01T00:00:00.000Z', 1, 's', '{}')",
    );
    const ledger = await store.all<{ version: number }>(
      "SELECT version FROM _migrations ORDER BY version",
    );
    assert.deepEqual(ledger.map((r) => r.version), MIGRATIONS.map((x) => x.version));
    await store.close();
  });

  await t.step("a migration added later in a lower block still runs", async () => {
    const db = `${dir.path}/gap.db`;
    const first = [
      m(1, "CREATE TABLE a (x INTEGER) STRICT"),
      m(10, "CREATE TABLE c (x INTEGER) STRICT"),
    ];
    await (await openSqliteStore(db, { migrations: first })).close();
    const later = [...first, m(2, "CREATE TABLE b (x INTEGER) STRICT")];
    const store = await openSqliteStore(db, { migrations: later });
    assert.equal(await store.schemaVersion(), 10);
    assert.ok(await store.get("SELECT name FROM sqlite_master WHERE name = 'b'"));
    await store.close();
  });

  await t.step("a database without the ledger counts user_version as applied", async () => {
    const db = `${dir.path}/legacy.db`;
    const raw = new DatabaseSync(db);
    raw.exec(
      "CREATE TABLE a (x INTEGER) STRICT; INSERT INTO a VALUES (7); PRAGMA user_version = 1;",
    );
    raw.close();
    const list = [
      m(1, "CREATE TABLE a (x INTEGER) STRICT"),
      m(2, "ALTER TABLE a ADD COLUMN y TEXT"),
    ];
    const store = await openSqliteStore(db, { migrations: list });
    assert.deepEqual(await store.all("SELECT x, y FROM a"), [{ x: 7, y: null }]);
    assert.equal(await store.schemaVersion(), 2);
    await store.close();
  });

  await t.step("a failing migration rolls back entirely", async () => {
    const db = `${dir.path}/fail.db`;
    const list = [m(1, "CREATE TABLE a (x INTEGER) STRICT"), m(2, "CREATE TABLE b (; nonsense")];
    const err = await openSqliteStore(db, { migrations: list }).catch((e) => e);
    assert.ok(err instanceof BrError);
    assert.match(err.message, /migration 2 \(m2\)/);
    const store = await openSqliteStore(db, { migrations: list.slice(0, 1) });
    assert.equal(await store.schemaVersion(), 1);
    await store.close();
  });

  await t.step("a schema newer than this br is refused", async () => {
    const db = `${dir.path}/new.db`;
    await (await openSqliteStore(db, { migrations: [m(1, "SELECT 1"), m(5, "SELECT 1")] })).close();
    const err = await openSqliteStore(db, { migrations: [m(1, "SELECT 1")] }).catch((e) => e);
    assert.ok(err instanceof BrError);
    assert.equal(err.exitCode, 8);
    assert.match(err.message, /schema version 5, newer than this br knows \(1\)/);
  });

  await t.step("a file that is not a database is a storage error with a hint", async () => {
    const db = `${dir.path}/junk.db`;
    await Deno.writeTextFile(db, "this is not sqlite ".repeat(100));
    const err = await openSqliteStore(db).catch((e) => e);
    assert.ok(err instanceof BrError, String(err));
    assert.equal(err.exitCode, 8);
    assert.ok(err.hint);
  });
});

Deno.test("project.store() opens lazily and closes with the project", async () => {
  await using dir = await tempDir();
  const project = createProject(dir.path, { env: {} });
  assert.equal(await Deno.stat(`${dir.path}/.buildrunner/br.db`).catch(() => null), null);
  const store = await project.store();
  assert.equal(await project.store(), store);
  await store.run("INSERT INTO meta (key, value) VALUES ('k', 'v')");
  let cleanupSawOpenStore = false;
  project.onClose(async () => {
    cleanupSawOpenStore = (await store.get("SELECT value FROM meta WHERE key = 'k'")) !== undefined;
  });
  await project.close();
  assert.ok(cleanupSawOpenStore);
  await assert.rejects(store.get("SELECT 1"), /closed/);
  assert.ok((await Deno.stat(`${dir.path}/.buildrunner/br.db`)).isFile);

  const pg = createProject(dir.path, { env: { BR_DATABASE_URL: "mysql://x@y/z" } });
  await assert.rejects(pg.store(), (e) => e instanceof BrError && e.exitCode === 8);
  await pg.close();
});
