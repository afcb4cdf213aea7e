/**
 * Trains the complement naive Bayes model that `br spec wizard` uses to detect the industry
 * and the use case of a project from its description, and writes it to
 * `src/spec/detect_model.json` (the runtime only loads that file).
 *
 * Training data: the labelled descriptions of `tests/fixtures/spec/descriptions_train.jsonl`
 * plus the seed words of `scripts/detect_seed_words.json` (a weak seed word counts as
 * SEED_WEIGHT descriptions containing it, a strong one twice as many). The held-out sets
 * (`descriptions_heldout*.jsonl`) are never read here; `bench/spec.ts` measures them.
 *
 * The temperature that turns scores into probabilities is fitted on a 5-fold cross-validation
 * of the training set (the value with the lowest log loss), so the build is deterministic and
 * needs nothing but the training data.
 *
 * Usage: deno run -A scripts/train_detect.ts [--cv] [--out FILE]
 *   --out FILE  writes the model to FILE instead of src/spec/detect_model.json
 *   --cv  prints the 5-fold cross-validated accuracy on the training set for a few smoothing
 *         values, seed weights and word-pair cut-offs, and the "unknown" rate per threshold
 *         for the chosen settings; writes nothing.
 */
import { fileURLToPath } from "node:url";
import { detectionTerms } from "../src/spec/detect_terms.ts";
import { INDUSTRIES, USE_CASES } from "../src/spec/types.ts";
import {
  DEFAULT_DETECTION_THRESHOLD,
  type DetectionModel,
  type KindModel,
  packModel,
  scoreText,
} from "../src/spec/detect.ts";

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export interface Labelled {
  text: string;
  industry: string;
  use_case: string;
}

/** Reads a JSONL file of labelled descriptions. */
export async function readLabelled(path: string): Promise<Labelled[]> {
  const text = await Deno.readTextFile(path);
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Labelled);
}

type Seed = Record<string, { strong: string[]; weak: string[] }>;
type Seeds = { industries: Seed; use_cases: Seed };
type Kind = "industry" | "use_case";

/** The settings of a model; the defaults are what the 5-fold cross-validation chose. */
export interface TrainOptions {
  /** Additive smoothing. */
  alpha: number;
  /** How many descriptions a weak seed word counts as (a strong one twice as many). */
  seedWeight: number;
  /** Pairs of words seen fewer times than this are left out of the model. */
  minPair: number;
}
export const DEFAULTS: TrainOptions = { alpha: 0.5, seedWeight: 3, minPair: 1 };
const FOLDS = 5;
/** The temperatures tried when calibrating (0.05 to 3). */
const TEMPERATURES = Array.from({ length: 60 }, (_, i) => (i + 1) / 20);

