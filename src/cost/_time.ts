import { BrError } from "../core/errors.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Names of UTC, handled without a formatter: the first `Intl` call of a process costs the
 * start-up of ICU (about 10 ms), which a summary in UTC never needs.
 */
const UTC = new Set(["UTC", "Etc/UTC"]);

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

/**
 * Checks a time zone name and returns it.
 *
 * @throws {BrError} `usage` for an unknown zone.
 */
export function checkTimeZone(tz: string): string {
  if (UTC.has(tz)) return tz;
  try {
    formatter(tz);
    return tz;
  } catch {
    throw new BrError("usage", `Unknown time zone "${tz}"`, {
      hint: 'use an IANA name such as "UTC" or "Europe/Berlin"',
    });
  }
}

/** Whether `tz` names UTC (its offset is always 0). */
export function isUtc(tz: string): boolean {
  return UTC.has(tz);
}

/** The default time zone: `TZ` when set, else the system's. */
export function defaultTimeZone(env: Record<string, string | undefined>): string {
  const tz = env.TZ?.trim();
  if (tz) return checkTimeZone(tz.replace(/^:/, ""));
  return systemUtc() ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** `UTC` when `/etc/localtime` links to UTC's zone file (as `Intl` would also say), else null. */
function systemUtc(): string | null {
  try {
    if (Deno.permissions.querySync({ name: "read", path: "/etc/localtime" }).state !== "granted") {
      return null;
    }
    return /\/zoneinfo\/(?:Etc\/)?UTC$/.test(Deno.readLinkSync("/etc/localtime")) ? "UTC" : null;
  } catch {
    return null;
  }
}

/** Wall-clock fields of `date` in `tz`. */
export function wallClock(
  date: Date,
  tz: string,
): { y: number; m: number; d: number; h: number; min: number; s: number } {
  if (UTC.has(tz)) {
    return {
      y: date.getUTCFullYear(),
      m: date.getUTCMonth() + 1,
      d: date.getUTCDate(),
      h: date.getUTCHours(),
      min: date.getUTCMinutes(),
      s: date.getUTCSeconds(),
    };
  }
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(date)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return {
    y: parts.year,
    m: parts.month,
    d: parts.day,
    h: parts.hour,
    min: parts.minute,
    s: parts.second,
  };
}

/** The offset of `tz` from UTC at `date`, in ms (local = UTC + offset). */
export function offsetMs(date: Date, tz: string): number {
  const w = wallClock(date, tz);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s);
  return asUtc - (date.getTime() - date.getMilliseconds());
}

/** The instant at which the wall clock of `tz` shows `y-m-d h:min`. */
export function zonedTime(y: number, m: number, d: number, tz: string, h = 0, min = 0): Date {
  const guess = Date.UTC(y, m - 1, d, h, min);
  let t = guess - offsetMs(new Date(guess), tz);
  t = guess - offsetMs(new Date(t), tz);
  return new Date(t);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `YYYY-MM-DD` of a calendar date. */
export function dayKey(y: number, m: number, d: number): string {
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** ISO week `YYYY-Www` of a calendar date. */
export function isoWeekKey(y: number, m: number, d: number): string {
  const date = new Date(Date.UTC(y, m - 1, d));
  const dow = (date.getUTCDay() + 6) % 7; // Monday = 0
  date.setUTCDate(date.getUTCDate() - dow + 3); // Thursday of this week
  const year = date.getUTCFullYear();
  const week = 1 + Math.floor((date.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${pad(week)}`;
}

/** The calendar period keys of an instant in `tz`. */
export function periodKeys(date: Date, tz: string): { day: string; week: string; month: string } {
  const w = wallClock(date, tz);
  return {
    day: dayKey(w.y, w.m, w.d),
    week: isoWeekKey(w.y, w.m, w.d),
    month: `${pad(w.y, 4)}-${pad(w.m)}`,
  };
}

/** The window `[start, end)` of the day, ISO week or month holding `now` in `tz`. */
export function periodWindow(
  period: "daily" | "weekly" | "monthly",
  now: Date,
  tz: string,
): { start: Date; end: Date; key: string } {
  const w = wallClock(now, tz);
  if (period === "daily") {
    const start = zonedTime(w.y, w.m, w.d, tz);
    const next = new Date(Date.UTC(w.y, w.m - 1, w.d + 1));
    const end = zonedTime(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz);
    return { start, end, key: dayKey(w.y, w.m, w.d) };
  }
  if (period === "monthly") {
    const start = zonedTime(w.y, w.m, 1, tz);
    const next = new Date(Date.UTC(w.y, w.m, 1));
    const end = zonedTime(next.getUTCFullYear(), next.getUTCMonth() + 1, 1, tz);
    return { start, end, key: `${pad(w.y, 4)}-${pad(w.m)}` };
  }
  const dow = (new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(w.y, w.m - 1, w.d - dow));
  const nextMonday = new Date(Date.UTC(w.y, w.m - 1, w.d - dow + 7));
  return {
    start: zonedTime(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), tz),
    end: zonedTime(
      nextMonday.getUTCFullYear(),
      nextMonday.getUTCMonth() + 1,
      nextMonday.getUTCDate(),
      tz,
    ),
    key: isoWeekKey(w.y, w.m, w.d),
  };
}

/**
 * Parses a `--since`/`--until` value: `YYYY-MM-DD` (or `YYYYMMDD`) is a day in `tz`, anything
 * else must be an ISO date-time. `end` makes a day mean its end (the start of the next day).
 *
 * @throws {BrError} `usage` for a value that is not a date.
 */
export function parseBound(raw: string, tz: string, end: boolean): Date {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(raw.trim());
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const day = new Date(Date.UTC(y, mo - 1, d + (end ? 1 : 0)));
    return zonedTime(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), tz);
  }
  const t = new Date(raw);
  if (Number.isNaN(t.getTime())) {
    throw new BrError("usage", `Cannot read "${raw}" as a date`, {
      hint: "use YYYY-MM-DD or an ISO date-time such as 2026-11-25T14:00:00Z",
    });
  }
  return t;
}
