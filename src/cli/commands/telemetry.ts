import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags, jsonFlag, projectFlag } from "../output.ts";
import { boolFlag, textFlag } from "../flags.ts";

const period = textFlag("Period: day (last 24 h), week, month (30 days) or all", "period");
const filters = {
  type: textFlag("Only this type (task.failed) or family (task)", "type"),
  since: textFlag("Only events since a time (2026-11-01) or duration back (7d, 12h)", "when"),
  feature: textFlag("Only events of this feature", "id"),
  session: textFlag("Only events of this session", "id"),
} as const;

/** The `br telemetry ...` commands. */
export const telemetryRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    summary: command({
      load: async () => (await import("./telemetry_run.ts")).summary,
      brief: "Success rate, durations, cost, errors, models and gates of a period",
      parameters: { flags: { ...commonFlags, period } },
    }),
    events: command({
      load: async () => (await import("./telemetry_run.ts")).events,
      brief: "List recorded events (most recent last)",
      parameters: {
        flags: { ...commonFlags, ...filters, limit: textFlag("How many (default 50)", "n") },
      },
    }),
    alerts: command({
      load: async () => (await import("./telemetry_run.ts")).alerts,
      brief: "Check the alert thresholds now and show active alerts and their history",
      parameters: { flags: commonFlags },
    }),
    performance: command({
      load: async () => (await import("./telemetry_run.ts")).performanceCmd,
      brief: "Duration percentiles per event type and the slowest commands",
      parameters: { flags: { ...commonFlags, period } },
    }),
    export: command({
      load: async () => (await import("./telemetry_run.ts")).exportCmd,
      brief: "Export events as CSV or JSON lines, or send them to an OTLP collector",
      parameters: {
        flags: {
          project: projectFlag,
          json: jsonFlag,
          format: textFlag("csv, jsonl or otlp (default jsonl)", "format"),
          output: textFlag("Write to this file instead of stdout (csv, jsonl)", "file"),
          endpoint: textFlag("OTLP collector URL (default: telemetry.otlp.endpoint)", "url"),
          all: {
            kind: "boolean",
            brief: "otlp: send every event again, not only those not yet sent",
            optional: true,
          },
          type: filters.type,
          since: filters.since,
          feature: filters.feature,
        },
      },
    }),
    prune: command({
      load: async () => (await import("./telemetry_run.ts")).prune,
      brief: "Delete events older than a duration (asks first; --yes without a terminal)",
      parameters: {
        flags: {
          ...commonFlags,
          olderThan: textFlag("Age, such as 90d or 12h (required)", "age"),
          dryRun: boolFlag("Only count what would be deleted"),
          yes: boolFlag("Delete without asking"),
        },
      },
    }),
  },
  docs: { brief: "Recorded events: summary, alerts, performance, export, prune" },
});
