import type { BrContext } from "./context.ts";

// deno-lint-ignore no-explicit-any
type Runner = (this: BrContext, flags: any, ...args: string[]) => Promise<void> | void;

/** A command run often enough to be read without the parser: its words and its flags. */
interface PlainCommand {
  /** Its words (`["hooks", "run"]`). */
  words: readonly string[];
  /** Its boolean flags (given as `--name`). */
  booleans: readonly string[];
  /** Its flags with a value (`--name value` or `--name=value`). */
  values: readonly string[];
  /** Its repeatable flags with a value: each gives a list of the values, in order. */
  lists?: readonly string[];
  /** How many arguments it takes: at least the first, at most the second. */
  args: readonly [min: number, max: number];
  /** Loads its runner: the one its command definition loads. */
  load: () => Promise<Runner>;
}

/**
 * The line every installed hook runs on every commit and push, the two commands of every
 * glance at a project, the gates an agent runs after each change, and the cost commands a
 * status line or a first import waits for: each skips loading the parser and building the
 * command tree (about 15 ms) when its line is plain. Their definitions in the command tree
 * are the reference; a test runs the same lines both ways.
 */
const PLAIN: readonly PlainCommand[] = [
  {
    words: ["hooks", "run"],
    booleans: ["json"],
    values: ["project"],
    args: [1, Infinity],
    load: async () => (await import("./commands/hooks_run.ts")).runHookCommand,
  },
  {
    words: ["status"],
    booleans: ["json"],
    values: ["project"],
    args: [0, 0],
    load: async () => (await import("./commands/project_run.ts")).status,
  },
  {
    words: ["generate"],
    booleans: ["json", "check"],
    values: ["project"],
    args: [0, 0],
    load: async () => (await import("./commands/project_run.ts")).generate,
  },
  {
    // (`--threshold`, a number, is left to the parser)
    words: ["validate"],
    booleans: ["json"],
    values: ["project", "gates"],
    args: [0, 0],
    load: async () => (await import("./commands/quality_run.ts")).validate,
  },
  {
    words: ["cost", "import"],
    booleans: ["json"],
    values: ["project"],
    lists: ["dir"],
    args: [0, 1],
    load: async () => (await import("./commands/cost_import_run.ts")).importLogs,
  },
  {
    words: ["cost", "summary"],
    booleans: ["json"],
    values: ["project", "by", "since", "until", "timezone", "feature", "source", "format"],
    args: [0, 0],
    load: async () => (await import("./commands/cost_summary_run.ts")).summary,
  },
  {
    words: ["cost", "statusline"],
    booleans: ["json"],
    values: ["project"],
    args: [0, 0],
    load: async () => (await import("./commands/cost_statusline_run.ts")).statusline,
  },
];

/** A plain command line, read. */
export interface PlainLine {
  /** The command's words (`hooks run`). */
  command: string;
  /** Its flags (`--json` gives `json: true`; a repeatable flag, the list of its values). */
  flags: Record<string, string | string[] | true>;
  /** Its arguments. */
  args: string[];
  /** Loads its runner. */
  load: () => Promise<Runner>;
}

/**
 * `argv` read without the parser when it names one of the commands above with only their
 * flags, each once but the repeatable ones (`--flag`, `--flag value`, `--flag=value`), and
 * the arguments they take.
 * Anything else (`--help`, `-x`, `--`, a repeated or unknown flag, a missing or extra
 * argument, a line break after `=`) gives null: the parser then reads the line, and reports
 * what is wrong with it.
 */
export function plainLine(argv: readonly string[]): PlainLine | null {
  const spec = PLAIN.find((c) => c.words.every((w, i) => argv[i] === w));
  if (!spec) return null;
  const flags: Record<string, string | string[] | true> = {};
  const lists: Record<string, string[]> = {};
  const args: string[] = [];
  for (let i = spec.words.length; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-")) {
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!arg.startsWith("--") || Object.hasOwn(flags, name)) return null;
    if (eq === -1 && spec.booleans.includes(name)) {
      flags[name] = true;
      continue;
    }
    const list = spec.lists?.includes(name);
    if (!list && !spec.values.includes(name)) return null;
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "" || value.startsWith("-")) return null;
    // Stricli reads `--flag=value` only when the value holds no line break.
    if (eq !== -1 && /[\n\r\u2028\u2029]/.test(value)) return null;
    if (list) (lists[name] ??= []).push(value);
    else flags[name] = value;
  }
  if (args.length < spec.args[0] || args.length > spec.args[1]) return null;
  Object.assign(flags, lists);
  return { command: spec.words.join(" "), flags, args, load: spec.load };
}

/**
 * Runs `br` with `argv` in `ctx` and returns the exit code (Stricli's negative usage codes
 * become 2).
 */
export async function runCli(argv: readonly string[], ctx: BrContext): Promise<number> {
  const plain = plainLine(argv);
  // A runner that cannot load is left to the tree, which reports it as for any command.
  const runner = plain && await plain.load().catch(() => null);
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    // What Stricli prints, without loading every command first. The version (deno.json) is
    // loaded here only: the hooks and `br status` do not need it.
    ctx.process.stdout.write(`${(await import("../core/version.ts")).VERSION}\n`);
  } else if (plain && runner) {
    const plainCtx = ctx.command ? ctx : { ...ctx, command: plain.command };
    try {
      await runner.call(plainCtx, plain.flags, ...plain.args);
    } catch (err) {
      // As a command of the tree reports it (src/cli/define.ts).
      (await import("./output.ts")).reportError(plainCtx, err);
    }
  } else await (await import("./tree.ts")).runTree(argv, ctx);
  const code = Number(ctx.process.exitCode ?? 0);
  return code < 0 ? 2 : code;
}
