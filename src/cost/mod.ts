/**
 * Cost: a model catalog with current list prices, a ledger of every model call in the
 * project's store, importers of the usage logs Claude Code and Codex write, summaries, and
 * budgets with warn and stop levels.
 *
 * @example
 * ```ts
 * import { costSummary, importUsage, openProject } from "@buildrunner/br";
 * const project = await openProject();
 * await importUsage(project, { sources: ["claude-code"] });
 * const summary = await costSummary(project, { by: "model" });
 * console.log(summary.totals.cost_usd);
 * await project.close();
 * ```
 *
 * @module
 */
export {
  Catalog,
  CATALOG_SOURCE,
  type CatalogModel,
  type ModelPrices,
  type TieredPrice,
  type TokenCounts,
  type TokenPrice,
} from "./catalog.ts";
export type { UsageEntry } from "./types.ts";
export {
  type ImportOptions,
  type ImportReport,
  type ImportSource,
  importUsage,
  type SourceImportReport,
} from "./importer.ts";
export { type RecordedUsage, recordUsage, type RecordUsageInput } from "./record.ts";
export {
  type CostRow,
  type CostSummary,
  costSummary,
  type CostTotals,
  SUMMARY_BY,
  type SummaryBy,
  type SummaryOptions,
} from "./summary.ts";
export {
  type Budget,
  BUDGET_PERIODS,
  type BudgetCheck,
  type BudgetPeriod,
  type BudgetStatus,
  checkBudgets,
  listBudgets,
  removeBudget,
  setBudget,
  type SetBudgetOptions,
} from "./budgets.ts";
export { type CatalogEntry, listCatalog, requireModel } from "./catalog_api.ts";
