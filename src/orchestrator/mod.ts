/**
 * Parallel orchestration: ready features become tasks, each runs a real agent (Claude Code,
 * Codex, Aider or any command) in its own git worktree and branch under
 * `.buildrunner/worktrees/`, scheduled by the dependency graph and file claims, checked, and
 * merged back into the base branch. Runs are kept in the store, so `resumeParallel` finishes
 * a run whose `br` process was killed.
 *
 * @example
 * ```ts ignore
 * import { openProject } from "../core/project.ts";
 * import { parallelStatus, runParallel } from "./mod.ts";
 *
 * const project = await openProject();
 * const report = await runParallel(project, { workers: 4, agentCommand: "my-agent {prompt_file}" });
 * console.log(report.run?.counts);
 * console.log((await parallelStatus(project)).tasks.map((t) => `${t.feature}: ${t.state}`));
 * await project.close();
 * ```
 *
 * @module
 */
export { cleanupParallel, pauseParallel, stopParallel } from "./_admin.ts";
export {
  listParallelRuns,
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
export { globsOverlap } from "./_claims.ts";
export { type AgentUsage, parseClaudeUsage, parseCodexUsage } from "./_usage.ts";
export type {
  ClaimStatus,
  CleanupReport,
  ParallelStatus,
  PauseResult,
  RecoveryReport,
  RunReport,
  RunSummary,
  StopResult,
  TaskCounts,
  TaskStatus,
  WorkerStatus,
} from "./types.ts";
