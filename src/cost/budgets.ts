import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
import { round } from "./ledger.ts";
import { resolveTimeZone } from "./summary.ts";
import { periodWindow } from "./_time.ts";

/** The window a budget covers. */
export type BudgetPeriod = "daily" | "weekly" | "monthly" | "total";

/** The periods, in help order. */
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ["daily", "weekly", "monthly", "total"];

/** A budget as stored. */
export interface Budget {
  /** Name: the period, or `<period>:<feature>` for a feature's budget. */
  name: string;
  /** The window. */
  period: BudgetPeriod;
  /** The feature it limits, or `null` for all spending. */
  feature: string | null;
  /** The stop level in USD. */
  limit_usd: number;
  /** The warn level in percent of the limit. */
  warn_pct: number;
}

/** Options of {@link setBudget}. */
export interface SetBudgetOptions {
  /** The window. */
  period: BudgetPeriod | string;
  /** Stop level in USD. */
  limit_usd: number;
  /** Warn level in percent of the limit (default `cost.budget_warn_pct`, 80). */
  warn_pct?: number;
  /** Limit only this feature's spending. */
  feature?: string | null;
}

/** The state of one budget now. */
export interface BudgetStatus extends Budget {
  /** USD spent in the current window. */
  spent_usd: number;
  /** `ok`, `warn` (spent ≥ warn % of the limit) or `stop` (spent ≥ limit). */
  level: "ok" | "warn" | "stop";
  /** The current window (`YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM`, or `total`). */
  window: string;
}

/** Result of {@link checkBudgets}. */
export interface BudgetCheck {
  /** The worst level over all budgets. */
  level: "ok" | "warn" | "stop";
  /** The budgets at warn or stop, sorted by name. */
  alerts: BudgetStatus[];
  /** Every budget checked, sorted by name. */
  budgets: BudgetStatus[];
}

function budgetName(period: string, feature: string | null | undefined): string {
  return feature ? `${period}:${feature}` : period;
}

/**
 * Creates or replaces a budget.
 *
 * @throws {BrError} `usage` for an unknown period, a limit that is not positive or a warn
 * level outside 0–100.
 */
export async function setBudget(project: Project, options: SetBudgetOptions): Promise<Budget> {
  if (!BUDGET_PERIODS.includes(options.period as BudgetPeriod)) {
    throw new BrError("usage", `Unknown budget period "${options.period}"`, {
      hint: `use one of: ${BUDGET_PERIODS.join(", ")}`,
    });
  }
  if (!Number.isFinite(options.limit_usd) || options.limit_usd <= 0) {
    throw new BrError(
      "usage",
      `Budget limit must be a positive number of USD, got "${options.limit_usd}"`,
      { hint: `give the limit in USD above 0, e.g. "br cost budget set ${options.period} 20"` },
    );
  }
  await import("./config.ts");
  const warn = options.warn_pct ??
    (await project.config()).get<number>("cost.budget_warn_pct") ?? 80;
  if (!Number.isFinite(warn) || warn < 0 || warn > 100) {
    throw new BrError("usage", `Warn level must be a percentage from 0 to 100, got "${warn}"`, {
      hint: options.warn_pct === undefined
        ? 'fix cost.budget_warn_pct with "br config set cost.budget_warn_pct 80"'
        : "pass --warn with a number from 0 to 100, e.g. --warn 80",
    });
  }
  // A budget for a feature that does not exist would never be spent against.
  if (options.feature) {
    const { findFeature, loadFeatures } = await import("../features/mod.ts");
    findFeature(await loadFeatures(project), options.feature);
  }
  const budget: Budget = {
    name: budgetName(options.period, options.feature),
    period: options.period as BudgetPeriod,
    feature: options.feature || null,
    limit_usd: options.limit_usd,
    warn_pct: warn,
  };
  const store = await project.store();
  await store.run(
    `INSERT INTO cost_budgets (name, period, feature, limit_usd, warn_pct, last_level, last_window, updated_at)
     VALUES (?, ?, ?, ?, ?, NULL, NULL, ?)
     ON CONFLICT(name) DO UPDATE SET period = excluded.period, feature = excluded.feature,
       limit_usd = excluded.limit_usd, warn_pct = excluded.warn_pct, last_level = NULL,
       last_window = NULL, updated_at = excluded.updated_at`,
    [
      budget.name,
      budget.period,
      budget.feature,
      budget.limit_usd,
      budget.warn_pct,
      project.clock.now().toISOString(),
    ],
  );
  return budget;
}

