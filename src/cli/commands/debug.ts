import type { Command } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags, projectFlag } from "../output.ts";
import { boolFlag, textArg } from "../flags.ts";

/** `br pipe -- <cmd> [args]` */
export const pipeCommand: Command<BrContext> = command({
  load: async () => (await import("./debug_run.ts")).pipe,
  brief: "Run a command with its output shown live; record its exit code and errors",
  description:
    "Runs the command, passes its output on as it comes, records its exit code, duration, " +
    "output tail and the errors found in it (masked) in .buildrunner/context/debug.json, " +
    "and exits with the command's own exit code.",
  parameters: {
    flags: {
      project: projectFlag,
      tty: boolFlag("Run it under script(1) so that it sees a terminal"),
    },
    positional: {
      kind: "array",
      parameter: textArg("The command, then its arguments (after --)", "cmd"),
      minimum: 1,
    },
  },
});

/** `br debug` */
export const debugCommand: Command<BrContext> = command({
  load: async () => (await import("./debug_run.ts")).debug,
  brief: "Recent failures grouped by signature, with files, features and the next command",
  parameters: {
    flags: {
      ...commonFlags,
      forAgent: boolFlag("Print a compact handoff an agent can act on"),
      all: boolFlag("Include failures resolved by a later passing run"),
    },
  },
});

/** `br watch [paths]` */
export const watchCommand: Command<BrContext> = command({
  load: async () => (await import("./debug_run.ts")).watch,
  brief: "Watch log and test-output files; errors become blockers of the features they touch",
  description:
    "Watches the files named (paths or globs) or the debug.watch setting. Errors appended to " +
    "them are recorded (see br debug) and shown as blockers of the features whose files they " +
    "point at until a later run in the same file passes; the features' status is not changed. " +
    "Ctrl-C stops it.",
  parameters: {
    flags: {
      ...commonFlags,
      interval: {
        kind: "parsed",
        parse: Number,
        brief: "Milliseconds between two looks (default 1000)",
        optional: true,
        placeholder: "ms",
      },
    },
    positional: {
      kind: "array",
      parameter: textArg("Files or globs to watch (default: debug.watch)", "path"),
    },
  },
});
