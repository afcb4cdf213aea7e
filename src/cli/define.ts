import { buildCommand, type Command } from "@stricli/core";
import type { BrContext } from "./context.ts";
import { reportError } from "./output.ts";

// deno-lint-ignore no-explicit-any
type Runner = (this: BrContext, flags: any, ...args: any[]) => Promise<void> | void;

/** What {@link command} needs: the lazy runner, its parameters and its help. */
export interface CommandSpec {
  /** Loads the runner (a dynamic import with a string-literal specifier). */
  load: () => Promise<Runner>;
  /** Stricli parameters (flags, positional, aliases). */
  // deno-lint-ignore no-explicit-any
  parameters: any;
  /** One-line help. */
  brief: string;
  /** Longer help. */
  description?: string;
}

/**
 * Builds a command whose runner is loaded only when it runs, and whose errors are printed
 * as `error:` + `hint:` with the documented exit code.
 */
export function command(spec: CommandSpec): Command<BrContext> {
  return buildCommand<
    // deno-lint-ignore no-explicit-any
    any,
    // deno-lint-ignore no-explicit-any
    any,
    BrContext
  >({
    loader: async () => {
      const run = await spec.load();
      // deno-lint-ignore no-explicit-any
      return async function (this: BrContext, flags: any, ...args: any[]) {
        try {
          await run.call(this, flags, ...args);
        } catch (err) {
          reportError(this, err);
        }
      };
    },
    parameters: spec.parameters,
    docs: { brief: spec.brief, fullDescription: spec.description },
  });
}
