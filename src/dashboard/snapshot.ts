/**
 * One project's state for the dashboard, read without writing: features.json, the last gate
 * results and secret findings (from the stored gate events), cost today and this week, budget
 * levels, the latest parallel run, and a health state with the rule that decided it.
 *
 * A project without `.buildrunner/br.db` is read without creating it; a project that cannot
 * be read becomes a row with `error` set.
 *
 * @module
 */
import { readOwnTextOrNull } from "../core/fs.ts";
import { createProject, type Project } from "../core/project.ts";
import { join } from "../core/path.ts";
import { readStore } from "../core/store_read.ts";
import type { Store } from "../core/store.ts";
import { parseFeaturesText } from "../features/registry.ts";
import type { Feature, FeatureStatus } from "../features/types.ts";
import type { FoundProject } from "./discover.ts";

/** Health of a project. */
export type Health = "healthy" | "warning" | "critical";

/** Features by status. */
export interface FeatureCounts {
  /** Every feature. */
  total: number;
  /** `planned` */
  planned: number;
  /** `in_progress` */
  in_progress: number;
  /** `testing` */
  testing: number;
  /** `blocked` */
  blocked: number;
  /** `complete` */
  complete: number;
}

/** The last result of one gate. */
export interface GateState {
  /** Gate name. */
  gate: string;
  /** True when it passed. */
  passed: boolean;
  /** When it ran (ISO). */
  time: string;
  /** Its counts. */
  counts: Record<string, number>;
}

/** The state of the latest parallel run. */
export interface WorkersState {
  /** Run id (null: no run yet). */
  run: string | null;
  /** Run state (`running`, `completed`, ...; `interrupted` when its process is gone). */
  state: string | null;
  /** Workers busy with a task now. */
  busy: number;
  /** Workers of the run. */
  total: number;
}

/** Budget levels. */
export interface BudgetState {
  /** The worst level (`ok` when there are no budgets). */
  level: "ok" | "warn" | "stop";
  /** Budgets at warn or stop. */
  alerts: { name: string; level: string; spent_usd: number; limit_usd: number }[];
}

/** One row of `br dashboard --json` (`projects[]`). */
export interface ProjectSnapshot {
  /** Project name (features.json `project`, else the folder name). */
  name: string;
  /** Project root. */
  path: string;
  /** `healthy`, `warning` or `critical`. */
  health: Health;
  /** The rule that decided the health, with its figures. */
  health_rule: string;
  /** Percent of features complete. */
  completion_percentage: number;
  /** Features by status. */
  counts: FeatureCounts;
  /** Blocked features with their reasons. */
  blocked: { id: string; name: string; reason: string | null }[];
  /** The last result of each gate, by gate name. */
  gates: GateState[];
  /** Open findings of the last security gate (counts only, never a secret). */
  findings: { secrets: number; total: number } | null;
  /** USD spent today (cost time zone). */
  cost_today_usd: number;
  /** USD spent this week (Monday to now). */
  cost_week_usd: number;
  /** Budget levels. */
  budget: BudgetState;
  /** The latest parallel run. */
  workers: WorkersState;
  /** The latest change seen (features.json written, an event stored), ISO. */
  last_activity: string | null;
  /** Why the project could not be read (every other field is then empty). */
  error: string | null;
}

/** A feature as the detail view lists it. */
export interface FeatureRow {
  /** Feature id. */
  id: string;
  /** Feature name. */
  name: string;
  /** Status. */
  status: string;
  /** Priority. */
  priority: string;
  /** Why it is blocked. */
  blocked_reason: string | null;
}

/** Features and timeline entries a detail view shows. */
export interface ProjectDetail {
  /** The snapshot. */
  snapshot: ProjectSnapshot;
  /** Every feature (id, name, status, priority, blocked reason). */
  features: FeatureRow[];
  /** USD by day over the last 30 days (oldest first). */
  cost_by_day: { day: string; usd: number }[];
  /** The last gate runs, newest first. */
  gate_history: GateState[];
  /** Tasks of the latest parallel run. */
  tasks: { feature: string; state: string; worker: string | null }[];
}

