// The command tree: every route and the Stricli application built from them. Loaded by
// `runCli` for every command line except `--version` and the plain lines it reads itself
// (`plainLine` in app.ts).
import {
  type Application,
  buildApplication,
  buildRouteMap,
  type Command,
  type RouteMap,
  run,
  text_en,
  UnexpectedFlagError,
  UnsatisfiedPositionalError,
} from "@stricli/core";
import { VERSION } from "../core/version.ts";
import type { BrContext } from "./context.ts";

type Target = Command<BrContext> | RouteMap<BrContext>;

/**
 * The top-level routes, in help order, each loading the module that defines it. A command
 * line that names one of them loads only that one (help, version and mistakes load all).
 */
const ROUTES: Record<string, () => Promise<Target>> = {
  init: async () => (await import("./commands/project.ts")).initCommand,
  attach: async () => (await import("./commands/project.ts")).attachCommand,
  status: async () => (await import("./commands/project.ts")).statusCommand,
  generate: async () => (await import("./commands/project.ts")).generateCommand,
  feature: async () => (await import("./commands/feature.ts")).featureRoutes,
  config: async () => (await import("./commands/config.ts")).configRoutes,
  mcp: async () => (await import("./commands/mcp.ts")).mcpRoutes,
  parallel: async () => (await import("./commands/parallel.ts")).parallelRoutes,
  cost: async () => (await import("./commands/cost.ts")).costRoutes,
  dashboard: async () => (await import("./commands/dashboard.ts")).dashboardRoutes,
  gaps: async () => (await import("./commands/quality.ts")).gapsRoutes,
  quality: async () => (await import("./commands/quality.ts")).qualityRoutes,
  guard: async () => (await import("./commands/quality.ts")).guardRoutes,
  governance: async () => (await import("./commands/quality.ts")).governanceRoutes,
  hooks: async () => (await import("./commands/hooks.ts")).hooksRoutes,
  validate: async () => (await import("./commands/quality.ts")).validateCommand,
  design: async () => (await import("./commands/design.ts")).designRoutes,
  security: async () => (await import("./commands/security.ts")).securityRoutes,
  spec: async () => (await import("./commands/spec.ts")).specRoutes,
  context: async () => (await import("./commands/spec.ts")).contextCommand,
  handoff: async () => (await import("./commands/spec.ts")).handoffCommand,
  telemetry: async () => (await import("./commands/telemetry.ts")).telemetryRoutes,
  routing: async () => (await import("./commands/routing.ts")).routingRoutes,
  store: async () => (await import("./commands/store.ts")).storeRoutes,
  plugin: async () => (await import("./commands/plugin.ts")).pluginRoutes,
  migrate: async () => (await import("./commands/migrate.ts")).migrateRoutes,
  import: async () => (await import("./commands/migrate.ts")).importRoutes,
  export: async () => (await import("./commands/migrate.ts")).exportRoutes,
  pipe: async () => (await import("./commands/debug.ts")).pipeCommand,
  debug: async () => (await import("./commands/debug.ts")).debugCommand,
  watch: async () => (await import("./commands/debug.ts")).watchCommand,
  env: async () => (await import("./commands/env.ts")).envRoutes,
  completions: async () => (await import("./commands/completions.ts")).completionsCommand,
  __complete: async () => (await import("./commands/completions.ts")).completeCommand,
};

/** The top-level route names. */
export const ROUTE_NAMES: readonly string[] = Object.keys(ROUTES);

/**
 * The command tree for `argv`: only the route it names, or every route (`--help`, `--version`,
 * an unknown command, shell completion). `br __complete` proposes from the whole tree.
 */
export async function buildApp(
  argv: readonly string[] = [],
  ctx?: Pick<BrContext, "cwd" | "env">,
): Promise<Application<BrContext>> {
  const first = argv[0];
  const only = first !== undefined && first !== "__complete" && Object.hasOwn(ROUTES, first);
  const names = only ? [first] : ROUTE_NAMES;
  const targets = await Promise.all(names.map((n) => ROUTES[n]()));
  const routes: Record<string, Target> = {};
  names.forEach((n, i) => routes[n] = targets[i]);
  // `br <plugin> <command>`: the installed plugins' commands, read only when no route of br
  // is named (help, completion, a plugin's name).
  if (!only && ctx) {
    const { pluginCommandRoutes } = await import("./commands/plugin_routes.ts");
    Object.assign(routes, await pluginCommandRoutes(ctx, ROUTE_NAMES));
  }
  const root = buildRouteMap({
    routes,
    docs: {
      brief: "BuildRunner: keep AI-assisted projects honest and finished",
      hideRoute: { __complete: true },
    },
  });
  return buildApplication<BrContext>(root, appOptions(routeOf(root, argv).words));
}

