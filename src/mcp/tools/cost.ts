/** The cost tool: token and USD totals from the ledger. */
import { z } from "zod";
import { costSummary, SUMMARY_BY, type SummaryBy } from "../../cost/mod.ts";
import { defineTool, paginate, type ToolDefinition } from "../tool.ts";

const totals = {
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_creation_tokens: z.number(),
  cache_read_tokens: z.number(),
  total_tokens: z.number(),
  cost_usd: z.number(),
  logged_cost_usd: z.number().nullable(),
};

/** The tools of the cost capability. */
export const costTools: ToolDefinition[] = [
  defineTool({
    name: "br_cost_summary",
    title: "Cost summary",
    description:
      "Tokens by kind and USD from the cost ledger (imported agent logs and recorded calls), grouped by day, week, month, model, feature, session, project or source, like `br cost summary --json`. Rows are sorted by key and paginated; totals cover every row. Run `br cost import` first to read new agent logs.",
    set: "standard",
    input: z.strictObject({
      by: z.enum(SUMMARY_BY as readonly [SummaryBy, ...SummaryBy[]]).optional().describe(
        "Grouping (default day)",
      ),
      since: z.string().optional().describe("YYYY-MM-DD (in the time zone) or ISO time; inclusive"),
      until: z.string().optional().describe("YYYY-MM-DD (whole day counts) or ISO time; exclusive"),
      timezone: z.string().optional().describe("IANA zone of day/week/month keys (default TZ)"),
      feature: z.string().optional().describe("Only this feature"),
      source: z.string().optional().describe("Only this source (claude-code, codex, ...)"),
      limit: z.number().int().min(1).max(500).default(100).describe("Page size (default 100)"),
      cursor: z.string().optional().describe("next_cursor of the previous page"),
    }),
    output: z.object({
      by: z.string(),
      timezone: z.string(),
      rows: z.array(z.object({ key: z.string().nullable(), ...totals })),
      next_cursor: z.string().nullable(),
      total: z.number().describe("Rows (all pages)"),
      totals: z.object(totals),
      unpriced_models: z.array(z.string()),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project }, args) => {
      const s = await costSummary(project, {
        by: args.by,
        since: args.since,
        until: args.until,
        timezone: args.timezone,
        feature: args.feature,
        source: args.source,
      });
      const page = paginate(s.rows, args.limit, args.cursor);
      return {
        by: s.by,
        timezone: s.timezone,
        rows: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
        totals: s.totals,
        unpriced_models: s.unpriced_models,
      };
    },
  }),
];
