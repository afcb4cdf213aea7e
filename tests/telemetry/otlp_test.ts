/**
 * OTLP export of traces and metrics, checked by a receiver on 127.0.0.1 that decodes every body
 * with the OpenTelemetry proto definitions (the protobufjs root generated from them, shipped in
 * `@opentelemetry/otlp-transformer` 0.52 from npm, installed for this test only).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { recordUsage } from "../../src/cost/mod.ts";
import { exportOtlp } from "../../src/telemetry/mod.ts";
import { tempDir, tempProject } from "../helpers.ts";
import { recorder } from "./_util.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const PACKAGE = "@opentelemetry/otlp-transformer@0.52.1";
let protoRoot: Promise<Json | null> | null = null;

/** The generated proto root, or null (with a printed line) when npm is unreachable. */
function proto(): Promise<Json | null> {
  protoRoot ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "br-otlp-proto-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* gone */ }
    });
    const out = await new Deno.Command("npm", {
      args: ["install", "--prefix", dir, "--no-audit", "--no-fund", PACKAGE],
      stdout: "piped",
      stderr: "piped",
    }).output().catch(() => null);
    if (!out?.success) {
      console.log(`skipped: npm install ${PACKAGE} failed (npm unreachable?)`);
      return null;
    }
    const require = createRequire(join(dir, "/"));
    const root = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
    root.Long = require("long");
    return root;
  })();
  return protoRoot;
}

const hexToBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
const bytesToHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

const INT64 = /UnixNano$|^(?:asInt|intValue|count|bucketCounts)$/;

/**
 * Decodes an OTLP/JSON body with the proto definitions: ids from hex (the OTLP JSON rule) to
 * bytes and 64-bit integers from their decimal strings (the proto3 JSON rule), `verify`, then a
 * binary round trip, and back to plain objects.
 */
function decode(root: Json, kind: "logs" | "trace" | "metrics", body: Json): Json {
  const name = { logs: "Logs", trace: "Trace", metrics: "Metrics" }[kind];
  const T = root.opentelemetry.proto.collector[kind].v1[`Export${name}ServiceRequest`];
  const long = (x: Json) => typeof x === "string" ? root.Long.fromString(x) : x;
  const ids = (v: Json): Json =>
    Array.isArray(v) ? v.map(ids) : v && typeof v === "object"
      ? Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          ["traceId", "spanId", "parentSpanId"].includes(k) && typeof x === "string"
            ? hexToBytes(x)
            : INT64.test(k)
            ? (Array.isArray(x) ? x.map(long) : long(x))
            : ids(x),
        ]),
      )
      : v;
  const input = ids(body);
  assert.equal(T.verify(input), null);
  return decodeBinary(root, kind, T.encode(T.fromObject(input)).finish());
}

/** Decodes an OTLP protobuf body with the proto definitions, ids in hex as OTLP/JSON has them. */
function decodeBinary(root: Json, kind: "logs" | "trace" | "metrics", bytes: Uint8Array): Json {
  const name = { logs: "Logs", trace: "Trace", metrics: "Metrics" }[kind];
  const T = root.opentelemetry.proto.collector[kind].v1[`Export${name}ServiceRequest`];
  const message = T.decode(bytes);
  const plain = T.toObject(message, { longs: String, enums: Number, defaults: false });
  const hex = (v: Json): Json =>
    Array.isArray(v)
      ? v.map(hex)
      : v instanceof Uint8Array
      ? bytesToHex(v)
      : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hex(x)]))
      : v;
  return hex(plain);
}

const attrs = (list: Json[]) =>
  Object.fromEntries(
    (list ?? []).map((a: Json) => [a.key, Object.values(a.value)[0]]),
  );

const KIND: Record<string, "logs" | "trace" | "metrics"> = {
  logs: "logs",
  traces: "trace",
  metrics: "metrics",
};

for (const protocol of ["http/json", "http/protobuf"] as const) {
  Deno.test(`OTLP export (${protocol}) sends spans with parent links and metrics, decodable with the proto definitions`, async () => {
    await exportsDecodable(protocol);
  });
}

