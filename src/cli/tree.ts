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
  migrate: async () => (await import("./commands/migrate.ts")).migrateRoutes,
  import: async () => (await import("./commands/migrate.ts")).importRoutes,
  export: async () => (await import("./commands/migrate.ts")).exportRoutes,
  completions: async () => (await import("./commands/completions.ts")).completionsCommand,
  __complete: async () => (await import("./commands/completions.ts")).completeCommand,
};

/** The top-level route names. */
export const ROUTE_NAMES: readonly string[] = Object.keys(ROUTES);

/**
 * The command tree for `argv`: only the route it names, or every route (`--help`, `--version`,
 * an unknown command, shell completion). `br __complete` proposes from the whole tree.
 */
export async function buildApp(argv: readonly string[] = []): Promise<Application<BrContext>> {
  const first = argv[0];
  const only = first !== undefined && first !== "__complete" && Object.hasOwn(ROUTES, first);
  const names = only ? [first] : ROUTE_NAMES;
  const targets = await Promise.all(names.map((n) => ROUTES[n]()));
  const routes: Record<string, Target> = {};
  names.forEach((n, i) => routes[n] = targets[i]);
  const root = buildRouteMap({
    routes,
    docs: {
      brief: "BuildRunner: keep AI-assisted projects honest and finished",
      hideRoute: { __complete: true },
    },
  });
  return buildApplication<BrContext>(root, APP_OPTIONS);
}

const APP_OPTIONS: Parameters<typeof buildApplication<BrContext>>[1] = {
  name: "br",
  versionInfo: { currentVersion: VERSION },
  scanner: { caseStyle: "allow-kebab-for-camel", allowArgumentEscapeSequence: true },
  documentation: { caseStyle: "convert-camel-to-kebab" },
  determineExitCode: () => 1,
  localization: {
    loadText: () => ({
      ...text_en,
      noCommandRegisteredForInput: (args) =>
        `error: ${
          text_en.noCommandRegisteredForInput(args)
        }\nhint: run "br --help" to see the commands`,
      exceptionWhileParsingArguments(exc, ansiColor) {
        const message = text_en.exceptionWhileParsingArguments.call(this, exc, ansiColor);
        return `error: ${message}\nhint: add --help to the command to see its flags and arguments`;
      },
    }),
  },
};

/** The route words of `argv` (`["feature", "add", "X"]` -> `"feature add"`). */
function commandPath(app: Application<BrContext>, argv: readonly string[]): string {
  const words: string[] = [];
  let target: unknown = app.root;
  for (const arg of argv) {
    const map = target as { getRoutingTargetForInput?: (input: string) => unknown };
    if (typeof map.getRoutingTargetForInput !== "function") break;
    const next = map.getRoutingTargetForInput(arg);
    if (!next) break;
    words.push(arg);
    target = next;
  }
  return words.join(" ") || "br";
}

/** Parses `argv` with the command tree and runs the command it names in `ctx`. */
export async function runTree(argv: readonly string[], ctx: BrContext): Promise<void> {
  const app = await buildApp(argv);
  await run(app, argv, ctx.command ? ctx : { ...ctx, command: commandPath(app, argv) });
}
