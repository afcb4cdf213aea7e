import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { commonFlags } from "../output.ts";
import { listFlag, textArg, textFlag } from "../flags.ts";

const statusFlag = (brief: string) => ({
  ...textFlag(brief, "status"),
  proposeCompletions: completeWith("status"),
});
const idArg = {
  kind: "tuple",
  parameters: [{
    brief: "Feature id",
    parse: String,
    placeholder: "id",
    proposeCompletions: completeWith("feature"),
  }],
} as const;

const fieldFlags = {
  description: textFlag("Description", "text"),
  priority: {
    ...textFlag("Priority: critical, high, medium, low", "priority"),
    proposeCompletions: completeWith("priority"),
  },
  dependsOn: {
    ...textFlag("Ids it depends on, comma-separated", "a,b"),
    proposeCompletions: completeWith("features"),
  },
  acceptance: listFlag("An acceptance criterion (repeatable)", "text"),
  files: listFlag("A glob of where the work lives (repeatable)", "glob"),
  tag: listFlag("A tag (repeatable)", "tag"),
  week: {
    kind: "parsed",
    parse: parseWeek,
    brief: "Planned week",
    optional: true,
    placeholder: "n",
  },
  build: textFlag("Build label, such as 1A", "label"),
  owner: textFlag("Owner", "name"),
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
          ...commonFlags,
          id: textFlag("Id (default: slug of the name)", "id"),
          status: statusFlag("Status: planned, in_progress, testing, blocked, complete"),
          reason: textFlag("Blocked reason (with --status blocked)", "text"),
          ...fieldFlags,
        },
        positional: {
          kind: "tuple",
          parameters: [textArg("Feature name", "name")],
        },
      },
    }),
    list: command({
      load: async () => (await import("./feature_run.ts")).list,
      brief: "List features",
      parameters: {
        flags: {
          ...commonFlags,
          status: statusFlag("Only this status"),
          priority: textFlag("Only this priority", "priority"),
          tag: textFlag("Only features with this tag", "tag"),
        },
      },
    }),
    show: command({
      load: async () => (await import("./feature_run.ts")).show,
      brief: "Show one feature",
      parameters: { flags: commonFlags, positional: idArg },
    }),
    update: command({
      load: async () => (await import("./feature_run.ts")).update,
      brief: "Change fields of a feature (lists given replace the old ones)",
      parameters: {
        flags: {
          ...commonFlags,
          name: textFlag("New name", "name"),
          status: statusFlag("New status (same rules as start/complete/block)"),
          reason: textFlag("Reason (with --status blocked)", "text"),
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
      parameters: { flags: commonFlags, positional: idArg },
    }),
    complete: command({
      load: async () => (await import("./feature_run.ts")).complete,
      brief: "Mark a feature complete (its dependencies must be complete)",
      parameters: {
        flags: {
          ...commonFlags,
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
          ...commonFlags,
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
        flags: { ...commonFlags, to: statusFlag("Status to move to (default planned)") },
        positional: idArg,
      },
    }),
    remove: command({
      load: async () => (await import("./feature_run.ts")).remove,
      brief: "Remove a feature",
      parameters: {
        flags: {
          ...commonFlags,
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
      parameters: { flags: commonFlags },
    }),
    graph: command({
      load: async () => (await import("./feature_run.ts")).graph,
      brief: "Dependency order as parallel waves",
      parameters: {
        flags: {
          ...commonFlags,
          open: { kind: "boolean", brief: "Leave out complete features", optional: true },
        },
      },
    }),
  },
  docs: { brief: "Manage features (.buildrunner/features.json)" },
});