async function exportsDecodable(protocol: "http/json" | "http/protobuf") {
  const root = await proto();
  if (!root) return;
  await using dir = await tempProject();
  const received: { path: string; headers: Headers; body: Json }[] = [];
  let throttled = false;
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      const kind = KIND[path.split("/").pop()!];
      const body = protocol === "http/json"
        ? decode(root, kind, await req.json())
        : decodeBinary(root, kind, new Uint8Array(await req.arrayBuffer()));
      // The first traces request is throttled: the exporter waits what Retry-After asks and retries.
      if (path.endsWith("/v1/traces") && !throttled) {
        throttled = true;
        return new Response("slow down", { status: 429, headers: { "retry-after": "2" } });
      }
      received.push({ path, headers: req.headers, body });
      return Response.json({});
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: `${base}/collector`,
    OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s%3Dcret-42,tenant=acme",
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_SERVICE_NAME: "br-ci",
  };
  const r = recorder(dir.path, "2026-11-25T12:00:00.000Z", env);
  const { bus } = r.project;
  bus.emit("gate.passed", { gate: "lint", duration_ms: 40 }, { feature: "login", task: "t1" });
  r.at("2026-11-25T12:00:02.000Z");
  bus.emit("task.completed", { task_id: "t1", duration_ms: 2000 }, {
    feature: "login",
    task: "t1",
  });
  bus.emit("gate.failed", { gate: "test", duration_ms: 90 });
  await recordUsage(r.project, {
    source: "claude-code",
    model: "claude-haiku-4-5",
    input_tokens: 1000,
    output_tokens: 200,
    cost_usd: 0.5,
  });
  r.at("2026-11-25T12:00:05.000Z");
  bus.emit("session.ended", { command: "parallel run", exit_code: 0, duration_ms: 5000 });
  await r.project.close();

  const waits: number[] = [];
  const again = recorder(dir.path, "2026-11-25T12:01:00.000Z", env);
  const result = await exportOtlp(again.project, {
    sleep: (ms) => Promise.resolve(void waits.push(ms)),
  });
  await again.project.close();
  assert.deepEqual(waits, [2000]);
  assert.equal(result.retries, 1);
  assert.equal(result.endpoint, `${base}/collector/v1/logs`);
  assert.deepEqual(received.map((x) => x.path), [
    "/collector/v1/logs",
    "/collector/v1/traces",
    "/collector/v1/metrics",
  ]);
  for (const x of received) {
    assert.equal(x.headers.get("x-api-key"), "s=cret-42");
    assert.equal(x.headers.get("tenant"), "acme");
    assert.equal(
      x.headers.get("content-type"),
      protocol === "http/json" ? "application/json" : "application/x-protobuf",
    );
  }

  const logs = received[0].body;
  const records: Json[] = logs.resourceLogs[0].scopeLogs[0].logRecords;
  // (The reference definitions predate LogRecord.eventName: the event.name attribute says it.)
  const gateFailed = records.find((l: Json) => attrs(l.attributes)["event.name"] === "gate.failed");
  assert.ok(gateFailed, "the gate.failed record");
  assert.equal(gateFailed.severityNumber, 17);
  assert.equal(attrs(gateFailed.attributes)["br.gate"], "test");
  assert.equal(attrs(logs.resourceLogs[0].resource.attributes)["service.name"], "br-ci");
  assert.equal(logs.resourceLogs[0].scopeLogs[0].logRecords.length, result.sent);

  const traces = received[1].body;
  const spans: Json[] = traces.resourceSpans[0].scopeSpans[0].spans;
  assert.equal(result.spans, spans.length);
  const byName = Object.fromEntries(spans.map((s: Json) => [s.name, s]));
  const session = byName["br parallel run"];
  const task = byName["task t1"];
  const lint = byName["gate lint"];
  const test = byName["gate test"];
  assert.ok(session && task && lint && test, spans.map((s: Json) => s.name).join(", "));
  assert.match(session.traceId, /^[0-9a-f]{32}$/);
  assert.match(session.spanId, /^[0-9a-f]{16}$/);
  for (const s of [task, lint, test]) assert.equal(s.traceId, session.traceId);
  assert.equal(session.parentSpanId, undefined);
  assert.equal(task.parentSpanId, session.spanId);
  assert.equal(lint.parentSpanId, task.spanId); // a gate of a task hangs below the task
  assert.equal(test.parentSpanId, session.spanId);
  assert.equal(task.startTimeUnixNano, String(Date.parse("2026-11-25T12:00:00.000Z") * 1e6));
  assert.equal(task.endTimeUnixNano, String(Date.parse("2026-11-25T12:00:02.000Z") * 1e6));
  assert.equal(session.startTimeUnixNano, String(Date.parse("2026-11-25T12:00:00.000Z") * 1e6));
  assert.equal(test.status.code, 2);
  assert.equal(lint.status.code, 1);
  assert.equal(attrs(lint.attributes)["br.gate"], "lint");

  const metrics = received[2].body;
  const list: Json[] = metrics.resourceMetrics[0].scopeMetrics[0].metrics;
  const metric = (name: string) => list.find((m: Json) => m.name === name);
  const tokens = metric("br.tokens").sum;
  assert.equal(tokens.aggregationTemporality, 1);
  assert.equal(tokens.isMonotonic, true);
  const tokenPoints = Object.fromEntries(
    tokens.dataPoints.map((p: Json) => [attrs(p.attributes)["br.token.kind"], p.asInt]),
  );
  assert.equal(tokenPoints.input, "1000");
  assert.equal(tokenPoints.output, "200");
  assert.equal(metric("br.cost").sum.dataPoints[0].asDouble, 0.5);
  assert.equal(
    attrs(metric("br.cost").sum.dataPoints[0].attributes)["br.model"],
    "claude-haiku-4-5",
  );
  const hist = metric("br.duration").histogram;
  const taskHist = hist.dataPoints.find((p: Json) =>
    attrs(p.attributes)["event.name"] === "task.completed"
  );
  assert.equal(taskHist.count, "1");
  assert.equal(taskHist.sum, 2000);
  assert.equal(taskHist.bucketCounts.length, taskHist.explicitBounds.length + 1);
  assert.equal(taskHist.bucketCounts[taskHist.explicitBounds.indexOf(2500)], "1");
  assert.equal(
    result.metric_points,
    list.reduce((n: number, m: Json) => n + (m.sum ?? m.histogram).dataPoints.length, 0),
  );
}

