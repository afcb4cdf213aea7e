/** Reading telemetry: the summary and performance views, from the rollups. */
import { jsonField, type Store } from "../core/store.ts";
import { type Period, periodStart } from "./_time.ts";
import { type Histogram, HOUR_MS, mergeHistogram } from "../core/event_log.ts";
import type { LedgerCost } from "./_cost.ts";

/** Successes and failures of one kind of work. */
export interface OutcomeCounts {
  /** Completed (or passed). */
  succeeded: number;
  /** Failed. */
  failed: number;
  /** `succeeded / (succeeded + failed)`, or null when there were none. */
  rate: number | null;
}

/** Duration statistics of one event type. */
export interface DurationStats {
  /** The event type. */
  type: string;
  /** Events with a duration. */
  count: number;
  /** Median, in ms. */
  p50_ms: number;
  /** 95th percentile, in ms. */
  p95_ms: number;
}

/** What `br telemetry summary` reports. */
export interface TelemetrySummary {
  /** The period. */
  period: Period;
  /** First instant counted (start of an hour), or null for all. */
  since: string | null;
  /** When the summary was made. */
  until: string;
  /** Events in the period. */
  events: number;
  /** Events per type, sorted by type. */
  by_type: { type: string; count: number }[];
  /** Task and build outcomes and the success rate over both. */
  success: { tasks: OutcomeCounts; builds: OutcomeCounts; rate: number | null };
  /** Failed share of every task, build and gate outcome, or null when there were none. */
  error_rate: number | null;
  /** Duration percentiles per event type that carries `duration_ms`, sorted by type. */
  durations: DurationStats[];
  /** Cost of the model calls made in the period, from the cost ledger (by the time of the call). */
  cost: { usd: number; calls: number; by_model: { model: string; usd: number; calls: number }[] };
  /** Failures by kind (failure events, and `command:<code>` for failed commands). */
  errors: { type: string; count: number }[];
  /** Models seen in selections and fallbacks (events) and in the cost ledger, sorted by name. */
  models: {
    model: string;
    selected: number;
    fallback_to: number;
    cost_calls: number;
    usd: number;
  }[];
  /** Gate results, sorted by gate. */
  gates: { gate: string; passed: number; failed: number }[];
  /** Recorded commands (sessions) and how many failed. */
  sessions: { total: number; failed: number };
}

const FAILURE_TYPES = new Set(["task.failed", "build.failed", "gate.failed", "worker.lost"]);

function rate(succeeded: number, failed: number): number | null {
  const n = succeeded + failed;
  return n === 0 ? null : round(succeeded / n, 4);
}

/** Rounds to `digits` decimals. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Nearest-rank percentile over `(value, count)` rows sorted by value. */
export function percentile(rows: readonly { ms: number; count: number }[], p: number): number {
  const total = rows.reduce((n, r) => n + r.count, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const r of rows) {
    seen += r.count;
    if (seen >= rank) return r.ms;
  }
  return rows[rows.length - 1].ms;
}

function firstHour(since: Date | null): number {
  return since === null ? Number.MIN_SAFE_INTEGER : Math.floor(since.getTime() / HOUR_MS);
}

/** Duration histograms per type in a period, as `(ms, count)` rows sorted by ms. */
async function durationRows(
  store: Store,
  since: Date | null,
  types?: readonly string[],
): Promise<Map<string, { ms: number; count: number }[]>> {
  const rows = await store.all<{ type: string; buckets: string }>(
    "SELECT type, buckets FROM duration_histograms WHERE hour >= ?",
    [firstHour(since)],
  );
  const merged = new Map<string, Histogram>();
  for (const r of rows) {
    const key = types ? (types.includes(r.type) ? "*" : null) : r.type;
    if (key === null) continue;
    let h = merged.get(key);
    if (!h) merged.set(key, h = new Map());
    mergeHistogram(h, r.buckets);
  }
  const out = new Map<string, { ms: number; count: number }[]>();
  for (const [type, h] of merged) {
    out.set(type, [...h].map(([ms, count]) => ({ ms, count })).sort((a, b) => a.ms - b.ms));
  }
  return out;
}

