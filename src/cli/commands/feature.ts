import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const str = (brief: string, placeholder = "value") =>
  ({ kind: "parsed", parse: String, brief, optional: true, placeholder }) as const;
const statusFlag = (brief: string) => ({
  ...str(brief, "status"),
  proposeCompletions: completeWith("status"),
});
const list = (brief: string, placeholder = "value") =>
  ({ kind: "parsed", parse: String, brief, optional: true, variadic: true, placeholder }) as const;
const idArg = {
  kind: "tuple",
  parameters: [{
    brief: "Feature id",
    parse: String,
    placeholder: "id",
    proposeCompletions: completeWith("feature"),
  }],
} as const;
const common = { project: projectFlag, json: jsonFlag } as const;

const fieldFlags = {
  description: str("Description", "text"),
  priority: {
    ...str("Priority: critical, high, medium, low", "priority"),
    proposeCompletions: completeWith("priority"),
  },
  dependsOn: {
    ...str("Ids it depends on, comma-separated", "a,b"),
    proposeCompletions: completeWith("features"),
  },
  acceptance: list("An acceptance criterion (repeatable)", "text"),
  files: list("A glob of where the work lives (repeatable)", "glob"),
  tag: list("A tag (repeatable)", "tag"),
  week: {
    kind: "parsed",
    parse: parseWeek,
    brief: "Planned week",
    optional: true,
    placeholder: "n",
  },
  build: str("Build label, such as 1A", "label"),
  owner: str("Owner", "name"),
} as const;

function parseWeek(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a whole number, got "${raw}"`);
  return n;
}

/** The `br feature ...` commands. */
export const featureRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    add: command({
      load: async () => (await import("./feature_run.ts")).add,
      brief: "Add a feature",
      parameters: {
        flags: {
          ...common,
          id: str("Id (default: slug of the name)", "id"),
          status: statusFlag("Status: planned, in_progress, testing, blocked, complete"),
          reason: str("Blocked reason (with --status blocked)", "text"),
          ...fieldFlags,
        },
        positional: {
          kind: "tuple",
          parameters: [{ brief: "Feature name", parse: String, placeholder: "name" }],
        },
      },
    }),
    list: command({
      load: async () => (await import("./feature_run.ts")).list,
      brief: "List features",
      parameters: {
        flags: {
          ...common,
          status: statusFlag("Only this status"),
          priority: str("Only this priority", "priority"),
          tag: str("Only features with this tag", "tag"),
        },
      },
    }),
    show: command({
      load: async () => (await import("./feature_run.ts")).show,
      brief: "Show one feature",
      parameters: { flags: common, positional: idArg },
    }),
    update: command({
      load: async () => (await import("./feature_run.ts")).update,
      brief: "Change fields of a feature (lists given replace the old ones)",
      parameters: {
        flags: {
          ...common,
          name: str("New name", "name"),
          status: statusFlag("New status (same rules as start/complete/block)"),
          reason: str("Reason (with --status blocked)", "text"),
          force: {
            kind: "boolean",
            brief: "With --status complete: skip the dependency check",
            optional: true,
          },
          ...fieldFlags,
        },
        positional: idArg,
      },
    }),
    start: command({
      load: async () => (await import("./feature_run.ts")).start,
      brief: "Mark a feature in progress",
      parameters: { flags: common, positional: idArg },
    }),
    complete: command({
      load: async () => (await import("./feature_run.ts")).complete,
      brief: "Mark a feature complete (its dependencies must be complete)",
      parameters: {
        flags: {
          ...common,
          force: {
            kind: "boolean",
            brief: "Complete even with open dependencies (recorded in the event log)",
            optional: true,
          },
        },
        positional: idArg,
      },
    }),
    block: command({
      load: async () => (await import("./feature_run.ts")).block,
      brief: "Mark a feature blocked, with the reason",
      parameters: {
        flags: {
          ...common,
          reason: {
            kind: "parsed",
            parse: String,
            brief: "Why it is blocked",
            placeholder: "text",
          },
        },
        positional: idArg,
      },
    }),
    unblock: command({
      load: async () => (await import("./feature_run.ts")).unblock,
      brief: "Unblock a feature (back to planned, or --to a status)",
      parameters: {
        flags: { ...common, to: statusFlag("Status to move to (default planned)") },
        positional: idArg,
      },
    }),
    remove: command({
      load: async () => (await import("./feature_run.ts")).remove,
      brief: "Remove a feature",
      parameters: {
        flags: {
          ...common,
          force: {
            kind: "boolean",
            brief: "Remove even when others depend on it (drops the dependency)",
            optional: true,
          },
        },
        positional: idArg,
      },
    }),
    next: command({
      load: async () => (await import("./feature_run.ts")).next,
      brief: "The feature to work on next (dependencies complete, highest priority)",
      parameters: { flags: common },
    }),
    graph: command({
      load: async () => (await import("./feature_run.ts")).graph,
      brief: "Dependency order as parallel waves",
      parameters: {
        flags: {
          ...common,
          open: { kind: "boolean", brief: "Leave out complete features", optional: true },
        },
      },
    }),
  },
  docs: { brief: "Manage features (.buildrunner/features.json)" },
});
