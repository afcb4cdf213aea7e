/**
 * Trains the naive Bayes model that `br spec wizard` uses to detect the industry and the use
 * case of a project from its description, and writes it to `src/spec/detect_model.json` (the
 * runtime only loads that file).
 *
 * Training data: the labelled descriptions of `tests/fixtures/spec/descriptions_train.jsonl`
 * plus the seed words of `scripts/detect_seed_words.json` (a strong word counts as two
 * descriptions containing it, a weak one as one). The held-out descriptions
 * (`descriptions_heldout.jsonl`) are never read here; `bench/spec.ts --detection` measures them.
 *
 * Usage: deno run -A scripts/train_detect.ts [--cv] [--out FILE]
 *   --out FILE  writes the model to FILE instead of src/spec/detect_model.json
 *   --cv  prints 5-fold cross-validated accuracy and "unknown" rate on the training set for a
 *         few smoothing values and thresholds, and writes nothing.
 */
import { fileURLToPath } from "node:url";
import { detectionTerms } from "../src/spec/detect_terms.ts";
import { INDUSTRIES, USE_CASES } from "../src/spec/types.ts";
import { classify, type DetectionModel, type KindModel } from "../src/spec/detect.ts";

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
const ALPHA = 1;
/** How many descriptions a weak seed word counts as (a strong one twice as many). */
const SEED_WEIGHT = 6;
/** Pairs of words seen fewer times than this are left out of the model. */
const MIN_PAIR = 2;

function train(
  docs: { text: string; label: string }[],
  classes: readonly string[],
  seed: Seed,
  alpha: number,
  seedWeight: number,
  other: Seed,
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
  const foreign = [...seedTerms(other)].filter((t) => !own.has(t));
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
    for (const w of words.strong) add(w, label, 2 * seedWeight);
    for (const w of words.weak) add(w, label, seedWeight);
  }
  const terms: Record<string, number[]> = {};
  for (const [term, row] of [...counts].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const total = row.reduce((a, b) => a + b, 0);
    if (term.includes(" ") && total < MIN_PAIR) continue;
    if (foreign.includes(term)) continue;
    terms[term] = row;
  }
  return { classes: [...classes], alpha, terms };
}

export function buildModel(
  data: Labelled[],
  seeds: { industries: Seed; use_cases: Seed },
  alpha: number,
  seedWeight: number = SEED_WEIGHT,
) {
  return {
    about: "Naive Bayes over description terms; trained by scripts/train_detect.ts. Do not edit.",
    industry: train(
      data.map((d) => ({ text: d.text, label: d.industry })),
      INDUSTRIES,
      seeds.industries,
      alpha,
      seedWeight,
      seeds.use_cases,
    ),
    use_case: train(
      data.map((d) => ({ text: d.text, label: d.use_case })),
      USE_CASES,
      seeds.use_cases,
      alpha,
      seedWeight,
      seeds.industries,
    ),
  } satisfies DetectionModel & { about: string };
}

if (import.meta.main) {
  const data = await readLabelled(root("tests/fixtures/spec/descriptions_train.jsonl"));
  const seeds = JSON.parse(await Deno.readTextFile(root("scripts/detect_seed_words.json")));
  if (Deno.args.includes("--cv")) {
    const K = 5;
    for (const [alpha, seedWeight] of [[0.5, 6], [1, 6], [1, 10], [2, 10]]) {
      for (const threshold of [0.3, 0.4]) {
        const tally = { industry: [0, 0], use_case: [0, 0] }; // right, unknown
        for (let f = 0; f < K; f++) {
          const model = buildModel(data.filter((_, i) => i % K !== f), seeds, alpha, seedWeight);
          for (const d of data.filter((_, i) => i % K === f)) {
            for (const kind of ["industry", "use_case"] as const) {
              const got = classify(model[kind], d.text, threshold);
              if (got.value === d[kind]) tally[kind][0]++;
              if (got.value === "unknown") tally[kind][1]++;
            }
          }
        }
        const pct = (n: number) => `${(100 * n / data.length).toFixed(1)}%`;
        console.log(
          `alpha ${alpha} seed weight ${seedWeight} threshold ${threshold}: industry ${
            pct(tally.industry[0])
          } (unknown ${pct(tally.industry[1])}), use case ${pct(tally.use_case[0])} (unknown ${
            pct(tally.use_case[1])
          })`,
        );
      }
    }
  } else {
    const model = buildModel(data, seeds, ALPHA);
    const at = Deno.args.indexOf("--out");
    const out = at >= 0 ? Deno.args[at + 1] : root("src/spec/detect_model.json");
    await Deno.writeTextFile(out, JSON.stringify(model) + "\n");
    // Written as `deno fmt` formats it, so that formatting the repository never changes it.
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", "--ext", "json", out],
    }).output();
    if (!fmt.success) throw new Error(`deno fmt ${out} failed`);
    console.log(
      `Wrote ${out}: ${Object.keys(model.industry.terms).length} industry terms, ${
        Object.keys(model.use_case.terms).length
      } use-case terms from ${data.length} descriptions`,
    );
  }
}