Deno.test("OTLP settings from the environment: per-signal endpoint, protocol check, masked headers", async () => {
  await using dir = await tempDir();
  const paths: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      paths.push(new URL(req.url).pathname);
      return Response.json({});
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const r = recorder(dir.path, "2026-11-25T12:00:00.000Z", {
    OTEL_EXPORTER_OTLP_ENDPOINT: base,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${base}/custom/spans`,
  });
  r.project.bus.emit("gate.passed", { gate: "lint", duration_ms: 5 });
  await r.project.close();
  const again = recorder(dir.path, "2026-11-25T12:00:00.000Z", {
    OTEL_EXPORTER_OTLP_ENDPOINT: base,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${base}/custom/spans`,
  });
  const out = await exportOtlp(again.project);
  await again.project.close();
  assert.equal(out.sent > 0, true);
  assert.deepEqual(paths, ["/v1/logs", "/custom/spans", "/v1/metrics"]);

  for (
    const [env, message] of [
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, /Cannot export with the OTLP protocol "grpc"/],
      [{ OTEL_EXPORTER_OTLP_HEADERS: "api-key=%zz-top-secret" }, /OTEL_EXPORTER_OTLP_HEADERS/],
    ] as const
  ) {
    const p = recorder(dir.path, "2026-11-25T12:00:00.000Z", {
      OTEL_EXPORTER_OTLP_ENDPOINT: base,
      ...env,
    });
    const err = await exportOtlp(p.project).then(() => null, (e) => e as Error);
    assert.ok(err, "refused");
    assert.match(err.message, message);
    assert.doesNotMatch(`${err.message} ${(err as { hint?: string }).hint}`, /top-secret/);
    await p.project.close();
  }
});

Deno.test("OTLP export: a collector's partial success is counted, in JSON and in protobuf answers", async () => {
  const root = await proto();
  if (!root) return;
  await using dir = await tempDir();
  const r = recorder(dir.path, "2026-11-25T12:00:00.000Z");
  for (const gate of ["lint", "test", "types"]) {
    r.project.bus.emit("gate.passed", { gate, duration_ms: 5 });
  }
  await r.project.close();
  const totals: [number, number][] = [];
  for (const protocol of ["http/json", "http/protobuf"] as const) {
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      async (req) => {
        await req.body?.cancel();
        const signal = new URL(req.url).pathname.split("/").pop();
        if (signal !== "logs") return new Response(null, { status: 200 });
        if (protocol === "http/json") {
          return Response.json({ partialSuccess: { rejectedLogRecords: "2" } });
        }
        const T = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
        const bytes = T.encode(T.fromObject({ partialSuccess: { rejectedLogRecords: 2 } }))
          .finish();
        return new Response(bytes, { headers: { "content-type": "application/x-protobuf" } });
      },
    );
    const p = recorder(dir.path, "2026-11-25T12:01:00.000Z", {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${server.addr.port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    });
    const out = await exportOtlp(p.project, { all: true });
    await p.project.close();
    assert.equal(out.rejected, 2, protocol);
    totals.push([out.sent + out.rejected, out.spans]);
  }
  // The same records and spans were sent both ways; 2 of them were refused.
  assert.deepEqual(totals[0], totals[1]);
  assert.ok(totals[0][1] >= 3, "a span per gate");
});