/** The merged duration rows of `types` in a period (for alert rules). */
export async function durationsOf(
  store: Store,
  since: Date | null,
  types: readonly string[],
): Promise<{ ms: number; count: number }[]> {
  return (await durationRows(store, since, types)).get("*") ?? [];
}

/** The success and error rates of a summary, from its counts of events per type. */
function outcomeFigures(
  byType: ReadonlyMap<string, number>,
): Pick<TelemetrySummary, "success" | "error_rate"> {
  const n = (t: string) => byType.get(t) ?? 0;
  const tasks = { succeeded: n("task.completed"), failed: n("task.failed") };
  const builds = { succeeded: n("build.completed"), failed: n("build.failed") };
  const allFailed = tasks.failed + builds.failed + n("gate.failed");
  const allOutcomes = tasks.succeeded + builds.succeeded + n("gate.passed") + allFailed;
  return {
    success: {
      tasks: { ...tasks, rate: rate(tasks.succeeded, tasks.failed) },
      builds: { ...builds, rate: rate(builds.succeeded, builds.failed) },
      rate: rate(tasks.succeeded + builds.succeeded, tasks.failed + builds.failed),
    },
    error_rate: allOutcomes === 0 ? null : round(allFailed / allOutcomes, 4),
  };
}

/**
 * The success and error rates of a period, as {@link summarize} computes them, from the
 * rollups of the outcome events alone (what the alert rules read after every write).
 */
export async function outcomeRates(
  store: Store,
  period: Period,
  now: Date,
): Promise<Pick<TelemetrySummary, "success" | "error_rate">> {
  const rows = await store.all<{ type: string; count: number }>(
    "SELECT type, sum(count) AS count FROM event_rollups WHERE hour >= ? AND type IN " +
      "('task.completed', 'task.failed', 'build.completed', 'build.failed', 'gate.passed', " +
      "'gate.failed') GROUP BY type",
    [firstHour(periodStart(period, now))],
  );
  return outcomeFigures(new Map(rows.map((r) => [r.type, Number(r.count)])));
}

/** Computes the summary of a period from the rollups, with the cost of the period's ledger. */
export async function summarize(
  store: Store,
  period: Period,
  now: Date,
  ledger: LedgerCost,
): Promise<TelemetrySummary> {
  const since = periodStart(period, now);
  const rows = await store.all<{ type: string; key: string; count: number; usd: number }>(
    "SELECT type, key, sum(count) AS count, sum(usd) AS usd FROM event_rollups " +
      "WHERE hour >= ? GROUP BY type, key",
    [firstHour(since)],
  );
  const byType = new Map<string, number>();
  const models = new Map<string, TelemetrySummary["models"][number]>();
  const gates = new Map<string, { gate: string; passed: number; failed: number }>();
  const errors = new Map<string, number>();
  const cost = { usd: ledger.usd, calls: ledger.calls, by_model: ledger.by_model };
  // Routing ids, dated log names and prefixed names of one model are one row.
  const sessions = { total: 0, failed: 0 };
  const model = (raw: string) => {
    const name = ledger.modelId(raw);
    let m = models.get(name);
    if (!m) {
      models.set(name, m = { model: name, selected: 0, fallback_to: 0, cost_calls: 0, usd: 0 });
    }
    return m;
  };
  let events = 0;
  for (const r of rows) {
    events += r.count;
    byType.set(r.type, (byType.get(r.type) ?? 0) + r.count);
    if (FAILURE_TYPES.has(r.type)) errors.set(r.type, (errors.get(r.type) ?? 0) + r.count);
    switch (r.type) {
      case "model.selected":
        model(r.key).selected += r.count;
        break;
      case "model.fallback":
        model(r.key).fallback_to += r.count;
        break;
      case "gate.passed":
      case "gate.failed": {
        let g = gates.get(r.key);
        if (!g) gates.set(r.key, g = { gate: r.key, passed: 0, failed: 0 });
        if (r.type === "gate.passed") g.passed += r.count;
        else g.failed += r.count;
        break;
      }
      case "session.ended":
        sessions.total += r.count;
        if (r.key !== "ok" && r.key !== "check_failed") {
          sessions.failed += r.count;
          errors.set(`command:${r.key}`, (errors.get(`command:${r.key}`) ?? 0) + r.count);
        }
        break;
    }
  }
  const { success, error_rate } = outcomeFigures(byType);
  const durations: DurationStats[] = [];
  for (const [type, list] of [...(await durationRows(store, since))].sort()) {
    durations.push({
      type,
      count: list.reduce((s, r) => s + r.count, 0),
      p50_ms: percentile(list, 0.5),
      p95_ms: percentile(list, 0.95),
    });
  }
  for (const c of ledger.by_model) {
    const m = model(c.model);
    m.cost_calls = c.calls;
    m.usd = c.usd;
  }
  return {
    period,
    since: since?.toISOString() ?? null,
    until: now.toISOString(),
    events,
    by_type: [...byType].map(([type, count]) => ({ type, count }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    success,
    error_rate,
    durations: durations.sort((a, b) => a.type.localeCompare(b.type)),
    cost,
    errors: [...errors].map(([type, count]) => ({ type, count }))
      .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type)),
    models: [...models.values()].sort((a, b) => a.model.localeCompare(b.model)),
    gates: [...gates.values()].sort((a, b) => a.gate.localeCompare(b.gate)),
    sessions,
  };
}

