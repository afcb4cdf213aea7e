import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { type BudgetCheck, checkBudgets } from "./budgets.ts";
import { round } from "./ledger.ts";
import { priceEntry, projectCatalog, writeEntries } from "./ledger.ts";
import type { UsageEntry } from "./types.ts";

/** What {@link recordUsage} takes: one call's usage. */
export interface RecordUsageInput {
  /** When (default: now). */
  time?: string | Date;
  /** Who reports it (`parallel`, `mcp`, ...). */
  source: string;
  /** Model name. */
  model: string;
  /** Uncached input tokens. */
  input_tokens?: number;
  /** Output tokens. */
  output_tokens?: number;
  /** Cache-write tokens. */
  cache_creation_tokens?: number;
  /** The 1-hour part of the cache writes. */
  cache_creation_1h_tokens?: number;
  /** Cache-read tokens. */
  cache_read_tokens?: number;
  /** USD as the agent reported it; priced from the catalog when absent. */
  cost_usd?: number | null;
  /** USD from the agent's own log, kept beside the catalog price. */
  logged_cost_usd?: number | null;
  /** Session. */
  session?: string | null;
  /** Project. */
  project?: string | null;
  /** Feature. */
  feature?: string | null;
  /** Task. */
  task?: string | null;
  /**
   * Dedup key: recording the same key twice keeps one row. A total for a whole agent session
   * uses `agent-session:<session>` (with `session` set to the agent's session id): when
   * `br cost import` later reads that session's own log, the exact per-call rows replace it.
   */
  key?: string | null;
}

/**
 * Whether an agent's own log of a session was imported: the rollup has a row for each session
 * and source that has ledger rows (found by its session index, migration 13).
 */
export const SESSION_IMPORTED =
  "SELECT 1 AS x FROM cost_rollup WHERE session = ? AND source IN ('claude-code', 'codex') LIMIT 1";

/** What {@link recordUsage} wrote. */
export interface RecordedUsage {
  /** The row as stored (time normalized, USD filled). */
  entry: UsageEntry & { cost_usd: number; priced: boolean };
  /** False when a session total was dropped because that session's log was imported. */
  written: boolean;
  /** The budgets after the write. */
  budgets: BudgetCheck;
}

function count(name: string, v: number | undefined): number {
  if (v === undefined) return 0;
  if (!Number.isFinite(v) || v < 0) {
    throw new BrError(
      "invalid_data",
      `Token count "${name}" must be a non-negative number, got ${v}`,
      { hint: `give ${name} as a whole number, 0 or more` },
    );
  }
  return Math.round(v);
}

/**
 * Writes one ledger row (priced from the catalog when `cost_usd` is absent), emits
 * `cost.recorded`, then checks the budgets that apply to its feature (which emits
 * `budget.alert` on a crossing). A session total (key `agent-session:<session>`) is not
 * written when that session's own log was already imported.
 *
 * @throws {BrError} `invalid_data` for negative or non-numeric token counts or a bad time.
 */
export async function recordUsage(
  project: Project,
  input: RecordUsageInput,
): Promise<RecordedUsage> {
  const when = input.time === undefined ? project.clock.now() : new Date(input.time);
  if (Number.isNaN(when.getTime())) {
    throw new BrError("invalid_data", `Cannot read usage time "${input.time}"`, {
      hint: "give an ISO 8601 time, e.g. 2026-01-31T12:00:00Z",
    });
  }
  if (!input.model) {
    throw new BrError("invalid_data", "Usage needs a model name", {
      hint: 'give the model id, e.g. "claude-sonnet-4-5" ("br cost models" lists them)',
    });
  }
  const entry: UsageEntry = {
    time: when.toISOString(),
    source: input.source,
    model: input.model,
    input_tokens: count("input_tokens", input.input_tokens),
    output_tokens: count("output_tokens", input.output_tokens),
    cache_creation_tokens: count("cache_creation_tokens", input.cache_creation_tokens),
    cache_creation_1h_tokens: count("cache_creation_1h_tokens", input.cache_creation_1h_tokens),
    cache_read_tokens: count("cache_read_tokens", input.cache_read_tokens),
    cost_usd: input.cost_usd ?? null,
    logged_cost_usd: input.logged_cost_usd ?? null,
    session: input.session ?? project.bus.session,
    project: input.project ?? null,
    feature: input.feature ?? null,
    task: input.task ?? null,
    key: input.key ?? null,
  };
  const priced = priceEntry(await projectCatalog(project), entry);
  const store = await project.store();
  const now = project.clock.now().toISOString();
  // A session total is not written when the session's own log was imported already.
  const imported = entry.key?.startsWith("agent-session:") && entry.session
    ? await store.get(SESSION_IMPORTED, [entry.session])
    : undefined;
  if (imported) {
    return {
      entry: priced,
      written: false,
      budgets: await checkBudgets(project, { feature: priced.feature }),
    };
  }
  await store.tx((t) => writeEntries(t, [priced], now));
  project.bus.emit("cost.recorded", {
    model: priced.model,
    tokens: {
      input: priced.input_tokens,
      output: priced.output_tokens,
      cache_creation: priced.cache_creation_tokens,
      cache_read: priced.cache_read_tokens,
    },
    usd: round(priced.cost_usd),
    source: priced.source,
  }, { feature: priced.feature ?? null, task: priced.task ?? null });
  const budgets = await checkBudgets(project, { feature: priced.feature });
  return { entry: priced, written: true, budgets };
}
