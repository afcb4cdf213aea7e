/**
 * BuildRunner as a library: open a project, read and change its features, and generate its
 * status report, with the same rules and records as the `br` command line. The other
 * capabilities have their own entry points: `@buildrunner/br/spec`, `/security`, `/quality`,
 * `/hooks`, `/telemetry`, `/cost`, `/routing`, `/design`, `/parallel`, `/mcp` and `/plugin`.
 *
 * @example
 * ```ts
 * import { addFeature, initProject, openProject, projectStatus } from "@buildrunner/br";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir });
 * await addFeature(project, { name: "Login", acceptance: ["A user can log in"] });
 * const status = await projectStatus(project);
 * assert.equal(status.metrics.features_total, 1);
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * Run as a program (`deno run -A jsr:@buildrunner/br <command>`), it is the `br` command line.
 *
 * @module
 */
export {
  endSession,
  openSession as openProject,
  type SessionOptions,
  type SessionOutcome,
} from "./src/project/session.ts";
export {
  attachProject,
  type Detection,
  detectProject,
  exportTaskMaster,
  importTaskMaster,
  initProject,
  type MirroredField,
  type SetupOptions,
  type SetupResult,
  type TmConflict,
  type TmExportResult,
  type TmImportResult,
} from "./src/project/mod.ts";
export {
  type Clock,
  type OpenProjectOptions,
  type Project,
  type ProjectPaths,
} from "./src/core/project.ts";
export {
  BrError,
  type BrErrorCode,
  type BrErrorOptions,
  ExitCode,
  type ExitCodeValue,
  isBrError,
} from "./src/core/errors.ts";
export {
  type BrEvent,
  type BuildPayload,
  EVENT_TYPES,
  type EventBus,
  type EventHandler,
  type EventMeta,
  type EventPayloads,
  type EventType,
  type FeatureTransition,
  type FieldChange,
  type GatePayload,
  type HandlerFailure,
  type SpecPayload,
  type TaskPayload,
  type VetoHandler,
  type WorkerPayload,
} from "./src/core/events.ts";
export type { Config, ConfigEntry, ConfigSource, ConfigTree } from "./src/core/config.ts";
export type {
  RunResult,
  SqlParams,
  SqlValue,
  Store,
  StoreBackend,
  StoreChoice,
  StoreQueries,
  StoreTx,
} from "./src/core/store.ts";
export {
  addFeature,
  type AddFeatureInput,
  assertValidGraph,
  type Blocker,
  dependenciesComplete,
  dependencyWaves,
  type Feature,
  type FeatureMetrics,
  type FeaturePatch,
  type FeaturePriority,
  type FeaturesFile,
  type FeatureStatus,
  findCycle,
  findFeature,
  type GenerateResult,
  generateStatus,
  type GraphNode,
  ID_RULE,
  idProblem,
  loadFeatures,
  mutateFeatures,
  nextFeature,
  openDependencies,
  parseFeaturesText,
  PRIORITIES,
  projectStatus,
  readyFeatures,
  removeFeature,
  renderStatusMarkdown,
  serializeFeatures,
  setFeatureStatus,
  slugify,
  STATUSES,
  type StatusOptions,
  type StatusSummary,
  type StatusView,
  statusView,
  updateFeature,
} from "./src/features/mod.ts";

// `deno run jsr:@buildrunner/br` runs this module: start the command line, loaded only then.
if (import.meta.main) await (await import("./main.ts")).main();
