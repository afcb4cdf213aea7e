import assert from "node:assert/strict";
import { recordUsage } from "../../src/cost/mod.ts";
import { br, brProcess, tempProject } from "../helpers.ts";
import { recorder } from "./_util.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function seed(root: string) {
  const r = recorder(root);
  // Opened first (on a server it is migrated), so that the collector's timer flushes nothing
  // before the command ends: session.started is written at the end, ahead of what is left.
  await r.project.store();
  r.project.bus.emit("gate.passed", { gate: "lint", duration_ms: 12 }, { feature: "a,b" });
  r.project.bus.emit("task.failed", { task_id: "t1", error: 'said "no"\nthen left' });
  // A ledger row (the summary's cost) and its cost.recorded event.
  await recordUsage(r.project, { source: "x", model: "m1", input_tokens: 3, cost_usd: 0.5 });
  await r.project.close();
}

Deno.test("export: csv and jsonl round-trip every event", async () => {
  await using dir = await tempProject();
  await seed(dir.path);
  const jsonl = await br(["telemetry", "export", "--format", "jsonl"], { cwd: dir.path });
  assert.equal(jsonl.code, 0, jsonl.stderr);
  const lines = jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => e.type), [
    "session.started",
    "gate.passed",
    "task.failed",
    "cost.recorded",
    "session.ended",
  ]);
  assert.equal(lines[2].payload.error, 'said "no"\nthen left');

  const csv = await br([
    "telemetry",
    "export",
    "--format",
    "csv",
    "--type",
    "task",
    "--output",
    "out.csv",
  ], {
    cwd: dir.path,
  });
  assert.equal(csv.code, 0, csv.stderr);
  const text = await Deno.readTextFile(`${dir.path}/out.csv`);
  assert.equal(
    text,
    "id,type,time,session,feature,task,payload\n" +
      `${lines[2].id},task.failed,${lines[2].time},${lines[2].session},,,` +
      `"{""task_id"":""t1"",""error"":""said \\""no\\""\\nthen left""}"\n`,
  );
  const bad = await br(["telemetry", "export", "--format", "xml"], { cwd: dir.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error: Unknown export format "xml"/);

  // --json: one document, the same events as an array.
  const json = await br(["telemetry", "export", "--json"], { cwd: dir.path });
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout).slice(0, lines.length), lines);
  const none = await br(["telemetry", "export", "--json", "--type", "nothing.here"], {
    cwd: dir.path,
  });
  assert.deepEqual(JSON.parse(none.stdout), []);
  const csvJson = await br(["telemetry", "export", "--json", "--format", "csv"], { cwd: dir.path });
  assert.equal(csvJson.code, 2);
});

Deno.test("export: OTLP/HTTP JSON to a collector on 127.0.0.1, resuming after the last sent", async () => {
  await using dir = await tempProject();
  const received: { path: string; auth: string | null; body: Json }[] = [];
  let fail = false;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const body = await req.json();
      received.push({ path: new URL(req.url).pathname, auth: req.headers.get("x-api-key"), body });
      if (fail) return new Response("overloaded", { status: 503, headers: { "retry-after": "0" } });
      return Response.json({});
    },
  );
  const endpoint = `http://127.0.0.1:${server.addr.port}`;
  // Only the seeded events: "config set" records none.
  const set = await br(["config", "set", "telemetry.otlp.headers", '{"x-api-key": "k-123"}'], {
    cwd: dir.path,
    env: { BR_NO_TELEMETRY: "1" },
  });
  assert.equal(set.code, 0, set.stderr);
  await seed(dir.path);

  const exportOtlp = () =>
    br(["telemetry", "export", "--format", "otlp", "--endpoint", endpoint, "--json"], {
      cwd: dir.path,
    });
  const first = await exportOtlp();
  assert.equal(first.code, 0, first.stderr);
  const result = JSON.parse(first.stdout);
  assert.equal(result.sent, 5);
  assert.equal(result.requests, 3); // logs, traces, metrics
  assert.equal(result.endpoint, `${endpoint}/v1/logs`);
  assert.equal(received[0].path, "/v1/logs");
  assert.equal(received[0].auth, "k-123");
  const rl = received[0].body.resourceLogs[0];
  assert.deepEqual(rl.resource.attributes[0], {
    key: "service.name",
    value: { stringValue: "buildrunner" },
  });
  const records = rl.scopeLogs[0].logRecords;
  assert.deepEqual(records.map((r: Json) => r.eventName), [
    "session.started",
    "gate.passed",
    "task.failed",
    "cost.recorded",
    "session.ended",
  ]);
  const gate = records[1];
  assert.match(gate.timeUnixNano, /^\d{19}$/);
  assert.equal(gate.severityText, "INFO");
  assert.equal(records[2].severityNumber, 17);
  assert.deepEqual(gate.attributes.find((a: Json) => a.key === "br.duration_ms"), {
    key: "br.duration_ms",
    value: { intValue: "12" },
  });
  assert.deepEqual(JSON.parse(gate.body.stringValue), { gate: "lint", duration_ms: 12 });

  // Nothing new: nothing sent. New events: only those.
  const again = await exportOtlp();
  assert.equal(JSON.parse(again.stdout).sent, 0);
  await seed(dir.path);
  fail = true;
  const down = await br(["telemetry", "export", "--format", "otlp", "--endpoint", endpoint], {
    cwd: dir.path,
  });
  assert.equal(down.code, 7);
  assert.match(down.stderr, /answered 503/);
  // Retried with the collector's Retry-After (0 s) until the attempts ran out.
  assert.equal(received.filter((r) => r.path === "/v1/logs").length, 1 + 6);
  assert.doesNotMatch(down.stderr + down.stdout, /k-123/);
  fail = false;
  const third = await exportOtlp();
  // The 5 new events plus the session of the failed export.
  assert.equal(JSON.parse(third.stdout).sent, 7);
  const none = await br(["telemetry", "export", "--format", "otlp"], { cwd: dir.path });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /No OTLP endpoint is configured/);
});

