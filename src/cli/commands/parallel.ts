import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags, jsonFlag, projectFlag } from "../output.ts";
import { textFlag } from "../flags.ts";

const int = (brief: string, placeholder = "n") =>
  ({ kind: "parsed", parse: parseCount, brief, optional: true, placeholder }) as const;
const runArg = {
  kind: "tuple",
  parameters: [{
    brief: "Run id (default: the newest)",
    parse: String,
    placeholder: "run",
    optional: true,
  }],
} as const;

const allowPartialFlag = {
  kind: "boolean",
  brief: "Exit 0 even when a task ends in review, failed, conflict or skipped",
  optional: true,
} as const;

const databaseFlag = textFlag(
  "Store of this command: a postgres:// URL shared by coordinator and workers (as BR_DATABASE_URL)",
  "url",
);

function parseCount(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number, got "${raw}"`);
  return n;
}

function parseUsd(raw: string): number {
  const n = Number(raw.replace(/^\$/, ""));
  if (!Number.isFinite(n) || n < 0) throw new Error(`expected an amount in USD, got "${raw}"`);
  return n;
}

/** The `br parallel ...` commands. */
export const parallelRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    run: command({
      load: async () => (await import("./parallel_run.ts")).run,
      brief: "Run ready features in parallel, one agent per git worktree (alias: start)",
      parameters: {
        flags: {
          ...commonFlags,
          workers: int("Concurrent agents (default parallel.workers)"),
          features: textFlag("Only these feature ids, comma-separated", "a,b"),
          allReady: {
            kind: "boolean",
            brief: "Every planned feature whose dependencies are complete or in the run (default)",
            optional: true,
          },
          agent: textFlag(
            "Agent profile: claude, codex, aider or one from parallel.agents",
            "profile",
          ),
          agentCommand: textFlag(
            "Agent argv template, e.g. 'my-agent --task {prompt_file}'",
            "argv",
          ),
          timeout: textFlag("Per-attempt timeout, e.g. 30m (default parallel.timeout)", "duration"),
          retries: int("Retries of a failed or timed-out agent (default parallel.retries)"),
          maxCost: {
            kind: "parsed",
            parse: parseUsd,
            brief: "Start no more tasks once the run has cost this many USD",
            optional: true,
            placeholder: "usd",
          },
          base: textFlag(
            "Branch to branch from and merge into (default: the current branch)",
            "branch",
          ),
          noMerge: {
            kind: "boolean",
            brief: "Leave finished branches for review instead of merging",
            optional: true,
          },
          allowPartial: allowPartialFlag,
          database: databaseFlag,
          remote: textFlag(
            "Run the agents on workers (br parallel worker) that push to this git remote; needs --database",
            "name",
          ),
        },
      },
    }),
    worker: command({
      load: async () => (await import("./parallel_run.ts")).worker,
      brief: "Claim tasks of a run started with --remote and run their agents in this clone",
      parameters: {
        flags: {
          ...commonFlags,
          database: databaseFlag,
          remote: textFlag("Git remote to push task branches to (default origin)", "name"),
          once: { kind: "boolean", brief: "Stop after one task", optional: true },
          maxTasks: int("Stop after this many tasks"),
          lease: textFlag(
            "How long a claim holds without renewal; then another worker retries the task (default 60s)",
            "duration",
          ),
          agent: textFlag("Agent profile (must be the run's)", "profile"),
          agentCommand: textFlag(
            "Agent argv template (required, the same, when the run was started with one)",
            "argv",
          ),
        },
        positional: runArg,
      },
    }),
    resume: command({
      load: async () => (await import("./parallel_run.ts")).resume,
      brief: "Continue a paused or stopped run, or a run whose br process was killed",
      parameters: { flags: { ...commonFlags, allowPartial: allowPartialFlag }, positional: runArg },
    }),
    pause: command({
      load: async () => (await import("./parallel_run.ts")).pause,
      brief: "Start no new task (running ones finish); parallel resume goes on",
      parameters: { flags: commonFlags, positional: runArg },
    }),
    status: command({
      load: async () => (await import("./parallel_run.ts")).status,
      brief: "Tasks, workers and claims of a run",
      parameters: { flags: { ...commonFlags, database: databaseFlag }, positional: runArg },
    }),
    report: command({
      load: async () => (await import("./parallel_run.ts")).report,
      brief: "Summary of a run: per task outcome, duration, attempts, cost, gates, merge commit",
      parameters: {
        flags: {
          ...commonFlags,
          format: textFlag("Output format: text, json or markdown (--json = json)", "format"),
        },
        positional: runArg,
      },
    }),
    list: command({
      load: async () => (await import("./parallel_run.ts")).list,
      brief: "Every run, newest first",
      parameters: { flags: commonFlags },
    }),
    dashboard: command({
      load: async () => (await import("./parallel_run.ts")).dashboard,
      brief: "Live view of the workers (plain lines when piped)",
      parameters: {
        flags: {
          project: projectFlag,
          json: { ...jsonFlag, brief: "Print one view as JSON (as parallel status) and exit" },
          interval: textFlag("Refresh interval (default 1s)", "duration"),
          once: { kind: "boolean", brief: "Print one view and exit", optional: true },
        },
        positional: runArg,
      },
    }),
    stop: command({
      load: async () => (await import("./parallel_run.ts")).stop,
      brief: "Stop a run: agents killed, unfinished tasks cancelled",
      parameters: { flags: commonFlags, positional: runArg },
    }),
    cleanup: command({
      load: async () => (await import("./parallel_run.ts")).cleanup,
      brief: "Remove worktrees of finished tasks and merged task branches",
      parameters: {
        flags: {
          ...commonFlags,
          force: {
            kind: "boolean",
            brief: "Also remove worktrees with uncommitted changes",
            optional: true,
          },
        },
      },
    }),
  },
  // BuildRunner 3.1 named it "parallel start".
  aliases: { start: "run" },
  docs: { brief: "Run agents in parallel git worktrees, scheduled by the feature graph" },
});
