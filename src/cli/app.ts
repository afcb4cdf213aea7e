import { buildApplication, buildRouteMap, run, text_en } from "@stricli/core";
import denoJson from "../../deno.json" with { type: "json" };
import { configRoutes } from "./commands/config.ts";
import { costRoutes } from "./commands/cost.ts";
import { completeCommand, completionsCommand } from "./commands/completions.ts";
import { designRoutes } from "./commands/design.ts";
import { featureRoutes } from "./commands/feature.ts";
import { mcpRoutes } from "./commands/mcp.ts";
import { parallelRoutes } from "./commands/parallel.ts";
import { hooksRoutes } from "./commands/hooks.ts";
import {
  gapsRoutes,
  governanceRoutes,
  guardRoutes,
  qualityRoutes,
  validateCommand,
} from "./commands/quality.ts";
import { securityRoutes } from "./commands/security.ts";
import { routingRoutes } from "./commands/routing.ts";
import { telemetryRoutes } from "./commands/telemetry.ts";
import { attachCommand, generateCommand, initCommand, statusCommand } from "./commands/project.ts";
import { contextCommand, handoffCommand, specRoutes } from "./commands/spec.ts";
import type { BrContext } from "./context.ts";

/** The version of `br`. */
export const VERSION: string = denoJson.version;

const root = buildRouteMap({
  routes: {
    init: initCommand,
    attach: attachCommand,
    status: statusCommand,
    generate: generateCommand,
    feature: featureRoutes,
    config: configRoutes,
    mcp: mcpRoutes,
    parallel: parallelRoutes,
    cost: costRoutes,
    gaps: gapsRoutes,
    quality: qualityRoutes,
    guard: guardRoutes,
    governance: governanceRoutes,
    hooks: hooksRoutes,
    validate: validateCommand,
    design: designRoutes,
    security: securityRoutes,
    spec: specRoutes,
    context: contextCommand,
    handoff: handoffCommand,
    telemetry: telemetryRoutes,
    routing: routingRoutes,
    completions: completionsCommand,
    __complete: completeCommand,
  },
  docs: {
    brief: "BuildRunner: keep AI-assisted projects honest and finished",
    hideRoute: { __complete: true },
  },
});

/** The command tree. */
export const app = buildApplication<BrContext>(root, {
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
});

/**
 * Runs `br` with `argv` in `ctx` and returns the exit code (Stricli's negative usage codes
 * become 2).
 */
export async function runCli(argv: readonly string[], ctx: BrContext): Promise<number> {
  await run(app, argv, ctx.command ? ctx : { ...ctx, command: commandPath(argv) });
  const code = Number(ctx.process.exitCode ?? 0);
  return code < 0 ? 2 : code;
}

/** The route words of `argv` (`["feature", "add", "X"]` -> `"feature add"`). */
function commandPath(argv: readonly string[]): string {
  const words: string[] = [];
  let target: unknown = root;
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
