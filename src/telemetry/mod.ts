/**
 * Telemetry: every event of the bus is stored (in batches, by a collector the CLI attaches to
 * each command), summarized from hourly rollups, checked against alert thresholds, exported as
 * CSV, JSON lines or OTLP, and pruned.
 *
 * @example
 * ```ts
 * import { addFeature, initProject, openProject } from "@buildrunner/br";
 * import { telemetryEvents } from "@buildrunner/br/telemetry";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir, command: "example" });
 * await addFeature(project, { name: "Login" });
 * await project.close(); // records the session's events
 * const again = await openProject({ cwd: dir });
 * const events = await telemetryEvents(again, { type: "feature.added" });
 * assert.equal(events.length, 1);
 * await again.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { readStore } from "../core/store_read.ts";
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { parseDuration, type Period, periodStart } from "./_time.ts";
import { ledgerCost } from "./_cost.ts";
import {
  type EventFilter,
  exportLines,
  listEvents,
  pruneBefore,
  type PruneResult,
  type StoredEvent,
} from "./events.ts";
import { performance, type PerformanceReport, summarize, type TelemetrySummary } from "./query.ts";

export {
  attachCollector,
  type Collector,
  type CollectorOptions,
  type SessionOutcome,
  telemetryDisabledByEnv,
} from "./collector.ts";
export { parseDuration, parsePeriod, parseSince, type Period, PERIODS } from "./_time.ts";
export { durationBucket, writeEvents } from "../core/event_log.ts";
export type { DurationStats, OutcomeCounts, PerformanceReport, TelemetrySummary } from "./query.ts";
export type { EventFilter, PruneResult, StoredEvent } from "./events.ts";
export {
  type AlertCheck,
  type AlertRecord,
  type AlertRuleName,
  type AlertsReport,
  type AlertThresholds,
  DEFAULT_THRESHOLDS,
  evaluateAlerts,
} from "./alerts.ts";
export { exportOtlp, type OtlpOptions, type OtlpResult, toLogRecord } from "./otlp.ts";
export { PAYLOAD_SCHEMAS, type PayloadSchema, validateEvent } from "./schema.ts";

/**
 * The summary of a period: success rate, p50/p95 durations, errors by type, models and gate
 * results, read from the hourly rollups; the cost comes from the cost ledger (calls made in
 * the period, by the time of the call).
 *
 * @throws {BrError} `storage` when the store cannot be read.
 */
export async function telemetrySummary(
  project: Project,
  options: { period?: Period; now?: Date } = {},
): Promise<TelemetrySummary> {
  const period = options.period ?? "week";
  const now = options.now ?? project.clock.now();
  const ledger = await ledgerCost(project, periodStart(period, now), now);
  return summarize(await readStore(project), period, now, ledger);
}

/**
 * Duration percentiles per event type and the slowest commands of a period.
 *
 * @throws {BrError} `storage` when the store cannot be read.
 */
export async function telemetryPerformance(
  project: Project,
  options: { period?: Period; now?: Date } = {},
): Promise<PerformanceReport> {
  return performance(
    await readStore(project),
    options.period ?? "week",
    options.now ?? project.clock.now(),
  );
}

/**
 * The most recent events matching a filter (default 50), oldest first.
 *
 * @throws {BrError} `storage` when the store cannot be read.
 */
export async function telemetryEvents(
  project: Project,
  options: EventFilter & { limit?: number } = {},
): Promise<StoredEvent[]> {
  const { limit = 50, ...filter } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new BrError("usage", `--limit must be a whole number above 0, got "${limit}"`, {
      hint: "pass --limit 50, or leave it out for the last 50",
    });
  }
  return listEvents(await readStore(project), filter, limit);
}

/**
 * Streams stored events as CSV or JSON lines through `write`; returns how many.
 *
 * @throws {BrError} `storage` when the store cannot be read.
 */
export async function exportEvents(
  project: Project,
  options: { format: "csv" | "jsonl"; filter?: EventFilter },
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  return exportLines(await readStore(project), options.filter ?? {}, options.format, write);
}

/**
 * Deletes events (and rollups and resolved alerts) older than `olderThan` (`90d`, `12h`), the
 * cutoff moved back to the start of its hour; with `dryRun` only counts what would go.
 *
 * @throws {BrError} `usage` for an unreadable duration; `storage` on a store failure.
 */
export async function pruneTelemetry(
  project: Project,
  options: { olderThan: string; now?: Date; dryRun?: boolean },
): Promise<PruneResult> {
  const ms = parseDuration(options.olderThan);
  const now = options.now ?? project.clock.now();
  return pruneBefore(await readStore(project), new Date(now.getTime() - ms), options.dryRun);
}
