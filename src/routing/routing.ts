/** Routing over a project: estimates, selection, outcomes and fallbacks. */
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { type Feature, findFeature, loadFeatures } from "../features/mod.ts";
import { declaredFiles } from "./_files.ts";
import {
  type Estimate,
  estimateComplexity,
  type HistoryItem,
  type Level,
  LEVELS,
  similarity,
  tokens,
} from "./estimate.ts";
import { type RoutingModel, routingModels, taskCost } from "./models.ts";

/** A recorded outcome result. */
export type OutcomeResult = "success" | "rework" | "fail";

/** The results an outcome can have. */
export const RESULTS: readonly OutcomeResult[] = ["success", "rework", "fail"];

/** Similarity (Jaccard of name and description words) from which features count as similar. */
export const SIMILAR_AT = 0.3;

/** An estimate of a feature or a text, as `br routing estimate` reports it. */
export interface ComplexityReport extends Estimate {
  /** The feature estimated, or null for a free text. */
  feature: string | null;
}

interface OutcomeRow {
  feature: string;
  model: string;
  level: string;
  result: OutcomeResult;
}

async function outcomes(project: Project): Promise<OutcomeRow[]> {
  const store = await project.store();
  return store.all<OutcomeRow>(
    "SELECT feature, model, level, result FROM routing_outcomes ORDER BY id",
  );
}

function featureText(f: Pick<Feature, "name" | "description">): string {
  return `${f.name}. ${f.description ?? ""}`.trim();
}

async function history(
  project: Project,
  text: string,
  self: string | null,
  features: readonly Feature[],
): Promise<HistoryItem[]> {
  const rows = await outcomes(project);
  if (rows.length === 0) return [];
  const mine = tokens(text);
  const byId = new Map(features.map((f) => [f.id, f]));
  const out: HistoryItem[] = [];
  for (const row of rows) {
    const same = row.feature === self;
    const other = byId.get(row.feature);
    const similar = !same &&
      similarity(mine, tokens(other ? featureText(other) : row.feature)) >= SIMILAR_AT;
    if (same || similar) out.push({ feature: row.feature, result: row.result, same });
  }
  // The feature's own outcomes weigh first, then the most recent similar ones.
  return out.sort((a, b) => Number(b.same) - Number(a.same)).slice(0, 10);
}

async function estimateOf(
  project: Project,
  target: { text?: string; feature?: string },
): Promise<ComplexityReport> {
  const file = await loadFeatures(project);
  if (target.feature) {
    const f = findFeature(file, target.feature);
    const text = featureText(f);
    const estimate = estimateComplexity({
      text: [text, ...f.acceptance].join(" "),
      files: await declaredFiles(project.root, f.files),
      dependencies: f.dependencies,
      acceptance: f.acceptance,
      history: await history(project, text, f.id, file.features),
    });
    return { feature: f.id, ...estimate };
  }
  const text = (target.text ?? "").trim();
  if (!text) {
    throw new BrError("usage", "Nothing to estimate", {
      hint: 'give a task text ("br routing estimate \\"Add login\\"") or --feature <id>',
    });
  }
  const estimate = estimateComplexity({
    text,
    history: await history(project, text, null, file.features),
  });
  return { feature: null, ...estimate };
}

/**
 * Estimates the complexity of a feature (its wording, declared files, dependencies,
 * acceptance criteria and the outcomes of similar features) or of a task text, and emits
 * `complexity.estimated`.
 *
 * @throws {BrError} `not_found` for an unknown feature; `usage` without text or feature.
 */
export async function estimate(
  project: Project,
  target: { text?: string; feature?: string },
): Promise<ComplexityReport> {
  const report = await estimateOf(project, target);
  project.bus.emit("complexity.estimated", {
    level: report.level,
    score: report.score,
    reasons: report.reasons.map((r) => `${r.reason} (${r.points >= 0 ? "+" : ""}${r.points})`),
  }, { feature: report.feature });
  return report;
}

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

/** Track record of one model at one level. */
export interface ModelRecord {
  /** Outcomes recorded. */
  outcomes: number;
  /** Successes. */
  success: number;
  /** Reworks. */
  rework: number;
  /** Failures. */
  fail: number;
  /** success / outcomes, or null without outcomes. */
  success_rate: number | null;
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
    const cost = Math.round(taskCost(m, tok) * 1e6) / 1e6;
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
  reasons.push(`estimated ${usd(chosen.estimated_usd)} for the task`);

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

/** What {@link recordOutcome} stored. */
export interface OutcomeRecord {
  /** Row id. */
  id: number;
  /** When. */
  time: string;
  /** Feature. */
  feature: string;
  /** Model. */
  model: string;
  /** The level the feature was estimated at. */
  level: Level;
  /** Result. */
  result: OutcomeResult;
  /** Cost, when given. */
  cost_usd: number | null;
}

/**
 * Records how a model did on a feature, at the feature's estimated level (or `level`), for
 * later selections.
 *
 * @throws {BrError} `usage` for an unknown result or level; `not_found` for an unknown feature.
 */
export async function recordOutcome(
  project: Project,
  input: { feature: string; model: string; result: string; cost_usd?: number; level?: string },
): Promise<OutcomeRecord> {
  if (!(RESULTS as readonly string[]).includes(input.result)) {
    throw new BrError("usage", `Unknown result "${input.result}"`, {
      hint: `use one of ${RESULTS.join(", ")}`,
    });
  }
  if (!input.model.trim()) throw new BrError("usage", "The model must not be empty");
  const level = input.level === undefined
    ? (await estimateOf(project, { feature: input.feature })).level
    : parseLevel(input.level);
  if (input.level !== undefined) findFeature(await loadFeatures(project), input.feature);
  const time = project.clock.now().toISOString();
  const store = await project.store();
  const { lastInsertRowid } = await store.run(
    "INSERT INTO routing_outcomes (time, feature, model, level, result, cost_usd, session) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
    [
      time,
      input.feature,
      input.model,
      level,
      input.result,
      input.cost_usd ?? null,
      project.bus.session,
    ],
  );
  return {
    id: lastInsertRowid,
    time,
    feature: input.feature,
    model: input.model,
    level,
    result: input.result as OutcomeResult,
    cost_usd: input.cost_usd ?? null,
  };
}

/**
 * Checks a level name.
 *
 * @throws {BrError} `usage` for an unknown one.
 */
export function parseLevel(raw: string): Level {
  if ((LEVELS as readonly string[]).includes(raw)) return raw as Level;
  throw new BrError("usage", `Unknown level "${raw}"`, { hint: `use one of ${LEVELS.join(", ")}` });
}

/** The models with their record per level, as `br routing models` reports them. */
export async function listModels(
  project: Project,
  options: { provider?: string } = {},
): Promise<(RoutingModel & { records: Record<Level, ModelRecord> })[]> {
  const models = (await routingModels(project)).filter((m) =>
    !options.provider || m.provider === options.provider
  );
  const exists = await Deno.stat(project.paths.db).then(() => true, () => false);
  const rows = exists ? await outcomes(project) : [];
  return models.map((m) => {
    const records = {} as Record<Level, ModelRecord>;
    for (const level of LEVELS) {
      const mine = rows.filter((r) => r.model === m.id && r.level === level);
      const count = (k: OutcomeResult) => mine.filter((r) => r.result === k).length;
      records[level] = {
        outcomes: mine.length,
        success: count("success"),
        rework: count("rework"),
        fail: count("fail"),
        success_rate: mine.length ? Math.round((count("success") / mine.length) * 1e4) / 1e4 : null,
      };
    }
    return { ...m, records };
  });
}
