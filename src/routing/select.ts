/** Model selection and fallback chains. */
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { type Level, LEVELS } from "./estimate.ts";
import { type RoutingModel, routingModels, taskCost } from "./models.ts";
import {
  type ComplexityReport,
  estimate,
  type ModelRecord,
  type OutcomeResult,
  outcomes,
} from "./routing.ts";

/** Constraints of a selection. */
export interface SelectOptions {
  /** A level given directly. */
  level?: Level;
  /** Or a task text to estimate. */
  text?: string;
  /** Or a feature to estimate. */
  feature?: string;
  /** Highest estimated USD for the task. */
  maxCost?: number;
  /** Only this provider. */
  provider?: string;
  /** Smallest context window, in tokens. */
  minContext?: number;
}

/** One model considered by a selection. */
export interface Candidate {
  /** Model id. */
  model: string;
  /** Provider. */
  provider: string;
  /** Estimated USD of the task on it. */
  estimated_usd: number;
  /** Its record at this level. */
  record: ModelRecord;
  /** Whether it could be chosen. */
  eligible: boolean;
  /** Why (or why not). */
  why: string;
}

/** The result of {@link selectModel}. */
export interface Selection {
  /** The chosen model. */
  model: RoutingModel & { estimated_usd: number };
  /** The level it was chosen for. */
  level: Level;
  /** The estimate behind the level, or null when the level was given. */
  estimate: ComplexityReport | null;
  /** Why this model. */
  reasons: string[];
  /** The fallback chain to try if it fails, in order. */
  fallbacks: string[];
  /** Every model considered, cheapest first. */
  candidates: Candidate[];
}

