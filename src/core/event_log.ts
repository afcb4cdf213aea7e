/**
 * The event log in the store: one transaction per batch inserts the rows and adds them to
 * the hourly rollups the telemetry summary reads, so a summary never has to scan the events;
 * and the spool of short commands.
 *
 * @module
 */
import { BrError } from "./errors.ts";
import type { BrEvent } from "./events.ts";
import { ensureIgnoredFolder, leadsOutside, writeFileAtomic } from "./fs.ts";
import { join } from "./path.ts";
import type { SqlValue, Store, StoreTx } from "./store.ts";

/** Milliseconds of one rollup bucket. */
export const HOUR_MS = 3_600_000;

const INSERT = "INSERT INTO events (id, type, time, ts, session, feature, task, payload) " +
  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
const ROLLUP = "INSERT INTO event_rollups (hour, type, key, count, usd) VALUES (?, ?, ?, ?, ?) " +
  "ON CONFLICT (hour, type, key) DO UPDATE SET count = event_rollups.count + excluded.count, " +
  "usd = event_rollups.usd + excluded.usd";
const HISTOGRAM_GET = "SELECT count, buckets FROM duration_histograms WHERE hour = ? AND type = ?";
const HISTOGRAM_PUT =
  "INSERT INTO duration_histograms (hour, type, count, buckets) VALUES (?, ?, ?, ?) " +
  "ON CONFLICT (hour, type) DO UPDATE SET count = excluded.count, buckets = excluded.buckets";

/** A duration histogram: bucket value (ms) -> count. */
export type Histogram = Map<number, number>;

/** Adds a stored histogram (JSON object text) into `into`. */
export function mergeHistogram(into: Histogram, buckets: string): Histogram {
  const parsed = JSON.parse(buckets) as Record<string, number>;
  for (const k in parsed) {
    const ms = Number(k);
    into.set(ms, (into.get(ms) ?? 0) + parsed[k]);
  }
  return into;
}

/**
 * The bucket of a duration: exact below 100 ms, above that buckets 5 % wide, each stored as
 * its middle value. Percentiles read from the buckets are within 2.5 % of the exact ones.
 */
export function durationBucket(ms: number): number {
  if (!(ms >= 0)) return 0;
  if (ms < 100) return Math.round(ms);
  const index = Math.floor(Math.log(ms / 100) / Math.log(1.05));
  return Math.round(100 * Math.pow(1.05, index + 0.5));
}

/** The rollup key of an event: the dimension its summary groups by. */
export function rollupKey(event: BrEvent): string {
  const p = event.payload as Record<string, unknown>;
  switch (event.type) {
    case "cost.recorded":
    case "model.selected":
      return String(p.model ?? "");
    case "model.fallback":
      return String(p.to ?? "");
    case "complexity.estimated":
      return String(p.level ?? "");
    case "gate.passed":
    case "gate.failed":
      return String(p.gate ?? "");
    case "security.finding":
      return String(p.rule ?? "");
    case "session.ended":
      return p.error ? String(p.error) : "ok";
    default:
      return "";
  }
}

function usdOf(event: BrEvent): number {
  if (event.type !== "cost.recorded") return 0;
  const usd = (event.payload as { usd?: unknown }).usd;
  return typeof usd === "number" && Number.isFinite(usd) ? usd : 0;
}

function durationOf(event: BrEvent): number | null {
  const d = (event.payload as { duration_ms?: unknown })?.duration_ms;
  return typeof d === "number" && Number.isFinite(d) && d >= 0 ? d : null;
}

/** The rows of a batch: event rows and the rollup rows they add. */
function prepare(events: readonly BrEvent[]): {
  rows: SqlValue[][];
  counts: SqlValue[][];
  durations: Map<string, { hour: number; type: string; buckets: Histogram }>;
} {
  const rows: SqlValue[][] = new Array(events.length);
  const counts = new Map<string, SqlValue[]>();
  const durations = new Map<string, { hour: number; type: string; buckets: Histogram }>();
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const ts = Date.parse(event.time);
    rows[i] = [
      event.id,
      event.type,
      event.time,
      ts,
      event.session,
      event.feature ?? null,
      event.task ?? null,
      JSON.stringify(event.payload ?? {}),
    ];
    const hour = Math.floor(ts / HOUR_MS);
    const key = rollupKey(event);
    const usd = usdOf(event);
    const ck = `${hour}\u0000${event.type}\u0000${key}`;
    const c = counts.get(ck);
    if (c) {
      (c[3] as number)++;
      (c[4] as number) += usd;
    } else counts.set(ck, [hour, event.type, key, 1, usd]);
    const d = durationOf(event);
    if (d !== null) {
      const ms = durationBucket(d);
      const dk = `${hour}\u0000${event.type}`;
      let h = durations.get(dk);
      if (!h) durations.set(dk, h = { hour, type: event.type, buckets: new Map() });
      h.buckets.set(ms, (h.buckets.get(ms) ?? 0) + 1);
    }
  }
  return { rows, counts: [...counts.values()], durations };
}

