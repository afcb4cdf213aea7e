/**
 * The event catalog (docs/telemetry.md, "Event catalog and schemas") as schemas: every stored or exported event is checked against
 * these, so a number that came back as a string (or a missing id) is caught.
 *
 * @module
 */
import { z } from "zod";
import { EVENT_TYPES, type EventType } from "../core/events.ts";

const str = z.string();
const num = z.number();
const optStr = z.string().nullable().optional();
const strList = z.array(z.string()).optional();

const transition = z.looseObject({
  id: str,
  from: str,
  to: str,
  reason: optStr,
  forced: z.boolean().optional(),
});
const spec = z.looseObject({
  added: strList,
  changed: strList,
  removed: strList,
  problems: strList,
});
const task = z.looseObject({
  task_id: str,
  feature: optStr,
  worker: optStr,
  attempt: num.optional(),
  duration_ms: num.optional(),
  error: optStr,
});
const build = z.looseObject({
  run_id: str,
  features: strList,
  counts: z.record(z.string(), num).optional(),
  duration_ms: num.optional(),
});
const gate = z.looseObject({
  gate: str,
  counts: z.record(z.string(), num).optional(),
  duration_ms: num.optional(),
});
const worker = z.looseObject({ worker: str, task: optStr, pid: num.optional() });

/** A schema of one payload. */
export type PayloadSchema = z.ZodType;

/** The payload schema of every event type. */
export const PAYLOAD_SCHEMAS: Readonly<Record<EventType, PayloadSchema>> = {
  "feature.added": z.looseObject({ id: str, fields: z.record(z.string(), z.unknown()) }),
  "feature.updated": z.looseObject({
    id: str,
    changes: z.record(z.string(), z.looseObject({ from: z.unknown(), to: z.unknown() })),
  }),
  "feature.removed": z.looseObject({ id: str, fields: z.record(z.string(), z.unknown()) }),
  "feature.started": transition,
  "feature.completed": transition,
  "feature.blocked": transition,
  "feature.unblocked": transition,
  "status.generated": z.looseObject({ path: str, completion: num, changed: z.boolean() }),
  "spec.validated": spec,
  "spec.synced": spec,
  "spec.locked": spec,
  "spec.unlocked": spec,
  "config.changed": z.looseObject({
    key: str,
    scope: z.enum(["project", "global"]),
    action: z.enum(["set", "unset"]),
  }),
  "task.started": task,
  "task.completed": task,
  "task.failed": task,
  "task.retried": task,
  "build.started": build,
  "build.completed": build,
  "build.failed": build,
  "complexity.estimated": z.looseObject({ level: str, score: num, reasons: z.array(str) }),
  "model.selected": z.looseObject({ model: str, level: optStr, reasons: strList }),
  "model.fallback": z.looseObject({ from: str, to: str, reason: optStr }),
  "cost.recorded": z.looseObject({
    model: str,
    tokens: z.record(z.string(), num),
    usd: num,
    source: str,
  }),
  "budget.alert": z.looseObject({
    budget: str,
    spent: num,
    limit: num,
    level: z.enum(["warn", "stop"]),
  }),
  "gate.passed": gate,
  "gate.failed": gate,
  "security.finding": z.looseObject({
    rule: str,
    file: str,
    line: num.optional(),
    fingerprint: str,
  }),
  "debug.error": z.looseObject({
    signature: str,
    kind: str,
    file: optStr,
    line: num.optional(),
    source: z.enum(["pipe", "watch"]),
  }),
  "worker.started": worker,
  "worker.heartbeat": worker,
  "worker.lost": worker,
  "session.started": z.looseObject({ command: str }),
  "session.ended": z.looseObject({
    command: str,
    exit_code: num,
    duration_ms: num,
    error: optStr,
  }),
};

const envelope = z.object({
  id: z.string().min(1),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  time: z.iso.datetime(),
  session: z.string().min(1),
  feature: z.string().nullable().optional(),
  task: z.string().nullable().optional(),
  payload: z.unknown(),
});

/**
 * Checks one event against the catalog; returns the problems (empty when valid).
 *
 * @example
 * ```ts
 * import { validateEvent } from "./schema.ts";
 * const problems = validateEvent({ id: "1", type: "gate.passed", time: "2026-01-01T00:00:00.000Z",
 *   session: "s", payload: { gate: "lint" } });
 * console.log(problems); // []
 * ```
 */
export function validateEvent(event: unknown): string[] {
  const head = envelope.safeParse(event);
  if (!head.success) return head.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  const body = PAYLOAD_SCHEMAS[head.data.type].safeParse(head.data.payload);
  if (body.success) return [];
  return body.error.issues.map((i) => `payload.${i.path.join(".")}: ${i.message}`);
}
