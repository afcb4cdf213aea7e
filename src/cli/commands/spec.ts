import { buildRouteMap, type Command, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const str = (brief: string, placeholder = "value") =>
  ({ kind: "parsed", parse: String, brief, optional: true, placeholder }) as const;
const list = (brief: string, placeholder = "value") =>
  ({ kind: "parsed", parse: String, brief, optional: true, variadic: true, placeholder }) as const;
const bool = (brief: string) => ({ kind: "boolean", brief, optional: true }) as const;
const common = { project: projectFlag, json: jsonFlag } as const;

/** The `br spec ...` commands. */
export const specRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    wizard: command({
      load: async () => (await import("./spec_run.ts")).wizard,
      brief: "Write PROJECT_SPEC.md: prompts on a terminal, else --answers or flags",
      parameters: {
        flags: {
          ...common,
          answers: str("YAML file with the answers (name, description, users, ...)", "file"),
          name: str("Project name", "name"),
          description: str(
            "What you are building (industry and use case are detected from it)",
            "text",
          ),
          user: list("Who uses it (repeatable)", "text"),
          industry: {
            ...str("Industry (default: detected; 'unknown' allowed)", "industry"),
            proposeCompletions: completeWith("industry"),
          },
          useCase: {
            ...str("Use case (default: detected; 'unknown' allowed)", "use-case"),
            proposeCompletions: completeWith("use-case"),
          },
          stack: list("Stack item(s), comma-separated or repeated", "items"),
          feature: list('A feature: "Name[!priority]: criterion; criterion" (repeatable)', "spec"),
          force: bool("Replace an existing (unlocked) spec"),
          sync: bool("Run spec sync afterwards (features.json gets the features)"),
        },
      },
    }),
    validate: command({
      load: async () => (await import("./spec_run.ts")).validate,
      brief: "Check the spec (exit 10 with every problem listed)",
      parameters: { flags: common },
    }),
    sync: command({
      load: async () => (await import("./spec_run.ts")).sync,
      brief: "Three-way merge of the spec's features and features.json",
      parameters: {
        flags: {
          ...common,
          dryRun: bool("Print the plan as a diff and write nothing"),
          prefer: str("Resolve every conflict (removals too) in favour of: spec, features", "side"),
        },
      },
    }),
    confirm: command({
      load: async () => (await import("./spec_run.ts")).confirm,
      brief: "Mark a valid spec confirmed",
      parameters: { flags: common },
    }),
    lock: command({
      load: async () => (await import("./spec_run.ts")).lock,
      brief: "Lock the spec (checksum in the front matter; later edits are reported)",
      parameters: { flags: common },
    }),
    unlock: command({
      load: async () => (await import("./spec_run.ts")).unlock,
      brief: "Unlock the spec (accepts edits made since locking)",
      parameters: { flags: common },
    }),
    show: command({
      load: async () => (await import("./spec_run.ts")).show,
      brief: "Show the parsed spec",
      parameters: { flags: common },
    }),
  },
  docs: { brief: "The product spec (PROJECT_SPEC.md)" },
});

/** `br context` */
export const contextCommand: Command<BrContext> = command({
  load: async () => (await import("./spec_run.ts")).context,
  brief: "Write the managed BuildRunner block of CLAUDE.md and AGENTS.md",
  parameters: { flags: { ...common, print: bool("Print the block instead of writing files") } },
});

/** `br handoff <feature>` */
export const handoffCommand: Command<BrContext> = command({
  load: async () => (await import("./spec_run.ts")).handoff,
  brief: "Print the package an agent needs to build one feature",
  parameters: {
    flags: common,
    positional: {
      kind: "tuple",
      parameters: [{ brief: "Feature id", parse: String, placeholder: "id" }],
    },
  },
});
