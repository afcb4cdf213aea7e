/**
 * OTLP/HTTP export: stored events are sent as OpenTelemetry log records (JSON encoding) to
 * `<endpoint>/v1/logs`, in batches, resuming after the last event a previous export delivered.
 */
import { readStore } from "../core/store_read.ts";
import { basename } from "node:path";
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { type EventFilter, type StoredEvent, walkEvents } from "./events.ts";

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
}

/** What {@link exportOtlp} did. */
export interface OtlpResult {
  /** The logs URL, with any credentials removed. */
  endpoint: string;
  /** Log records accepted. */
  sent: number;
  /** Log records the collector rejected (partial success). */
  rejected: number;
  /** Requests made. */
  requests: number;
  /** Sequence number of the last event delivered (the resume point). */
  last_seq: number;
}

const CURSOR = "telemetry.otlp.last_seq";

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | {
  boolValue: boolean;
};

function attr(key: string, value: unknown): { key: string; value: AnyValue } | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return { key, value: { boolValue: value } };
  if (typeof value === "number") {
    return {
      key,
      value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value },
    };
  }
  return { key, value: { stringValue: typeof value === "string" ? value : JSON.stringify(value) } };
}

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

function logsUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new BrError("usage", `Cannot read "${endpoint}" as an OTLP endpoint URL`, {
      hint: "use a URL such as http://localhost:4318",
    });
  }
  if (!url.pathname.endsWith("/v1/logs")) {
    url.pathname = url.pathname.replace(/\/+$/, "") + "/v1/logs";
  }
  return url;
}

function redact(url: URL): string {
  const copy = new URL(url);
  copy.username = "";
  copy.password = "";
  return copy.toString();
}

/**
 * Sends stored events to an OpenTelemetry collector over OTLP/HTTP (JSON).
 *
 * @throws {BrError} `usage` without an endpoint; `external` when the collector fails.
 */
export async function exportOtlp(project: Project, options: OtlpOptions = {}): Promise<OtlpResult> {
  await import("./config.ts");
  const config = await project.config();
  const endpoint = options.endpoint ?? config.get<string | null>("telemetry.otlp.endpoint") ??
    project.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? project.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) {
    throw new BrError("usage", "No OTLP endpoint is configured", {
      hint: 'pass --endpoint or run "br config set telemetry.otlp.endpoint http://localhost:4318"',
    });
  }
  const url = logsUrl(endpoint);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(config.get<Record<string, string>>("telemetry.otlp.headers") ?? {}),
  };
  if (url.username || url.password) {
    headers.authorization = `Basic ${
      btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)
    }`;
  }
  const target = new URL(url);
  target.username = "";
  target.password = "";
  const timeoutMs = config.get<number>("telemetry.otlp.timeout_ms") ?? 10_000;
  const service = config.get<string>("telemetry.otlp.service_name") ?? "buildrunner";
  const store = await readStore(project);
  const cursorRow = await store.get<{ value: string }>("SELECT value FROM meta WHERE key = ?", [
    CURSOR,
  ]);
  const from = options.all ? -1 : Number(cursorRow?.value ?? -1);
  const batchSize = options.batchSize ?? 1000;
  const result: OtlpResult = {
    endpoint: redact(url),
    sent: 0,
    rejected: 0,
    requests: 0,
    last_seq: from,
  };
  const resource = {
    attributes: [attr("service.name", service), attr("br.project", basename(project.root))],
  };
  let batch: StoredEvent[] = [];
  let batchLast = from;
  const send = async () => {
    if (batch.length === 0) return;
    const body = {
      resourceLogs: [{
        resource,
        scopeLogs: [{ scope: { name: "buildrunner" }, logRecords: batch.map(toLogRecord) }],
      }],
    };
    let response: Response;
    try {
      response = await fetch(target, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new BrError("external", `Cannot reach the OTLP endpoint ${result.endpoint}`, {
        hint: "check that the collector runs and the URL is right",
        cause: err,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new BrError(
        "external",
        `The OTLP endpoint ${result.endpoint} answered ${response.status} ${response.statusText}`,
        { hint: "check the collector's logs; events sent so far are remembered" },
      );
    }
    let rejected = 0;
    try {
      rejected = Number(JSON.parse(text)?.partialSuccess?.rejectedLogRecords ?? 0) || 0;
    } catch {
      // An empty or non-JSON body is a full success.
    }
    result.requests++;
    result.rejected += rejected;
    result.sent += batch.length - rejected;
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
