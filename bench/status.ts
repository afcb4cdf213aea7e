/**
 * `br status --json` and `br generate` on projects with 1,000 and 10,000 features, next to a
 * bare `deno run` of an empty script, measured alternately in the same run.
 *
 * `br status` (text) is measured plain (`NO_COLOR=1`) and colored (`FORCE_COLOR=1`), the case
 * every terminal user sees: colors must cost at most 10% (target ≤ 1.1× the plain case).
 *
 * Two cases per command:
 * - warm: features.json unchanged since an earlier `br` derived the status from it (the cache
 *   in `.buildrunner/cache/` answers; the everyday case);
 * - cold: the cache removed before every run (features.json parsed, validated, summarized).
 * features.json is written before the runs and left {@link RACY_MS} to settle (a file changed
 * this very instant is never cached). Figures: median wall time and median peak RSS per run.
 *
 * Usage: deno run -A bench/status.ts [--runs 15]
 */
import { join } from "node:path";
import { RACY_MS } from "../src/core/cache.ts";
import { brArgs, featuresFile, median, type Sample, sample } from "./_lib.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 15;

const root = await Deno.makeTempDir({ prefix: "br-bench-status-" });
const empty = join(root, "empty.ts");
await Deno.writeTextFile(empty, "");
const deno = Deno.execPath();

console.log(`br status / generate benchmark (${RUNS} runs each, medians of time and peak RSS)`);
console.log("| features | command | median ms | x floor | peak MiB | x floor | target |");
console.log("| ---: | --- | ---: | ---: | ---: | ---: | --- |");
for (const n of [1000, 10000]) {
  const dir = join(root, `p${n}`);
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(join(dir, ".buildrunner", "features.json"), featuresFile(n));
  await new Promise((r) => setTimeout(r, RACY_MS + 100));
  const cache = join(dir, ".buildrunner", "cache");
  const statusMd = join(dir, "STATUS.md");
  const cases: [string, () => Promise<Sample>][] = [
    ["bare deno run (floor)", () => sample(deno, ["run", "--quiet", empty], root)],
    ["br status --json", () => sample(deno, brArgs("status", "--json"), dir)],
    ["br status", () => sample(deno, brArgs("status"), dir)],
    ["br status (colored)", () => sample(deno, brArgs("status"), dir, { FORCE_COLOR: "1" })],
    ["br generate", async () => {
      await Deno.remove(statusMd).catch(() => {});
      return await sample(deno, brArgs("generate"), dir);
    }],
    ["br status --json (cold)", async () => {
      await Deno.remove(cache, { recursive: true }).catch(() => {});
      return await sample(deno, brArgs("status", "--json"), dir);
    }],
    ["br generate (cold)", async () => {
      await Deno.remove(cache, { recursive: true }).catch(() => {});
      await Deno.remove(statusMd).catch(() => {});
      return await sample(deno, brArgs("generate"), dir);
    }],
  ];
  const results = cases.map(() => [] as Sample[]);
  for (let i = 0; i < RUNS + 2; i++) {
    for (const [c, [, run]] of cases.entries()) {
      const s = await run();
      if (i >= 2) results[c].push(s); // two warm-up rounds
    }
    // Leave a warm cache for the next round's warm cases.
    await sample(deno, brArgs("status", "--json"), dir);
    await sample(deno, brArgs("generate"), dir);
  }
  const fm = median(results[0].map((x) => x.ms));
  const rss = (xs: Sample[]) => {
    const v = xs.map((x) => x.rssKb).filter((x): x is number => x !== null);
    return v.length ? median(v) : null;
  };
  const fr = rss(results[0]);
  const target = n === 1000 ? "≤ 2× time" : "≤ 3× time, ≤ 2.5× memory";
  for (const [c, [label]] of cases.entries()) {
    const m = median(results[c].map((x) => x.ms));
    const r = rss(results[c]);
    const mem = r === null || fr === null
      ? "n/a | n/a"
      : `${(r / 1024).toFixed(1)} | ${(r / fr).toFixed(2)}`;
    const goal = c === 0 ? "" : label.endsWith("(cold)") ? "(shown)" : target;
    console.log(
      `| ${n} | ${label} | ${m.toFixed(1)} | ${(m / fm).toFixed(2)} | ${mem} | ${goal} |`,
    );
    if (label === "br status (colored)") {
      // CPU time too: on a loaded machine it varies less than wall time.
      const cpu = (xs: Sample[]) => {
        const v = xs.map((x) => x.cpuMs).filter((x): x is number => x !== null);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
      };
      const wall = `${(m / median(results[c - 1].map((x) => x.ms))).toFixed(2)}×`;
      const [cc, cp] = [cpu(results[c]), cpu(results[c - 1])];
      const cpuRatio = cc === null || cp === null || cp === 0 ? "n/a" : `${(cc / cp).toFixed(2)}×`;
      console.log(`| ${n} | colored / plain br status | ${wall} | | CPU ${cpuRatio} | | ≤ 1.1× |`);
    }
  }
}
await Deno.remove(root, { recursive: true });
