#!/usr/bin/env -S deno run --allow-all --v8-flags=--min-semi-space-size=2,--max-semi-space-size=8,--max-opt=2
/**
 * The `br` command line.
 *
 * @module
 */
import { runCli } from "./src/cli/app.ts";
import { processContext } from "./src/cli/context.ts";

/** Runs `br` with the process's arguments and exits with its code. */
export async function main(): Promise<never> {
  if (Deno.env.get("GIT_DIR")) await (await import("./src/core/git.ts")).pinGitEnvironment();
  const code = await runCli(Deno.args, processContext());
  // Explicit exit: a plugin worker or a pending timer must never keep `br` alive.
  Deno.exit(code);
}

if (import.meta.main) await main();
