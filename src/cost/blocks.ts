import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
import type { Store } from "../core/store.ts";
import { round } from "./ledger.ts";

/** Length of a usage window (Claude's subscription plans count usage in 5-hour windows). */
export const BLOCK_HOURS = 5;
const BLOCK_MS = BLOCK_HOURS * 3_600_000;
const RECENT_MS = 3 * 86_400_000;

/** Tokens per minute and USD per hour of a window, from its first to its last message. */
export interface BurnRate {
  /** All tokens (cache reads and writes included) per minute. */
  tokens_per_minute: number;
  /** Input + output tokens per minute (without the cache). */
  tokens_per_minute_without_cache: number;
  /** USD per hour. */
  cost_per_hour: number;
}

/** Where the active window ends up if the burn rate holds until its end. */
export interface BlockProjection {
  /** Tokens at the end of the window. */
  total_tokens: number;
  /** USD at the end of the window. */
  cost_usd: number;
  /** Minutes left in the window. */
  remaining_minutes: number;
}

/** One 5-hour usage window, or a gap between two of them. */
export interface UsageBlock {
  /** The start as an ISO time (a gap's id starts with `gap-`). */
  id: string;
  /** Start: the first message's time floored to the UTC hour (for a gap: 5 h after the last message). */
  start: string;
  /** End: start + 5 h (for a gap: the next message). */
  end: string;
  /** Time of the last message, `null` for a gap. */
  last_activity: string | null;
  /** True while the window is open (now < end and the last message is less than 5 h old). */
  active: boolean;
  /** True for a stretch without any message longer than 5 h. */
  gap: boolean;
  /** Ledger rows (API responses) in the window. */
  entries: number;
  /** Uncached input tokens. */
  input_tokens: number;
  /** Output tokens. */
  output_tokens: number;
  /** Cache-write tokens. */
  cache_creation_tokens: number;
  /** Cache-read tokens. */
  cache_read_tokens: number;
  /** All four. */
  total_tokens: number;
  /** USD. */
  cost_usd: number;
  /** Models used, sorted. */
  models: string[];
  /** `null` for a gap and for a window whose messages share one instant. */
  burn_rate: BurnRate | null;
  /** For the active window only. */
  projection: BlockProjection | null;
}

/** Options of {@link costBlocks}. */
export interface BlocksOptions {
  /** Only this source (default `claude-code`, the usage the plans count); `all` for every one. */
  source?: string;
  /** Only the active window. */
  active?: boolean;
  /** Only windows that started in the last 3 days (and the active one). */
  recent?: boolean;
}

interface Row {
  time: string;
  model: string;
  input: number;
  output: number;
  creation: number;
  read: number;
  usd: number;
}

const COLUMNS = `time, model, input_tokens AS input, output_tokens AS output,
  cache_creation_tokens AS creation, cache_read_tokens AS read, cost_usd AS usd`;

/**
 * The ledger cut into 5-hour windows, oldest first, the way ccusage's `blocks` cuts them: a
 * window starts at its first message's time floored to the UTC hour and lasts 5 hours; a message
 * more than 5 hours after the window's start, or more than 5 hours after the previous message,
 * opens the next window; a pause longer than 5 hours is listed as a gap.
 *
 * @throws {BrError} `storage` when the ledger cannot be read.
 */
export async function costBlocks(
  project: Project,
  options: BlocksOptions = {},
): Promise<UsageBlock[]> {
  const store = await readStore(project);
  const now = project.clock.now().getTime();
  const source = options.source ?? "claude-code";
  const filter = source === "all" ? "" : "source = ?";
  const params = source === "all" ? [] : [source];
  let from: string | null = null;
  if (options.active || options.recent) {
    // Only the runs of messages that reach the period asked for are read.
    const and = filter ? `${filter} AND ` : "";
    // With both, the active window is what is asked for (it is one of the recent ones).
    const anchor = options.recent && !options.active
      ? await store.get<{ time: string | null }>(
        `SELECT min(time) AS time FROM cost_ledger WHERE ${and}time >= ?`,
        [...params, new Date(now - RECENT_MS - BLOCK_MS).toISOString()],
      )
      : await store.get<{ time: string | null }>(
        `SELECT max(time) AS time FROM cost_ledger ${filter ? `WHERE ${filter}` : ""}`,
        params,
      );
    if (!anchor?.time) return [];
    // A window is active only while its last message is less than 5 h old.
    if (options.active && now - Date.parse(anchor.time) >= BLOCK_MS) return [];
    from = await runStart(store, and, params, anchor.time);
    // Only the rows from the window that may be active on are read.
    if (options.active) from = await firstOpenWindow(store, and, params, from, now);
  }
  // The active window's rows end with it (a message past its end opens the next one).
  const until = options.active && from !== null
    ? new Date(floorHour(Date.parse(from)) + BLOCK_MS).toISOString()
    : null;
  const where = [filter, from === null ? "" : "time >= ?", until === null ? "" : "time <= ?"]
    .filter(Boolean);
  const rows = await store.all<Row>(
    `SELECT ${COLUMNS} FROM cost_ledger ${
      where.length ? `WHERE ${where.join(" AND ")}` : ""
    } ORDER BY time, id`,
    [...params, ...(from === null ? [] : [from]), ...(until === null ? [] : [until])],
  );
  let blocks = cut(rows, now);
  if (options.active) blocks = blocks.filter((b) => b.active);
  else if (options.recent) {
    const cutoff = now - RECENT_MS;
    blocks = blocks.filter((b) => b.active || Date.parse(b.start) >= cutoff);
  }
  return blocks;
}

