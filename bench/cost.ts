/**
 * `br cost import` on generated Claude Code and Codex log trees, next to the floor: a bare
 * script that streams the same files and `JSON.parse`s the usage lines, measured alternately
 * in the same run. Also a re-import with nothing new, and the peak memory at two sizes
 * (the import streams, so the larger tree should not need more memory).
 *
 * Baseline in the same run: ccusage 20 from npm (installed once into bench/out/ccusage; skipped
 * with a printed line when npm is unreachable), which reads the same logs in memory and stores
 * nothing: its `daily --json --offline` against br's first import, and against br's import with
 * nothing new plus `br cost summary --json` (the warm ledger). Also `br cost summary --json` and
 * `br cost statusline` next to a bare `deno run`.
 *
 * Usage: deno run -A bench/cost.ts [--full] [--runs 3]
 *   default: trees of 10 MB and 50 MB; --full: 50 MB and 500 MB (the sizes).
 */
import { join } from "node:path";
import { brArgs, median, peak, type Sample, sample } from "./_lib.ts";

const full = Deno.args.includes("--full");
const runsArg = Deno.args.indexOf("--runs");
const RUNS = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 3;
const SIZES_MB = full ? [50, 500] : [10, 50];
const OUT = new URL("./out/", import.meta.url).pathname;
const here = new URL(".", import.meta.url).pathname;

// Deterministic pseudo-random numbers, so a tree of a given size is the same every time.
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
const WORDS =
  "the a build test fix error function module import return value type async await file line"
    .split(" ");
const text = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
const MODELS = [
  "claude-sonnet-4-5-20250929",
  "claude-opus-4-1-20250805",
  "claude-haiku-4-5-20251001",
];

function assistant(
  id: string,
  req: string,
  time: string,
  output: number,
  sidechain: boolean,
): string {
  return JSON.stringify({
    parentUuid: crypto.randomUUID(),
    isSidechain: sidechain,
    userType: "external",
    cwd: "/home/dev/acme",
    sessionId: "s",
    version: "2.0.14",
    gitBranch: "main",
    message: {
      id,
      type: "message",
      role: "assistant",
      model: pick(MODELS),
      content: [{ type: "text", text: text(50 + Math.floor(rand() * 300)) }],
      stop_reason: "tool_use",
      usage: {
        input_tokens: Math.floor(rand() * 50),
        cache_creation_input_tokens: 1000,
        cache_read_input_tokens: Math.floor(rand() * 100_000),
        cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
        output_tokens: output,
        service_tier: "standard",
      },
    },
    requestId: req,
    type: "assistant",
    uuid: crypto.randomUUID(),
    timestamp: time,
  });
}

function user(time: string): string {
  return JSON.stringify({
    parentUuid: crypto.randomUUID(),
    isSidechain: false,
    type: "user",
    message: {
      role: "user",
      content: [{ type: "tool_result", content: text(100 + Math.floor(rand() * 1500)) }],
    },
    uuid: crypto.randomUUID(),
    timestamp: time,
  });
}

async function generate(mb: number): Promise<string> {
  const dir = join(OUT, `cost-${mb}mb`);
  try {
    await Deno.stat(join(dir, "done"));
    return dir;
  } catch { /* generate */ }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const target = mb * 1024 * 1024;
  let written = 0;
  let file = 0;
  let msg = 0;
  const enc = new TextEncoder();
  let t = Date.parse("2026-10-01T00:00:00Z");
  while (written < target) {
    const codex = file % 5 === 4;
    const lines: string[] = [];
    const fileTarget = 1024 * 1024;
    let size = 0;
    const total = { input: 0, cached: 0, output: 0 };
    while (size < fileTarget) {
      t += 7_000;
      const time = new Date(t).toISOString();
      let chunk: string[];
      if (codex) {
        const d = { input: 2000, cached: 1500, output: 300 };
        total.input += d.input;
        total.cached += d.cached;
        total.output += d.output;
        const usage = (u: typeof d) => ({
          input_tokens: u.input,
          cached_input_tokens: u.cached,
          output_tokens: u.output,
          reasoning_output_tokens: 50,
          total_tokens: u.input + u.output,
        });
        chunk = [
          JSON.stringify({
            timestamp: time,
            type: "response_item",
            payload: { type: "message", content: text(400) },
          }),
          JSON.stringify({
            timestamp: time,
            type: "event_msg",
            payload: {
              type: "token_count",
              info: { total_token_usage: usage(total), last_token_usage: usage(d) },
            },
          }),
        ];
        if (lines.length === 0) {
          chunk.unshift(
            JSON.stringify({
              timestamp: time,
              type: "turn_context",
              payload: { model: "gpt-5-codex", cwd: "/home/dev/acme" },
            }),
          );
        }
      } else {
        const id = `msg_${++msg}`;
        // A response split over two lines, as Claude Code writes it.
        chunk = [
          user(time),
          assistant(id, `req_${msg}`, time, 3, false),
          assistant(id, `req_${msg}`, time, 400, false),
        ];
      }
      for (const l of chunk) {
        lines.push(l);
        size += l.length + 1;
      }
    }
    const path = codex
      ? join(
        dir,
        "codex",
        "sessions",
        "2026",
        "10",
        `rollout-2026-10-01T00-00-00-${crypto.randomUUID()}.jsonl`,
      )
      : join(dir, "claude", "projects", `-home-dev-p${file % 7}`, `${crypto.randomUUID()}.jsonl`);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeFile(path, enc.encode(lines.join("\n") + "\n"));
    written += size;
    file++;
  }
  await Deno.writeTextFile(join(dir, "done"), String(written));
  return dir;
}

