import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { br, brArgv, DENO_JSON, tempDir, tempProject } from "../helpers.ts";
import { storeEnv } from "../postgres.ts";
import { ccLine, join, writeBigTree, writeLog } from "./_logs.ts";
import { createHash } from "node:crypto";
import { ImportThread } from "../../src/cost/_import_parallel.ts";
import { headHasher, sameHead } from "../../src/cost/_lines.ts";

interface Report {
  added: number;
  sources: { files_read: number; bytes_read: number; records: number }[];
}

async function importJson(cwd: string): Promise<Report> {
  const res = await br(["cost", "import", "claude-code", "--dir", "logs", "--json"], { cwd });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout);
}

/** Rows, input and output tokens of the ledger, read from the database file. */
function ledger(root: string): { rows: number; input: number; output: number } {
  const db = new DatabaseSync(join(root, ".buildrunner", "br.db"), { readOnly: true });
  try {
    const r = db.prepare(
      "SELECT count(*) AS n, count(DISTINCT key) AS k, coalesce(sum(input_tokens), 0) AS i, coalesce(sum(output_tokens), 0) AS o FROM cost_ledger",
    ).get() as { n: number; k: number; i: number; o: number };
    assert.equal(r.k, r.n, "one row per key");
    // The rollup the summary reads holds every committed row, no more.
    const rollup = db.prepare(
      "SELECT coalesce(sum(rows), 0) AS n, coalesce(sum(input), 0) AS i, coalesce(sum(output), 0) AS o FROM cost_rollup",
    ).get() as { n: number; i: number; o: number };
    assert.deepEqual(
      { ...rollup },
      { n: r.n, i: r.i, o: r.o },
      "the rollup holds the ledger's rows",
    );
    return { rows: r.n, input: r.i, output: r.o };
  } finally {
    db.close();
  }
}

Deno.test("a large import counts every response once", async (t) => {
  await using project = await tempProject("acme");
  // About 7 MB of log.
  const tree = await writeBigTree(join(project.path, "logs"), 4, 1000);

  await t.step("first import", async () => {
    const report = await importJson(project.path);
    assert.equal(report.added, tree.rows);
    assert.equal(report.sources[0].files_read, 4);
    assert.equal(report.sources[0].bytes_read, tree.bytes);
    assert.equal(report.sources[0].records, tree.rows * 2);
    assert.deepEqual(ledger(project.path), {
      rows: tree.rows,
      input: tree.input,
      output: tree.output,
    });
  });

  await t.step("re-import adds nothing and reads nothing", async () => {
    const report = await importJson(project.path);
    assert.equal(report.added, 0);
    assert.equal(report.sources[0].files_read, 0);
    assert.equal(report.sources[0].bytes_read, 0);
    assert.deepEqual(ledger(project.path), {
      rows: tree.rows,
      input: tree.input,
      output: tree.output,
    });
  });
});

Deno.test("an import read on the reader thread, or written on the writer thread, writes the ledger an import in process writes", async () => {
  await using logs = await tempDir();
  const tree = await writeBigTree(logs.path, 4, 1000);
  const { openProject } = await import("../../src/core/project.ts");
  const { importUsage } = await import("../../src/cost/mod.ts");
  // The ledger and the files' offsets, without what differs between two runs.
  const imported = async (offloadBytes?: number, parallelBytes?: number) => {
    await using project = await tempProject("acme");
    const p = await openProject({ cwd: project.path, env: { ...storeEnv(), TZ: "UTC" } });
    try {
      const report = await importUsage(p, {
        sources: ["claude-code"],
        dirs: [tree.claude],
        offloadBytes,
        parallelBytes,
      });
      const store = await p.store();
      const rows = await store.all(
        `SELECT key, time, source, model, input_tokens, output_tokens, cache_creation_tokens,
           cache_creation_1h_tokens, cache_read_tokens, cost_usd, priced, logged_cost_usd, session,
           project, feature, task FROM cost_ledger ORDER BY id`,
      );
      const files = await store.all(
        `SELECT path, source, size, mtime, "offset", head_hash, state FROM cost_import_files
         ORDER BY path`,
      );
      const rollup = await store.all(
        `SELECT quarter, model, rows, input, output, usd FROM cost_rollup ORDER BY quarter, model`,
      );
      return { added: report.added, rows, files, rollup };
    } finally {
      await p.close();
    }
  };
  const inProcess = await imported(undefined, Infinity);
  const threaded = await imported(0);
  const written = ImportThread.written;
  const twoThreads = await imported(undefined, 0);
  assert.equal(ImportThread.written - written, storeEnv().BR_DATABASE_URL ? 0 : 1);
  assert.equal(inProcess.added, tree.rows);
  assert.equal(inProcess.rows.length, tree.rows);
  assert.equal(inProcess.files.length, 4);
  assert.deepEqual(threaded, inProcess);
  assert.deepEqual(twoThreads, inProcess);
});