function train(
  docs: { text: string; label: string }[],
  classes: readonly string[],
  seed: Seed,
  other: Seed,
  o: TrainOptions,
): KindModel {
  // Terms that the seed words tie to the other dimension only (for the industry: "dashboard",
  // "publish") are left out, so that they do not sway this one by chance.
  const seedTerms = (s: Seed) =>
    new Set(
      Object.values(s).flatMap((w) =>
        [...w.strong, ...w.weak].flatMap((x) => detectionTerms(x).map((t) => t.term))
      ),
    );
  const own = seedTerms(seed);
  const foreign = new Set([...seedTerms(other)].filter((t) => !own.has(t)));
  const counts = new Map<string, number[]>();
  const add = (text: string, label: string, weight: number) => {
    const k = classes.indexOf(label);
    if (k < 0) throw new Error(`unknown label "${label}" for: ${text}`);
    for (const { term } of detectionTerms(text)) {
      let row = counts.get(term);
      if (!row) counts.set(term, row = classes.map(() => 0));
      row[k] += weight;
    }
  };
  for (const d of docs) add(d.text, d.label, 1);
  for (const [label, words] of Object.entries(seed)) {
    for (const w of words.strong) add(w, label, 2 * o.seedWeight);
    for (const w of words.weak) add(w, label, o.seedWeight);
  }
  const terms: Record<string, number[]> = {};
  for (const [term, row] of [...counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const total = row.reduce((a, b) => a + b, 0);
    if (term.includes(" ") && total < o.minPair) continue;
    if (foreign.has(term)) continue;
    terms[term] = row;
  }
  return { classes: [...classes], alpha: o.alpha, temperature: 1, terms };
}

function trainKind(data: Labelled[], seeds: Seeds, kind: Kind, o: TrainOptions): KindModel {
  const [classes, seed, other] = kind === "industry"
    ? [INDUSTRIES, seeds.industries, seeds.use_cases]
    : [USE_CASES, seeds.use_cases, seeds.industries];
  return train(data.map((d) => ({ text: d.text, label: d[kind] })), classes, seed, other, o);
}

/** One cross-validated prediction: the raw scores (temperature 1) and the right class. */
interface Fold {
  sums: number[];
  known: boolean;
  right: number;
}

/** Scores each training description with a model trained on the other folds. */
function crossScores(data: Labelled[], seeds: Seeds, kind: Kind, o: TrainOptions): Fold[] {
  const out: Fold[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const model = trainKind(data.filter((_, i) => i % FOLDS !== f), seeds, kind, o);
    data.forEach((d, i) => {
      if (i % FOLDS !== f) return;
      const { sums, found } = scoreText(model, d.text);
      out.push({ sums, known: found.length > 0, right: model.classes.indexOf(d[kind]) });
    });
  }
  return out;
}

function softmax(sums: number[], t: number): number[] {
  const top = Math.max(...sums);
  const exp = sums.map((s) => Math.exp(t * (s - top)));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}

/** The temperature with the lowest mean log loss on the cross-validated scores. */
function calibrate(folds: Fold[]): number {
  let best = TEMPERATURES[0];
  let bestLoss = Infinity;
  for (const t of TEMPERATURES) {
    const loss = folds.reduce((sum, f) => sum - Math.log(softmax(f.sums, t)[f.right] + 1e-12), 0);
    if (loss < bestLoss - 1e-9) [best, bestLoss] = [t, loss];
  }
  return best;
}

/**
 * Accuracy and "unknown" rate of cross-validated scores at a temperature and threshold, and
 * how often the best guess would have been right for the descriptions below the threshold.
 */
function tally(folds: Fold[], t: number, threshold: number) {
  let right = 0;
  let unknown = 0;
  let unknownRight = 0;
  for (const f of folds) {
    const p = softmax(f.sums, t);
    const best = p.indexOf(Math.max(...p));
    const confidence = Math.round(p[best] * 100) / 100;
    if (!f.known || confidence < threshold) {
      unknown++;
      if (f.known && best === f.right) unknownRight++;
    } else if (best === f.right) right++;
  }
  return {
    right: right / folds.length,
    unknown: unknown / folds.length,
    guess: unknown ? `${unknownRight}/${unknown}` : "-",
  };
}

/** The most "unknown" the cross-validation may show at the chosen threshold, per dimension. */
const MAX_UNKNOWN = 0.02;

/** Trains both dimensions on `data`, with temperatures fitted by cross-validation. */
export function buildModel(
  data: Labelled[],
  seeds: Seeds,
  o: TrainOptions = DEFAULTS,
): DetectionModel {
  const kind = (k: Kind): KindModel => ({
    ...trainKind(data, seeds, k, o),
    temperature: calibrate(crossScores(data, seeds, k, o)),
  });
  return { industry: kind("industry"), use_case: kind("use_case") };
}

const pct = (n: number) => `${(100 * n).toFixed(1)}%`;

if (import.meta.main) {
  const data = await readLabelled(root("tests/fixtures/spec/descriptions_train.jsonl"));
  const seeds = JSON.parse(await Deno.readTextFile(root("scripts/detect_seed_words.json")));
  if (Deno.args.includes("--cv")) {
    console.log(`${FOLDS}-fold cross-validation on ${data.length} training descriptions`);
    console.log("| alpha | seed weight | min pair | industry | use case |");
    console.log("| ---: | ---: | ---: | ---: | ---: |");
    const grid: TrainOptions[] = [];
    for (const alpha of [0.25, 0.5, 1]) {
      for (const seedWeight of [2, 3, 6]) {
        for (const minPair of [1, 2]) grid.push({ alpha, seedWeight, minPair });
      }
    }
    for (const o of grid) {
      const acc = (k: Kind) => pct(tally(crossScores(data, seeds, k, o), 1, 0).right);
      console.log(
        `| ${o.alpha} | ${o.seedWeight} | ${o.minPair} | ${acc("industry")} | ${acc("use_case")} |`,
      );
    }
    console.log(`\nChosen settings ${JSON.stringify(DEFAULTS)}, calibrated temperature:`);
    console.log(
      "| dimension | temperature | threshold | right | unknown | best guess right when unknown |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    const thresholds = [0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
    const fits = new Set(thresholds);
    for (const k of ["industry", "use_case"] as const) {
      const folds = crossScores(data, seeds, k, DEFAULTS);
      const t = calibrate(folds);
      for (const threshold of thresholds) {
        const r = tally(folds, t, threshold);
        if (r.unknown > MAX_UNKNOWN) fits.delete(threshold);
        console.log(
          `| ${k} | ${t} | ${threshold} | ${pct(r.right)} | ${pct(r.unknown)} | ${r.guess} |`,
        );
      }
    }
    console.log(
      `Highest threshold with at most ${pct(MAX_UNKNOWN)} unknown in both dimensions: ${
        Math.max(...fits)
      } (the runtime default is ${DEFAULT_DETECTION_THRESHOLD})`,
    );
  } else {
    const model = buildModel(data, seeds);
    const at = Deno.args.indexOf("--out");
    const out = at >= 0 ? Deno.args[at + 1] : root("src/spec/detect_model.json");
    const stored = packModel(
      model,
      "Complement naive Bayes over description terms; trained by scripts/train_detect.ts. Do not edit.",
    );
    await Deno.writeTextFile(out, JSON.stringify(stored) + "\n");
    // Written as `deno fmt` formats it with the repository's settings (also when --out is
    // elsewhere), so that formatting the repository never changes it.
    const { fmt: settings } = JSON.parse(await Deno.readTextFile(root("deno.json")));
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "--ext", "json", `--line-width=${settings.lineWidth}`, out],
    }).output();
    if (!fmt.success) throw new Error(`deno fmt ${out} failed`);
    console.log(
      `Wrote ${out}: ${Object.keys(model.industry.terms).length} industry terms, ${
        Object.keys(model.use_case.terms).length
      } use-case terms from ${data.length} descriptions (temperatures ${model.industry.temperature}, ${model.use_case.temperature})`,
    );
  }
}
