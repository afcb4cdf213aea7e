/**
 * Cost: a model catalog with current list prices, a ledger of every model call in the
 * project's store, importers of the usage logs Claude Code and Codex write, summaries, and
 * budgets with warn and stop levels.
 *
 * @example
 * ```ts
 * import { initProject, openProject } from "@buildrunner/br";
 * import { costSummary, recordUsage } from "@buildrunner/br/cost";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir });
 * await recordUsage(project, { source: "example", model: "gpt-4o", input_tokens: 1_000_000 });
 * const summary = await costSummary(project, { by: "model" });
 * assert.ok(summary.totals.cost_usd > 0);
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export {
  Catalog,
  CATALOG_CORRECTIONS,
  CATALOG_SOURCE,
  type CatalogCorrection,
  type CatalogModel,
  type ModelPrices,
  type TieredPrice,
  type TokenCounts,
  type TokenPrice,
} from "./catalog.ts";
export type { UsageEntry } from "./types.ts";
export {
  BLOCK_HOURS,
  type BlockProjection,
  type BlocksOptions,
  type BurnRate,
  costBlocks,
  type UsageBlock,
} from "./blocks.ts";
export { type StatusFigures, statusFigures, type StatusInput } from "./statusline.ts";
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
  resolveTimeZone,
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
