/**
 * `br feature graph --json` on 50,000 features next to `br feature list --json` on the same
 * file (which reads, validates and prints them all: a linear baseline), alternately in the
 * same run. Two shapes: the bench file's dependencies (each feature on the 7th and 11th before
 * it: about 7,000 waves) and one chain of 50,000 (50,000 waves of one feature). A wave
 * algorithm that rescans the remaining features per wave is quadratic on both.
 *
 * Usage: deno run -A bench/graph.ts [--runs 5]
 */
import { join } from "node:path";
import { brArgs, featuresFile, median, type Sample, sample } from "./_lib.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 5;
const N = 50_000;

function chainFile(n: number): string {
  const file = JSON.parse(featuresFile(n));
  file.features.forEach((f: { dependencies: string[] }, i: number) => {
    f.dependencies = i > 0 ? [`feature-${i - 1}`] : [];
  });
  return JSON.stringify(file, null, 2);
}

const root = await Deno.makeTempDir({ prefix: "br-bench-graph-" });
const deno = Deno.execPath();
console.log(`br feature graph on ${N} features (${RUNS} runs each, medians)`);
console.log("| dependencies | command | median ms | x list |");
console.log("| --- | --- | ---: | ---: |");
for (
  const [shape, text] of [["7th and 11th before", featuresFile(N)], ["one chain", chainFile(N)]]
) {
  const dir = join(root, shape.replace(/\W+/g, "_"));
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(join(dir, ".buildrunner", "features.json"), text);
  const cases: [string, string[]][] = [
    ["br feature list --json (baseline)", ["feature", "list", "--json"]],
    ["br feature graph --json", ["feature", "graph", "--json"]],
    ["br feature graph", ["feature", "graph"]],
  ];
  const results = cases.map(() => [] as Sample[]);
  for (let i = 0; i < RUNS + 1; i++) {
    for (const [c, [, args]] of cases.entries()) {
      const s = await sample(deno, brArgs(...args), dir);
      if (i >= 1) results[c].push(s); // one warm-up round
    }
  }
  const base = median(results[0].map((s) => s.ms));
  for (const [c, [name]] of cases.entries()) {
    const ms = median(results[c].map((s) => s.ms));
    console.log(`| ${shape} | ${name} | ${ms.toFixed(0)} | ${(ms / base).toFixed(2)} |`);
  }
}
await Deno.remove(root, { recursive: true });
