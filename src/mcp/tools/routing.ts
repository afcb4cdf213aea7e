/** The routing tool: estimate the complexity of a task or a feature. */
import { z } from "zod";
import { BrError } from "../../core/errors.ts";
import { estimateTask } from "../../routing/mod.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";

/** The tools of the routing capability. */
export const routingTools: ToolDefinition[] = [
  defineTool({
    name: "br_routing_estimate",
    title: "Estimate complexity",
    description:
      "Estimates how complex a task is (simple, moderate, complex or critical) with the reasons and their points, like `br routing estimate`: from a task text, or from a feature (its wording, declared files, dependencies, acceptance criteria and past outcomes of similar features).",
    set: "all",
    input: z.strictObject({
      text: z.string().optional().describe("A task description"),
      feature: z.string().optional().describe("A feature id (instead of text)"),
    }),
    output: z.object({
      feature: z.string().nullable(),
      level: z.string(),
      score: z.number(),
      reasons: z.array(z.object({ reason: z.string(), points: z.number() })),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ project }, args) => {
      if (args.text && args.feature) {
        throw new BrError("usage", "Give a task text or a feature, not both", {
          hint: "pass text or feature",
        });
      }
      return estimateTask(project, { text: args.text, feature: args.feature });
    },
  }),
];
