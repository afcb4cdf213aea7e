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
 * A complement naive Bayes model of one dimension (industry or use case): for each term, how
 * many training descriptions of each class contain it. Written by `scripts/train_detect.ts`.
 */
export interface KindModel {
  /** The class names, in the order of the counts. */
  classes: string[];
  /** Additive smoothing. */
  alpha: number;
  /** The factor the scores are multiplied by before they become probabilities (calibrated). */
  temperature: number;
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

/**
 * The detection model as stored in `detect_model.json`: both dimensions share one sparse term
 * list, which keeps the file small.
 */
export interface StoredModel {
  /** What the file is. */
  about: string;
  /** The settings of the industry model (without its terms). */
  industry: Omit<KindModel, "terms">;
  /** The settings of the use-case model (without its terms). */
  use_case: Omit<KindModel, "terms">;
  /**
   * Term → pairs of (class, count): classes from 0 are the industries, from the number of
   * industries on the use cases. A term with no pair of a dimension is not in its model.
   */
  terms: Record<string, number[]>;
}

/** Packs a {@link DetectionModel} into its stored form. */
export function packModel(m: DetectionModel, about: string): StoredModel {
  const { terms: _i, ...industry } = m.industry;
  const { terms: _u, ...useCase } = m.use_case;
  const offset = m.industry.classes.length;
  const terms: Record<string, number[]> = {};
  const add = (term: string, row: number[], from: number) => {
    const pairs = terms[term] ??= [];
    row.forEach((n, k) => {
      if (n) pairs.push(from + k, n);
    });
  };
  for (const [term, row] of Object.entries(m.industry.terms)) add(term, row, 0);
  for (const [term, row] of Object.entries(m.use_case.terms)) add(term, row, offset);
  const sorted = Object.keys(terms).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  return {
    about,
    industry,
    use_case: useCase,
    terms: Object.fromEntries(sorted.map((t) => [t, terms[t]])),
  };
}

/** Unpacks a {@link StoredModel}. */
export function unpackModel(s: StoredModel): DetectionModel {
  const offset = s.industry.classes.length;
  const industry: KindModel = { ...s.industry, terms: {} };
  const useCase: KindModel = { ...s.use_case, terms: {} };
  for (const [term, pairs] of Object.entries(s.terms)) {
    for (let i = 0; i < pairs.length; i += 2) {
      const [m, k] = pairs[i] < offset ? [industry, pairs[i]] : [useCase, pairs[i] - offset];
      (m.terms[term] ??= m.classes.map(() => 0))[k] = pairs[i + 1];
    }
  }
  return { industry, use_case: useCase };
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
  /** Term → weight per class (the temperature already applied). */
  weights: Map<string, number[]>;
}

const prepared = new WeakMap<KindModel, Prepared>();

/**
 * The weight of a term for class k is -log P(term | not k): how unlikely the term is in the
 * descriptions of all the other classes (complement naive Bayes, Rennie et al. 2003), which
 * is steadier than P(term | k) when each class has few examples.
 */
function prepare(m: KindModel): Prepared {
  let p = prepared.get(m);
  if (p) return p;
  const rows = Object.values(m.terms);
  const vocab = rows.length;
  const totals = m.classes.map((_, k) => rows.reduce((sum, row) => sum + row[k], 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const weights = new Map<string, number[]>();
  for (const [term, row] of Object.entries(m.terms)) {
    const sum = row.reduce((a, b) => a + b, 0);
    weights.set(
      term,
      row.map((n, k) =>
        -m.temperature * Math.log((sum - n + m.alpha) / (all - totals[k] + m.alpha * vocab))
      ),
    );
  }
  p = { classes: m.classes, weights };
  prepared.set(m, p);
  return p;
}

/**
 * The score of each class for `text` (the sum of the weights of its known terms), and the
 * terms found.
 */
export function scoreText(
  m: KindModel,
  text: string,
): { sums: number[]; found: { surface: string; rows: number[] }[] } {
  const { classes, weights } = prepare(m);
  const sums = classes.map(() => 0);
  const found: { surface: string; rows: number[] }[] = [];
  for (const { term, surface } of detectionTerms(text)) {
    const rows = weights.get(term);
    if (!rows) continue;
    rows.forEach((v, k) => sums[k] += v);
    found.push({ surface, rows });
  }
  return { sums, found };
}

/**
 * Classifies `text` with one {@link KindModel}: the sum of the weights of its known terms per
 * class (equal priors), turned into probabilities (softmax).
 */
export function classify(m: KindModel, text: string, threshold: number): KindDetection {
  const { classes } = prepare(m);
  const { sums, found } = scoreText(m, text);
  const top = Math.max(...sums);
  const exp = sums.map((s) => Math.exp(s - top));
  const total = exp.reduce((a, b) => a + b, 0);
  const ranked = classes.map((name, k) => ({ name, k, p: exp[k] / total }))
    .sort((a, b) => b.p - a.p || a.name.localeCompare(b.name));
  const best = ranked[0];
  const confidence = found.length ? round(best.p) : 0;
  // The words whose weight for the winner beats every other class the most.
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

let unpacked: DetectionModel | undefined;
const MODEL = {
  get industry(): KindModel {
    return (unpacked ??= unpackModel(model as StoredModel)).industry;
  },
  get use_case(): KindModel {
    return (unpacked ??= unpackModel(model as StoredModel)).use_case;
  },
};

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
