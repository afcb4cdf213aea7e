/**
 * Threshold alerts: each rule compares one figure of the recent telemetry with its threshold
 * from config. An alert fires when the figure reaches the threshold (`>=` a maximum, `<=` a
 * minimum), is stored once while it lasts (its figure, threshold and text follow each check), and
 * is marked resolved when the figure recovers.
 */
import { readStore } from "../core/store_read.ts";
import { compareText } from "../core/text.ts";
import type { Project } from "../core/project.ts";
import type { Store } from "../core/store.ts";
import { type Period, periodStart } from "./_time.ts";
import { durationsOf, outcomeRates, percentile, round } from "./query.ts";
import { type LedgerCost, ledgerCost } from "./_cost.ts";
import { type AlertThresholds, DEFAULT_THRESHOLDS } from "./_thresholds.ts";

/** The alert rules. */
export type AlertRuleName =
  | "success_rate"
  | "error_rate"
  | "p95_duration_ms"
  | "daily_cost_usd"
  | "security_findings";

export { type AlertThresholds, DEFAULT_THRESHOLDS } from "./_thresholds.ts";

/** One rule checked now. */
export interface AlertCheck {
  /** The rule checked. */
  rule: AlertRuleName;
  /** The current figure, or null when there is no data. */
  value: number | null;
  /** The threshold, or null when the rule is off. */
  threshold: number | null;
  /** `min` rules fire at or below, `max` rules at or above. */
  kind: "min" | "max";
  /** Whether it fires now. */
  firing: boolean;
}

/** A stored alert. */
export interface AlertRecord {
  /** Row id in the store. */
  id: number;
  /** The rule that fired ({@link AlertRuleName}). */
  rule: string;
  /** The figure at the last check while it was active (when it resolved: the last firing one). */
  value: number;
  /** The threshold it reached. */
  threshold: number;
  /** A sentence for people, with that figure. */
  message: string;
  /** When it fired. */
  fired_at: string;
  /** When it recovered, or null while active. */
  resolved_at: string | null;
}

/** What an evaluation reports. */
export interface AlertsReport {
  /** Window of the rate rules. */
  window: Period;
  /** Every rule, as checked now, sorted by rule. */
  checks: AlertCheck[];
  /** Alerts active now, sorted by rule. */
  active: AlertRecord[];
  /** Alerts this evaluation fired. */
  fired: AlertRecord[];
  /** Alerts this evaluation resolved. */
  resolved: AlertRecord[];
  /** The most recent alerts (active and resolved), newest first. */
  history: AlertRecord[];
}

async function thresholds(project: Project): Promise<AlertThresholds> {
  // Without a layer that can set them, the defaults apply without loading the configuration.
  if (!project.configMentions("telemetry")) return { ...DEFAULT_THRESHOLDS };
  await import("./config.ts");
  const config = await project.config();
  const section = config.get<Partial<AlertThresholds>>("telemetry.alerts") ?? {};
  return { ...DEFAULT_THRESHOLDS, ...section };
}

async function taskP95(store: Store, since: Date | null): Promise<number | null> {
  const rows = await durationsOf(store, since, ["task.completed", "task.failed"]);
  return rows.length === 0 ? null : percentile(rows, 0.95);
}

const NO_COST: LedgerCost = { usd: 0, calls: 0, by_model: [], modelId: (name) => name };

const MESSAGES: Record<AlertRuleName, (v: number, t: number) => string> = {
  success_rate: (v, t) => `Success rate ${pct(v)} is at or below ${pct(t)}`,
  error_rate: (v, t) => `Error rate ${pct(v)} is at or above ${pct(t)}`,
  p95_duration_ms: (v, t) => `p95 task duration ${v} ms is at or above ${t} ms`,
  daily_cost_usd: (v, t) =>
    `Cost of the last 24 h $${v.toFixed(2)} is at or above $${t.toFixed(2)}`,
  security_findings: (v, t) => `${v} security finding(s), threshold ${t}`,
};

function pct(x: number): string {
  return `${round(x * 100, 1)}%`;
}

/**
 * Security findings reported in the window that are still open: distinct fingerprints, without
 * those the project's baseline has accepted since.
 */
