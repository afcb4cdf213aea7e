import type { Command } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags, jsonFlag, projectFlag } from "../output.ts";
import { textFlag } from "../flags.ts";

const dirArg = {
  kind: "tuple",
  parameters: [{
    brief: "Folder (default: the current one)",
    parse: String,
    placeholder: "dir",
    optional: true,
  }],
} as const;
const force = {
  kind: "boolean",
  brief: "Rewrite the files br owns, after a backup",
  optional: true,
} as const;

/** `br init` */
export const initCommand: Command<BrContext> = command({
  load: async () => (await import("./project_run.ts")).init,
  brief: "Start a BuildRunner project here, or in --dir (runs git init when needed)",
  parameters: {
    flags: {
      name: textFlag("Project name (default: the folder's name); same as the argument", "name"),
      dir: textFlag(
        "Folder to start the project in (created if needed; default: the current one)",
        "dir",
      ),
      force,
      json: jsonFlag,
    },
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "Project name (default: the folder's name)",
        parse: String,
        placeholder: "name",
        optional: true,
      }],
    },
  },
});

/** `br attach` */
export const attachCommand: Command<BrContext> = command({
  load: async () => (await import("./project_run.ts")).attach,
  brief: "Adopt an existing repository: detect its stack, import Task Master tasks",
  parameters: { flags: { force, json: jsonFlag }, positional: dirArg },
});

/** `br status` */
export const statusCommand: Command<BrContext> = command({
  load: async () => (await import("./project_run.ts")).status,
  brief: "Project summary: completion, counts, blockers, next up",
  parameters: { flags: commonFlags },
});

/** `br generate` */
export const generateCommand: Command<BrContext> = command({
  load: async () => (await import("./project_run.ts")).generate,
  brief: "Write STATUS.md from features.json",
  parameters: {
    flags: {
      project: projectFlag,
      json: jsonFlag,
      check: {
        kind: "boolean",
        brief: "Write nothing; exit 10 when STATUS.md is out of date",
        optional: true,
      },
    },
  },
});
