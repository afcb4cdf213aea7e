/**
 * Time to generate all 64 industry × use-case combinations in all formats.
 *
 *   deno run -A bench/design.ts [--runs N]     (default 3 runs; the target: < 2 s)
 *
 * Figures: catalog load (zod validation of the built-ins), merge + contrast + render in
 * memory, and the full `generateDesign` with atomic writes to disk. Baseline, measured in the
 * same run: writing the same bytes with plain `Deno.writeTextFile` (pure I/O, no design work).
 */
import { join } from "node:path";
import { generateDesign, loadDesignCatalog, mergeDesign, renderDesign } from "../src/design/mod.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const t0 = performance.now();
const catalog = await loadDesignCatalog(null);
const loadMs = performance.now() - t0;

const combos = catalog.profiles.flatMap((p) => catalog.patterns.map((u) => [p, u] as const));

const memory: number[] = [];
let rendered: { name: string; content: string }[][] = [];
for (let r = 0; r < RUNS; r++) {
  const s = performance.now();
  rendered = combos.map(([p, u]) => renderDesign(mergeDesign(p, u), "all"));
  memory.push(performance.now() - s);
}
const files = rendered.reduce((n, f) => n + f.length, 0);
const bytes = rendered.flat().reduce((n, f) => n + f.content.length, 0);

const disk: number[] = [];
const baseline: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const dir = await Deno.makeTempDir({ prefix: "br-bench-design-" });
  try {
    let s = performance.now();
    for (const [p, u] of combos) {
      await generateDesign(null, {
        industry: p.id,
        use_case: u.id,
        format: "all",
        out: join(dir, "gen", `${p.id}-${u.id}`),
        cwd: dir,
      });
    }
    disk.push(performance.now() - s);
    s = performance.now();
    for (let i = 0; i < combos.length; i++) {
      const out = join(dir, "raw", String(i));
      await Deno.mkdir(out, { recursive: true });
      for (const f of rendered[i]) await Deno.writeTextFile(join(out, f.name), f.content);
    }
    baseline.push(performance.now() - s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const ms = (n: number) => `${n.toFixed(0).padStart(6)} ms`;
console.log(
  `design: ${combos.length} combinations × all formats = ${files} files, ${
    (bytes / 1024).toFixed(0)
  } KiB (median of ${RUNS} runs)`,
);
console.log(`  catalog load (16 files, zod)            ${ms(loadMs)}`);
console.log(`  merge + contrast + render, in memory    ${ms(median(memory))}`);
console.log(`  generateDesign, atomic writes to disk   ${ms(median(disk))}   (target < 2000 ms)`);
console.log(`  baseline: plain writes of the same files ${ms(median(baseline))}`);
