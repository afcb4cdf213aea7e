/**
 * The cost figures of the telemetry summary and the daily-cost alert, read from the cost
 * ledger by the time of each call (not from `cost.recorded` events by the time they were
 * emitted, which would put imported old logs into the last day).
 */
import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";

/** Ledger cost of a period: total USD and calls, and per model (most expensive first). */
export interface LedgerCost {
  /** USD of the calls in the period. */
  usd: number;
  /** Ledger rows (model calls) in the period. */
  calls: number;
  /** Per model as the ledger names it, sorted by USD (descending), then model. */
  by_model: { model: string; usd: number; calls: number }[];
}

/**
 * The ledger's cost of the calls made in `[since, now]` (`since` null = from the start), by
 * {@link costSummary} of `src/cost/`. Zero without a `br.db` (nothing is created).
 */
export async function ledgerCost(
  project: Project,
  since: Date | null,
  now: Date,
): Promise<LedgerCost> {
  const { costSummary } = await import("../cost/mod.ts");
  // `until` is exclusive: the instant `now` itself counts.
  const until = new Date(now.getTime() + 1).toISOString();
  const from = since?.toISOString();
  const summary = await costSummary(project, { by: "model", since: from, until });
  const store = await readStore(project);
  const counts = await store.all<{ model: string; calls: number }>(
    "SELECT model, count(*) AS calls FROM cost_ledger WHERE time >= ? AND time < ? GROUP BY model",
    [from ?? "", until],
  );
  const callsOf = new Map(counts.map((c) => [c.model, Number(c.calls)]));
  const by_model = summary.rows.map((r) => ({
    model: r.key ?? "",
    usd: r.cost_usd,
    calls: callsOf.get(r.key ?? "") ?? 0,
  })).sort((a, b) => b.usd - a.usd || a.model.localeCompare(b.model));
  return {
    usd: summary.totals.cost_usd,
    calls: by_model.reduce((n, m) => n + m.calls, 0),
    by_model,
  };
}
