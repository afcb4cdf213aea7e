/**
 * Parallel orchestration: ready features become tasks, each runs a real agent (Claude Code,
 * Codex, Aider or any command) in its own git worktree and branch under
 * `.buildrunner/worktrees/`, scheduled by the dependency graph and file claims, checked, and
 * merged back into the base branch. Runs are kept in the store, so `resumeParallel` finishes
 * a run whose `br` process was killed.
 *
 * @example
 * ```ts
 * import { initProject, openProject } from "@buildrunner/br";
 * import { parallelStatus } from "@buildrunner/br/parallel";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir });
 * const status = await parallelStatus(project);
 * assert.equal(status.run, null); // no parallel run yet
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export { cleanupParallel, pauseParallel, stopParallel } from "./_admin.ts";
export {
  listParallelRuns,
  parallelReport,
  parallelStatus,
  type ResumeOptions,
  resumeParallel,
  type RunOptions,
  runParallel,
  selectFeatures,
} from "./_run.ts";
export {
  type AgentProfile,
  BUILTIN_PROFILES,
  parseDuration,
  type SettingsOverrides,
} from "./_settings.ts";
export { type Placeholders, renderArgv, splitWords } from "./_words.ts";
export { globsOverlap } from "../core/glob.ts";
export { type AgentUsage, parseClaudeUsage, parseCodexUsage } from "./_usage.ts";
export { runWorker, type WorkerOptions } from "./_worker.ts";
export type {
  ClaimStatus,
  CleanupReport,
  InterruptedMerge,
  ParallelReport,
  ParallelStatus,
  PauseResult,
  RecoveryReport,
  RunReport,
  RunSummary,
  StopResult,
  TaskCounts,
  TaskReport,
  TaskStatus,
  WorkerReport,
  WorkerStatus,
  WorkerTaskReport,
} from "./types.ts";
