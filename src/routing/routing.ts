/** Routing over a project: estimates, outcomes and the model list. */
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
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
import { type RoutingModel, routingModels } from "./models.ts";

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

/** One stored outcome. */
export interface OutcomeRow {
  /** The feature the model worked on. */
  feature: string;
  /** The model that did the work. */
  model: string;
  /** Level at the time. */
  level: string;
  /** How it went: success, rework or fail. */
  result: OutcomeResult;
  /** Recorded cost in USD, if any. */
  cost_usd: number | null;
}

/** Every recorded outcome, oldest first. */
export async function outcomes(project: Project): Promise<OutcomeRow[]> {
  const store = await readStore(project);
  return store.all<OutcomeRow>(
    "SELECT feature, model, level, result, cost_usd FROM routing_outcomes ORDER BY id",
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

/** The estimate of a feature or text, without emitting an event. */
export async function estimateOf(
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

/** Track record of one model at one level. */
export interface ModelRecord {
  /** Outcomes recorded. */
  outcomes: number;
  /** Outcomes recorded as `success`. */
  success: number;
  /** Outcomes recorded as `rework` (done, but needed another pass). */
  rework: number;
  /** Outcomes recorded as `fail`. */
  fail: number;
  /** success / outcomes, or null without outcomes. */
  success_rate: number | null;
}

/** What {@link recordOutcome} stored. */
export interface OutcomeRecord {
  /** Row id in the store. */
  id: number;
  /** When it was recorded (ISO 8601 UTC). */
  time: string;
  /** The feature the model worked on. */
  feature: string;
  /** The model that did the work. */
  model: string;
  /** The level the feature was estimated at. */
  level: Level;
  /** How it went: success, rework or fail. */
  result: OutcomeResult;
  /** Cost, when given. */
  cost_usd: number | null;
}

/**
 * Records how a model did on a feature, at the feature's estimated level (or `level`), for
 * later selections.
 *
 * @throws {BrError} `usage` for an unknown result or level; `not_found` for an unknown feature
 * or a model neither the price catalog nor `routing.models` knows.
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
  if (!input.model.trim()) {
    throw new BrError("usage", "The model must not be empty", {
      hint: "pass the model id, e.g. --model claude-sonnet-4-5",
    });
  }
  // An outcome under a misspelt id would count for a model that routing never picks.
  await import("./config.ts");
  const configured = ((await project.config()).get<{ id: string }[]>("routing.models") ?? [])
    .map((m) => m.id);
  const { requireModel } = await import("../cost/mod.ts");
  await requireModel(project, input.model, configured);
  const level = input.level === undefined
    ? (await estimateOf(project, { feature: input.feature })).level
    : parseLevel(input.level);
  if (input.level !== undefined) findFeature(await loadFeatures(project), input.feature);
  const time = project.clock.now().toISOString();
  const store = await project.store();
  const inserted = await store.get<{ id: number }>(
    "INSERT INTO routing_outcomes (time, feature, model, level, result, cost_usd, session) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    id: inserted!.id,
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
  // Without a store there is no record (a local br.db is looked for, not created).
  const exists = (await project.storeChoice()).backend === "postgres" ||
    await Deno.stat(project.paths.db).then(() => true, () => false);
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
