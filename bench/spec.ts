/**
 * First, the accuracy of industry and use-case detection on the held-out descriptions, never
 * used to train or tune the model: `descriptions_heldout2.jsonl` (written before the current
 * model and measured once) and `descriptions_heldout.jsonl` (measured before, so seen).
 * Then the spec commands on a spec with 200 features (1,000 with `--full`), next to
 * `br status --json` on the same project and a bare `deno run`, measured alternately in the
 * same run.
 *
 * Usage: deno run -A bench/spec.ts [--runs 7] [--full] [--detection]
 *   --detection  only the detection accuracy (with each miss)
 */
import { join } from "node:path";
import {
  DEFAULT_DETECTION_THRESHOLD,
  detectIndustry,
  detectUseCase,
  renderSpec,
  type SpecFeatureInput,
} from "../src/spec/mod.ts";
import { brArgs, median, type Sample, sample } from "./_lib.ts";

{
  const sets = [
    ["descriptions_heldout2.jsonl", "new, measured once"],
    ["descriptions_heldout.jsonl", "earlier, seen before"],
  ] as const;
  console.log(`Detection on the held-out descriptions (threshold ${DEFAULT_DETECTION_THRESHOLD})`);
  console.log("| held-out set | dimension | right | accuracy | unknown |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  const misses: string[] = [];
  for (const [name, about] of sets) {
    const file = new URL(`../tests/fixtures/spec/${name}`, import.meta.url);
    const rows = (await Deno.readTextFile(file)).split("\n").filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { text: string; industry: string; use_case: string });
    for (
      const [label, key, detect] of [
        ["industry", "industry", detectIndustry],
        ["use case", "use_case", detectUseCase],
      ] as const
    ) {
      let right = 0;
      let unknown = 0;
      for (const r of rows) {
        const got = detect(r.text);
        if (got.value === r[key]) right++;
        else {
          misses.push(
            `  ${name} ${label}: ${r[key]} <- ${got.value} (${got.confidence}) ${r.text}`,
          );
        }
        if (got.value === "unknown") unknown++;
      }
      const pct = (n: number) => `${(100 * n / rows.length).toFixed(1)}%`;
      console.log(
        `| ${name} (${rows.length}, ${about}) | ${label} | ${right}/${rows.length} | ${
          pct(right)
        } | ${pct(unknown)} |`,
      );
    }
  }
  if (Deno.args.includes("--detection")) {
    console.log(misses.join("\n"));
    Deno.exit(0);
  }
  console.log();
}

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 7;
const SIZES = Deno.args.includes("--full") ? [200, 1000] : [200];
const PRIORITIES = ["critical", "high", "medium", "low"];

const root = await Deno.makeTempDir({ prefix: "br-bench-spec-" });
const empty = join(root, "empty.ts");
await Deno.writeTextFile(empty, "");
const deno = Deno.execPath();

console.log(`br spec benchmark (${RUNS} runs each, medians)`);
console.log("| features | command | median ms | x floor | x br status |");
console.log("| ---: | --- | ---: | ---: | ---: |");
for (const n of SIZES) {
  const dir = join(root, `p${n}`);
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  const features: SpecFeatureInput[] = Array.from({ length: n }, (_, i) => ({
    id: `feature-${i}`,
    name: `Feature number ${i}`,
    description: `Does thing ${i} for the users who need it.`,
    priority: PRIORITIES[i % 4],
    depends_on: i > 10 ? [`feature-${i - 7}`, `feature-${i - 11}`] : [],
    acceptance: [`Criterion A of ${i}`, `Criterion B of ${i}`],
    files: [`src/area${i % 50}/**`],
  }));
  await Deno.writeTextFile(
    join(dir, "PROJECT_SPEC.md"),
    await renderSpec({
      name: "Bench",
      description: "A dashboard for clinic staff.",
      users: ["Staff"],
      industry: "healthcare",
      use_case: "dashboard",
      stack: ["deno"],
      features,
    }),
  );
  await sample(deno, brArgs("spec", "sync"), dir); // creates features.json and the base
  const commands: [string, string[]][] = [
    ["br status --json (baseline)", ["status", "--json"]],
    ["br spec validate", ["spec", "validate"]],
    ["br spec sync (in sync)", ["spec", "sync"]],
    ["br spec sync --dry-run", ["spec", "sync", "--dry-run"]],
    ["br handoff feature-100", ["handoff", "feature-100"]],
    ["br context --print", ["context", "--print"]],
  ];
  const floor: Sample[] = [];
  const samples = commands.map(() => [] as Sample[]);
  for (let i = 0; i < RUNS + 1; i++) {
    const f = await sample(deno, ["run", "--quiet", empty], root);
    const row = [];
    for (const [, args] of commands) row.push(await sample(deno, brArgs(...args), dir));
    if (i === 0) continue; // warm-up
    floor.push(f);
    row.forEach((s, k) => samples[k].push(s));
  }
  const fm = median(floor.map((x) => x.ms));
  const base = median(samples[0].map((x) => x.ms));
  console.log(`| ${n} | bare deno run (floor) | ${fm.toFixed(1)} | 1.00 | |`);
  commands.forEach(([label], k) => {
    const m = median(samples[k].map((x) => x.ms));
    console.log(
      `| ${n} | ${label} | ${m.toFixed(1)} | ${(m / fm).toFixed(2)} | ${(m / base).toFixed(2)} |`,
    );
  });
}
await Deno.remove(root, { recursive: true });
