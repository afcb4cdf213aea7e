/**
 * The `telemetry` config section.
 *
 * @module
 */
import { z } from "zod";
import { defineConfigSection } from "../core/config.ts";

const threshold = z.number().nullable();

/** `telemetry.*` settings; every field has a default. */
export const telemetrySection: ReturnType<typeof schema> = defineConfigSection(
  "telemetry",
  schema(),
);

function schema() {
  return z.looseObject({
    enabled: z.boolean().default(true),
    alerts: z.looseObject({
      window: z.enum(["day", "week", "month", "all"]).default("day"),
      success_rate_min: threshold.default(0.8),
      error_rate_max: threshold.default(0.2),
      p95_duration_ms_max: threshold.default(1_800_000),
      daily_cost_usd_max: threshold.default(null),
      security_findings_max: threshold.default(1),
    }).default({
      window: "day",
      success_rate_min: 0.8,
      error_rate_max: 0.2,
      p95_duration_ms_max: 1_800_000,
      daily_cost_usd_max: null,
      security_findings_max: 1,
    }),
    otlp: z.looseObject({
      endpoint: z.string().nullable().default(null),
      headers: z.record(z.string(), z.string()).default({}),
      service_name: z.string().default("buildrunner"),
      timeout_ms: z.number().int().positive().default(10_000),
    }).default({ endpoint: null, headers: {}, service_name: "buildrunner", timeout_ms: 10_000 }),
  });
}