/** A stored event on the timeline. */
export interface TimelineEntry {
  /** Project name. */
  project: string;
  /** Event type. */
  type: string;
  /** ISO time. */
  time: string;
  /** Feature, if any. */
  feature: string | null;
}

const STATUSES: readonly FeatureStatus[] = [
  "planned",
  "in_progress",
  "testing",
  "blocked",
  "complete",
];

/** The health rules, checked in this order; the first that matches decides. */
export const HEALTH_RULES: readonly string[] = [
  "unreadable",
  "secret_findings",
  "budget_stop",
  "gate_failed",
  "budget_warn",
  "parallel_interrupted",
  "blocked_features",
  "all_clear",
];

/**
 * The health of a snapshot and the rule that decided it: critical when the project cannot
 * be read, the last security gate found secrets, or a budget is spent; warning when a gate's
 * last run failed, a budget is at its warn level, a parallel run was interrupted, or a
 * feature is blocked; healthy otherwise.
 */
export function decideHealth(
  s: Omit<ProjectSnapshot, "health" | "health_rule">,
): { health: Health; rule: string } {
  if (s.error) return { health: "critical", rule: `unreadable: ${s.error}` };
  if (s.findings && s.findings.secrets > 0) {
    return {
      health: "critical",
      rule: `secret_findings: ${s.findings.secrets} open secret finding(s)`,
    };
  }
  const stop = s.budget.alerts.find((a) => a.level === "stop");
  if (stop) {
    return {
      health: "critical",
      rule: `budget_stop: budget "${stop.name}" spent ${usd(stop.spent_usd)} of ${
        usd(stop.limit_usd)
      }`,
    };
  }
  const failed = s.gates.filter((g) => !g.passed).map((g) => g.gate);
  if (failed.length) {
    return { health: "warning", rule: `gate_failed: last ${failed.join(", ")} gate failed` };
  }
  const warn = s.budget.alerts.find((a) => a.level === "warn");
  if (warn) {
    return {
      health: "warning",
      rule: `budget_warn: budget "${warn.name}" at ${usd(warn.spent_usd)} of ${
        usd(warn.limit_usd)
      }`,
    };
  }
  if (s.workers.state === "interrupted") {
    return {
      health: "warning",
      rule: `parallel_interrupted: run ${s.workers.run} stopped without finishing`,
    };
  }
  if (s.counts.blocked > 0) {
    return { health: "warning", rule: `blocked_features: ${s.counts.blocked} blocked` };
  }
  return { health: "healthy", rule: "all_clear: no rule matched" };
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}

function emptyCounts(): FeatureCounts {
  return { total: 0, planned: 0, in_progress: 0, testing: 0, blocked: 0, complete: 0 };
}

function emptySnapshot(found: FoundProject): Omit<ProjectSnapshot, "health" | "health_rule"> {
  return {
    name: found.name,
    path: found.path,
    completion_percentage: 0,
    counts: emptyCounts(),
    blocked: [],
    gates: [],
    findings: null,
    cost_today_usd: 0,
    cost_week_usd: 0,
    budget: { level: "ok", alerts: [] },
    workers: { run: null, state: null, busy: 0, total: 0 },
    last_activity: null,
    error: null,
  };
}

function mtimeOf(path: string): Date | null {
  try {
    return Deno.statSync(path).mtime;
  } catch {
    return null;
  }
}

/**
 * True when the project may have stored data: a PostgreSQL store, `br.db`, or events spooled
 * for it.
 */
async function hasStoredData(project: Project): Promise<boolean> {
  if ((await project.storeChoice()).backend === "postgres") return true;
  if (mtimeOf(project.paths.db)) return true;
  try {
    for (const _ of Deno.readDirSync(project.paths.spool)) return true;
  } catch {
    // no spool
  }
  return false;
}

/** `YYYY-MM-DD` of `date` in `tz`. */
function dayIn(date: Date, tz: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(date);
}

