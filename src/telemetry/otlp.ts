/**
 * OTLP/HTTP export: stored events are sent as OpenTelemetry log records, spans (a span per
 * command, task, build and gate, with parent links) and metrics (token and cost sums, duration
 * histograms), in the JSON or the protobuf encoding, to `<endpoint>/v1/logs`, `/v1/traces` and `/v1/metrics`, in
 * batches, resuming after the last event a previous export delivered. The standard
 * `OTEL_EXPORTER_OTLP_*` variables are read; 429, 502, 503 and 504 answers are retried with
 * backoff, honouring `Retry-After`.
 */
import { readStore } from "../core/store_read.ts";
import { basename } from "node:path";
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { type EventFilter, type StoredEvent, walkEvents } from "./events.ts";
import { attr, toMetrics, toSpans } from "./_otlp_signals.ts";

/** Options of {@link exportOtlp}. */
export interface OtlpOptions {
  /** Collector base URL (`http://host:4318`) or full logs URL; default from config or env. */
  endpoint?: string;
  /** Send every matching event again instead of resuming after the last export. */
  all?: boolean;
  /** Only these events. */
  filter?: EventFilter;
  /** Records per request (default 1000). */
  batchSize?: number;
  /** Attempts per request, retries included (default 6). */
  attempts?: number;
  /** Waits between attempts (default: a timer; tests pass a recorder). */
  sleep?: (ms: number) => Promise<void>;
}

/** What {@link exportOtlp} did. */
export interface OtlpResult {
  /** The logs URL, with any credentials removed. */
  endpoint: string;
  /** Log records accepted. */
  sent: number;
  /** Log records the collector rejected (partial success). */
  rejected: number;
  /** Spans accepted. */
  spans: number;
  /** Metric data points accepted. */
  metric_points: number;
  /** Requests made (retries included). */
  requests: number;
  /** Requests repeated after a 429, 502, 503 or 504 answer or a network error. */
  retries: number;
  /** Sequence number of the last event delivered (the resume point). */
  last_seq: number;
}

const CURSOR = "telemetry.otlp.last_seq";

const ERROR_TYPES = new Set(["task.failed", "build.failed", "gate.failed"]);
const WARN_TYPES = new Set(["budget.alert", "security.finding", "worker.lost", "model.fallback"]);

/** One event as an OTLP log record. */
export function toLogRecord(event: StoredEvent): Record<string, unknown> {
  const nanos = (BigInt(Date.parse(event.time)) * 1_000_000n).toString();
  const failedSession = event.type === "session.ended" &&
    (event.payload as { error?: string }).error !== undefined;
  const [severityNumber, severityText] = ERROR_TYPES.has(event.type) || failedSession
    ? [17, "ERROR"]
    : WARN_TYPES.has(event.type)
    ? [13, "WARN"]
    : [9, "INFO"];
  const attributes = [
    attr("event.name", event.type),
    attr("br.event.id", event.id),
    attr("br.session", event.session),
    attr("br.feature", event.feature),
    attr("br.task", event.task),
    ...Object.entries(event.payload as Record<string, unknown>).map(([k, v]) => attr(`br.${k}`, v)),
  ].filter((a) => a !== null);
  return {
    timeUnixNano: nanos,
    observedTimeUnixNano: nanos,
    severityNumber,
    severityText,
    eventName: event.type,
    body: { stringValue: JSON.stringify(event.payload) },
    attributes,
  };
}

type Signal = "logs" | "traces" | "metrics";
const SIGNALS: readonly Signal[] = ["logs", "traces", "metrics"];

function parseUrl(endpoint: string, from: string): URL {
  try {
    return new URL(endpoint);
  } catch {
    throw new BrError("usage", `Cannot read "${endpoint}" as an OTLP endpoint URL (${from})`, {
      hint: "use a URL such as http://localhost:4318",
    });
  }
}

/** `base` + `/v1/<signal>` (a base that already names a signal's path is cut back first). */
function signalUrl(base: URL, signal: Signal): URL {
  const url = new URL(base);
  const path = url.pathname.replace(/\/+$/, "").replace(/\/v1\/(?:logs|traces|metrics)$/, "");
  url.pathname = `${path}/v1/${signal}`;
  return url;
}

function redact(url: URL): string {
  const copy = new URL(url);
  copy.username = "";
  copy.password = "";
  return copy.toString();
}

/**
 * `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values URL-encoded) as a record.
 *
 * @throws {BrError} `usage` naming the variable (never its value).
 */
