import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags } from "../output.ts";
import { boolFlag, listFlag, textArg, textFlag } from "../flags.ts";

/** The flags of a cost summary, shared with `br routing costs`. */
export const summaryFlags = {
  ...commonFlags,
  by: textFlag(
    "Group by day, week, month, model, feature, session, project or source (default day)",
    "key",
  ),
  since: textFlag("From this day (YYYY-MM-DD in the time zone) or ISO time, inclusive", "date"),
  until: textFlag("Up to this day (inclusive) or ISO time (exclusive)", "date"),
  timezone: textFlag(
    "Time zone of days, weeks and months (default: cost.timezone, TZ, local)",
    "tz",
  ),
  feature: textFlag("Only this feature", "id"),
  source: textFlag("Only this source (claude-code, codex, ...)", "name"),
  format: textFlag("Output: text, json or csv (default text)", "format"),
} as const;

/** `br cost summary` (also mounted as `br routing costs`). */
export const costSummaryCommand = command({
  load: async () => (await import("./cost_summary_run.ts")).summary,
  brief: "Sum the cost ledger by day, week, month, model, feature, session or project",
  parameters: { flags: summaryFlags },
});

/** The `br cost ...` commands. */
export const costRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    import: command({
      load: async () => (await import("./cost_import_run.ts")).importLogs,
      brief: "Import token usage from Claude Code and Codex logs (incremental)",
      parameters: {
        flags: {
          ...commonFlags,
          dir: listFlag("Read this folder instead of the default ones (repeatable)", "dir"),
        },
        positional: {
          kind: "tuple",
          parameters: [{
            brief: "claude-code, codex or all (default all)",
            parse: String,
            placeholder: "source",
            optional: true,
          }],
        },
      },
    }),
    summary: costSummaryCommand,
    blocks: command({
      load: async () => (await import("./cost_run.ts")).blocks,
      brief: "Usage in 5-hour windows (as Claude's plans count it) with burn rate and projection",
      parameters: {
        flags: {
          ...commonFlags,
          active: boolFlag("Only the active window"),
          recent: boolFlag("Only windows of the last 3 days (and the active one)"),
          live: boolFlag("Import and redraw the active window on a terminal until Ctrl-C"),
          interval: {
            kind: "parsed",
            parse: Number,
            brief: "Seconds between redraws with --live (default 5)",
            optional: true,
            placeholder: "s",
          },
          source: textFlag("Only this source (default claude-code; all for every source)", "name"),
        },
      },
    }),
    statusline: command({
      load: async () => (await import("./cost_statusline_run.ts")).statusline,
      brief: "One status line for Claude Code (reads its JSON on stdin)",
      parameters: { flags: commonFlags },
    }),
    models: command({
      load: async () => (await import("./cost_run.ts")).models,
      brief: "List the model catalog (prices per million tokens and their source)",
      parameters: {
        flags: {
          ...commonFlags,
          provider: textFlag("Only this provider: anthropic, openai, google", "name"),
        },
        positional: {
          kind: "tuple",
          parameters: [{
            brief: "Resolve this model name",
            parse: String,
            placeholder: "model",
            optional: true,
          }],
        },
      },
    }),
    budget: buildRouteMap({
      routes: {
        set: command({
          load: async () => (await import("./cost_run.ts")).budgetSet,
          brief: "Set a budget: daily, weekly, monthly or total, in USD",
          parameters: {
            flags: {
              ...commonFlags,
              feature: textFlag("Limit only this feature's spending", "id"),
              warn: {
                kind: "parsed",
                parse: Number,
                brief: "Warn at this percentage of the limit (default cost.budget_warn_pct, 80)",
                optional: true,
                placeholder: "pct",
              },
            },
            positional: {
              kind: "tuple",
              parameters: [
                textArg("daily, weekly, monthly or total", "period"),
                { brief: "Limit in USD", parse: Number, placeholder: "usd" },
              ],
            },
          },
        }),
        list: command({
          load: async () => (await import("./cost_run.ts")).budgetList,
          brief: "List budgets",
          parameters: { flags: commonFlags },
        }),
        check: command({
          load: async () => (await import("./cost_run.ts")).budgetCheck,
          brief: "Check budgets; exits 10 when one reached its stop level",
          parameters: {
            flags: {
              ...commonFlags,
              feature: textFlag("Only the budgets that apply to this feature", "id"),
            },
          },
        }),
        remove: command({
          load: async () => (await import("./cost_run.ts")).budgetRemove,
          brief: "Remove a budget",
          parameters: {
            flags: commonFlags,
            positional: {
              kind: "tuple",
              parameters: [textArg("Budget name (see list)", "name")],
            },
          },
        }),
      },
      docs: { brief: "Budgets with warn and stop levels" },
    }),
  },
  docs: { brief: "Token costs from agent logs, the model catalog and budgets" },
});
