/**
 * `br status --json` and `br generate` on projects with 1,000 and 10,000 features, next to a
 * bare `deno run` of an empty script, measured alternately in the same run.
 *
 * Usage: deno run -A bench/status.ts [--runs 15]
 */
import { join } from "node:path";
import { brArgs, featuresFile, median, peak, type Sample, sample } from "./_lib.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 15;

const root = await Deno.makeTempDir({ prefix: "br-bench-status-" });
const empty = join(root, "empty.ts");
await Deno.writeTextFile(empty, "");
const deno = Deno.execPath();

console.log(`br status / generate benchmark (${RUNS} runs each, medians; peak RSS)`);
console.log("| features | command | median ms | x floor | peak MiB | x floor | target |");
console.log("| ---: | --- | ---: | ---: | ---: | ---: | --- |");
for (const n of [1000, 10000]) {
  const dir = join(root, `p${n}`);
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(join(dir, ".buildrunner", "features.json"), featuresFile(n));
  const floor: Sample[] = [];
  const status: Sample[] = [];
  const generate: Sample[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const f = await sample(deno, ["run", "--quiet", empty], root);
    const s = await sample(deno, brArgs("status", "--json"), dir);
    await Deno.remove(join(dir, "STATUS.md")).catch(() => {});
    const g = await sample(deno, brArgs("generate"), dir);
    if (i < 2) continue; // warm-up
    floor.push(f);
    status.push(s);
    generate.push(g);
  }
  const fm = median(floor.map((x) => x.ms));
  const fr = peak(floor.map((x) => x.rssKb));
  const target = n === 1000 ? "≤ 2× time" : "≤ 3× time, ≤ 2.5× memory";
  const row = (label: string, xs: Sample[]) => {
    const m = median(xs.map((x) => x.ms));
    const r = peak(xs.map((x) => x.rssKb));
    const mem = r === null || fr === null
      ? "n/a | n/a"
      : `${(r / 1024).toFixed(1)} | ${(r / fr).toFixed(2)}`;
    console.log(
      `| ${n} | ${label} | ${m.toFixed(1)} | ${(m / fm).toFixed(2)} | ${mem} | ${target} |`,
    );
  };
  console.log(
    `| ${n} | bare deno run (floor) | ${fm.toFixed(1)} | 1.00 | ${
      fr === null ? "n/a" : (fr / 1024).toFixed(1)
    } | 1.00 | |`,
  );
  row("br status --json", status);
  row("br generate", generate);
}
await Deno.remove(root, { recursive: true });