async function freshProject(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "br-bench-cost-" });
  await sample(Deno.execPath(), brArgs("init", "--name", "bench"), root);
  return root;
}

const fmt = (s: Sample[]) => {
  const ms = median(s.map((x) => x.ms));
  const rss = peak(s.map((x) => x.rssKb));
  return `${(ms / 1000).toFixed(2)} s, peak ${rss === null ? "?" : (rss / 1024).toFixed(0)} MB`;
};

/** The ccusage 20 binary (npm, with its native package for this platform), or null. */
async function ccusage(): Promise<string | null> {
  const dir = join(OUT, "ccusage");
  const bin = join(dir, "node_modules", ".bin", "ccusage");
  if (await Deno.stat(bin).then(() => true, () => false)) return bin;
  const os = { linux: "linux", darwin: "darwin", windows: "win32" }[Deno.build.os as string];
  const arch = { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch as string];
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--prefix",
      dir,
      "--no-audit",
      "--no-fund",
      "ccusage@20",
      `@ccusage/ccusage-${os}-${arch}@20`,
    ],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  if (!out?.success) {
    console.log("ccusage baseline skipped: npm install ccusage@20 failed");
    return null;
  }
  return bin;
}

/** `cmd args` with extra environment variables, measured like {@link sample}. */
async function sampleEnv(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Sample> {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, { args, cwd, env, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  return { ms: performance.now() - t0, rssKb: null, cpuMs: null };
}

const ms = (s: Sample[]) => `${median(s.map((x) => x.ms)).toFixed(0)} ms`;
const cc = await ccusage();
const empty = join(OUT, "_empty.ts");
await Deno.mkdir(OUT, { recursive: true });
await Deno.writeTextFile(empty, "");

console.log(`cost import bench (${RUNS} runs each, median; ${full ? "full" : "default"} sizes)`);
const peaks: Record<number, number | null> = {};
for (const mb of SIZES_MB) {
  const t0 = performance.now();
  const tree = await generate(mb);
  const genS = ((performance.now() - t0) / 1000).toFixed(1);
  const dirs = [join(tree, "claude"), join(tree, "codex")];
  const floor: Sample[] = [];
  const imp: Sample[] = [];
  const again: Sample[] = [];
  const summary: Sample[] = [];
  const statusline: Sample[] = [];
  const bare: Sample[] = [];
  const ccusageRuns: Sample[] = [];
  const ccEnv = { CLAUDE_CONFIG_DIR: join(tree, "claude"), CODEX_HOME: join(tree, "codex") };
  for (let i = 0; i < RUNS; i++) {
    if (cc) {
      ccusageRuns.push(
        await sampleEnv(cc, ["daily", "--json", "--offline"], tree, { ...ccEnv, TZ: "UTC" }),
      );
    }
    floor.push(
      await sample(Deno.execPath(), [
        "run",
        "-A",
        join(here, "_cost_floor.ts"),
        join(tree, "claude"),
        join(tree, "codex"),
      ], tree),
    );
    const root = await freshProject();
    imp.push(
      await sample(
        Deno.execPath(),
        ["run", "-A", join(here, "_cost_import.ts"), root, ...dirs],
        root,
      ),
    );
    again.push(
      await sample(
        Deno.execPath(),
        ["run", "-A", join(here, "_cost_import.ts"), root, ...dirs],
        root,
      ),
    );
    summary.push(await sample(Deno.execPath(), brArgs("cost", "summary", "--json"), root));
    statusline.push(
      await sample(Deno.execPath(), brArgs("cost", "statusline", "--project", root), root),
    );
    bare.push(await sample(Deno.execPath(), ["run", "--quiet", empty], root));
    await Deno.remove(root, { recursive: true });
  }
  const ratio = median(imp.map((x) => x.ms)) / median(floor.map((x) => x.ms));
  peaks[mb] = peak(imp.map((x) => x.rssKb));
  console.log(`\n${mb} MB tree (generated or reused in ${genS} s)`);
  console.log(`  floor (stream + JSON.parse usage lines): ${fmt(floor)}`);
  console.log(
    `  br cost import (first):                  ${fmt(imp)}   = ${ratio.toFixed(2)}x the floor`,
  );
  console.log(`  br cost import (again, nothing new):     ${fmt(again)}`);
  console.log(`  bare deno run:                           ${ms(bare)}`);
  console.log(`  br cost summary --json (warm ledger):    ${ms(summary)}`);
  console.log(`  br cost statusline:                      ${ms(statusline)}`);
  if (cc) {
    const warm = median(again.map((x) => x.ms)) + median(summary.map((x) => x.ms));
    const ccMs = median(ccusageRuns.map((x) => x.ms));
    console.log(`  ccusage 20 daily --json --offline:       ${ms(ccusageRuns)}`);
    console.log(
      `  first import / ccusage: ${(median(imp.map((x) => x.ms)) / ccMs).toFixed(2)}x; ` +
        `ccusage / (import again + summary): ${(ccMs / warm).toFixed(1)}x`,
    );
  }
}
const [small, large] = SIZES_MB;
if (peaks[small] && peaks[large]) {
  console.log(
    `\npeak memory ${large} MB / ${small} MB: ${(peaks[large]! / peaks[small]!).toFixed(2)}x`,
  );
}
