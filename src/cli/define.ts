import {
  type BaseArgs,
  buildCommand,
  type Command,
  type TypedCommandParameters,
} from "@stricli/core";
import type { CompletionKind } from "./complete_values.ts";
import type { BrContext } from "./context.ts";
import { reportError } from "./output.ts";

/** Flags as Stricli's builder accepts them (an interface, not only a record type). */
type Flags<F> = Readonly<Partial<Record<keyof F, unknown>>>;

/** A command's runner: `this` is the context, then the parsed flags and the positional arguments. */
export type Runner<F extends Flags<F>, A extends BaseArgs> = (
  this: BrContext,
  flags: F,
  ...args: A
) => Promise<void> | void;

/**
 * What {@link command} needs: the lazy runner, its parameters and its help.
 *
 * The flag and argument types come from the runner's signature alone; `parameters` must then
 * declare exactly those flags with parsers of those types, so a flag renamed or retyped on one
 * side and not the other is a type error.
 */
export interface CommandSpec<F extends Flags<F>, A extends BaseArgs> {
  /** Loads the runner (a dynamic import with a string-literal specifier). */
  load: () => Promise<Runner<F, A>>;
  /** Stricli parameters (flags, positional, aliases), checked against the runner's types. */
  parameters: NoInfer<TypedCommandParameters<F, A, BrContext>>;
  /** One-line help. */
  brief: string;
  /** Longer help. */
  description?: string;
}

/**
 * Builds a command whose runner is loaded only when it runs, and whose errors are printed
 * as `error:` + `hint:` with the documented exit code.
 */
export function command<const F extends Flags<F>, const A extends BaseArgs = []>(
  spec: CommandSpec<F, A>,
): Command<BrContext> {
  return buildCommand<F, A, BrContext>({
    loader: async () => {
      const run = await spec.load();
      return async function (this: BrContext, flags: F, ...args: A) {
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