function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function parsePayload(text: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(String(text));
    return v && typeof v === "object" ? v : {};
  } catch {
    return {};
  }
}

async function gateRows(store: Store, limit: number): Promise<GateState[]> {
  const rows = await store.all<{ type: string; time: string; payload: string }>(
    `SELECT type, time, payload FROM events WHERE type IN ('gate.passed', 'gate.failed')
     ORDER BY seq DESC LIMIT ${limit}`,
  );
  return rows.map((r) => {
    const p = parsePayload(r.payload);
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries((p.counts ?? {}) as Record<string, unknown>)) {
      if (typeof v === "number") counts[k] = v;
    }
    return { gate: String(p.gate ?? "?"), passed: r.type === "gate.passed", time: r.time, counts };
  });
}

interface Read {
  base: Omit<ProjectSnapshot, "health" | "health_rule">;
  features: Feature[];
  project: Project;
  store: Store | null;
  tz: string;
}

async function readProject(
  found: FoundProject,
  env: Record<string, string | undefined>,
  now: Date,
  fn: (r: Read) => Promise<void>,
): Promise<Omit<ProjectSnapshot, "health" | "health_rule">> {
  const base = emptySnapshot(found);
  const project = createProject(found.path, { env, clock: { now: () => now } });
  try {
    const text = await readOwnTextOrNull(project.paths.features, ".buildrunner/features.json");
    const file = text === null ? null : await parseFeaturesText(text, ".buildrunner/features.json");
    const features = file?.features ?? [];
    if (file && typeof file.project === "string" && file.project) base.name = file.project;
    for (const f of features) {
      base.counts.total++;
      if (STATUSES.includes(f.status)) base.counts[f.status]++;
      if (f.status === "blocked") {
        base.blocked.push({ id: f.id, name: f.name, reason: f.blocked_reason ?? null });
      }
    }
    base.completion_percentage = base.counts.total
      ? Math.round((base.counts.complete / base.counts.total) * 1000) / 10
      : 0;
    let last = mtimeOf(project.paths.features);
    let store: Store | null = null;
    let tz = "UTC";
    if (await hasStoredData(project)) {
      store = await readStore(project);
      const { resolveTimeZone } = await import("../cost/summary.ts");
      tz = await resolveTimeZone(project);
      const gates = await gateRows(store, 200);
      const seen = new Set<string>();
      for (const g of gates) {
        if (seen.has(g.gate)) continue;
        seen.add(g.gate);
        base.gates.push(g);
      }
      base.gates.sort((a, b) => a.gate.localeCompare(b.gate));
      const security = base.gates.find((g) => g.gate === "security");
      if (security) {
        base.findings = {
          secrets: security.counts.secrets ?? 0,
          total: security.counts.findings ?? 0,
        };
      }
      const today = dayIn(now, tz);
      const [y, m, d] = today.split("-").map(Number);
      const monday = addDays(today, -((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7));
      const { costSummary } = await import("../cost/summary.ts");
      const week = await costSummary(project, { by: "day", since: monday, timezone: tz });
      base.cost_week_usd = round(week.totals.cost_usd);
      base.cost_today_usd = round(week.rows.find((r) => r.key === today)?.cost_usd ?? 0);
      const { checkBudgets } = await import("../cost/budgets.ts");
      const budgets = await checkBudgets(project, { quiet: true });
      base.budget = {
        level: budgets.level,
        alerts: budgets.alerts.map((b) => ({
          name: b.name,
          level: b.level,
          spent_usd: b.spent_usd,
          limit_usd: b.limit_usd,
        })),
      };
      const { parallelStatus } = await import("../orchestrator/mod.ts");
      const par = await parallelStatus(project);
      if (par.run) {
        base.workers = {
          run: par.run.id,
          state: par.run.interrupted ? "interrupted" : par.run.state,
          busy: par.workers.filter((w) => w.state === "busy").length,
          total: par.workers.length,
        };
      }
      const latest = await store.get<{ time: string }>(
        "SELECT time FROM events ORDER BY seq DESC LIMIT 1",
      );
      if (latest && (!last || new Date(latest.time) > last)) last = new Date(latest.time);
    }
    base.last_activity = last ? last.toISOString() : null;
    await fn({ base, features, project, store, tz });
  } catch (err) {
    const clean = emptySnapshot(found);
    clean.error = oneLine(err);
    return clean;
  } finally {
    await project.close().catch(() => {});
  }
  return base;
}

function oneLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0];
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function finish(base: Omit<ProjectSnapshot, "health" | "health_rule">): ProjectSnapshot {
  const { health, rule } = decideHealth(base);
  // Keys in the documented order of `br dashboard --json`.
  return {
    name: base.name,
    path: base.path,
    health,
    health_rule: rule,
    completion_percentage: base.completion_percentage,
    counts: base.counts,
    blocked: base.blocked,
    gates: base.gates,
    findings: base.findings,
    cost_today_usd: base.cost_today_usd,
    cost_week_usd: base.cost_week_usd,
    budget: base.budget,
    workers: base.workers,
    last_activity: base.last_activity,
    error: base.error,
  };
}

