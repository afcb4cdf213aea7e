/**
 * BuildRunner as a library: open a project, read and change its features, and generate
 * its status report — the same functions the `br` command line calls.
 *
 * @example
 * ```ts
 * import { addFeature, initProject, openProject, projectStatus } from "@buildrunner/br";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir });
 * await addFeature(project, { name: "Login", acceptance: ["A user can log in"] });
 * const status = await projectStatus(project);
 * console.log(status.metrics.features_total); // 1
 * await project.close();
 * ```
 *
 * @module
 */
export * from "./src/core/mod.ts";
export * from "./src/features/mod.ts";
export * from "./src/project/mod.ts";
export * from "./src/security/mod.ts";
export * from "./src/spec/mod.ts";
export * from "./src/telemetry/mod.ts";
export * from "./src/routing/mod.ts";
export * from "./plugin.ts";
export {
  type ClaimStatus,
  cleanupParallel,
  type CleanupReport,
  type InterruptedMerge,
  listParallelRuns,
  type ParallelStatus,
  parallelStatus,
  type RecoveryReport,
  type ResumeOptions,
  resumeParallel,
  type RunOptions,
  runParallel,
  type RunReport,
  type RunSummary,
  type SettingsOverrides,
  stopParallel,
  type StopResult,
  type TaskCounts,
  type TaskStatus,
  type WorkerStatus,
} from "./src/orchestrator/mod.ts";
export * from "./src/cost/mod.ts";
export * from "./src/quality/mod.ts";
export * from "./src/hooks/mod.ts";
export * from "./src/design/mod.ts";