Deno.test("telemetry commands run as a subprocess", async () => {
  await using dir = await tempProject();
  await seed(dir.path);
  for (
    const args of [
      ["telemetry", "summary", "--period", "all"],
      ["telemetry", "events", "--limit", "2"],
      ["telemetry", "alerts"],
      ["telemetry", "performance", "--period", "all"],
    ]
  ) {
    const res = await brProcess(args, { cwd: dir.path });
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    assert.notEqual(res.stdout.trim(), "");
  }
  const summary = await brProcess(["telemetry", "summary", "--period", "all", "--json"], {
    cwd: dir.path,
  });
  assert.equal(JSON.parse(summary.stdout).cost.usd, 0.5);
  // The cutoff moves back to the start of its hour (events and hourly rollups go together).
  const dry = await brProcess(["telemetry", "prune", "--older-than", "0s", "--dry-run", "--json"], {
    cwd: dir.path,
  });
  assert.equal(dry.code, 0, dry.stderr);
  const plan = JSON.parse(dry.stdout);
  assert.equal(plan.before, new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString());
  const prune = await brProcess(["telemetry", "prune", "--older-than", "0s", "--yes", "--json"], {
    cwd: dir.path,
  });
  assert.equal(prune.code, 0, prune.stderr);
  assert.equal(JSON.parse(prune.stdout).before, plan.before);
  const missing = await brProcess(["telemetry", "prune"], { cwd: dir.path });
  assert.equal(missing.code, 2);
  const badPeriod = await brProcess(["telemetry", "summary", "--period", "year"], {
    cwd: dir.path,
  });
  assert.equal(badPeriod.code, 2);
  assert.match(badPeriod.stderr, /hint: use one of day, week, month, all/);
});

Deno.test("export --output writes through the project's atomic writer: no link followed, no temp file left", async () => {
  await using dir = await tempProject();
  await seed(dir.path);
  await Deno.mkdir(`${dir.path}/out`);
  const ok = await br(["telemetry", "export", "--output", "out/events.jsonl"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(await Deno.readTextFile(`${dir.path}/out/events.jsonl`), /"gate\.passed"/);
  // A link at the output name is refused, and what it points to is left alone.
  await Deno.writeTextFile(`${dir.path}/precious.txt`, "keep me\n");
  await Deno.symlink(`${dir.path}/precious.txt`, `${dir.path}/out/link.jsonl`);
  const link = await br(["telemetry", "export", "--output", "out/link.jsonl"], { cwd: dir.path });
  assert.equal(link.code, 3, link.stderr);
  assert.match(link.stderr, /symbolic link/);
  assert.equal(await Deno.readTextFile(`${dir.path}/precious.txt`), "keep me\n");
  assert.ok((await Deno.lstat(`${dir.path}/out/link.jsonl`)).isSymlink);
  const names = [];
  for await (const e of Deno.readDir(`${dir.path}/out`)) names.push(e.name);
  assert.deepEqual(names.sort(), ["events.jsonl", "link.jsonl"]);
});
