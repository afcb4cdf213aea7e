import type { Command } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { textArg } from "../flags.ts";

/** `br completions <shell>` */
export const completionsCommand: Command<BrContext> = command({
  load: async () => (await import("./completions_run.ts")).completions,
  brief: "Print a shell completion script (bash, zsh or fish)",
  description:
    'Add to your shell: bash: eval "$(br completions bash)"; zsh: eval "$(br completions zsh)"; ' +
    "fish: br completions fish | source",
  parameters: {
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "bash, zsh or fish",
        placeholder: "shell",
        parse: (s: string) => {
          if (!["bash", "zsh", "fish"].includes(s)) {
            throw new Error(`expected bash, zsh or fish, got "${s}"`);
          }
          return s;
        },
      }],
    },
  },
});

/** `br __complete <words...>`: the hidden helper the completion scripts call. */
export const completeCommand: Command<BrContext> = command({
  load: async () => (await import("./completions_run.ts")).complete,
  brief: "Propose completions for the given words (used by the completion scripts)",
  parameters: {
    positional: {
      kind: "array",
      parameter: textArg("Words", "word"),
    },
  },
});
