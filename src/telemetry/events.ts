/** Listing, exporting and pruning stored events. */
import type { BrEvent, EventType } from "../core/events.ts";
import type { SqlValue, Store } from "../core/store.ts";
import { HOUR_MS } from "../core/event_log.ts";

/** Filters of {@link listEvents} and export. */
export interface EventFilter {
  /** An event type (`task.failed`) or a family (`task` / `task.*`). */
  type?: string;
  /** Only events at or after this time. */
  since?: Date;
  /** Only events before this time. */
  until?: Date;
  /** Only events of this feature. */
  feature?: string;
  /** Only events of this session. */
  session?: string;
}

/** A stored event as read back (feature and task always present, null when absent). */
export type StoredEvent = BrEvent & { feature: string | null; task: string | null };

interface EventRow {
  seq: number;
  id: string;
  type: string;
  time: string;
  session: string;
  feature: string | null;
  task: string | null;
  payload: string;
}

function where(filter: EventFilter): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (filter.type) {
    const family = filter.type.endsWith(".*") ? filter.type.slice(0, -2) : filter.type;
    if (family.includes(".")) {
      parts.push("type = ?");
      params.push(family);
    } else {
      parts.push("type >= ? AND type < ?");
      params.push(`${family}.`, `${family}/`);
    }
  }
  if (filter.since) {
    parts.push("ts >= ?");
    params.push(filter.since.getTime());
  }
  if (filter.until) {
    parts.push("ts < ?");
    params.push(filter.until.getTime());
  }
  if (filter.feature) {
    parts.push("feature = ?");
    params.push(filter.feature);
  }
  if (filter.session) {
    parts.push("session = ?");
    params.push(filter.session);
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

function decode(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type as EventType,
    time: row.time,
    session: row.session,
    feature: row.feature,
    task: row.task,
    payload: JSON.parse(row.payload),
  };
}

const COLUMNS = "seq, id, type, time, session, feature, task, payload";

/** The most recent `limit` events matching `filter`, oldest first. */
export async function listEvents(
  store: Store,
  filter: EventFilter,
  limit: number,
): Promise<StoredEvent[]> {
  const w = where(filter);
  const rows = await store.all<EventRow>(
    `SELECT ${COLUMNS} FROM events${w.sql} ORDER BY seq DESC LIMIT ?`,
    [...w.params, limit],
  );
  return rows.reverse().map(decode);
}

/** Walks every event matching `filter` in insertion order, a page at a time. */
export async function* walkEvents(
  store: Store,
  filter: EventFilter,
  pageSize = 5000,
  afterSeq = -1,
): AsyncGenerator<StoredEvent & { seq: number }> {
  const w = where(filter);
  const glue = w.sql ? " AND" : " WHERE";
  let after = afterSeq;
  while (true) {
    const rows = await store.all<EventRow>(
      `SELECT ${COLUMNS} FROM events${w.sql}${glue} seq > ? ORDER BY seq LIMIT ?`,
      [...w.params, after, pageSize],
    );
    for (const row of rows) yield { ...decode(row), seq: row.seq };
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

const CSV_HEADER = "id,type,time,session,feature,task,payload";

function csvCell(value: string | null): string {
  if (value === null) return "";
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One event as a CSV line (without newline), matching {@link CSV_HEADER}. */
export function csvLine(e: StoredEvent): string {
  return [e.id, e.type, e.time, e.session, e.feature, e.task, JSON.stringify(e.payload)]
    .map(csvCell).join(",");
}

/** Writes events as CSV or JSON lines through `write`; returns how many. */
export async function exportLines(
  store: Store,
  filter: EventFilter,
  format: "csv" | "jsonl",
  write: (chunk: string) => void | Promise<void>,
): Promise<number> {
  let n = 0;
  let chunk = format === "csv" ? CSV_HEADER + "\n" : "";
  for await (const { seq: _seq, ...event } of walkEvents(store, filter)) {
    chunk += (format === "csv" ? csvLine(event) : JSON.stringify(event)) + "\n";
    n++;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  if (chunk) await write(chunk);
  return n;
}

/** What {@link pruneBefore} removed. */
export interface PruneResult {
  /**
   * Everything strictly older than this was removed (or would be, on a dry run): the cutoff asked
   * for, moved back to the start of its hour so that events and hourly rollups go together.
   */
  before: string;
  /** Events deleted. */
  events: number;
  /** Rollup rows deleted (hours entirely before the cutoff). */
  rollups: number;
  /** Resolved alerts deleted. */
  alerts: number;
  /** True when nothing was deleted: the counts say what would be. */
  dry_run: boolean;
}

/**
 * Deletes events older than `cutoff` (moved back to the start of its hour), with the rollups of
 * the hours before it and alerts resolved before it, in chunks so other writers are not held up.
 * With `dryRun` only counts them.
 */
export async function pruneBefore(
  store: Store,
  cutoff: Date,
  dryRun = false,
): Promise<PruneResult> {
  const hour = Math.floor(cutoff.getTime() / HOUR_MS);
  // The summaries come from hourly rollups: cutting inside an hour would leave that hour's
  // rollup counting events that are gone.
  const ts = hour * HOUR_MS;
  const before = new Date(ts).toISOString();
  if (dryRun) {
    const n = async (sql: string, params: (string | number)[]) =>
      Number((await store.get<{ n: number }>(sql, params))?.n ?? 0);
    return {
      before,
      events: await n("SELECT count(*) AS n FROM events WHERE ts < ?", [ts]),
      rollups: await n("SELECT count(*) AS n FROM event_rollups WHERE hour < ?", [hour]) +
        await n("SELECT count(*) AS n FROM duration_histograms WHERE hour < ?", [hour]),
      alerts: await n(
        "SELECT count(*) AS n FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?",
        [before],
      ),
      dry_run: true,
    };
  }
  let events = 0;
  while (true) {
    const { changes } = await store.run(
      "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ts < ? LIMIT 10000)",
      [ts],
    );
    events += changes;
    if (changes < 10000) break;
  }
  const result = await store.tx(async (t) => {
    const a = await t.run("DELETE FROM event_rollups WHERE hour < ?", [hour]);
    const b = await t.run("DELETE FROM duration_histograms WHERE hour < ?", [hour]);
    const c = await t.run(
      "DELETE FROM alerts WHERE resolved_at IS NOT NULL AND resolved_at < ?",
      [before],
    );
    return { rollups: a.changes + b.changes, alerts: c.changes };
  });
  return { before, events, ...result, dry_run: false };
}
