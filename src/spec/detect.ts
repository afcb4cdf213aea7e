import model from "./detect_model.json" with { type: "json" };
import { detectionTerms } from "./detect_terms.ts";
import { INDUSTRIES, type Industry, USE_CASES, type UseCase } from "./types.ts";

/**
 * The default confidence below which detection answers `unknown`: the winner's probability
 * under the model. With eight candidates, 0.125 means no evidence at all; a single telling
 * word gives about 0.4.
 */
export const DEFAULT_DETECTION_THRESHOLD = 0.3;

/**
 * A naive Bayes model of one dimension (industry or use case): for each term, how many
 * training descriptions of each class contain it. Written by `scripts/train_detect.ts`.
 */
export interface KindModel {
  /** The class names, in the order of the counts. */
  classes: string[];
  /** Additive smoothing. */
  alpha: number;
  /** Term → count per class. */
  terms: Record<string, number[]>;
}

/** The detection model: one {@link KindModel} per dimension. */
export interface DetectionModel {
  /** Industries. */
  industry: KindModel;
  /** Use cases. */
  use_case: KindModel;
}

/** One candidate of a detection, with its score. */
export interface DetectionCandidate {
  /** Name. */
  name: string;
  /** Probability under the model (0..1, the candidates of one dimension sum to 1). */
  score: number;
}

/** What detection found for one dimension. */
export interface KindDetection {
  /** The name, or `unknown` below the threshold. */
  value: string;
  /** 0..1: the probability of the best candidate. */
  confidence: number;
  /** The words of the description that speak most for the best candidate. */
  matched: string[];
  /** The best candidates (up to 3), highest first. */
  candidates: DetectionCandidate[];
}

/** Industry and use case detected from a description. */
export interface ProjectDetection {
  /** Industry. */
  industry: KindDetection;
  /** Use case. */
  use_case: KindDetection;
}

interface Prepared {
  classes: string[];
  /** Term → log P(term | class). */
  logp: Map<string, number[]>;
}

const prepared = new WeakMap<KindModel, Prepared>();

function prepare(m: KindModel): Prepared {
  let p = prepared.get(m);
  if (p) return p;
  const vocab = Object.keys(m.terms).length;
  const totals = m.classes.map((_, k) =>
    Object.values(m.terms).reduce((sum, row) => sum + row[k], 0)
  );
  const logp = new Map<string, number[]>();
  for (const [term, row] of Object.entries(m.terms)) {
    logp.set(term, row.map((n, k) => Math.log((n + m.alpha) / (totals[k] + m.alpha * vocab))));
  }
  p = { classes: m.classes, logp };
  prepared.set(m, p);
  return p;
}

/**
 * Classifies `text` with one {@link KindModel}: the sum of the log probabilities of its known
 * terms per class (equal priors), turned into probabilities.
 */
export function classify(m: KindModel, text: string, threshold: number): KindDetection {
  const { classes, logp } = prepare(m);
  const sums = classes.map(() => 0);
  const found: { surface: string; rows: number[] }[] = [];
  for (const { term, surface } of detectionTerms(text)) {
    const rows = logp.get(term);
    if (!rows) continue;
    rows.forEach((v, k) => sums[k] += v);
    found.push({ surface, rows });
  }
  const top = Math.max(...sums);
  const exp = sums.map((s) => Math.exp(s - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const ranked = classes.map((name, k) => ({ name, k, p: exp[k] / total }))
    .sort((a, b) => b.p - a.p || a.name.localeCompare(b.name));
  const best = ranked[0];
  const confidence = found.length ? round(best.p) : 0;
  // The words whose likelihood for the winner beats every other class the most.
  const matched = found.map(({ surface, rows }) => ({
    surface,
    lift: rows[best.k] - Math.max(...rows.filter((_, k) => k !== best.k)),
  })).filter((w) => w.lift > 0.5).sort((a, b) => b.lift - a.lift).slice(0, 5)
    .map((w) => w.surface);
  return {
    value: found.length && confidence >= threshold ? best.name : "unknown",
    confidence,
    matched: found.length ? matched : [],
    candidates: found.length
      ? ranked.slice(0, 3).map(({ name, p }) => ({ name, score: round(p) }))
      : [],
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const MODEL = model as DetectionModel;

/**
 * Detects the industry of a project from its description (one of {@link INDUSTRIES}, or
 * `unknown` when the confidence is below `threshold`).
 *
 * @example
 * ```ts
 * import { detectIndustry } from "./detect.ts";
 * detectIndustry("A portal where patients book visits with their doctor").value; // "healthcare"
 * ```
 */
export function detectIndustry(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return classify(MODEL.industry, description, threshold);
}

/** Detects the use case of a project (one of {@link USE_CASES}, or `unknown`). */
export function detectUseCase(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return classify(MODEL.use_case, description, threshold);
}

/** Detects both industry and use case. */
export function detectProjectKind(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): ProjectDetection {
  return {
    industry: detectIndustry(description, threshold),
    use_case: detectUseCase(description, threshold),
  };
}

/** True when `name` is a known industry. */
export function isIndustry(name: string): name is Industry {
  return (INDUSTRIES as readonly string[]).includes(name);
}

/** True when `name` is a known use case. */
export function isUseCase(name: string): name is UseCase {
  return (USE_CASES as readonly string[]).includes(name);
}
