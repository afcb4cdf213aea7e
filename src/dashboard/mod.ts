/**
 * The multi-repository dashboard: discovers BuildRunner projects under a few folders and
 * reports, per project, completion, blocked features, the last gate results, open secret
 * findings (counts only), cost today and this week, budget levels, the latest parallel run,
 * the last activity and a health state with the rule that decided it. Everything is read
 * without writing (no `br.db` is created). {@link serveDashboard} serves the same as a local
 * web page with live updates.
 *
 * @example
 * ```ts
 * import { initProject } from "@buildrunner/br";
 * import { DashboardReader } from "@buildrunner/br/dashboard";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(`${dir}/app`, { name: "app" });
 * const reader = new DashboardReader({ roots: [dir], depth: 2, env: {} });
 * const [row] = await reader.snapshots();
 * assert.equal(row.name, "app");
 * assert.equal(row.health, "healthy");
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export { type DiscoverOptions, discoverProjects, type FoundProject } from "./discover.ts";
export { DashboardReader, type ReaderOptions } from "./reader.ts";
export {
  type BudgetState,
  decideHealth,
  type FeatureCounts,
  type FeatureRow,
  type GateState,
  type Health,
  HEALTH_RULES,
  type ProjectDetail,
  projectDetail,
  type ProjectSnapshot,
  projectSnapshot,
  projectTimeline,
  type TimelineEntry,
  type WorkersState,
} from "./snapshot.ts";
export {
  DEFAULT_POLL_MS,
  pollInterval,
  type ProjectWatcher,
  type WatchOptions,
  watchProjects,
} from "./watch.ts";
export {
  CSP,
  type DashboardServer,
  isLoopback,
  projectId,
  serveDashboard,
  type ServeOptions,
} from "./serve.ts";
export { costChartSvg } from "./chart.ts";