/**
 * The time of the first message of the run of messages (no pause longer than 5 h) that holds
 * the message at `time`: window boundaries depend only on the messages since that one. Walks
 * back through the time index, each step to the earliest message less than 5 h before (a run
 * of months takes hundreds of small queries, not a read of its every message).
 */
async function runStart(
  store: Store,
  and: string,
  params: string[],
  time: string,
): Promise<string> {
  let cur = time;
  for (;;) {
    const earliest = await store.get<{ time: string | null }>(
      `SELECT min(time) AS time FROM cost_ledger WHERE ${and}time >= ? AND time < ?`,
      [...params, new Date(Date.parse(cur) - BLOCK_MS).toISOString(), cur],
    );
    if (!earliest?.time) return cur;
    cur = earliest.time;
  }
}

/**
 * The time of the first message of the first window of the run from `from` (as {@link cut}
 * cuts them) that ends after `now`: the windows before it cannot be active. Follows the
 * windows' starts through the time index.
 */
async function firstOpenWindow(
  store: Store,
  and: string,
  params: string[],
  from: string,
  now: number,
): Promise<string> {
  let first = from;
  let start = floorHour(Date.parse(from));
  while (start + BLOCK_MS <= now) {
    const next = await store.get<{ time: string | null }>(
      `SELECT min(time) AS time FROM cost_ledger WHERE ${and}time > ?`,
      [...params, new Date(start + BLOCK_MS).toISOString()],
    );
    if (!next?.time) break;
    first = next.time;
    start = floorHour(Date.parse(first));
  }
  return first;
}

function floorHour(ms: number): number {
  return ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
}

function cut(rows: Row[], now: number): UsageBlock[] {
  const out: UsageBlock[] = [];
  let start = 0;
  let group: Row[] = [];
  for (const r of rows) {
    const t = Date.parse(r.time);
    if (!group.length) {
      start = floorHour(t);
      group = [r];
      continue;
    }
    const last = Date.parse(group[group.length - 1].time);
    if (t - start > BLOCK_MS || t - last > BLOCK_MS) {
      out.push(block(start, group, now));
      if (t - last > BLOCK_MS) out.push(gap(last + BLOCK_MS, t));
      start = floorHour(t);
      group = [r];
    } else group.push(r);
  }
  if (group.length) out.push(block(start, group, now));
  return out;
}

function gap(start: number, end: number): UsageBlock {
  const iso = new Date(start).toISOString();
  return {
    id: `gap-${iso}`,
    start: iso,
    end: new Date(end).toISOString(),
    last_activity: null,
    active: false,
    gap: true,
    entries: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
    models: [],
    burn_rate: null,
    projection: null,
  };
}

function block(start: number, rows: Row[], now: number): UsageBlock {
  const end = start + BLOCK_MS;
  const first = Date.parse(rows[0].time);
  const last = Date.parse(rows[rows.length - 1].time);
  let input = 0, output = 0, creation = 0, read = 0, usd = 0;
  const models = new Set<string>();
  for (const r of rows) {
    input += Number(r.input);
    output += Number(r.output);
    creation += Number(r.creation);
    read += Number(r.read);
    usd += Number(r.usd);
    models.add(r.model);
  }
  const total = input + output + creation + read;
  const active = now - last < BLOCK_MS && now < end;
  const minutes = (last - first) / 60_000;
  const burn: BurnRate | null = minutes > 0
    ? {
      tokens_per_minute: total / minutes,
      tokens_per_minute_without_cache: (input + output) / minutes,
      cost_per_hour: round((usd / minutes) * 60),
    }
    : null;
  let projection: BlockProjection | null = null;
  if (active && burn) {
    const remaining = Math.max(0, Math.round((end - now) / 60_000));
    projection = {
      total_tokens: Math.round(total + burn.tokens_per_minute * remaining),
      cost_usd: round(usd + (burn.cost_per_hour / 60) * remaining),
      remaining_minutes: remaining,
    };
  }
  const iso = new Date(start).toISOString();
  return {
    id: iso,
    start: iso,
    end: new Date(end).toISOString(),
    last_activity: new Date(last).toISOString(),
    active,
    gap: false,
    entries: rows.length,
    input_tokens: input,
    output_tokens: output,
    cache_creation_tokens: creation,
    cache_read_tokens: read,
    total_tokens: total,
    cost_usd: round(usd),
    models: [...models].sort(),
    burn_rate: burn,
    projection,
  };
}