/** Stricli's parse errors in house words: `error:` + a hint naming the command's help. */
function parseError(exc: unknown, fallback: string, words: string): string {
  let message = fallback;
  if (exc instanceof UnexpectedFlagError) message = `Flag --${exc.externalFlagName} given twice`;
  else if (exc instanceof UnsatisfiedPositionalError) {
    message = `Missing argument <${exc.placeholder}>`;
    if (exc.limit && exc.limit[0] > 1) message += ` (at least ${exc.limit[0]})`;
  }
  const help = words ? `br ${words} --help` : "br --help";
  return `error: ${message}\nhint: run "${help}" to see its flags and arguments`;
}

function appOptions(words: string): Parameters<typeof buildApplication<BrContext>>[1] {
  return {
    name: "br",
    versionInfo: { currentVersion: VERSION },
    scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
    documentation: { caseStyle: "convert-camel-to-kebab" },
    determineExitCode: () => 1,
    localization: {
      loadText: () => ({
        ...text_en,
        noCommandRegisteredForInput: (args) =>
          `error: ${text_en.noCommandRegisteredForInput(args)}\nhint: run "${
            words ? `br ${words}` : "br"
          } --help" to see the commands`,
        exceptionWhileParsingArguments(exc, ansiColor) {
          const message = text_en.exceptionWhileParsingArguments.call(this, exc, ansiColor);
          return parseError(exc, message, words);
        },
      }),
    },
  };
}

/**
 * The route words of `argv` (`["feature", "add", "X"]` -> `"feature add"`) and whether they
 * end on a group that needs one of its commands.
 */
function routeOf(root: unknown, argv: readonly string[]): { words: string; group: boolean } {
  const words: string[] = [];
  let target: unknown = root;
  const isGroup = (t: unknown) =>
    typeof (t as { getRoutingTargetForInput?: unknown }).getRoutingTargetForInput === "function";
  for (const arg of argv) {
    if (!isGroup(target)) break;
    const next = (target as { getRoutingTargetForInput(input: string): unknown })
      .getRoutingTargetForInput(arg);
    if (!next) break;
    words.push(arg);
    target = next;
  }
  // A group with a default command (`br mcp` serves) is complete as it is.
  const fallback = (target as { getDefaultCommand?: () => unknown }).getDefaultCommand?.();
  return { words: words.join(" "), group: isGroup(target) && !fallback };
}

/** Parses `argv` with the command tree and runs the command it names in `ctx`. */
export async function runTree(argv: readonly string[], ctx: BrContext): Promise<void> {
  // The words to complete are the user's partial command line, flags included: never parsed
  // as flags of `__complete` itself.
  if (argv[0] === "__complete") {
    const { complete } = await import("./commands/completions_run.ts");
    return await complete.call({ ...ctx, command: "__complete" }, {}, ...argv.slice(1));
  }
  const app = await buildApp(argv, ctx);
  const route = routeOf(app.root, argv);
  const runCtx = ctx.command ? ctx : { ...ctx, command: route.words || "br" };
  const words = route.words.split(" ").filter(Boolean).length;
  // A group named without its command (`br feature`): its help goes to stderr, and it is a
  // usage error, as a missing argument is. Anything after the group's words (an unknown
  // command, --help) is Stricli's to answer.
  if (route.group && argv.length === words) {
    await run(app, argv, { ...runCtx, process: { ...runCtx.process, stdout: ctx.process.stderr } });
    const name = route.words ? `br ${route.words}` : "br";
    ctx.process.stderr.write(
      `error: Missing the command after "${name}"\nhint: run "${name} --help" to see its commands\n`,
    );
    ctx.process.exitCode = 2;
    return;
  }
  await run(app, pluginArgv(argv, route.words), runCtx);
}

/**
 * `br <plugin> <command> ...`: the arguments after the command are the plugin's, flags
 * included (`br github import --label x`), except br's own `--project` and `--help`.
 */
function pluginArgv(argv: readonly string[], words: string): readonly string[] {
  const [first] = argv;
  const route = words.split(" ");
  if (Object.hasOwn(ROUTES, first ?? "") || route.length !== 2 || argv.includes("--")) {
    return argv;
  }
  const own: string[] = [];
  const rest: string[] = [];
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--project") own.push(arg, argv[++i] ?? "");
    else if (arg.startsWith("--project=") || arg === "--help" || arg === "-h") own.push(arg);
    else rest.push(arg);
  }
  return rest.some((a) => a.startsWith("-")) ? [...argv.slice(0, 2), ...own, "--", ...rest] : argv;
}