async function openFindings(project: Project, store: Store, since: Date | null): Promise<number> {
  const rows = await store.all<{ payload: string }>(
    "SELECT payload FROM events WHERE type = 'security.finding' AND ts >= ?",
    [since?.getTime() ?? 0],
  );
  if (!rows.length) return 0;
  const { readSecurityBaseline } = await import("../security/baseline.ts");
  const accepted = await readSecurityBaseline(project);
  const open = new Set<string>();
  for (const r of rows) {
    let fingerprint: unknown;
    try {
      fingerprint = JSON.parse(r.payload)?.fingerprint;
    } catch {
      fingerprint = undefined;
    }
    // A finding without a fingerprint cannot be accepted: it counts on its own.
    const key = typeof fingerprint === "string" ? fingerprint : `event:${open.size}:${r.payload}`;
    if (!accepted.has(key)) open.add(key);
  }
  return open.size;
}

/**
 * Checks every rule now, stores alerts that start firing and resolves those that stopped.
 *
 * @throws {BrError} `storage` when the store cannot be read or written.
 */
export async function evaluateAlerts(
  project: Project,
  options: {
    now?: Date;
    /**
     * Also compute the figure of a rule that is off (shown by `br telemetry alerts`; default
     * true). The check after writing events passes false: an off rule stores nothing, and the
     * daily cost needs the cost ledger and its modules.
     */
    offFigures?: boolean;
  } = {},
): Promise<AlertsReport> {
  const now = options.now ?? project.clock.now();
  const limits = await thresholds(project);
  const store = await readStore(project);
  // The rate rules below read the rollups alone.
  const daily = limits.daily_cost_usd_max === null && options.offFigures === false
    ? NO_COST
    : await ledgerCost(project, periodStart("day", now), now);
  const window = await outcomeRates(store, limits.window, now);
  const findings = await openFindings(project, store, periodStart(limits.window, now));
  const values: Record<AlertRuleName, [number | null, number | null, "min" | "max"]> = {
    daily_cost_usd: [daily.calls ? daily.usd : null, limits.daily_cost_usd_max, "max"],
    error_rate: [window.error_rate, limits.error_rate_max, "max"],
    p95_duration_ms: [
      await taskP95(store, periodStart(limits.window, now)),
      limits.p95_duration_ms_max,
      "max",
    ],
    security_findings: [findings, limits.security_findings_max, "max"],
    success_rate: [window.success.rate, limits.success_rate_min, "min"],
  };
  const checks: AlertCheck[] = [];
  for (const [rule, [value, threshold, kind]] of Object.entries(values)) {
    const firing = value !== null && threshold !== null &&
      (kind === "max" ? value >= threshold : value <= threshold);
    checks.push({ rule: rule as AlertRuleName, value, threshold, kind, firing });
  }
  checks.sort((a, b) => compareText(a.rule, b.rule));
  const stamp = now.toISOString();
  const { fired, resolved } = await store.tx(async (t) => {
    const open = await t.all<AlertRecord>("SELECT * FROM alerts WHERE resolved_at IS NULL");
    const fired: AlertRecord[] = [];
    const resolved: AlertRecord[] = [];
    for (const check of checks) {
      const current = open.find((a) => a.rule === check.rule);
      if (check.firing && !current) {
        const message = MESSAGES[check.rule](check.value!, check.threshold!);
        const inserted = await t.get<{ id: number }>(
          "INSERT INTO alerts (rule, value, threshold, message, fired_at) VALUES (?, ?, ?, ?, ?) " +
            "RETURNING id",
          [check.rule, check.value!, check.threshold!, message, stamp],
        );
        fired.push({
          id: inserted!.id,
          rule: check.rule,
          value: check.value!,
          threshold: check.threshold!,
          message,
          fired_at: stamp,
          resolved_at: null,
        });
      } else if (check.firing && current) {
        // The text says the figure of now, not the one it fired with.
        const message = MESSAGES[check.rule](check.value!, check.threshold!);
        if (
          message !== current.message || check.value !== current.value ||
          check.threshold !== current.threshold
        ) {
          await t.run("UPDATE alerts SET value = ?, threshold = ?, message = ? WHERE id = ?", [
            check.value!,
            check.threshold!,
            message,
            current.id,
          ]);
        }
      } else if (!check.firing && current) {
        await t.run("UPDATE alerts SET resolved_at = ? WHERE id = ?", [stamp, current.id]);
        resolved.push({ ...current, resolved_at: stamp });
      }
    }
    return { fired, resolved };
  });
  const active = await store.all<AlertRecord>(
    "SELECT * FROM alerts WHERE resolved_at IS NULL ORDER BY rule, id",
  );
  const history = await store.all<AlertRecord>(
    "SELECT * FROM alerts ORDER BY fired_at DESC, id DESC LIMIT 50",
  );
  return { window: limits.window, checks, active, fired, resolved, history };
}
