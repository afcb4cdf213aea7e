import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
import { round } from "./ledger.ts";
import {
  checkTimeZone,
  dayKey,
  defaultTimeZone,
  isoWeekKey,
  offsetMs,
  parseBound,
} from "./_time.ts";

/** How {@link costSummary} groups the ledger. */
export type SummaryBy =
  | "day"
  | "week"
  | "month"
  | "model"
  | "feature"
  | "session"
  | "project"
  | "source";

/** The groupings, in help order. */
export const SUMMARY_BY: readonly SummaryBy[] = [
  "day",
  "week",
  "month",
  "model",
  "feature",
  "session",
  "project",
  "source",
];

/** Options of {@link costSummary}. */
export interface SummaryOptions {
  /** Grouping (default `day`). */
  by?: SummaryBy;
  /** Start: `YYYY-MM-DD` (a day in the time zone) or an ISO date-time; inclusive. */
  since?: string;
  /** End: `YYYY-MM-DD` (that whole day counts) or an ISO date-time; exclusive. */
  until?: string;
  /** Time zone of day/week/month keys and of date bounds (default `cost.timezone`, `TZ`, local). */
  timezone?: string;
  /** Only this feature. */
  feature?: string;
  /** Only this source (`claude-code`, `codex`, ...). */
  source?: string;
}

/** Token and USD totals of a group. */
export interface CostTotals {
  /** Uncached input tokens. */
  input_tokens: number;
  /** Output tokens. */
  output_tokens: number;
  /** Cache-write tokens. */
  cache_creation_tokens: number;
  /** Cache-read tokens. */
  cache_read_tokens: number;
  /** input + output + cache creation + cache read. */
  total_tokens: number;
  /** USD from the catalog (or as reported by the agent). */
  cost_usd: number;
  /** USD the logs carried themselves, `null` when none did. */
  logged_cost_usd: number | null;
}

/** One row of a summary. */
export interface CostRow extends CostTotals {
  /** The group: a day, week, month, model, feature, session, project or source (`null` = none). */
  key: string | null;
}

/** A cost summary. */
export interface CostSummary {
  /** The grouping. */
  by: SummaryBy;
  /** The time zone used. */
  timezone: string;
  /** Rows sorted by key (`null` last). */
  rows: CostRow[];
  /** Totals over all rows. */
  totals: CostTotals;
  /** Models in the selection that have no price (priced at 0), sorted. */
  unpriced_models: string[];
}

const COLUMN: Record<string, string> = {
  model: "model",
  feature: "feature",
  session: "session",
  project: "project",
  source: "source",
};

/** `YYYY-MM-DDTHH:MM` of the quarter hour holding `time` (portable SQL). */
const QUARTER = `substr(time, 1, 14) || CASE WHEN substr(time, 15, 2) < '15' THEN '00'
  WHEN substr(time, 15, 2) < '30' THEN '15' WHEN substr(time, 15, 2) < '45' THEN '30' ELSE '45' END`;

interface Agg {
  k: string | null;
  input: number;
  output: number;
  creation: number;
  read: number;
  usd: number;
  logged: number | null;
}

/**
 * Sums the ledger by day, week, month, model, feature, session, project or source.
 *
 * @throws {BrError} `usage` for an unknown grouping, time zone or date.
 */
