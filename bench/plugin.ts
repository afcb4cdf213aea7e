/**
 * Plugins: the cost of the sandbox and of having plugins installed.
 *
 * - cold start: a plugin Worker started and its bundle loaded (until it reports its manifest);
 * - event round trip: one event to a started no-op plugin and its answer (p50, p99; target
 *   p50 ≤ 2 ms);
 * - `br status --json` in a project with no plugin next to one with plugins that handle none
 *   of its events (target: within noise), measured alternately in the same run.
 *
 * Usage: deno run -A bench/plugin.ts [--runs 15]
 */
import { join } from "node:path";
import { PluginWorker } from "../src/plugins/host.ts";
import { brArgs, median, type Sample, sample } from "./_lib.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 15;
const deno = Deno.execPath();

const NOOP = new TextEncoder().encode(`export default {
  manifest: { name: "noop", version: "1.0.0", apiVersion: 1, permissions: {} },
  events: { "feature.added": () => {} },
};`);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))];
}

const root = await Deno.makeTempDir({ prefix: "br-bench-plugin-" });
const start = () =>
  PluginWorker.start({
    name: "noop",
    bundle: NOOP,
    grant: { read: [], write: [], net: [], env: [], features: [] },
    root,
    projectName: "bench",
    env: {},
    timeoutMs: 10_000,
  });

const starts: number[] = [];
for (let i = 0; i < 22; i++) {
  const t0 = performance.now();
  const w = start();
  await w.loaded();
  if (i >= 2) starts.push(performance.now() - t0);
  w.terminate();
}
const worker = start();
await worker.loaded();
const event = {
  id: "e",
  type: "feature.added" as const,
  time: new Date().toISOString(),
  session: "bench",
  payload: { id: "x", fields: {} },
};
const trips: number[] = [];
for (let i = 0; i < 1100; i++) {
  const t0 = performance.now();
  await worker.event(event);
  if (i >= 100) trips.push(performance.now() - t0);
}
worker.terminate();

console.log("plugin benchmark");
console.log("| case | p50 ms | p99 ms | target |");
console.log("| --- | ---: | ---: | --- |");
console.log(
  `| cold start of one plugin Worker | ${median(starts).toFixed(2)} | ${
    percentile(starts, 0.99).toFixed(2)
  } | (shown) |`,
);
console.log(
  `| event round trip to a no-op plugin | ${median(trips).toFixed(3)} | ${
    percentile(trips, 0.99).toFixed(3)
  } | p50 ≤ 2 |`,
);

// br status with and without plugins that handle none of its events.
const none = join(root, "none");
const some = join(root, "some");
for (const dir of [none, some]) {
  await Deno.mkdir(dir);
  await sample(deno, brArgs("init", "--name", "bench"), dir);
}
const quiet = join(root, "quiet.js");
for (const name of ["quiet", "quiet-two", "quiet-three"]) {
  await Deno.writeTextFile(
    quiet,
    `export default { manifest: { name: "${name}", version: "1.0.0", apiVersion: 1, permissions: {} }, events: { "build.completed": () => {} } };`,
  );
  await sample(deno, brArgs("plugin", "add", quiet, "--yes"), some);
}
const cases: [string, () => Promise<Sample>][] = [
  ["br status --json, no plugin", () => sample(deno, brArgs("status", "--json"), none)],
  [
    "br status --json, 3 plugins handling none of its events",
    () => sample(deno, brArgs("status", "--json"), some),
  ],
];
const results = cases.map(() => [] as number[]);
for (let i = 0; i < RUNS + 2; i++) {
  for (const [c, [, run]] of cases.entries()) {
    const s = await run();
    if (i >= 2) results[c].push(s.ms);
  }
}
console.log("");
console.log("| command | median ms | x no plugin | target |");
console.log("| --- | ---: | ---: | --- |");
const base = median(results[0]);
for (const [c, [label]] of cases.entries()) {
  const m = median(results[c]);
  console.log(
    `| ${label} | ${m.toFixed(1)} | ${(m / base).toFixed(2)} | ${c ? "within noise" : ""} |`,
  );
}
await Deno.remove(root, { recursive: true });
// Terminated Workers must not keep the benchmark alive.
Deno.exit(0);