/**
 * Writes a batch of events and their rollups in one transaction. Events whose id is already
 * stored are skipped (and not counted twice). Returns how many were written.
 */
export function writeEvents(store: Store, events: readonly BrEvent[]): Promise<number> {
  if (events.length === 0) return Promise.resolve(0);
  return store.tx((t) => writeEventsTx(t, events));
}

/** {@link writeEvents} inside an open transaction `t` (such as a copy's, see `store_copy.ts`). */
export async function writeEventsTx(t: StoreTx, events: readonly BrEvent[]): Promise<number> {
  const before = (await t.get<{ seq: number | null }>("SELECT max(seq) AS seq FROM events"))
    ?.seq ?? 0;
  let batch = prepare(events);
  const written = await t.many(INSERT, batch.rows);
  if (written !== events.length) {
    // Rare: some ids were already there. Count only the rows this batch added.
    const ids = new Set(
      (await t.all<{ id: string }>("SELECT id FROM events WHERE seq > ?", [before])).map((r) =>
        r.id
      ),
    );
    batch = prepare(events.filter((e) => ids.has(e.id)));
  }
  await t.many(ROLLUP, batch.counts);
  for (const { hour, type, buckets } of batch.durations.values()) {
    const old = await t.get<{ buckets: string }>(HISTOGRAM_GET, [hour, type]);
    if (old) mergeHistogram(buckets, old.buckets);
    let count = 0;
    const obj: Record<string, number> = {};
    for (const [ms, n] of buckets) {
      obj[ms] = n;
      count += n;
    }
    await t.run(HISTOGRAM_PUT, [hour, type, count, JSON.stringify(obj)]);
  }
  return written;
}

/**
 * The spool: events of a short command that never opened the store, written as one JSON
 * Lines file each (temp file + rename, so a reader never sees half of one) into
 * `.buildrunner/spool/`. Opening the store ingests them ({@link ingestSpool}), so every
 * reader sees them; a short command is spared loading and opening SQLite.
 */
export async function spoolEvents(dir: string, events: readonly BrEvent[]): Promise<void> {
  if (events.length === 0) return;
  const real = leadsOutside(dir);
  if (real !== null) {
    throw new BrError(
      "invalid_data",
      `Cannot spool events in "${dir}": it leads to "${real}", outside the project`,
      { hint: "replace the link on the way with a folder" },
    );
  }
  await ensureIgnoredFolder(dir, "br's event spool (ingested into br.db)");
  const name = `${Date.now().toString().padStart(15, "0")}-${Deno.pid}-${
    Math.random().toString(36).slice(2, 8)
  }.jsonl`;
  // Not flushed to disk, like the store's own commits (WAL, synchronous=NORMAL).
  await writeFileAtomic(join(dir, name), events.map((e) => JSON.stringify(e)).join("\n") + "\n", {
    durable: false,
  });
}

/** The spooled files (names), oldest first; none when there is no spool. */
async function spoolFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  // Ingesting removes the files: never in a folder that leads outside the project.
  if (leadsOutside(dir) !== null) return files;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) files.push(entry.name);
    }
  } catch {
    // No spool.
  }
  return files.sort();
}

/** True when the spool holds events not yet in the store. */
export async function spoolPending(dir: string): Promise<boolean> {
  return (await spoolFiles(dir)).length > 0;
}

/**
 * Moves spooled events into the store, oldest file first, one transaction per file, then
 * removes the file (unless `keep`: a reader's in-memory copy leaves the spool for the real
 * store). Safe to run in several processes at once: an event already stored is skipped (and
 * not counted twice). Returns how many events were added.
 */
export async function ingestSpool(
  store: Store,
  dir: string,
  options: { keep?: boolean } = {},
): Promise<number> {
  let added = 0;
  for (const name of await spoolFiles(dir)) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch {
      continue; // another process took it
    }
    const events: BrEvent[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as BrEvent;
        if (e && typeof e.id === "string" && typeof e.type === "string") events.push(e);
      } catch {
        // A line that is not an event cannot be stored.
      }
    }
    const n = await writeEvents(store, events);
    added += n;
    if (!options.keep) {
      await Deno.remove(path).catch(() => {});
      if (n > 0) {
        const types = ingested.get(store) ?? [];
        types.push(...events.map((e) => e.type));
        ingested.set(store, types);
      }
    }
  }
  return added;
}

/** Types of the events {@link ingestSpool} moved into each store, not yet taken. */
const ingested = new WeakMap<Store, string[]>();

/**
 * The types of the events moved from the spool into `store` since the last call (the
 * telemetry collector checks the alerts over them: the command that spooled them did not).
 */
export function takeIngestedTypes(store: Store): string[] {
  const types = ingested.get(store) ?? [];
  ingested.delete(store);
  return types;
}