async function settings(project: Project) {
  await import("./config.ts");
  const config = await project.config();
  return {
    bar: config.get<number>("routing.success_bar") ?? 0.8,
    minOutcomes: config.get<number>("routing.min_outcomes") ?? 3,
    fallbacks: config.get<Record<string, string[]>>("routing.fallbacks") ?? {},
    tokens: config.get<Record<Level, { input: number; output: number }>>("routing.tokens") ?? {
      simple: { input: 20_000, output: 4_000 },
      moderate: { input: 80_000, output: 12_000 },
      complex: { input: 250_000, output: 40_000 },
      critical: { input: 600_000, output: 90_000 },
    },
  };
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function usd(x: number): string {
  return `$${x.toFixed(x < 0.1 ? 4 : 2)}`;
}

/**
 * Selects a model for a level (given, or estimated from a text or feature): the cheapest model
 * that has met the success bar at that level; without such a record, the cheapest model whose
 * tier covers the level and that has not fallen below the bar. Emits `model.selected`.
 *
 * @throws {BrError} `not_found` when no model satisfies the constraints; `usage` when neither
 * level, text nor feature is given.
 */
export async function selectModel(project: Project, options: SelectOptions): Promise<Selection> {
  let est: ComplexityReport | null = null;
  let level = options.level;
  if (!level) {
    if (!options.text && !options.feature) {
      throw new BrError("usage", "Nothing to select a model for", {
        hint: "give a task text, --feature <id> or --level simple|moderate|complex|critical",
      });
    }
    est = await estimate(project, { text: options.text, feature: options.feature });
    level = est.level;
  }
  const s = await settings(project);
  const rank = LEVELS.indexOf(level) + 1;
  const tok = s.tokens[level];
  const all = await routingModels(project);
  const constrained = all.filter((m) =>
    (!options.provider || m.provider === options.provider) &&
    (!options.minContext || m.context_window >= options.minContext)
  );
  const rows = (await outcomes(project)).filter((r) => r.level === level);
  const recordOf = (id: string): ModelRecord => {
    const mine = rows.filter((r) => r.model === id);
    const count = (k: OutcomeResult) => mine.filter((r) => r.result === k).length;
    return {
      outcomes: mine.length,
      success: count("success"),
      rework: count("rework"),
      fail: count("fail"),
      success_rate: mine.length ? Math.round((count("success") / mine.length) * 1e4) / 1e4 : null,
    };
  };
  type Scored = Candidate & { m: RoutingModel; met: boolean; fit: boolean; affordable: boolean };
  const candidates: Scored[] = constrained.map((m) => {
    const record = recordOf(m.id);
    // Recorded costs at this level beat the assumed task size.
    const costs = rows.filter((r) => r.model === m.id && r.cost_usd !== null)
      .map((r) => r.cost_usd!);
    const cost = Math.round(
      (costs.length ? costs.reduce((a, b) => a + b, 0) / costs.length : taskCost(m, tok)) * 1e6,
    ) / 1e6;
    const known = record.outcomes >= s.minOutcomes;
    const met = known && record.success_rate! >= s.bar;
    const below = known && record.success_rate! < s.bar;
    const affordable = options.maxCost === undefined || cost <= options.maxCost;
    const tally = `${record.success}/${record.outcomes} successes at ${level}`;
    let why: string;
    if (met) why = `met the ${pct(s.bar)} bar: ${tally}`;
    else if (below) why = `below the ${pct(s.bar)} bar: ${tally}`;
    else if (m.tier >= rank) {
      why = `tier ${LEVELS[m.tier - 1]} covers ${level}` +
        (record.outcomes ? ` (${tally}, too few to judge)` : "");
    } else why = `tier ${LEVELS[m.tier - 1]} is below ${level} and it has no record there`;
    const fit = met || (m.tier >= rank && !below);
    if (fit && !affordable) why += `; estimated ${usd(cost)} is above --max-cost`;
    return {
      model: m.id,
      provider: m.provider,
      estimated_usd: cost,
      record,
      eligible: fit && affordable,
      why,
      m,
      met,
      fit,
      affordable,
    };
  }).sort((a, b) => a.estimated_usd - b.estimated_usd || a.model.localeCompare(b.model));

  if (candidates.length === 0) {
    throw new BrError("not_found", "No model matches the provider and context constraints", {
      hint: 'run "br routing models" to see the models and their context windows',
    });
  }
  const reasons: string[] = [
    est ? `level ${level} (score ${est.score})` : `level ${level} (given)`,
    `task size assumed: ${tok.input} input + ${tok.output} output tokens`,
  ];
  let pool = candidates.filter((c) => c.fit);
  if (pool.length === 0) {
    // Every model that covers the level has fallen below the bar: keep the best record.
    const covering = candidates.filter((c) => c.m.tier >= rank);
    const best = Math.max(...covering.map((c) => c.record.success_rate ?? 0));
    pool = covering.filter((c) => (c.record.success_rate ?? 0) === best);
    for (const c of pool) c.eligible = c.affordable;
    if (pool.length) {
      reasons.push("every model for this level is below the bar; keeping the best record");
    }
  }
  const eligible = pool.filter((c) => c.affordable);
  if (eligible.length === 0) {
    const cheapest = pool[0] ?? candidates[0];
    throw new BrError(
      "not_found",
      `No model fit for a ${level} task costs at most ${usd(options.maxCost ?? 0)}`,
      {
        hint: `the cheapest fit is ${cheapest.model} at an estimated ${
          usd(cheapest.estimated_usd)
        }`,
      },
    );
  }
  const proven = eligible.filter((c) => c.met);
  let chosen: Scored;
  if (proven.length) {
    chosen = proven[0];
    reasons.push(`cheapest of ${proven.length} model(s) with a proven record: ${chosen.why}`);
  } else {
    chosen = eligible[0];
    reasons.push(`cheapest of ${eligible.length} eligible model(s): ${chosen.why}`);
  }
  const recorded = rows.filter((r) => r.model === chosen.model && r.cost_usd !== null).length;
  reasons.push(
    `estimated ${usd(chosen.estimated_usd)} for the task` +
      (recorded ? ` (mean of ${recorded} recorded cost(s) at ${level})` : ""),
  );

  const configured = s.fallbacks[chosen.model];
  const byId = new Map(candidates.map((c) => [c.model, c]));
  const fallbacks = configured
    ? configured.filter((id) => id !== chosen.model && byId.has(id))
    : eligible.filter((c) => c.model !== chosen.model).map((c) => c.model).slice(0, 3);
  if (configured) reasons.push(`fallbacks from config routing.fallbacks.${chosen.model}`);

  project.bus.emit("model.selected", { model: chosen.model, level, reasons }, {
    feature: est?.feature ?? options.feature ?? null,
  });
  return {
    model: { ...chosen.m, estimated_usd: chosen.estimated_usd },
    level,
    estimate: est,
    reasons,
    fallbacks,
    candidates: candidates.map(({ m: _m, met: _met, fit: _fit, affordable: _a, ...c }) => c),
  };
}

/**
 * Records that `model` moved on from `from` to the next model of a fallback chain; emits
 * `model.fallback` and returns the next model id (null when the chain is exhausted).
 */
export function recordFallback(
  project: Project,
  selection: Pick<Selection, "fallbacks">,
  from: string,
  reason?: string,
  feature?: string,
): string | null {
  const chain = selection.fallbacks;
  const at = chain.indexOf(from);
  const next = at === -1 ? chain[0] ?? null : chain[at + 1] ?? null;
  if (next) {
    const payload: { from: string; to: string; reason?: string } = { from, to: next };
    if (reason) payload.reason = reason;
    project.bus.emit("model.fallback", payload, { feature: feature ?? null });
  }
  return next;
}
