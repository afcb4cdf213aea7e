/**
 * `br mcp`: sequential `br_list_features` calls through the SDK's client and stdio transport
 * on a project with 1,000 features (default page of 50), with p50/p99 latency. Baselines
 * measured in the same run: a `ping` round trip over the same connection (the transport and
 * protocol floor) and the capability itself called in-process (load features.json, filter,
 * slice a page).
 *
 * Usage: deno run -A bench/mcp.ts [--features 1000] [--calls 1000] [--limit 50]
 */
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client";
// The SDK's "./*" export maps types to "*.js.d.ts", which does not exist: point at them.
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { loadFeatures, openProject } from "../mod.ts";
import { brArgs, featuresFile } from "./_lib.ts";

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}
const FEATURES = arg("features", 1000);
const CALLS = arg("calls", 1000);
const LIMIT = arg("limit", 50);

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const dir = await Deno.makeTempDir({ prefix: "br-bench-mcp-" });
await Deno.mkdir(join(dir, ".buildrunner"));
await Deno.writeTextFile(join(dir, ".buildrunner", "features.json"), featuresFile(FEATURES));

const args = brArgs("mcp");
const transport = new StdioClientTransport({
  command: Deno.execPath(),
  args,
  cwd: dir,
  env: { ...Deno.env.toObject(), NO_COLOR: "1" },
  stderr: "inherit",
});
const client = new Client({ name: "bench", version: "1.0.0" });
const t0 = performance.now();
await client.connect(transport);
const connectMs = performance.now() - t0;
await client.listTools();

// Pages cycle through the whole list, so every call reads and cuts a different page.
const cursors: (string | undefined)[] = [undefined];
while (true) {
  const r = await client.callTool({
    name: "br_list_features",
    arguments: { limit: LIMIT, cursor: cursors.at(-1) },
  });
  const next = (r.structuredContent as { next_cursor: string | null }).next_cursor;
  if (!next) break;
  cursors.push(next);
}
const warm = 50;
await time(warm, () => client.ping());
const ping = await time(CALLS, () => client.ping());
const list = await time(CALLS, async (i) => {
  const r = await client.callTool({
    name: "br_list_features",
    arguments: { limit: LIMIT, cursor: cursors[i % cursors.length] },
  });
  if (r.isError) throw new Error(JSON.stringify(r.content));
});
await client.close();

const project = await openProject({ project: dir });
const direct = await time(CALLS, async (i) => {
  const file = await loadFeatures(project);
  const start = (i % cursors.length) * LIMIT;
  return file.features.slice(start, start + LIMIT);
});
await project.close();
await Deno.remove(dir, { recursive: true });

const row = (label: string, xs: number[], target = "") =>
  console.log(
    `| ${label} | ${quantile(xs, 0.5).toFixed(2)} | ${quantile(xs, 0.99).toFixed(2)} | ${
      Math.max(...xs).toFixed(2)
    } | ${target} |`,
  );
console.log(
  `br mcp benchmark: ${CALLS} sequential calls, ${FEATURES} features, pages of ${LIMIT} ` +
    `(connect + initialize: ${connectMs.toFixed(0)} ms)`,
);
console.log("| call | p50 ms | p99 ms | max ms | target |");
console.log("| --- | ---: | ---: | ---: | --- |");
row("ping over the same connection (floor)", ping);
row("load + page in-process (no MCP)", direct);
row("br_list_features via the SDK client", list, "p50 ≤ 5, p99 ≤ 20");
