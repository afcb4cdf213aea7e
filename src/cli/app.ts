import denoJson from "../../deno.json" with { type: "json" };
import type { BrContext } from "./context.ts";

/** The version of `br`. */
export const VERSION: string = denoJson.version;

/** What a plain `br hooks run` command line says. */
interface HookLine {
  flags: { project?: string; json?: boolean };
  args: string[];
}

/**
 * `br hooks run [--project dir] [--json] <hook> [args...]`, the line the installed hooks run
 * on every commit and push, read without the command tree. Any other flag, `--`, a repeated
 * flag or a missing hook name gives null: the full parser then reads the line and reports it.
 */
export function plainHookLine(argv: readonly string[]): HookLine | null {
  if (argv[0] !== "hooks" || argv[1] !== "run") return null;
  const line: HookLine = { flags: {}, args: [] };
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-")) line.args.push(arg);
    else if (arg === "--json" && line.flags.json === undefined) line.flags.json = true;
    else if (arg.startsWith("--project") && line.flags.project === undefined) {
      const value = arg === "--project"
        ? argv[++i]
        : arg.startsWith("--project=")
        ? arg.slice("--project=".length)
        : undefined;
      if (value === undefined || value === "" || value.startsWith("-")) return null;
      line.flags.project = value;
    } else return null;
  }
  return line.args.length > 0 ? line : null;
}

/**
 * Runs `br` with `argv` in `ctx` and returns the exit code (Stricli's negative usage codes
 * become 2).
 */
export async function runCli(argv: readonly string[], ctx: BrContext): Promise<number> {
  const hookLine = plainHookLine(argv);
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    // What Stricli prints, without loading every command first.
    ctx.process.stdout.write(`${VERSION}\n`);
  } else if (hookLine) {
    // Every commit runs this: it skips loading the parser and building the command tree.
    const [{ runHookCommand }, { reportError }] = await Promise.all([
      import("./commands/hooks_run.ts"),
      import("./output.ts"),
    ]);
    const hookCtx = ctx.command ? ctx : { ...ctx, command: "hooks run" };
    try {
      await runHookCommand.call(hookCtx, hookLine.flags, ...hookLine.args);
    } catch (err) {
      reportError(hookCtx, err);
    }
  } else await (await import("./tree.ts")).runTree(argv, ctx);
  const code = Number(ctx.process.exitCode ?? 0);
  return code < 0 ? 2 : code;
}
