/**
 * Routing: estimates how complex a piece of work is (with the reasons), selects a model for
 * it under cost, provider and context constraints, learns from recorded outcomes, and keeps
 * fallback chains.
 *
 * @example
 * ```ts
 * import { estimateComplexity } from "@buildrunner/br/routing";
 * import assert from "node:assert/strict";
 *
 * const estimate = estimateComplexity({ text: "Fix typo in README" });
 * assert.equal(estimate.level, "simple");
 * ```
 *
 * @module
 */
export {
  type Estimate,
  estimateComplexity,
  type EstimateInput,
  type HistoryItem,
  type Level,
  levelOf,
  LEVELS,
  type Reason,
} from "./estimate.ts";
export {
  type PriceSource,
  ROUTING_PROFILES,
  type RoutingModel,
  routingModels,
  type RoutingProfile,
  taskCost,
} from "./models.ts";
export {
  type ComplexityReport,
  estimate as estimateTask,
  listModels,
  type ModelRecord,
  type OutcomeRecord,
  type OutcomeResult,
  type OutcomeRow,
  parseLevel,
  recordOutcome,
  RESULTS,
} from "./routing.ts";
export {
  type Candidate,
  recordFallback,
  type Selection,
  selectModel,
  type SelectOptions,
} from "./select.ts";
