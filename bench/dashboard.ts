/**
 * `br dashboard`: discovery and aggregation over 200 projects (half with a store holding a
 * cost row and a gate event), cold (a fresh process: modules loaded, every project read) and
 * warm (the same reader again: unchanged projects answered from its cache after a `stat` of
 * their files), next to discovery alone (the floor) measured in the same process; and the
 * latency of the web page's live update: from a `br feature complete` writing features.json
 * (its mtime) to the server-sent `update` event arriving at a client (a Deno `fetch` reading
 * `/events`, the same stream the page's EventSource reads).
 *
 * Targets: cold ≤ 1000 ms, warm ≤ 200 ms, SSE latency ≤ 500 ms.
 *
 * Usage: deno run -A bench/dashboard.ts [--runs 5]
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createProject } from "../src/core/project.ts";
import { recordUsage } from "../src/cost/record.ts";
import { serveDashboard } from "../src/dashboard/mod.ts";
import { brArgs, featuresFile, median } from "./_lib.ts";

const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 5;
const PROBE = fileURLToPath(new URL("./_dashboard_probe.ts", import.meta.url));
const N = 200;

const root = await Deno.makeTempDir({ prefix: "br-bench-dashboard-" });
const env = { ...Deno.env.toObject(), BR_HOME: join(root, ".home"), NO_COLOR: "1" };
const features = featuresFile(40);
for (let i = 0; i < N; i++) {
  const dir = join(root, `group${i % 8}`, i % 2 ? `team${i % 3}` : "", `p${i}`);
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(join(dir, ".buildrunner", "features.json"), features);
  if (i % 2 === 0) {
    const project = createProject(dir, { env });
    await recordUsage(project, { source: "bench", model: "claude-sonnet-4-5", cost_usd: 1.25 });
    project.bus.emit("gate.passed", { gate: "security", counts: { findings: 0, secrets: 0 } });
    await project.close();
  }
}

console.log(`br dashboard benchmark: ${N} projects, ${RUNS} runs, medians`);
const cold: number[] = [];
const warm: number[] = [];
const floor: number[] = [];
let seen = 0;
for (let r = 0; r < RUNS; r++) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      fileURLToPath(new URL("../deno.json", import.meta.url)),
      PROBE,
      root,
    ],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const m = JSON.parse(new TextDecoder().decode(out.stdout));
  seen = m.projects;
  if (m.errors) throw new Error(`${m.errors} projects could not be read`);
  cold.push(m.cold_ms);
  warm.push(m.warm_ms);
  floor.push(m.discovery_ms);
}
if (seen !== N) throw new Error(`found ${seen} projects, expected ${N}`);

// SSE latency: the server in this process, the write by the CLI in another.
const server = await serveDashboard({ roots: [root], depth: 3, env, port: 0 });
const res = await fetch(new URL("/events", server.url));
const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
let buffer = "";
async function nextUpdate(): Promise<number> {
  while (!buffer.includes("event: update")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("event stream ended");
    buffer += value;
  }
  const at = Date.now();
  buffer = buffer.slice(buffer.indexOf("event: update") + 13);
  return at;
}
const latency: number[] = [];
const project0 = join(root, "group0", "p0");
for (let r = 0; r < RUNS; r++) {
  const id = `feature-${r * 5}`; // planned in featuresFile
  const waiting = nextUpdate();
  const out = await new Deno.Command(Deno.execPath(), {
    args: brArgs("feature", "complete", id, "--force"),
    cwd: project0,
    env,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`br feature complete ${id} failed`);
  const arrived = await waiting;
  const written = Deno.statSync(join(project0, ".buildrunner", "features.json")).mtime!.getTime();
  latency.push(arrived - written);
  buffer = "";
}
await reader.cancel();
await server.shutdown();

const row = (what: string, ms: number, target: string) =>
  console.log(
    `| ${what} | ${ms.toFixed(1)} | ${target} | ${ms <= Number(target) ? "ok" : "MISSED"} |`,
  );
console.log("| case | median ms | target ms | |");
console.log("| --- | ---: | ---: | --- |");
console.log(`| discovery alone (floor) | ${median(floor).toFixed(1)} | - | |`);
row("discovery + aggregation, cold", median(cold), "1000");
row("discovery + aggregation, warm", median(warm), "200");
row("SSE: CLI write to client event", median(latency), "500");
console.log(`max SSE latency ${Math.max(...latency).toFixed(1)} ms`);
await Deno.remove(root, { recursive: true });
