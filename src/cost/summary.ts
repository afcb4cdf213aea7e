import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
import type { Store } from "../core/store.ts";
import { round } from "./ledger.ts";
import {
  checkTimeZone,
  dayKey,
  defaultTimeZone,
  isoWeekKey,
  isUtc,
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

/** USD as whole nano-dollars (SQL): sums of them are exact in any order, as the rollup's are. */
const NANO = (column: string) => `CAST(round(${column} * 1e9) AS BIGINT)`;

/** USD rounded to micro-dollars from nano-dollars. */
export const usdOfNano = (nano: number) => Math.round(nano / 1000) / 1e6;

interface Agg {
  k: string | null;
  input: number;
  output: number;
  creation: number;
  read: number;
  usd: number;
  logged: number | null;
}

const QUARTER_MS = 15 * 60_000;
/** `YYYY-MM-DDTHH:MM`, the key of a quarter hour in `cost_rollup`. */
const quarterKey = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/**
 * The sums per group key (a quarter hour for calendar groupings) and the unpriced models:
 * whole quarter hours in the bounds from `cost_rollup`, the rest (the partial quarters at a
 * bound that is not on a quarter hour) from the ledger's rows.
 */
async function sums(
  store: Store,
  by: SummaryBy,
  since: Date | null,
  until: Date | null,
  options: SummaryOptions,
  ledgerOnly: boolean,
  timezone: string,
): Promise<{ rows: Agg[]; unpriced: string[] }> {
  const rows: Agg[] = [];
  const unpriced = new Set<string>();
  const common: string[] = [];
  const commonParams: string[] = [];
  if (options.feature) {
    common.push("feature = ?");
    commonParams.push(options.feature);
  }
  if (options.source) {
    common.push("source = ?");
    commonParams.push(options.source);
  }
  // The ledger's rows in [from, to) (either end open when null).
  const ledger = async (from: Date | null, to: Date | null) => {
    const where = [...common];
    const params: string[] = [...commonParams];
    if (from) {
      where.push("time >= ?");
      params.push(from.toISOString());
    }
    if (to) {
      where.push("time < ?");
      params.push(to.toISOString());
    }
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    rows.push(
      ...await store.all<Agg>(
        `SELECT ${COLUMN[by] ?? QUARTER} AS k, sum(input_tokens) AS input,
           sum(output_tokens) AS output, sum(cache_creation_tokens) AS creation,
           sum(cache_read_tokens) AS read, sum(${NANO("cost_usd")}) AS usd,
           sum(${NANO("logged_cost_usd")}) AS logged
         FROM cost_ledger ${filter} GROUP BY k`,
        params,
      ),
    );
    for (
      const u of await store.all<{ model: string }>(
        `SELECT DISTINCT model FROM cost_ledger ${filter}${filter ? " AND" : " WHERE"} priced = 0`,
        params,
      )
    ) unpriced.add(u.model);
  };
  if (ledgerOnly) await ledger(since, until);
  else {
    // Whole quarters: [ceil(since), floor(until)).
    const first = since ? Math.ceil(since.getTime() / QUARTER_MS) * QUARTER_MS : null;
    const last = until ? Math.floor(until.getTime() / QUARTER_MS) * QUARTER_MS : null;
    if (first !== null && last !== null && first >= last) await ledger(since, until);
    else {
      if (since && first !== since.getTime()) await ledger(since, new Date(first!));
      if (until && last !== until.getTime()) await ledger(new Date(last!), until);
      const where = [...common];
      const params: string[] = [...commonParams];
      if (first !== null) {
        where.push("quarter >= ?");
        params.push(quarterKey(first));
      }
      if (last !== null) {
        where.push("quarter < ?");
        params.push(quarterKey(last));
      }
      const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
      const column = COLUMN[by];
      // A missing feature, session or project is the key 0 in SQLite's rollup, NULL in
      // PostgreSQL's (see the cost_rollup migration).
      // In UTC a quarter's day is its UTC day: the rollup is summed per day (its first quarter
      // stands for it), not per quarter (a busy history has tens of thousands of quarters).
      const k = column
        ? (column === "model" || column === "source" || store.backend === "postgres"
          ? column
          : `CASE WHEN typeof(${column}) = 'text' THEN ${column} END`)
        : isUtc(timezone)
        ? "substr(quarter, 1, 11) || '00:00'"
        : "quarter";
      rows.push(
        ...await store.all<Agg>(
          `SELECT ${k} AS k, sum(input) AS input, sum(output) AS output,
             sum(creation) AS creation, sum(read) AS read, sum(usd) AS usd,
             CASE WHEN sum(logged_rows) > 0 THEN sum(logged) END AS logged
           FROM cost_rollup ${filter} GROUP BY k`,
          params,
        ),
      );
      for (
        const u of await store.all<{ model: string }>(
          `SELECT DISTINCT model FROM cost_rollup ${filter}${
            filter ? " AND" : " WHERE"
          } unpriced > 0`,
          params,
        )
      ) unpriced.add(u.model);
    }
  }
  return { rows, unpriced: [...unpriced].sort() };
}

/**
 * Sums the ledger by day, week, month, model, feature, session, project or source.
 *
 * @throws {BrError} `usage` for an unknown grouping, time zone or date.
 */
export function costSummary(
  project: Project,
  options: SummaryOptions = {},
): Promise<CostSummary> {
  return summarize(project, options, false);
}

/**
 * {@link costSummary} computed from the ledger's rows alone, without `cost_rollup` (the
 * reference the rollup is checked against).
 */
export function ledgerCostSummary(
  project: Project,
  options: SummaryOptions = {},
): Promise<CostSummary> {
  return summarize(project, options, true);
}

async function summarize(
  project: Project,
  options: SummaryOptions,
  ledgerOnly: boolean,
): Promise<CostSummary> {
  const by = options.by ?? "day";
  if (!SUMMARY_BY.includes(by)) {
    throw new BrError("usage", `Cannot group by "${by}"`, {
      hint: `use one of: ${SUMMARY_BY.join(", ")}`,
    });
  }
  const timezone = await resolveTimeZone(project, options.timezone);
  const since = options.since ? parseBound(options.since, timezone, false) : null;
  const until = options.until ? parseBound(options.until, timezone, true) : null;
  const store = await readStore(project);
  const { rows, unpriced } = await sums(store, by, since, until, options, ledgerOnly, timezone);
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
  return {
    by,
    timezone,
    rows: out,
    totals: sumRows(out),
    unpriced_models: unpriced,
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
    cost_usd: usdOfNano(Number(a.usd)),
    logged_cost_usd: a.logged === null ? null : usdOfNano(a.logged),
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