Deno.test("a program using the library imports on the writer thread without unstable flags", async () => {
  await using dir = await tempDir();
  const tree = await writeBigTree(join(dir.path, "logs"), 4, 1000);
  await using project = await tempProject("acme");
  // deno.json without its "unstable" list, as a program of its own would have.
  const config = JSON.parse(await Deno.readTextFile(DENO_JSON));
  delete config.unstable;
  const configPath = join(dir.path, "deno.json");
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  const script = join(dir.path, "import.ts");
  const src = (path: string) => JSON.stringify(new URL(`../../src/${path}`, import.meta.url).href);
  await Deno.writeTextFile(
    script,
    `import { openProject } from ${src("core/project.ts")};
import { importUsage } from ${src("cost/mod.ts")};
import { ImportThread } from ${src("cost/_import_parallel.ts")};
const p = await openProject({ cwd: ${JSON.stringify(project.path)}, env: { TZ: "UTC" } });
const report = await importUsage(p, { dirs: [${JSON.stringify(tree.claude)}], parallelBytes: 0 });
await p.close();
console.log(JSON.stringify({ added: report.added, threads: ImportThread.written }));
`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-lock", "--config", configPath, script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
    added: tree.rows,
    threads: 1,
  });
});

Deno.test("a write that fails stops the import the same way in process and on the writer thread", async () => {
  await using logs = await tempDir();
  const tree = await writeBigTree(logs.path, 8, 1000);
  const { openProject } = await import("../../src/core/project.ts");
  const { importUsage } = await import("../../src/cost/mod.ts");
  const { BrError } = await import("../../src/core/errors.ts");
  const attempt = async (parallelBytes: number) => {
    await using project = await tempProject("acme");
    const p = await openProject({ cwd: project.path, env: { TZ: "UTC" } });
    try {
      const store = await p.store();
      // The ledger refuses the rows of the last file read (a real SQLite error, on either thread).
      await store.run(
        `CREATE TRIGGER refuse BEFORE INSERT ON cost_ledger WHEN NEW.session = 'session-5'
         BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`,
      );
      const written = ImportThread.written;
      const err = await importUsage(p, { dirs: [tree.claude], parallelBytes }).then(
        () => null,
        (e) => e,
      );
      assert.ok(err instanceof BrError, String(err));
      assert.equal(err.code, "storage");
      assert.match(err.message, /refused by a trigger/);
      assert.equal(ImportThread.written, written, "no import completed");
      // What was committed before the failure, with its files' offsets.
      const rows = await store.get<{ n: number }>("SELECT count(*) AS n FROM cost_ledger");
      const files = await store.all(
        `SELECT path, "offset" FROM cost_import_files ORDER BY path`,
      );
      await store.run("DROP TRIGGER refuse");
      const again = await importUsage(p, { dirs: [tree.claude], parallelBytes });
      assert.equal(again.added, tree.rows - Number(rows?.n));
      return { committed: Number(rows?.n), files };
    } finally {
      await p.close();
    }
  };
  const inProcess = await attempt(Infinity);
  assert.ok(inProcess.committed > 0 && inProcess.committed < tree.rows, `${inProcess.committed}`);
  assert.deepEqual(await attempt(0), inProcess);
});

