/** The telemetry tool: the summary of recorded events. */
import { z } from "zod";
import { type Period, PERIODS, telemetrySummary } from "../../telemetry/mod.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";

const Outcome = z.object({
  succeeded: z.number(),
  failed: z.number(),
  rate: z.number().nullable(),
});

/** The tools of the telemetry capability. */
export const telemetryTools: ToolDefinition[] = [
  defineTool({
    name: "br_telemetry_summary",
    title: "Telemetry summary",
    description:
      "Summary of the events recorded in .buildrunner/br.db for a period, like `br telemetry summary`: success and error rates, p50/p95 durations per event type, cost by model, errors by type, models used, gate results, commands run.",
    set: "all",
    input: z.strictObject({
      period: z.enum(PERIODS as readonly [Period, ...Period[]]).optional().describe(
        "Default week",
      ),
    }),
    output: z.object({
      period: z.string(),
      since: z.string().nullable(),
      until: z.string(),
      events: z.number(),
      by_type: z.array(z.object({ type: z.string(), count: z.number() })),
      success: z.object({ tasks: Outcome, builds: Outcome, rate: z.number().nullable() }),
      error_rate: z.number().nullable(),
      durations: z.array(z.object({
        type: z.string(),
        count: z.number(),
        p50_ms: z.number(),
        p95_ms: z.number(),
      })),
      cost: z.object({
        usd: z.number(),
        calls: z.number(),
        by_model: z.array(z.object({ model: z.string(), usd: z.number(), calls: z.number() })),
      }),
      errors: z.array(z.object({ type: z.string(), count: z.number() })),
      models: z.array(z.object({
        model: z.string(),
        selected: z.number(),
        fallback_to: z.number(),
        cost_calls: z.number(),
        usd: z.number(),
      })),
      gates: z.array(z.object({ gate: z.string(), passed: z.number(), failed: z.number() })),
      sessions: z.object({ total: z.number(), failed: z.number() }),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ project }, args) => telemetrySummary(project, { period: args.period }),
  }),
];