export function parseOtlpHeaders(text: string, variable: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    if (!part.trim()) continue;
    const eq = part.indexOf("=");
    const key = eq > 0 ? part.slice(0, eq).trim() : "";
    if (!key) {
      throw new BrError("usage", `Cannot read ${variable}: an entry is not key=value`, {
        hint: "use key=value pairs separated by commas, values URL-encoded",
      });
    }
    try {
      out[key.toLowerCase()] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new BrError(
        "usage",
        `Cannot read ${variable}: the value of "${key}" is not URL-encoded`,
        {
          hint: "percent-encode special characters in the value",
        },
      );
    }
  }
  return out;
}

interface Target {
  url: URL;
  shown: string;
  headers: Record<string, string>;
  /** `http/protobuf` (else `http/json`). */
  protobuf: boolean;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

/** The wait a `Retry-After` header asks for (seconds or an HTTP date), or null. */
function retryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Sends stored events to an OpenTelemetry collector over OTLP/HTTP (JSON or protobuf): logs, traces and
 * metrics. The endpoint is `endpoint`, `telemetry.otlp.endpoint`, or the standard
 * `OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT` (used as is) / `OTEL_EXPORTER_OTLP_ENDPOINT` (a base);
 * headers come from `OTEL_EXPORTER_OTLP_HEADERS` (and `_<SIGNAL>_HEADERS`) under
 * `telemetry.otlp.headers`; `OTEL_EXPORTER_OTLP_PROTOCOL` (and `_<SIGNAL>_PROTOCOL`) chooses
 * `http/json` (the default) or `http/protobuf`.
 *
 * @throws {BrError} `usage` without an endpoint or with another protocol; `external` when the
 * collector fails (after the retries).
 */
export async function exportOtlp(project: Project, options: OtlpOptions = {}): Promise<OtlpResult> {
  await import("./config.ts");
  const config = await project.config();
  const env = project.env;
  const configured = options.endpoint ?? config.get<string | null>("telemetry.otlp.endpoint");
  const base = configured ?? env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const configHeaders = config.get<Record<string, string>>("telemetry.otlp.headers") ?? {};
  const common = env.OTEL_EXPORTER_OTLP_HEADERS
    ? parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, "OTEL_EXPORTER_OTLP_HEADERS")
    : {};
  const targets = {} as Record<Signal, Target>;
  for (const signal of SIGNALS) {
    const upper = signal.toUpperCase();
    const protocolVar = env[`OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`] !== undefined
      ? `OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`
      : "OTEL_EXPORTER_OTLP_PROTOCOL";
    const protocol = (env[protocolVar] ?? "").trim() || "http/json";
    if (protocol !== "http/json" && protocol !== "http/protobuf") {
      throw new BrError(
        "usage",
        `Cannot export with the OTLP protocol "${protocol}" (${protocolVar})`,
        {
          hint:
            "br sends OTLP over HTTP: set it to http/protobuf or http/json (the collector's port 4318), or unset it",
        },
      );
    }
    const own = configured ? undefined : env[`OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`];
    let url: URL;
    if (own) url = parseUrl(own, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`);
    else if (base) {
      url = signalUrl(
        parseUrl(base, configured ? "telemetry.otlp.endpoint" : "OTEL_EXPORTER_OTLP_ENDPOINT"),
        signal,
      );
    } else {
      throw new BrError("usage", "No OTLP endpoint is configured", {
        hint:
          'pass --endpoint, run "br config set telemetry.otlp.endpoint http://localhost:4318", or set OTEL_EXPORTER_OTLP_ENDPOINT',
      });
    }
    const ownHeaders = env[`OTEL_EXPORTER_OTLP_${upper}_HEADERS`];
    const headers: Record<string, string> = {
      ...common,
      ...(ownHeaders ? parseOtlpHeaders(ownHeaders, `OTEL_EXPORTER_OTLP_${upper}_HEADERS`) : {}),
      ...configHeaders,
      "content-type": protocol === "http/protobuf" ? "application/x-protobuf" : "application/json",
    };
    if (url.username || url.password) {
      headers.authorization = `Basic ${
        btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)
      }`;
    }
    const shown = redact(url);
    url.username = "";
    url.password = "";
    targets[signal] = { url, shown, headers, protobuf: protocol === "http/protobuf" };
  }
  const envTimeout = Number(env.OTEL_EXPORTER_OTLP_TIMEOUT);
  const timeoutMs = config.source("telemetry.otlp.timeout_ms") === "default" && envTimeout > 0
    ? envTimeout
    : config.get<number>("telemetry.otlp.timeout_ms") ?? 10_000;
  const service = config.source("telemetry.otlp.service_name") === "default" &&
      env.OTEL_SERVICE_NAME?.trim()
    ? env.OTEL_SERVICE_NAME.trim()
    : config.get<string>("telemetry.otlp.service_name") ?? "buildrunner";
  const attempts = Math.max(1, options.attempts ?? 6);
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const store = await readStore(project);
  const cursorRow = await store.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [
    CURSOR,
  ]);
  const from = options.all ? -1 : Number(cursorRow?.value ?? -1);
  const batchSize = options.batchSize ?? 1000;
  const result: OtlpResult = {
    endpoint: targets.logs.shown,
    sent: 0,
    rejected: 0,
    spans: 0,
    metric_points: 0,
    requests: 0,
    retries: 0,
    last_seq: from,
  };
  const resource = {
    attributes: [attr("service.name", service), attr("br.project", basename(project.root))],
  };
  const scope = { name: "buildrunner" };

  /** POSTs one body, retrying what the spec calls retryable; returns the answer's JSON. */
  const post = async (signal: Signal, body: unknown): Promise<Record<string, unknown>> => {
    const t = targets[signal];
    const codec = t.protobuf ? await import("./_otlp_protobuf.ts") : null;
    const payload = codec ? codec.encodeOtlpRequest(signal, body) : JSON.stringify(body);
    for (let attempt = 1;; attempt++) {
      result.requests++;
      let response: Response | null = null;
      let failure: unknown = null;
      try {
        response = await fetch(t.url, {
          method: "POST",
          headers: t.headers,
          body: payload,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        failure = err;
      }
      const answer = response ? new Uint8Array(await response.arrayBuffer()) : new Uint8Array();
      if (response?.ok) {
        // An empty or unreadable body is a full success.
        try {
          if (codec && /protobuf/i.test(response.headers.get("content-type") ?? "")) {
            return codec.decodeOtlpResponse(signal, answer);
          }
          const parsed = JSON.parse(new TextDecoder().decode(answer));
          return parsed && typeof parsed === "object" ? parsed : {};
        } catch {
          return {};
        }
      }
      const retryable = response === null || RETRY_STATUS.has(response.status);
      if (!retryable || attempt >= attempts) {
        if (!response) {
          throw new BrError("external", `Cannot reach the OTLP endpoint ${t.shown}`, {
            hint: "check that the collector runs and the URL is right",
            cause: failure,
          });
        }
        throw new BrError(
          "external",
          `The OTLP endpoint ${t.shown} answered ${response.status} ${response.statusText}`.trim(),
          { hint: "check the collector's logs; events sent so far are remembered" },
        );
      }
      const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
      const asked = retryAfter(response?.headers.get("retry-after") ?? null, Date.now());
      result.retries++;
      await sleep(asked === null ? backoff : Math.min(asked, 5 * MAX_DELAY_MS));
    }
  };

  let batch: StoredEvent[] = [];
  let batchLast = from;
  const send = async () => {
    if (batch.length === 0) return;
    const logs = await post("logs", {
      resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: batch.map(toLogRecord) }] }],
    });
    const rejected = Number(
      (logs.partialSuccess as { rejectedLogRecords?: unknown })?.rejectedLogRecords ?? 0,
    ) || 0;
    const spans = await toSpans(batch);
    let spansRejected = 0;
    if (spans.length) {
      const answer = await post("traces", {
        resourceSpans: [{ resource, scopeSpans: [{ scope, spans }] }],
      });
      spansRejected = Number(
        (answer.partialSuccess as { rejectedSpans?: unknown })?.rejectedSpans ?? 0,
      ) || 0;
    }
    const metrics = toMetrics(batch);
    const points = metrics.reduce(
      (n, m) => n + ((m.sum ?? m.histogram) as { dataPoints: unknown[] }).dataPoints.length,
      0,
    );
    let pointsRejected = 0;
    if (metrics.length) {
      const answer = await post("metrics", {
        resourceMetrics: [{ resource, scopeMetrics: [{ scope, metrics }] }],
      });
      pointsRejected = Number(
        (answer.partialSuccess as { rejectedDataPoints?: unknown })?.rejectedDataPoints ?? 0,
      ) || 0;
    }
    result.rejected += rejected;
    result.sent += batch.length - rejected;
    result.spans += spans.length - spansRejected;
    result.metric_points += points - pointsRejected;
    result.last_seq = batchLast;
    await store.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [CURSOR, String(batchLast)],
    );
    batch = [];
  };
  for await (const { seq, ...event } of walkEvents(store, options.filter ?? {}, 5000, from)) {
    batch.push(event);
    batchLast = seq;
    if (batch.length >= batchSize) await send();
  }
  await send();
  return result;
}