Deno.test("an import killed midway resumes where it stopped and counts nothing twice", async () => {
  await using project = await tempProject("acme");
  // About 24 MB and 14,400 responses: several transactions.
  const tree = await writeBigTree(join(project.path, "logs"));
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["cost", "import", "claude-code", "--dir", "logs", "--json"]),
    cwd: project.path,
    env: { BR_HOME: join(project.path, ".br-home"), NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  // Killed as soon as its first transaction has committed.
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  let committed = 0;
  while (committed === 0 && !exited) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    try {
      committed = ledger(project.path).rows;
    } catch {
      // the store is not created yet
    }
  }
  assert.ok(!exited, "the import ended before it could be interrupted");
  child.kill("SIGKILL");
  await status;
  const partial = ledger(project.path);
  assert.ok(partial.rows > 0 && partial.rows < tree.rows, `${partial.rows} of ${tree.rows}`);

  const report = await importJson(project.path);
  // Only what the killed import had not committed is read again.
  assert.ok(report.sources[0].bytes_read < tree.bytes, `${report.sources[0].bytes_read}`);
  assert.equal(report.added, tree.rows - partial.rows);
  assert.deepEqual(ledger(project.path), {
    rows: tree.rows,
    input: tree.input,
    output: tree.output,
  });
  assert.equal((await importJson(project.path)).added, 0);
});

Deno.test("head hashes: XXH64 for new rows, an earlier version's SHA-256 still read, a changed head read again", async () => {
  // XXH64's reference values (seed 0).
  const hash = await headHasher();
  const enc = new TextEncoder();
  assert.equal(hash(enc.encode("")), "ef46db3751d8e999");
  assert.equal(hash(enc.encode("abc")), "44bc2cf5ad770999");
  assert.equal(hash(enc.encode("Nobody inspects the spammish repetition")), "fbcea83c8a378bf1");
  const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  const head = enc.encode("x".repeat(5000)).subarray(0, 4096);
  assert.equal(sameHead(sha(head), head, hash), true);
  assert.equal(sameHead(hash(head), head, hash), true);
  assert.equal(sameHead(hash(head.subarray(1)), head, hash), false);
  assert.equal(sameHead(sha(head.subarray(1)), head, hash), false);

  await using project = await tempProject("acme");
  const projects = join(project.path, "logs", "claude", "projects", "-work-p0");
  const line = (f: number, m: number) =>
    ccLine({
      id: `msg_${f}_${m}`,
      model: "claude-haiku-4-5-20251001",
      time: new Date(Date.UTC(2026, 10, 1, 0, f, m)).toISOString(),
      input: 10,
      output: 20,
    });
  // Three sessions, one of more than 4 KiB (its head is its first 4 KiB).
  const files = [0, 1, 2].map((f) => join(projects, `s${f}.jsonl`));
  for (const [f, path] of files.entries()) {
    await writeLog(path, Array.from({ length: f === 2 ? 20 : 2 }, (_, m) => line(f, m)));
  }
  assert.ok((await Deno.stat(files[2])).size > 4096);
  assert.equal((await importJson(project.path)).added, 24);
  const db = join(project.path, ".buildrunner", "br.db");
  const kept = () => {
    const conn = new DatabaseSync(db, { readOnly: true });
    try {
      return conn.prepare('SELECT path, "offset", head_hash FROM cost_import_files ORDER BY path')
        .all() as { path: string; offset: number; head_hash: string }[];
    } finally {
      conn.close();
    }
  };
  // A row's head: the first min(offset, 4 KiB) bytes of its file.
  const headOf = (row: { path: string; offset: number }) =>
    Deno.readFileSync(row.path).subarray(0, Math.min(row.offset, 4096));
  const assertXxh64 = () => {
    for (const row of kept()) assert.equal(row.head_hash, hash(headOf(row)), row.path);
  };
  assertXxh64();
  // The rows as an earlier version kept them: SHA-256 of the same bytes.
  const conn = new DatabaseSync(db);
  for (const row of kept()) {
    conn.prepare("UPDATE cost_import_files SET head_hash = ? WHERE path = ?").run(
      sha(headOf(row)),
      row.path,
    );
  }
  conn.close();
  // s0 and s2 grow; s1 is replaced by another session (its head changes).
  const grown = line(0, 2) + "\n";
  const grown2 = line(2, 20) + "\n";
  await Deno.writeTextFile(files[0], grown, { append: true });
  await Deno.writeTextFile(files[2], grown2, { append: true });
  await writeLog(files[1], [line(1, 0), line(1, 1), line(1, 2)].reverse());
  const again = await importJson(project.path);
  assert.equal(again.added, 3);
  assert.equal(again.sources[0].files_read, 3);
  assert.equal(
    again.sources[0].bytes_read,
    enc.encode(grown).length + enc.encode(grown2).length + (await Deno.stat(files[1])).size,
  );
  // Each file's row holds the XXH64 of its head again.
  assertXxh64();
  assert.equal((await importJson(project.path)).added, 0);
});