/**
 * Removes a budget by name.
 *
 * @throws {BrError} `not_found` when there is no such budget.
 */
export async function removeBudget(project: Project, name: string): Promise<void> {
  const store = await project.store();
  const res = await store.run("DELETE FROM cost_budgets WHERE name = ?", [name]);
  if (res.changes === 0) {
    throw new BrError("not_found", `Cannot find budget "${name}"`, {
      hint: 'run "br cost budget list" to see names',
    });
  }
}

/** Every budget, sorted by name. */
export async function listBudgets(project: Project): Promise<Budget[]> {
  const store = await readStore(project);
  return await store.all<Budget>(
    "SELECT name, period, feature, limit_usd, warn_pct FROM cost_budgets ORDER BY name",
  );
}

/**
 * Checks the budgets against the ledger: spending in each budget's current window (days,
 * weeks and months in `cost.timezone`, else `TZ`, else local), level `warn` at the warn
 * percentage and `stop` at the limit. With `feature`, only the budgets that apply to it
 * (those without a feature and that feature's own). Emits `budget.alert` when a budget
 * reaches a higher level in its window than it had reached before (not with `quiet`, which
 * only reads).
 */
export async function checkBudgets(
  project: Project,
  options: { feature?: string | null; quiet?: boolean } = {},
): Promise<BudgetCheck> {
  // Without br.db there are no budgets, so nothing below writes.
  const store = await readStore(project);
  const all = await store.all<Budget & { last_level: string | null; last_window: string | null }>(
    `SELECT name, period, feature, limit_usd, warn_pct, last_level, last_window FROM cost_budgets
     ORDER BY name`,
  );
  const budgets = options.feature
    ? all.filter((b) => !b.feature || b.feature === options.feature)
    : all;
  if (!budgets.length) return { level: "ok", alerts: [], budgets: [] };
  const tz = await resolveTimeZone(project);
  const now = project.clock.now();
  const statuses: BudgetStatus[] = [];
  for (const b of budgets) {
    const where: string[] = [];
    const params: string[] = [];
    let window = "total";
    if (b.period !== "total") {
      const w = periodWindow(b.period, now, tz);
      where.push("time >= ?", "time < ?");
      params.push(w.start.toISOString(), w.end.toISOString());
      window = w.key;
    }
    if (b.feature) {
      where.push("feature = ?");
      params.push(b.feature);
    }
    const row = await store.get<{ usd: number | null }>(
      `SELECT sum(cost_usd) AS usd FROM cost_ledger ${
        where.length ? "WHERE " + where.join(" AND ") : ""
      }`,
      params,
    );
    const spent = round(Number(row?.usd ?? 0));
    const level = spent >= b.limit_usd
      ? "stop"
      : spent >= (b.limit_usd * b.warn_pct) / 100
      ? "warn"
      : "ok";
    statuses.push({
      name: b.name,
      period: b.period,
      feature: b.feature,
      limit_usd: b.limit_usd,
      warn_pct: b.warn_pct,
      spent_usd: spent,
      level,
      window,
    });
    const before = b.last_window === window ? rank(b.last_level) : 0;
    if (!options.quiet && (rank(level) !== before || b.last_window !== window)) {
      if (rank(level) > before) {
        project.bus.emit("budget.alert", {
          budget: b.name,
          spent,
          limit: b.limit_usd,
          level: level as "warn" | "stop",
        }, {
          feature: b.feature,
        });
      }
      await store.run("UPDATE cost_budgets SET last_level = ?, last_window = ? WHERE name = ?", [
        level,
        window,
        b.name,
      ]);
    }
  }
  const alerts = statuses.filter((s) => s.level !== "ok");
  const worst = statuses.reduce((m, s) => Math.max(m, rank(s.level)), 0);
  return { level: worst === 2 ? "stop" : worst === 1 ? "warn" : "ok", alerts, budgets: statuses };
}

function rank(level: string | null): number {
  return level === "stop" ? 2 : level === "warn" ? 1 : 0;
}
