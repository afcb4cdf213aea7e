/** Periods and durations of the telemetry commands. */
import { BrError } from "../core/errors.ts";
import { HOUR_MS } from "../core/event_log.ts";

/** A summary period. */
export type Period = "day" | "week" | "month" | "all";

/** The periods, shortest first. */
export const PERIODS: readonly Period[] = ["day", "week", "month", "all"];

const PERIOD_MS: Record<Exclude<Period, "all">, number> = {
  day: 24 * HOUR_MS,
  week: 7 * 24 * HOUR_MS,
  month: 30 * 24 * HOUR_MS,
};

/**
 * The first hour a period covers: the start of the hour that holds `now - period`, so that
 * whole hourly rollups answer it. `null` for `all`.
 */
export function periodStart(period: Period, now: Date): Date | null {
  if (period === "all") return null;
  const ms = now.getTime() - PERIOD_MS[period];
  return new Date(Math.floor(ms / HOUR_MS) * HOUR_MS);
}

/**
 * Checks a period name.
 *
 * @throws {BrError} `usage` for an unknown one.
 */
export function parsePeriod(raw: string | undefined, fallback: Period = "week"): Period {
  if (raw === undefined) return fallback;
  if ((PERIODS as readonly string[]).includes(raw)) return raw as Period;
  throw new BrError("usage", `Unknown period "${raw}"`, {
    hint: `use one of ${PERIODS.join(", ")}`,
  });
}

const UNITS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: HOUR_MS,
  d: 24 * HOUR_MS,
  w: 7 * 24 * HOUR_MS,
};

/**
 * Parses a duration such as `90d`, `12h`, `30m`, `2w` into milliseconds.
 *
 * @throws {BrError} `usage` when it is not one.
 */
export function parseDuration(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(raw.trim());
  if (!m) {
    throw new BrError("usage", `Cannot read "${raw}" as a duration`, {
      hint: "write a number and a unit: 30m, 12h, 7d, 2w",
    });
  }
  return Number(m[1]) * UNITS[m[2]];
}

/**
 * Parses `--since`: a duration back from `now` (`7d`) or a date/time (`2026-11-01`,
 * `2026-11-01T12:00:00Z`).
 *
 * @throws {BrError} `usage` when it is neither.
 */
export function parseSince(raw: string, now: Date): Date {
  if (/^\d+(?:\.\d+)?\s*[smhdw]$/.test(raw.trim())) {
    return new Date(now.getTime() - parseDuration(raw));
  }
  const t = Date.parse(raw);
  if (Number.isNaN(t)) {
    throw new BrError("usage", `Cannot read "${raw}" as a time`, {
      hint: "use a duration (7d, 12h) or a date (2026-11-01)",
    });
  }
  return new Date(t);
}
