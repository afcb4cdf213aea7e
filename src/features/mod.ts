/**
 * Features: the `features.json` registry, its dependency graph, metrics and `STATUS.md`.
 *
 * @module
 */
export {
  addFeature,
  type AddFeatureInput,
  computeMetrics,
  dependencyNote,
  emptyFeaturesFile,
  type FeatureDetail,
  featureDetail,
  type FeaturePatch,
  findFeature,
  loadFeatures,
  mutateFeatures,
  parseFeaturesText,
  parsePriority,
  parseStatus,
  removeFeature,
  saveFeatures,
  serializeFeatures,
  setFeatureStatus,
  splitNotedDependency,
  type StatusOptions,
  updateFeature,
} from "./registry.ts";
export {
  assertValidGraph,
  dependenciesComplete,
  dependencyWaves,
  findCycle,
  type GraphNode,
  isParked,
  nextFeature,
  openDependencies,
  readyFeatures,
} from "./graph.ts";
export { ID_RULE, idProblem, slugify } from "./ids.ts";
export {
  type Blocker,
  type GenerateResult,
  generateStatus,
  projectStatus,
  statusMarkdown,
  type StatusSummary,
  type StatusView,
  statusView,
} from "./status.ts";
export { renderStatusMarkdown, summarize } from "./status_render.ts";
export {
  type Feature,
  type FeatureMetrics,
  type FeaturePriority,
  type FeaturesFile,
  type FeatureStatus,
  PARKED,
  type ParkedReason,
  PRIORITIES,
  STATUSES,
} from "./types.ts";
