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
  /**
   * Per model under its catalog id (a dated or prefixed name and the routing id are one row;
   * a name the catalog does not know stays as written), sorted by USD (descending), then model.
   */
  by_model: { model: string; usd: number; calls: number }[];
  /** The row name of a model name (its catalog id, or the name itself). */
  modelId: (name: string) => string;
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
  const [{ costSummary }, { projectCatalog }] = await Promise.all([
    import("../cost/mod.ts"),
    import("../cost/ledger.ts"),
  ]);
  const catalog = await projectCatalog(project);
  const modelId = (name: string) => catalog.resolve(name)?.id ?? name;
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
  const merged = new Map<string, { model: string; usd: number; calls: number }>();
  for (const r of summary.rows) {
    const model = modelId(r.key ?? "");
    const m = merged.get(model) ?? { model, usd: 0, calls: 0 };
    m.usd = Math.round((m.usd + r.cost_usd) * 1e6) / 1e6;
    m.calls += callsOf.get(r.key ?? "") ?? 0;
    merged.set(model, m);
  }
  const by_model = [...merged.values()]
    .sort((a, b) => b.usd - a.usd || a.model.localeCompare(b.model));
  return {
    usd: summary.totals.cost_usd,
    calls: by_model.reduce((n, m) => n + m.calls, 0),
    by_model,
    modelId,
  };
}
