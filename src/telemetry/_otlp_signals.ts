/**
 * Traces and metrics of stored events in the OTLP/JSON encoding: a span per command (session),
 * task, build and gate, with parent links, and delta sums (tokens, cost) and histograms
 * (durations) over the events of one export batch.
 */
import type { StoredEvent } from "./events.ts";

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number } | {
  boolValue: boolean;
};

/** An OTLP attribute, or null for a missing value. */
export function attr(key: string, value: unknown): { key: string; value: AnyValue } | null {
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

const nanos = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

async function hexId(text: string, bytes: number): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  return [...digest.slice(0, bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The trace of a session (one command), the span of the session, of a task, of another event. */
const traceId = (session: string) => hexId(`br-trace:${session}`, 16);
const sessionSpan = (session: string) => hexId(`br-span:${session}:session`, 8);
const taskSpan = (session: string, task: string) => hexId(`br-span:${session}:task:${task}`, 8);

const SPAN_TYPES = new Set([
  "session.ended",
  "task.completed",
  "task.failed",
  "build.completed",
  "build.failed",
  "gate.passed",
  "gate.failed",
]);

const STATUS_OK = 1;
const STATUS_ERROR = 2;
const KIND_INTERNAL = 1;

/**
 * The spans of `events`: one per finished command (`session.ended`), task, build and gate, ending
 * at the event and starting `duration_ms` before it. All spans of a command share its trace; a
 * task's and a build's parent is the command's span, a gate's parent is its task's span when the
 * gate ran for a task, else the command's.
 */
export async function toSpans(events: readonly StoredEvent[]): Promise<Record<string, unknown>[]> {
  const spans: Record<string, unknown>[] = [];
  for (const e of events) {
    if (!SPAN_TYPES.has(e.type)) continue;
    const p = e.payload as Record<string, unknown>;
    const end = Date.parse(e.time);
    const duration = typeof p.duration_ms === "number" && p.duration_ms > 0 ? p.duration_ms : 0;
    const [family, outcome] = e.type.split(".");
    let spanId: string;
    let parent: string | null;
    let name: string;
    let failed = outcome === "failed";
    if (family === "session") {
      spanId = await sessionSpan(e.session);
      parent = null;
      name = `br ${p.command ?? "command"}`;
      failed = p.error !== undefined || (typeof p.exit_code === "number" && p.exit_code !== 0);
    } else if (family === "task") {
      spanId = await taskSpan(e.session, String(p.task_id ?? e.task ?? e.id));
      parent = await sessionSpan(e.session);
      name = `task ${p.task_id ?? e.task ?? ""}`.trim();
    } else {
      spanId = await hexId(`br-span:${e.id}`, 8);
      parent = e.task ? await taskSpan(e.session, e.task) : await sessionSpan(e.session);
      name = family === "gate" ? `gate ${p.gate ?? ""}`.trim() : `build ${p.run_id ?? ""}`.trim();
    }
    const attributes = [
      attr("event.name", e.type),
      attr("br.event.id", e.id),
      attr("br.session", e.session),
      attr("br.feature", e.feature),
      attr("br.task", e.task),
      ...Object.entries(p).filter(([, v]) => typeof v !== "object").map(([k, v]) =>
        attr(`br.${k}`, v)
      ),
    ].filter((a) => a !== null);
    const error = typeof p.error === "string" ? p.error : undefined;
    spans.push({
      traceId: await traceId(e.session),
      spanId,
      ...(parent ? { parentSpanId: parent } : {}),
      name,
      kind: KIND_INTERNAL,
      startTimeUnixNano: nanos(end - duration),
      endTimeUnixNano: nanos(end),
      attributes,
      status: failed
        ? { code: STATUS_ERROR, ...(error ? { message: error } : {}) }
        : { code: STATUS_OK },
    });
  }
  return spans;
}

/** Upper bounds (ms) of the duration histogram buckets. */
export const DURATION_BOUNDS: readonly number[] = [
  10,
  50,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  30_000,
  60_000,
  300_000,
  1_800_000,
];

const DELTA = 1;

/**
 * The metrics of `events` as deltas over the batch (from its first to its last event):
 * `br.tokens` (sum by model and token kind, from `cost.recorded`), `br.cost` (USD by model) and
 * `br.duration` (histogram in ms by event type, from every event carrying `duration_ms`).
 * Empty when the batch holds none of them.
 */
export function toMetrics(events: readonly StoredEvent[]): Record<string, unknown>[] {
  if (!events.length) return [];
  const times = events.map((e) => Date.parse(e.time));
  const start = nanos(Math.min(...times));
  const end = nanos(Math.max(...times));
  const tokens = new Map<string, { model: string; kind: string; n: number }>();
  const cost = new Map<string, number>();
  const durations = new Map<string, number[]>();
  for (const e of events) {
    const p = e.payload as Record<string, unknown>;
    if (e.type === "cost.recorded") {
      const model = String(p.model ?? "unknown");
      for (const [kind, n] of Object.entries((p.tokens ?? {}) as Record<string, unknown>)) {
        if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) continue;
        const k = `${model}\0${kind}`;
        const t = tokens.get(k) ?? { model, kind, n: 0 };
        t.n += n;
        tokens.set(k, t);
      }
      if (typeof p.usd === "number" && Number.isFinite(p.usd)) {
        cost.set(model, (cost.get(model) ?? 0) + p.usd);
      }
    }
    if (typeof p.duration_ms === "number" && Number.isFinite(p.duration_ms)) {
      const list = durations.get(e.type) ?? [];
      list.push(p.duration_ms);
      durations.set(e.type, list);
    }
  }
  const point = (attributes: unknown[]) => ({
    attributes,
    startTimeUnixNano: start,
    timeUnixNano: end,
  });
  const metrics: Record<string, unknown>[] = [];
  if (tokens.size) {
    metrics.push({
      name: "br.tokens",
      unit: "{token}",
      description: "Tokens of the model calls recorded (cost.recorded), by model and kind",
      sum: {
        aggregationTemporality: DELTA,
        isMonotonic: true,
        dataPoints: [...tokens.values()].sort((a, b) =>
          a.model.localeCompare(b.model) || a.kind.localeCompare(b.kind)
        ).map((t) => ({
          ...point([attr("br.model", t.model), attr("br.token.kind", t.kind)]),
          asInt: String(Math.round(t.n)),
        })),
      },
    });
  }
  if (cost.size) {
    metrics.push({
      name: "br.cost",
      unit: "USD",
      description: "USD of the model calls recorded (cost.recorded), by model",
      sum: {
        aggregationTemporality: DELTA,
        isMonotonic: true,
        dataPoints: [...cost].sort(([a], [b]) => a.localeCompare(b)).map(([model, usd]) => ({
          ...point([attr("br.model", model)]),
          asDouble: Math.round(usd * 1e6) / 1e6,
        })),
      },
    });
  }
  if (durations.size) {
    metrics.push({
      name: "br.duration",
      unit: "ms",
      description: "Durations of commands, tasks, builds and gates, by event type",
      histogram: {
        aggregationTemporality: DELTA,
        dataPoints: [...durations].sort(([a], [b]) => a.localeCompare(b)).map(([type, list]) => {
          const buckets = new Array(DURATION_BOUNDS.length + 1).fill(0);
          for (const ms of list) {
            let i = DURATION_BOUNDS.findIndex((b) => ms <= b);
            if (i === -1) i = DURATION_BOUNDS.length;
            buckets[i]++;
          }
          return {
            ...point([attr("event.name", type)]),
            count: String(list.length),
            sum: list.reduce((s, x) => s + x, 0),
            min: Math.min(...list),
            max: Math.max(...list),
            bucketCounts: buckets.map(String),
            explicitBounds: [...DURATION_BOUNDS],
          };
        }),
      },
    });
  }
  return metrics;
}
