import { buildRouteMap, type Command, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { commonFlags } from "../output.ts";
import { boolFlag, listFlag, textArg, textFlag } from "../flags.ts";

/** The `br spec ...` commands. */
export const specRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    wizard: command({
      load: async () => (await import("./spec_run.ts")).wizard,
      brief: "Write PROJECT_SPEC.md: prompts on a terminal, else --answers or flags",
      parameters: {
        flags: {
          ...commonFlags,
          answers: textFlag("YAML file with the answers (name, description, users, ...)", "file"),
          name: textFlag("Project name", "name"),
          description: textFlag(
            "What you are building (industry and use case are detected from it)",
            "text",
          ),
          user: listFlag("Who uses it (repeatable)", "text"),
          industry: {
            ...textFlag("Industry (default: detected; 'unknown' allowed)", "industry"),
            proposeCompletions: completeWith("industry"),
          },
          useCase: {
            ...textFlag("Use case (default: detected; 'unknown' allowed)", "use-case"),
            proposeCompletions: completeWith("use-case"),
          },
          stack: listFlag("Stack item(s), comma-separated or repeated", "items"),
          feature: listFlag(
            'A feature: "Name[!priority]: criterion; criterion" (repeatable)',
            "spec",
          ),
          force: boolFlag("Replace an existing (unlocked) spec"),
          sync: boolFlag("Run spec sync afterwards (features.json gets the features)"),
        },
      },
    }),
    validate: command({
      load: async () => (await import("./spec_run.ts")).validate,
      brief: "Check the spec (exit 10 with every problem listed)",
      parameters: { flags: commonFlags },
    }),
    sync: command({
      load: async () => (await import("./spec_run.ts")).sync,
      brief: "Three-way merge of the spec's features and features.json",
      parameters: {
        flags: {
          ...commonFlags,
          dryRun: boolFlag("Print the plan as a diff and write nothing"),
          prefer: textFlag(
            "Resolve every conflict (removals too) in favour of: spec, features",
            "side",
          ),
        },
      },
    }),
    confirm: command({
      load: async () => (await import("./spec_run.ts")).confirm,
      brief: "Mark a valid spec confirmed",
      parameters: { flags: commonFlags },
    }),
    lock: command({
      load: async () => (await import("./spec_run.ts")).lock,
      brief: "Lock the spec (checksum in the front matter; later edits are reported)",
      parameters: { flags: commonFlags },
    }),
    unlock: command({
      load: async () => (await import("./spec_run.ts")).unlock,
      brief: "Unlock the spec (accepts edits made since locking)",
      parameters: { flags: commonFlags },
    }),
    show: command({
      load: async () => (await import("./spec_run.ts")).show,
      brief: "Show the parsed spec",
      parameters: { flags: commonFlags },
    }),
  },
  docs: { brief: "The product spec (PROJECT_SPEC.md)" },
});

/** `br context` */
export const contextCommand: Command<BrContext> = command({
  load: async () => (await import("./spec_run.ts")).context,
  brief: "Write the managed BuildRunner block of CLAUDE.md and AGENTS.md",
  parameters: {
    flags: { ...commonFlags, print: boolFlag("Print the block instead of writing files") },
  },
});

/** `br handoff <feature>` */
export const handoffCommand: Command<BrContext> = command({
  load: async () => (await import("./spec_run.ts")).handoff,
  brief: "Print the package an agent needs to build one feature",
  parameters: {
    flags: commonFlags,
    positional: {
      kind: "tuple",
      parameters: [textArg("Feature id", "id")],
    },
  },
});
