import { buildCommand, type Command } from "@stricli/core";
import type { CompletionKind } from "./complete_values.ts";
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

/**
 * A `proposeCompletions` for a flag or argument: the values of `kind` (feature ids, statuses,
 * ...), loaded only when `br __complete` asks.
 */
export function completeWith(
  kind: CompletionKind,
): (this: BrContext, partial: string) => Promise<string[]> {
  return async function (this: BrContext, partial: string) {
    return (await import("./complete_values.ts")).completionValues(this, kind, partial);
  };
}
