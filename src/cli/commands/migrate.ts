import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const pathArg = {
  kind: "tuple",
  parameters: [{
    brief: "Project folder (default: the current one)",
    parse: String,
    placeholder: "path",
    optional: true,
  }],
} as const;
const dryRun = {
  kind: "boolean",
  brief: "Print the full plan and write nothing",
  optional: true,
} as const;
const force = {
  kind: "boolean",
  brief: "Migrate even with uncommitted changes in the working tree",
  optional: true,
} as const;

/** `br migrate ...` */
export const migrateRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    "from-v2": command({
      load: async () => (await import("./migrate_run.ts")).fromV2,
      brief: "Migrate a BuildRunner 2 project (.runner/): backup, commit and tag",
      parameters: { flags: { dryRun, force, json: jsonFlag }, positional: pathArg },
    }),
    "from-v3": command({
      load: async () => (await import("./migrate_run.ts")).fromV3,
      brief: "Normalise a BuildRunner 3.1 features.json (noted dependencies, defaults)",
      parameters: { flags: { dryRun, force, json: jsonFlag }, positional: pathArg },
    }),
    rollback: command({
      load: async () => (await import("./migrate_run.ts")).rollback,
      brief: "Undo a migration exactly (files, ignored files and git refs)",
      parameters: { flags: { json: jsonFlag }, positional: pathArg },
    }),
    status: command({
      load: async () => (await import("./migrate_run.ts")).status,
      brief: "Show the migration record and whether it can be rolled back",
      parameters: { flags: { json: jsonFlag }, positional: pathArg },
    }),
  },
  docs: { brief: "Move in from BuildRunner 2 or 3.1, and roll back" },
});

const fileArg = {
  kind: "tuple",
  parameters: [{
    brief: "The tasks.json (default: the file imported last, else .taskmaster/tasks/tasks.json)",
    parse: String,
    placeholder: "file",
    optional: true,
  }],
} as const;

/** `br import ...` */
export const importRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    taskmaster: command({
      load: async () => (await import("./migrate_run.ts")).importTm,
      brief: "Import or re-import Task Master tasks (tagged or legacy tasks.json)",
      parameters: { flags: { project: projectFlag, json: jsonFlag }, positional: fileArg },
    }),
    speckit: command({
      load: async () => (await import("./migrate_run.ts")).importSpeckit,
      brief: "Import or re-import a Spec Kit tasks.md (and its spec.md acceptance scenarios)",
      parameters: {
        flags: { project: projectFlag, json: jsonFlag },
        positional: {
          kind: "tuple",
          parameters: [{ brief: "The tasks.md", parse: String, placeholder: "tasks.md" }],
        },
      },
    }),
  },
  docs: { brief: "Bring tasks in from other tools" },
});

/** `br export ...` */
export const exportRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    taskmaster: command({
      load: async () => (await import("./migrate_run.ts")).exportTm,
      brief: "Write br's changes back to Task Master's tasks.json",
      parameters: {
        flags: {
          project: projectFlag,
          json: jsonFlag,
          force: {
            kind: "boolean",
            brief: "Overwrite the file even when it changed since the last import",
            optional: true,
          },
        },
        positional: fileArg,
      },
    }),
  },
  docs: { brief: "Write features out to other tools" },
});