export async function costSummary(
  project: Project,
  options: SummaryOptions = {},
): Promise<CostSummary> {
  const by = options.by ?? "day";
  if (!SUMMARY_BY.includes(by)) {
    throw new BrError("usage", `Cannot group by "${by}"`, {
      hint: `use one of: ${SUMMARY_BY.join(", ")}`,
    });
  }
  const timezone = await resolveTimeZone(project, options.timezone);
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.since) {
    where.push("time >= ?");
    params.push(parseBound(options.since, timezone, false).toISOString());
  }
  if (options.until) {
    where.push("time < ?");
    params.push(parseBound(options.until, timezone, true).toISOString());
  }
  if (options.feature) {
    where.push("feature = ?");
    params.push(options.feature);
  }
  if (options.source) {
    where.push("source = ?");
    params.push(options.source);
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  // Calendar keys depend on the time zone, so rows are summed per quarter of an hour in SQL (every
  // zone's offset and every daylight-saving switch falls on a quarter hour) and the quarters are
  // mapped to days, weeks or months here.
  const group = COLUMN[by] ?? QUARTER;
  const store = await readStore(project);
  const rows = await store.all<Agg>(
    `SELECT ${group} AS k, sum(input_tokens) AS input, sum(output_tokens) AS output,
       sum(cache_creation_tokens) AS creation, sum(cache_read_tokens) AS read,
       sum(cost_usd) AS usd, sum(logged_cost_usd) AS logged
     FROM cost_ledger ${filter} GROUP BY k`,
    params,
  );
  // The zone's offset is looked up twice per UTC day (at its first and last quarter; the same
  // offset at both means no switch in between), and per quarter only on the days of a switch.
  const days = new Map<string, number | null>();
  const quarters = new Map<string, number>();
  const offsetOf = (quarter: string): number => {
    const day = quarter.slice(0, 10);
    let whole = days.get(day);
    if (whole === undefined) {
      const first = offsetMs(new Date(`${day}T00:00:00Z`), timezone);
      const last = offsetMs(new Date(`${day}T23:45:00Z`), timezone);
      whole = first === last ? first : null;
      days.set(day, whole);
    }
    if (whole !== null) return whole;
    let off = quarters.get(quarter);
    if (off === undefined) {
      off = offsetMs(new Date(`${quarter}:00Z`), timezone);
      quarters.set(quarter, off);
    }
    return off;
  };
  const calendar = (quarter: string): string => {
    const off = offsetOf(quarter);
    const local = new Date(Date.parse(`${quarter}:00Z`) + off);
    const [y, m, d] = [local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate()];
    if (by === "day") return dayKey(y, m, d);
    if (by === "week") return isoWeekKey(y, m, d);
    return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`;
  };
  const merged = new Map<string | null, Agg>();
  for (const r of rows) {
    const k = COLUMN[by] || r.k === null ? r.k : calendar(r.k);
    const a = merged.get(k);
    if (!a) merged.set(k, { ...r, k, logged: r.logged === null ? null : Number(r.logged) });
    else {
      a.input += Number(r.input);
      a.output += Number(r.output);
      a.creation += Number(r.creation);
      a.read += Number(r.read);
      a.usd += Number(r.usd);
      if (r.logged !== null) a.logged = (a.logged ?? 0) + Number(r.logged);
    }
  }
  const out = [...merged.values()].map(toRow).sort((a, b) =>
    a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1
  );
  const unpriced = await store.all<{ model: string }>(
    `SELECT DISTINCT model FROM cost_ledger ${filter}${
      filter ? " AND" : " WHERE"
    } priced = 0 ORDER BY model`,
    params,
  );
  return {
    by,
    timezone,
    rows: out,
    totals: sumRows(out),
    unpriced_models: unpriced.map((u) => u.model),
  };
}

function toRow(a: Agg): CostRow {
  const input = Number(a.input), output = Number(a.output);
  const creation = Number(a.creation), read = Number(a.read);
  return {
    key: a.k,
    input_tokens: input,
    output_tokens: output,
    cache_creation_tokens: creation,
    cache_read_tokens: read,
    total_tokens: input + output + creation + read,
    cost_usd: round(Number(a.usd)),
    logged_cost_usd: a.logged === null ? null : round(a.logged),
  };
}

function sumRows(rows: CostRow[]): CostTotals {
  const t: CostTotals = {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_tokens: 0,
    cache_read_tokens: 0,
    total_tokens: 0,
    cost_usd: 0,
    logged_cost_usd: null,
  };
  for (const r of rows) {
    t.input_tokens += r.input_tokens;
    t.output_tokens += r.output_tokens;
    t.cache_creation_tokens += r.cache_creation_tokens;
    t.cache_read_tokens += r.cache_read_tokens;
    t.total_tokens += r.total_tokens;
    t.cost_usd += r.cost_usd;
    if (r.logged_cost_usd !== null) {
      t.logged_cost_usd = (t.logged_cost_usd ?? 0) + r.logged_cost_usd;
    }
  }
  t.cost_usd = round(t.cost_usd);
  if (t.logged_cost_usd !== null) t.logged_cost_usd = round(t.logged_cost_usd);
  return t;
}

/** The time zone to use: the given one, `cost.timezone`, `TZ`, or the system's. */
export async function resolveTimeZone(project: Project, given?: string): Promise<string> {
  if (given) return checkTimeZone(given);
  // Without a word of `cost` in any config layer its default (null) applies, and neither the
  // YAML parser nor the schemas need loading (this runs on every status line).
  if (!project.configMentions("cost")) return defaultTimeZone(project.env);
  await import("./config.ts");
  const configured = (await project.config()).get<string | null>("cost.timezone");
  if (configured) return checkTimeZone(configured);
  return defaultTimeZone(project.env);
}
