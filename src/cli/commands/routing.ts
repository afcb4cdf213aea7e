import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { costSummaryCommand } from "./cost.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const str = (brief: string, placeholder = "value") =>
  ({ kind: "parsed", parse: String, brief, optional: true, placeholder }) as const;
const common = { project: projectFlag, json: jsonFlag } as const;
const textArg = {
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
        flags: { ...common, feature: str("Estimate this feature instead of a text", "id") },
        positional: textArg,
      },
    }),
    select: command({
      load: async () => (await import("./routing_run.ts")).select,
      brief: "Select a model for a task, feature or level",
      parameters: {
        flags: {
          ...common,
          feature: str("Select for this feature", "id"),
          level: str("Select for this level: simple, moderate, complex, critical", "level"),
          maxCost: str("Highest estimated USD for the task", "usd"),
          provider: str("Only this provider (anthropic, openai, google, ...)", "name"),
          minContext: str("Smallest context window, in tokens", "tokens"),
        },
        positional: textArg,
      },
    }),
    models: command({
      load: async () => (await import("./routing_run.ts")).models,
      brief: "List the models routing chooses from, with prices and records",
      parameters: { flags: { ...common, provider: str("Only this provider", "name") } },
    }),
    outcome: command({
      load: async () => (await import("./routing_run.ts")).outcome,
      brief: "Record how a model did on a feature (success, rework or fail)",
      parameters: {
        flags: {
          ...common,
          model: str("The model that did the work (required)", "id"),
          result: str("success, rework or fail (required)", "result"),
          cost: str("What it cost, in USD", "usd"),
          level: str("The level (default: the feature's estimate)", "level"),
        },
        positional: {
          kind: "tuple",
          parameters: [{ brief: "Feature id", parse: String, placeholder: "feature" }],
        },
      },
    }),
    costs: costSummaryCommand,
  },
  docs: { brief: "Complexity estimates, model selection, outcomes" },
});