/** The snapshot of one project (never throws: a project that cannot be read has `error`). */
export async function projectSnapshot(
  found: FoundProject,
  env: Record<string, string | undefined>,
  now: Date = new Date(),
): Promise<ProjectSnapshot> {
  return finish(await readProject(found, env, now, () => Promise.resolve()));
}

/** The detail of one project: its snapshot, features, cost by day, gate history and tasks. */
export async function projectDetail(
  found: FoundProject,
  env: Record<string, string | undefined>,
  now: Date = new Date(),
): Promise<ProjectDetail> {
  const out: Omit<ProjectDetail, "snapshot"> = {
    features: [],
    cost_by_day: [],
    gate_history: [],
    tasks: [],
  };
  const base = await readProject(found, env, now, async ({ features, project, store, tz }) => {
    out.features = features.map((f) => ({
      id: f.id,
      name: f.name,
      status: f.status,
      priority: f.priority,
      blocked_reason: f.blocked_reason ?? null,
    }));
    const today = dayIn(now, tz);
    const first = addDays(today, -29);
    const byDay = new Map<string, number>();
    if (store) {
      const { costSummary } = await import("../cost/summary.ts");
      const sum = await costSummary(project, { by: "day", since: first, timezone: tz });
      for (const r of sum.rows) if (r.key) byDay.set(r.key, round(r.cost_usd));
      out.gate_history = await gateRows(store, 50);
      const { parallelStatus } = await import("../orchestrator/mod.ts");
      const par = await parallelStatus(project);
      out.tasks = par.tasks.map((t) => ({ feature: t.feature, state: t.state, worker: t.worker }));
    }
    for (let i = 0; i < 30; i++) {
      const day = addDays(first, i);
      out.cost_by_day.push({ day, usd: byDay.get(day) ?? 0 });
    }
  });
  return { snapshot: finish(base), ...out };
}

/** The latest `limit` stored events of a project, newest first. */
export async function projectTimeline(
  found: FoundProject,
  env: Record<string, string | undefined>,
  limit = 20,
): Promise<TimelineEntry[]> {
  const out: TimelineEntry[] = [];
  const base = await readProject(found, env, new Date(), async ({ store }) => {
    if (!store) return;
    const rows = await store.all<{ type: string; time: string; feature: string | null }>(
      `SELECT type, time, feature FROM events ORDER BY seq DESC LIMIT ${Math.trunc(limit)}`,
    );
    for (const r of rows) out.push({ project: "", ...r });
  });
  for (const e of out) e.project = base.name;
  return out;
}

/** The files whose change can change a snapshot (for watchers and caches). */
export function watchedFiles(path: string): string[] {
  const dir = join(path, ".buildrunner");
  return [
    join(dir, "features.json"),
    join(dir, "br.db"),
    join(dir, "br.db-wal"),
    join(dir, "config.yaml"),
    join(dir, "spool"),
  ];
}
