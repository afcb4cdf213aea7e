/** The alert thresholds and their defaults: used by the alerts and by the config section. */
import type { Period } from "./_time.ts";

/** Thresholds of the rules (`null` turns a rule off). */
export interface AlertThresholds {
  /** Window of the rate, duration and findings rules. */
  window: Period;
  /** Fires when the task/build success rate is at or below this. */
  success_rate_min: number | null;
  /** Fires when the failed share of outcomes is at or above this. */
  error_rate_max: number | null;
  /** Fires when the p95 task duration is at or above this. */
  p95_duration_ms_max: number | null;
  /** Fires when the ledger cost of the calls of the last 24 hours is at or above this. */
  daily_cost_usd_max: number | null;
  /** Fires when the number of security findings is at or above this. */
  security_findings_max: number | null;
}

/** The built-in thresholds (also the config defaults). */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  window: "day",
  success_rate_min: 0.8,
  error_rate_max: 0.2,
  p95_duration_ms_max: 1_800_000,
  daily_cost_usd_max: null,
  security_findings_max: 1,
};
