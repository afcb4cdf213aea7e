import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { createProject } from "../../src/core/project.ts";
import { attachCollector, telemetrySummary, validateEvent } from "../../src/telemetry/mod.ts";
import { br, brProcess, tempDir, tempProject } from "../helpers.ts";
import { recorder } from "./_util.ts";
import { ON_POSTGRES, storeEnv } from "../postgres.ts";

const EMITTER = fileURLToPath(new URL("./_emitter.ts", import.meta.url));
const dbExists = async (root: string) =>
  (await Deno.stat(`${root}/.buildrunner/br.db`).catch(() => null)) !== null;

Deno.test("collector: read-only commands never open the store", async () => {
  await using dir = await tempProject();
  for (
    const args of [
      ["status", "--json"],
      ["feature", "list", "--json"],
      ["config", "list"],
      ["telemetry", "summary", "--json"],
      ["telemetry", "events", "--json"],
      ["telemetry", "alerts", "--json"],
      ["routing", "models", "--json"],
    ]
  ) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
  }
  assert.equal(await dbExists(dir.path), false);
  const res = await brProcess(["status", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(await dbExists(dir.path), false);
});

Deno.test("collector: a mutation stores its events and the session, all valid and typed", async () => {
  await using dir = await tempProject();
  const add = await br(["feature", "add", "Login", "--acceptance", "works"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  const res = await br(["telemetry", "events", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const events = JSON.parse(res.stdout);
  assert.deepEqual(events.map((e: { type: string }) => e.type), [
    "session.started",
    "feature.added",
    "session.ended",
  ]);
  for (const e of events) assert.deepEqual(validateEvent(e), [], JSON.stringify(e));
  const ended = events[2];
  assert.equal(ended.payload.command, "feature add");
  assert.equal(typeof ended.payload.exit_code, "number");
  assert.equal(ended.payload.exit_code, 0);
  assert.equal(typeof ended.payload.duration_ms, "number");
  assert.equal(events[1].feature, "login");
  assert.equal(new Set(events.map((e: { session: string }) => e.session)).size, 1);
});

Deno.test("collector: a failed command is recorded with its error code", async () => {
  await using dir = await tempProject();
  const res = await br(["feature", "show", "nope"], { cwd: dir.path });
  assert.equal(res.code, 4);
  const list = JSON.parse((await br(["telemetry", "events", "--json"], { cwd: dir.path })).stdout);
  assert.equal(list.length, 2);
  assert.deepEqual(list[1].payload, {
    command: "feature show",
    exit_code: 4,
    duration_ms: list[1].payload.duration_ms,
    error: "not_found",
  });
  const summary = JSON.parse(
    (await br(["telemetry", "summary", "--period", "all", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(summary.errors, [{ type: "command:not_found", count: 1 }]);
  assert.deepEqual(summary.sessions, { total: 1, failed: 1 });
});

Deno.test("collector: BR_NO_TELEMETRY=1 and telemetry.enabled=false turn it off", async () => {
  await using dir = await tempProject();
  const off = await br(["feature", "add", "A"], { cwd: dir.path, env: { BR_NO_TELEMETRY: "1" } });
  assert.equal(off.code, 0, off.stderr);
  assert.equal(await dbExists(dir.path), false);
  const set = await br(["config", "set", "telemetry.enabled", "false"], { cwd: dir.path });
  assert.equal(set.code, 0, set.stderr);
  const b = await br(["feature", "add", "B"], { cwd: dir.path });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(await dbExists(dir.path), false);
  await br(["config", "set", "telemetry.enabled", "true"], { cwd: dir.path });
  // The environment and the global config turn it off too.
  const envOff = await br(["feature", "add", "D"], {
    cwd: dir.path,
    env: { BR_TELEMETRY__ENABLED: "false" },
  });
  assert.equal(envOff.code, 0, envOff.stderr);
  assert.equal(await dbExists(dir.path), false);
  // (The project's file sets nothing now: the global file's value applies.)
  await br(["config", "unset", "telemetry.enabled"], { cwd: dir.path });
  await using home = await tempDir();
  await Deno.writeTextFile(`${home.path}/config.yaml`, "telemetry:\n  enabled: false\n");
  const globalOff = await br(["feature", "add", "E"], {
    cwd: dir.path,
    env: { BR_HOME: home.path },
  });
  assert.equal(globalOff.code, 0, globalOff.stderr);
  assert.equal(await dbExists(dir.path), false);
  await br(["feature", "add", "C"], { cwd: dir.path });
  const events = JSON.parse(
    (await br(["telemetry", "events", "--type", "feature", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(events.map((e: { feature: string }) => e.feature), ["c"]);
});

Deno.test("collector: writes in batches while the command runs", async () => {
  await using dir = await tempDir();
  const project = createProject(dir.path, { env: storeEnv() });
  const collector = attachCollector(project, { batchSize: 3, command: "batch" });
  for (let i = 0; i < 7; i++) project.bus.emit("task.started", { task_id: `t${i}` });
  await project.bus.flush();
  assert.equal(collector.written, 6);
  await project.close();
  assert.equal(collector.written, 9); // the 7th, plus session.started and session.ended
});

Deno.test("collector: a long-running process flushes after the interval", async () => {
  await using dir = await tempDir();
  const project = createProject(dir.path, { env: storeEnv() });
  const collector = attachCollector(project, { flushIntervalMs: 20 });
  project.bus.emit("worker.heartbeat", { worker: "w1" });
  for (let i = 0; i < 50 && collector.written === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(collector.written, 1);
  await project.close();
});

Deno.test("collector: 8 processes x 5,000 events at once -> 40,000 rows", async () => {
  await using dir = await tempDir();
  const go = `${dir.path}/go`;
  const children = Array.from({ length: 8 }, (_, w) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", EMITTER, dir.path, go, `w${w}`, "5000"],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  await new Promise((r) => setTimeout(r, 300));
  await Deno.writeTextFile(go, "");
  const dec = new TextDecoder();
  for (const out of await Promise.all(children.map((c) => c.output()))) {
    assert.equal(out.code, 0, dec.decode(out.stderr));
    assert.doesNotMatch(dec.decode(out.stderr), /locked/i);
  }
  const { project } = recorder(dir.path);
  const store = await project.store();
  const rows = await store.all<{ session: string; n: number }>(
    "SELECT session, count(*) AS n FROM events WHERE type = 'task.completed' GROUP BY session ORDER BY session",
  );
  assert.deepEqual(rows, Array.from({ length: 8 }, (_, w) => ({ session: `w${w}`, n: 5000 })));
  const summary = await telemetrySummary(project, { period: "all" });
  assert.equal(summary.success.tasks.succeeded, 40_000);
  assert.equal(summary.sessions.total, 8);
  await project.close();
});

Deno.test({
  name:
    "collector: a short mutation spools its events; reports see them, opening the store ingests them once",
  // The spool is SQLite's: on PostgreSQL every command writes its events to the server.
  ignore: ON_POSTGRES,
}, async () => {
  await using dir = await tempProject();
  const add = await br(["feature", "add", "Login", "--acceptance", "works"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  // No SQLite for a short command: one spool file, ignored by git.
  const spool = `${dir.path}/.buildrunner/spool`;
  assert.equal(await dbExists(dir.path), false);
  const files = [...Deno.readDirSync(spool)].map((e) => e.name).filter((n) => n.endsWith(".jsonl"));
  assert.equal(files.length, 1);
  assert.match(Deno.readTextFileSync(`${spool}/.gitignore`), /^\*$/m);
  const spooled = Deno.readTextFileSync(`${spool}/${files[0]}`);
  assert.deepEqual(
    spooled.trim().split("\n").map((l) => JSON.parse(l).type),
    ["session.started", "feature.added", "session.ended"],
  );
  const events = async () => {
    const res = await br(["telemetry", "events", "--json"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).map((e: { type: string }) => e.type);
  };
  const summary = async () => {
    const res = await br(["telemetry", "summary", "--json"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    const { until: _, ...rest } = JSON.parse(res.stdout);
    return rest;
  };
  // A report reads the spool without creating the store; the spool stays.
  assert.deepEqual(await events(), ["session.started", "feature.added", "session.ended"]);
  assert.equal(await dbExists(dir.path), false);
  assert.equal([...Deno.readDirSync(spool)].length, 2);
  // The next command that opens the store ingests the spool, once.
  const opener = createProject(dir.path, { env: storeEnv() });
  await opener.store();
  await opener.close();
  assert.deepEqual(await events(), ["session.started", "feature.added", "session.ended"]);
  assert.equal(await dbExists(dir.path), true);
  assert.deepEqual([...Deno.readDirSync(spool)].map((e) => e.name), [".gitignore"]);
  const before = await summary();
  // The same file again (a process that died between storing and removing it): no doubles.
  Deno.writeTextFileSync(`${spool}/${files[0]}`, spooled + "not json\n");
  assert.deepEqual(await events(), ["session.started", "feature.added", "session.ended"]);
  assert.deepEqual(await summary(), before);
});

Deno.test({
  name:
    "collector: gate results wait in the spool; the store's next opening checks the alerts over them",
  // A PostgreSQL store never spools (its own tests say so).
  ignore: ON_POSTGRES,
}, async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/a.ts`, "/** A. */\nexport const a = 1;\n");
  const ok = await br(["validate", "--gates", "features,spec,gaps"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  // A gate run never opens the store.
  assert.equal(await dbExists(dir.path), false);
  const types = async () =>
    JSON.parse((await br(["telemetry", "events", "--json"], { cwd: dir.path })).stdout).map((
      e: { type: string },
    ) => e.type);
  assert.deepEqual((await types()).filter((t: string) => t.startsWith("gate.")), [
    "gate.passed",
    "gate.passed",
    "gate.passed",
  ]);
  // The store exists (the spool so far is in it).
  const opener = createProject(dir.path, { env: storeEnv() });
  await opener.store();
  await opener.close();
  // (read as it is: opening the project's store would ingest the spool)
  const alerts = () => {
    const db = new DatabaseSync(`${dir.path}/.buildrunner/br.db`, { readOnly: true });
    const rows = db.prepare("SELECT rule FROM alerts").all() as { rule: string }[];
    db.close();
    return rows.map((r) => r.rule);
  };
  // A failed gate can make an alert fire (the error rate): a gate run spools it all the same.
  await Deno.writeTextFile(`${dir.path}/.buildrunner/governance.yaml`, "policy: off\n");
  for (const args of [["validate", "--gates", "governance"], ["hooks", "run", "pre-push"]]) {
    const bad = await br(args, { cwd: dir.path });
    assert.equal(bad.code, 10, bad.stdout + bad.stderr);
  }
  const spooled = [...Deno.readDirSync(`${dir.path}/.buildrunner/spool`)]
    .filter((e) => e.name.endsWith(".jsonl"));
  assert.equal(spooled.length, 2);
  assert.deepEqual(alerts(), []);
  // The next command that opens the store (here a report, which writes nothing) ingests them
  // and checks the alerts.
  assert.deepEqual((await types()).filter((t: string) => t.startsWith("gate.")), [
    "gate.passed",
    "gate.passed",
    "gate.passed",
    "gate.failed",
    "gate.failed",
  ]);
  assert.deepEqual(alerts(), ["error_rate"]);
});
