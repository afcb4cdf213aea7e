/**
 * The `telemetry` config section.
 *
 * @module
 */
import { z } from "zod";
import { defineConfigSection } from "../core/config.ts";
import { DEFAULT_THRESHOLDS } from "./_thresholds.ts";

const threshold = z.number().nullable();
const D = DEFAULT_THRESHOLDS;

/** `telemetry.*` settings; every field has a default. */
export const telemetrySection: ReturnType<typeof schema> = defineConfigSection(
  "telemetry",
  schema(),
);

function schema() {
  return z.looseObject({
    enabled: z.boolean().default(true),
    alerts: z.looseObject({
      window: z.enum(["day", "week", "month", "all"]).default(D.window),
      success_rate_min: threshold.default(D.success_rate_min),
      error_rate_max: threshold.default(D.error_rate_max),
      p95_duration_ms_max: threshold.default(D.p95_duration_ms_max),
      daily_cost_usd_max: threshold.default(D.daily_cost_usd_max),
      security_findings_max: threshold.default(D.security_findings_max),
    }).default({ ...D }),
    otlp: z.looseObject({
      endpoint: z.string().nullable().default(null),
      headers: z.record(z.string(), z.string()).default({}),
      service_name: z.string().default("buildrunner"),
      timeout_ms: z.number().int().positive().default(10_000),
    }).default({ endpoint: null, headers: {}, service_name: "buildrunner", timeout_ms: 10_000 }),
  });
}
