import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { costSummaryCommand } from "./cost.ts";
import { commonFlags } from "../output.ts";
import { textArg, textFlag } from "../flags.ts";

const taskArg = {
  kind: "tuple",
  parameters: [{ brief: "Task description", parse: String, placeholder: "text", optional: true }],
} as const;

/** The `br routing ...` commands. */
export const routingRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    estimate: command({
      load: async () => (await import("./routing_run.ts")).estimateCmd,
      brief: "Estimate the complexity of a task or feature, with the reasons",
      parameters: {
        flags: {
          ...commonFlags,
          feature: textFlag("Estimate this feature instead of a text", "id"),
        },
        positional: taskArg,
      },
    }),
    select: command({
      load: async () => (await import("./routing_run.ts")).select,
      brief: "Select a model for a task, feature or level",
      parameters: {
        flags: {
          ...commonFlags,
          feature: textFlag("Select for this feature", "id"),
          level: textFlag("Select for this level: simple, moderate, complex, critical", "level"),
          maxCost: textFlag("Highest estimated USD for the task", "usd"),
          provider: textFlag("Only this provider (anthropic, openai, google, ...)", "name"),
          minContext: textFlag("Smallest context window, in tokens", "tokens"),
        },
        positional: taskArg,
      },
    }),
    models: command({
      load: async () => (await import("./routing_run.ts")).models,
      brief: "List the models routing chooses from, with prices and records",
      parameters: { flags: { ...commonFlags, provider: textFlag("Only this provider", "name") } },
    }),
    outcome: command({
      load: async () => (await import("./routing_run.ts")).outcome,
      brief: "Record how a model did on a feature (success, rework or fail)",
      parameters: {
        flags: {
          ...commonFlags,
          model: textFlag("The model that did the work (required)", "id"),
          result: textFlag("success, rework or fail (required)", "result"),
          cost: textFlag("What it cost, in USD", "usd"),
          level: textFlag("The level (default: the feature's estimate)", "level"),
        },
        positional: {
          kind: "tuple",
          parameters: [textArg("Feature id", "feature")],
        },
      },
    }),
    costs: costSummaryCommand,
  },
  docs: { brief: "Complexity estimates, model selection, outcomes" },
});