/** What `br telemetry performance` reports. */
export interface PerformanceReport {
  /** The period. */
  period: Period;
  /** First instant counted, or null for all. */
  since: string | null;
  /** Duration statistics per event type, sorted by type. */
  durations:
    (DurationStats & { p90_ms: number; p99_ms: number; max_ms: number; mean_ms: number })[];
  /** Commands by duration, slowest mean first. */
  commands: { command: string; runs: number; mean_ms: number; max_ms: number }[];
  /** The slowest recorded commands. */
  slowest: { time: string; command: string; duration_ms: number; exit_code: number }[];
}

/** Computes the performance view of a period. */
export async function performance(
  store: Store,
  period: Period,
  now: Date,
): Promise<PerformanceReport> {
  const since = periodStart(period, now);
  const durations: PerformanceReport["durations"] = [];
  for (const [type, list] of await durationRows(store, since)) {
    const count = list.reduce((s, r) => s + r.count, 0);
    durations.push({
      type,
      count,
      p50_ms: percentile(list, 0.5),
      p90_ms: percentile(list, 0.9),
      p95_ms: percentile(list, 0.95),
      p99_ms: percentile(list, 0.99),
      max_ms: list[list.length - 1].ms,
      mean_ms: round(list.reduce((s, r) => s + r.ms * r.count, 0) / count, 1),
    });
  }
  const sinceMs = since?.getTime() ?? Number.MIN_SAFE_INTEGER;
  const command = jsonField(store.backend, "payload", "command");
  const durationMs = jsonField(store.backend, "payload", "duration_ms", "number");
  const exitCode = jsonField(store.backend, "payload", "exit_code", "number");
  const commands = await store.all<
    { command: string; runs: number; mean_ms: number; max_ms: number }
  >(
    `SELECT ${command} AS command, count(*) AS runs, avg(${durationMs}) AS mean_ms, ` +
      `max(${durationMs}) AS max_ms ` +
      `FROM events WHERE type = 'session.ended' AND ts >= ? GROUP BY ${command}`,
    [sinceMs],
  );
  const slowest = await store.all<
    { time: string; command: string; duration_ms: number; exit_code: number }
  >(
    `SELECT time, ${command} AS command, ${durationMs} AS duration_ms, ` +
      `${exitCode} AS exit_code FROM events WHERE type = 'session.ended' AND ts >= ? ` +
      "ORDER BY duration_ms DESC NULLS LAST, seq LIMIT 10",
    [sinceMs],
  );
  return {
    period,
    since: since?.toISOString() ?? null,
    durations: durations.sort((a, b) => a.type.localeCompare(b.type)),
    commands: commands.map((c) => ({ ...c, mean_ms: round(c.mean_ms, 1) }))
      .sort((a, b) => b.mean_ms - a.mean_ms || a.command.localeCompare(b.command)),
    slowest,
  };
}
