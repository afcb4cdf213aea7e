/**
 * `br cost import` on generated Claude Code and Codex log trees, next to the floor: a bare
 * script that streams the same files and `JSON.parse`s the usage lines, measured alternately
 * in the same run. Also a re-import with nothing new, and the peak memory at each size
 * (the import streams, so a larger tree should not need much more memory).
 *
 * Baseline in the same run: ccusage 20 from npm (installed once into bench/out/ccusage; skipped
 * with a printed line when npm is unreachable), which reads the same logs in memory and stores
 * nothing: its `daily --json --offline` against br's first import, and against br's import with
 * nothing new plus `br cost summary --json` (the warm ledger). Also `br cost summary --json` and
 * `br cost statusline` next to a bare `deno run`. The token totals of br's ledger and of
 * ccusage's report are printed side by side.
 *
 * Usage: deno run -A bench/cost.ts [--sizes 10,50,96:2008] [--full] [--runs 3] [--against DIR]
 *                                   [--import-only]
 *   --sizes: trees of MB[:FILES] each (default 10,50,96:2008: 96 MB in 2,008 files is the
 *     tree of the issue; without FILES, a file per 48 KB as there); --full: 50 and 500 MB.
 *   --against: also the first import of another checkout of br (e.g. the main branch), in the
 *     same rounds, alternating with this one's, with the flags of its main.ts's shebang.
 *   --import-only: each round only the first import (and the other checkout's): about 1 s a
 *     round at 96 MB, so that the many rounds a change of a few percent needs fit in minutes (60
 *     rounds of two equal checkouts gave a median of 0.98x, 0.69-1.30x per round).
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { brArgs, median, peak, type Sample, sample } from "./_lib.ts";

const flag = (name: string) => {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
};
const full = Deno.args.includes("--full");
const IMPORT_ONLY = Deno.args.includes("--import-only");
const RUNS = Number(flag("--runs") ?? 3);
const AGAINST = flag("--against");
const SIZES = (flag("--sizes") ?? (full ? "50,500" : "10,50,96:2008")).split(",").map((s) => {
  const [mb, files] = s.split(":").map(Number);
  return { mb, files: files || Math.max(1, Math.round((mb * 2008) / 96)) };
});
const OUT = new URL("./out/", import.meta.url).pathname;
const here = new URL(".", import.meta.url).pathname;

// Deterministic pseudo-random numbers, so a tree of a given size is the same every time.
// mulberry32: 32-bit integer arithmetic throughout (a float LCG loses its low bits and cycles).
let seed = 42;
const rand = () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));
const hex = (n: number) =>
  Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rand() * 16)]).join("");
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
/** A standard normal number (Box-Muller). */
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const WORDS =
  "the a build test fix error function module import return value type async await file line"
    .split(" ");
const text = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(" ");
const MODELS = [
  "claude-sonnet-4-5-20250929",
  "claude-sonnet-4-5-20250929",
  "claude-opus-4-1-20250805",
  "claude-haiku-4-5-20251001",
];
const iso = (ms: number) => new Date(ms).toISOString();

/** An API response (its lines share all but the output count). */
interface Response {
  id: string;
  req: string | null;
  model: string;
  input: number;
  write: number;
  read: number;
  output: number;
  sidechain: boolean;
}

/** A response's usage, drawn. */
const usage = () => ({ input: int(0, 50), write: int(0, 3000), read: int(0, 100_000) });

/** One line of an assistant response (Claude Code writes one per content block). */
function assistant(
  a: Response,
  session: string,
  time: string,
  content: unknown,
): string {
  return JSON.stringify({
    parentUuid: uuid(),
    isSidechain: a.sidechain,
    userType: "external",
    cwd: "/home/dev/acme",
    sessionId: session,
    version: "2.0.14",
    gitBranch: "main",
    ...(a.sidechain ? { agentId: hex(8) } : {}),
    message: {
      id: a.id,
      type: "message",
      role: "assistant",
      model: a.model,
      content: [content],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        input_tokens: a.input,
        cache_creation_input_tokens: a.write,
        cache_read_input_tokens: a.read,
        cache_creation: { ephemeral_5m_input_tokens: a.write, ephemeral_1h_input_tokens: 0 },
        output_tokens: a.output,
        service_tier: "standard",
      },
    },
    ...(a.req ? { requestId: a.req } : {}),
    type: "assistant",
    uuid: uuid(),
    timestamp: time,
  });
}

/** A user line: a prompt or a tool result (mostly short, now and then a whole file read). */
function user(session: string, time: string, sidechain: boolean): string {
  const words = rand() < 0.05 ? int(2000, 12000) : int(20, 600);
  return JSON.stringify({
    parentUuid: uuid(),
    isSidechain: sidechain,
    userType: "external",
    cwd: "/home/dev/acme",
    sessionId: session,
    version: "2.0.14",
    gitBranch: "main",
    type: "user",
    message: {
      role: "user",
      content: [{ type: "tool_result", tool_use_id: `toolu_${hex(24)}`, content: text(words) }],
    },
    uuid: uuid(),
    timestamp: time,
  });
}

/** The size of each of `files` files adding up to about `bytes`: log-normal, as real logs are. */
function fileSizes(files: number, bytes: number): number[] {
  const w = Array.from({ length: files }, () => Math.exp(1.4 * normal()));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.max(1024, Math.round((x / sum) * bytes)));
}

/** A main Claude Code session, kept for the files that replay it. */
interface Session {
  dir: string;
  id: string;
  /** Its first lines (a resumed session starts with them). */
  head: string[];
  /** Message ids of its responses (a subagent's log may replay one). */
  ids: string[];
}

/**
 * Claude Code lines of about `size` bytes: user lines and responses split over 1-3 lines (the
 * first ones with partial output counts), now and then a summary or a file history snapshot;
 * a subagent's file (`sidechain`) now and then replays a response of its parent session.
 */
function claudeLines(
  size: number,
  session: string,
  t: number,
  sidechain: boolean,
  parent: Session | null,
  replay: string[],
  ids: string[],
): string[] {
  const lines = [...replay];
  let bytes = replay.reduce((s, l) => s + l.length + 1, 0);
  const push = (l: string) => {
    lines.push(l);
    bytes += l.length + 1;
  };
  while (bytes < size) {
    t += int(2_000, 30_000);
    const time = iso(t);
    const r = rand();
    if (r < 0.02) {
      push(JSON.stringify({ type: "summary", summary: text(12), leafUuid: uuid() }));
      continue;
    }
    if (r < 0.05) {
      push(JSON.stringify({
        type: "file-history-snapshot",
        messageId: uuid(),
        snapshot: { trackedFileBackups: { "src/app.ts": { version: 2 } }, timestamp: time },
        isSnapshotUpdate: false,
      }));
      continue;
    }
    push(user(session, time, sidechain));
    if (sidechain && parent?.ids.length && rand() < 0.05) {
      // A sidechain replay of a parent's response, without its request id.
      const id = pick(parent.ids);
      push(assistant(
        { id, req: null, model: MODELS[0], ...usage(), output: int(1, 900), sidechain },
        session,
        time,
        { type: "text", text: text(40) },
      ));
      continue;
    }
    const a: Response = {
      id: `msg_01${hex(22)}`,
      req: `req_011${hex(21)}`,
      model: pick(MODELS),
      ...usage(),
      output: 0,
      sidechain,
    };
    ids.push(a.id);
    const parts = int(1, 4);
    const final = int(20, 2000);
    for (let p = 0; p < parts; p++) {
      a.output = p === parts - 1 ? final : int(1, 10);
      const content = p === parts - 1
        ? { type: "tool_use", id: `toolu_${hex(24)}`, name: "Edit", input: { text: text(60) } }
        : p === 0 && parts === 3
        ? { type: "thinking", thinking: text(int(20, 300)), signature: hex(200) }
        : { type: "text", text: text(int(10, 200)) };
      push(assistant(a, session, time, content));
    }
  }
  return lines;
}

/** Codex lines of about `size` bytes: a session header, turns and cumulative token counts. */
function codexLines(size: number, id: string, t: number): string[] {
  const lines: string[] = [];
  let bytes = 0;
  const push = (o: unknown) => {
    const l = JSON.stringify(o);
    lines.push(l);
    bytes += l.length + 1;
  };
  push({
    timestamp: iso(t),
    type: "session_meta",
    payload: { id, cwd: "/home/dev/acme", git: { branch: "main" }, cli_version: "0.46.0" },
  });
  const total = { input: 0, cached: 0, output: 0 };
  const usage = (u: typeof total) => ({
    input_tokens: u.input,
    cached_input_tokens: u.cached,
    output_tokens: u.output,
    reasoning_output_tokens: 50,
    total_tokens: u.input + u.output,
  });
  while (bytes < size) {
    t += int(2_000, 30_000);
    const time = iso(t);
    if (rand() < 0.1) {
      push({
        timestamp: time,
        type: "turn_context",
        payload: { model: "gpt-5-codex", cwd: "/home/dev/acme" },
      });
    }
    push({
      timestamp: time,
      type: "response_item",
      payload: { type: "message", role: "assistant", content: text(int(20, 800)) },
    });
    const d = { input: int(500, 5000), cached: 0, output: int(10, 900) };
    d.cached = int(0, d.input);
    total.input += d.input;
    total.cached += d.cached;
    total.output += d.output;
    push({
      timestamp: time,
      type: "event_msg",
      payload: {
        type: "token_count",
        info: { total_token_usage: usage(total), last_token_usage: usage(d) },
      },
    });
  }
  if (!lines.some((l) => l.includes('"turn_context"'))) {
    lines.splice(
      1,
      0,
      JSON.stringify({
        timestamp: iso(t),
        type: "turn_context",
        payload: { model: "gpt-5-codex", cwd: "/home/dev/acme" },
      }),
    );
  }
  return lines;
}

/**
 * A log tree of about `mb` MB in `files` files, laid out as `~/.claude/projects` and
 * `~/.codex/sessions` are: a fifth of the files are Codex rollouts; of the Claude Code files, a
 * quarter are subagents' logs (`<session>/subagents/agent-*.jsonl`, sidechain lines) and a tenth
 * of the sessions are resumed (they start with lines of an earlier session, replayed). File
 * sizes are log-normal (most a few KB, a few several MB).
 */
async function generate(mb: number, files: number): Promise<string> {
  const dir = join(OUT, `cost-${mb}mb-${files}f`);
  try {
    await Deno.stat(join(dir, "done"));
    return dir;
  } catch { /* generate */ }
  // Files end on whole lines, and resumed sessions add their replayed lines: the sizes aimed
  // at are corrected until the tree is within 2% of its size.
  const target = mb * 1024 * 1024;
  let aim = target;
  while (true) {
    const written = await write(dir, files, aim, mb);
    if (Math.abs(written - target) <= target * 0.02) break;
    aim *= target / written;
  }
  return dir;
}

async function write(dir: string, files: number, bytes: number, mb: number): Promise<number> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  seed = 42 + mb * 7919 + files;
  const sizes = fileSizes(files, bytes);
  const sessions: Session[] = [];
  const made = new Set<string>();
  let written = 0;
  const start = Date.parse("2026-09-01T00:00:00Z");
  for (let i = 0; i < files; i++) {
    const t = start + i * 30 * 60_000;
    let path: string;
    let lines: string[];
    if (i % 5 === 4) {
      const id = uuid();
      const day = new Date(t).toISOString().slice(0, 10).split("-");
      const stamp = new Date(t).toISOString().slice(0, 19).replaceAll(":", "-");
      path = join(dir, "codex", "sessions", ...day, `rollout-${stamp}-${id}.jsonl`);
      lines = codexLines(sizes[i], id, t);
    } else if (sessions.length && rand() < 0.25) {
      const parent = pick(sessions);
      path = join(parent.dir, parent.id, "subagents", `agent-${hex(8)}.jsonl`);
      lines = claudeLines(sizes[i], parent.id, t, true, parent, [], []);
    } else {
      const project = join(dir, "claude", "projects", `-home-dev-p${int(0, 12)}`);
      const id = uuid();
      const resumed = sessions.filter((s) => s.dir === project);
      const replay = resumed.length && rand() < 0.1 ? pick(resumed).head : [];
      const ids: string[] = [];
      lines = claudeLines(sizes[i], id, t, false, null, replay, ids);
      sessions.push({ dir: project, id, head: lines.slice(0, 30), ids: ids.slice(0, 20) });
      path = join(project, `${id}.jsonl`);
    }
    const parentDir = join(path, "..");
    if (!made.has(parentDir)) {
      await Deno.mkdir(parentDir, { recursive: true });
      made.add(parentDir);
    }
    const body = lines.join("\n") + "\n";
    await Deno.writeTextFile(path, body);
    written += body.length;
  }
  await Deno.writeTextFile(join(dir, "done"), String(written));
  return written;
}

async function freshProject(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "br-bench-cost-" });
  await sample(Deno.execPath(), brArgs("init", "--name", "bench"), root);
  return root;
}

const fmt = (s: Sample[]) => {
  const ms = median(s.map((x) => x.ms));
  const rss = peak(s.map((x) => x.rssKb));
  const cpu = s.every((x) => x.cpuMs !== null) ? median(s.map((x) => x.cpuMs!)) : null;
  return `${(ms / 1000).toFixed(2)} s, peak ${rss === null ? "?" : (rss / 1024).toFixed(0)} MB` +
    (cpu === null ? "" : `, CPU ${(cpu / 1000).toFixed(2)} s`);
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
const range = (s: Sample[]) => {
  const xs = s.map((x) => x.ms / 1000);
  return `${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)} s`;
};
const cc = await ccusage();
const empty = join(OUT, "_empty.ts");
await Deno.mkdir(OUT, { recursive: true });
await Deno.writeTextFile(empty, "");

/** `br cost import` of the tree's two folders, with the checkout at `checkout` (default this). */
function importArgs(tree: string, checkout?: string): string[] {
  const command = ["cost", "import", "--dir", join(tree, "claude"), "--dir", join(tree, "codex")];
  if (!checkout) return brArgs(...command, "--json");
  // Run as that checkout runs: with the flags of its main.ts's shebang (a test keeps them
  // equal to its RUN_FLAGS), not with this one's.
  const shebang = Deno.readTextFileSync(join(checkout, "main.ts")).split("\n")[0];
  const flags = shebang.replace(/^#!.*?deno run /, "").split(" ").filter(Boolean);
  const config = join(checkout, "deno.json");
  return [
    "run",
    "--quiet",
    ...flags,
    "--config",
    config,
    join(checkout, "main.ts"),
    ...command,
    "--json",
  ];
}

/** Token totals of a project's ledger. */
function ledgerTotals(root: string): string {
  const db = new DatabaseSync(join(root, ".buildrunner", "br.db"), { readOnly: true });
  try {
    const r = db.prepare(
      `SELECT count(*) AS rows, sum(input_tokens) AS input, sum(output_tokens) AS output,
         sum(cache_creation_tokens) AS creation, sum(cache_read_tokens) AS read FROM cost_ledger`,
    ).get() as Record<string, number>;
    return `rows ${r.rows}, input ${r.input}, output ${r.output}, cache write ${r.creation}, ` +
      `cache read ${r.read}`;
  } finally {
    db.close();
  }
}

/** ccusage's totals for the tree. */
async function ccusageTotals(bin: string, env: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(bin, {
    args: ["daily", "--json", "--offline"],
    env: { ...env, TZ: "UTC" },
    stdout: "piped",
    stderr: "null",
  }).output();
  const t = JSON.parse(new TextDecoder().decode(out.stdout)).totals ?? {};
  return `input ${t.inputTokens}, output ${t.outputTokens}, cache write ${t.cacheCreationTokens}, ` +
    `cache read ${t.cacheReadTokens}`;
}

console.log(
  `cost import bench (${RUNS} runs each, median and range; sizes ${
    SIZES.map((s) => `${s.mb} MB/${s.files} files`).join(", ")
  })`,
);
const peaks: number[] = [];
for (const { mb, files } of SIZES) {
  const t0 = performance.now();
  const tree = await generate(mb, files);
  const genS = ((performance.now() - t0) / 1000).toFixed(1);
  const floor: Sample[] = [];
  const imp: Sample[] = [];
  const other: Sample[] = [];
  const again: Sample[] = [];
  const summary: Sample[] = [];
  const statusline: Sample[] = [];
  const bare: Sample[] = [];
  const ccusageRuns: Sample[] = [];
  const ccEnv = { CLAUDE_CONFIG_DIR: join(tree, "claude"), CODEX_HOME: join(tree, "codex") };
  let totals = "";
  let otherTotals = "";
  for (let i = 0; i < RUNS; i++) {
    const againstRun = async () => {
      if (!AGAINST) return;
      const root = await freshProject();
      other.push(await sample(Deno.execPath(), importArgs(tree, AGAINST), root));
      otherTotals = ledgerTotals(root);
      await Deno.remove(root, { recursive: true });
    };
    if (IMPORT_ONLY) {
      // The other checkout goes first in every other round.
      if (i % 2 === 0) await againstRun();
      const root = await freshProject();
      imp.push(await sample(Deno.execPath(), importArgs(tree), root));
      totals = ledgerTotals(root);
      await Deno.remove(root, { recursive: true });
      if (i % 2 === 1) await againstRun();
      continue;
    }
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
    // The other checkout goes first in every other round.
    if (i % 2 === 0) await againstRun();
    const root = await freshProject();
    imp.push(await sample(Deno.execPath(), importArgs(tree), root));
    totals = ledgerTotals(root);
    again.push(await sample(Deno.execPath(), importArgs(tree), root));
    summary.push(await sample(Deno.execPath(), brArgs("cost", "summary", "--json"), root));
    statusline.push(
      await sample(Deno.execPath(), brArgs("cost", "statusline", "--project", root), root),
    );
    bare.push(await sample(Deno.execPath(), ["run", "--quiet", empty], root));
    await Deno.remove(root, { recursive: true });
    if (i % 2 === 1) await againstRun();
  }
  peaks.push(peak(imp.map((x) => x.rssKb)) ?? 0);
  const bytes = Number(await Deno.readTextFile(join(tree, "done")));
  console.log(
    `\n${(bytes / 1048576).toFixed(0)} MB tree, ${files} files (generated or reused in ${genS} s)`,
  );
  if (IMPORT_ONLY) {
    console.log(`  br cost import (first):  ${fmt(imp)} (${range(imp)})`);
    console.log(`  br ledger:    ${totals}`);
    if (AGAINST) {
      console.log(`  ${AGAINST} import (first): ${fmt(other)} (${range(other)})`);
      console.log(`  other ledger: ${otherTotals}`);
      const perRound = imp.map((x, k) => x.ms / other[k].ms);
      console.log(
        `  this / other, per round: median ${median(perRound).toFixed(3)}x ` +
          `(${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}x)`,
      );
    }
    continue;
  }
  const ratio = median(imp.map((x) => x.ms)) / median(floor.map((x) => x.ms));
  console.log(`  floor (stream + JSON.parse usage lines): ${fmt(floor)}`);
  console.log(
    `  br cost import (first):                  ${fmt(imp)} (${range(imp)})   = ${
      ratio.toFixed(2)
    }x the floor`,
  );
  if (AGAINST) {
    console.log(`  ${AGAINST} import (first): ${fmt(other)} (${range(other)})`);
  }
  console.log(`  br cost import (again, nothing new):     ${fmt(again)}`);
  console.log(`  bare deno run:                           ${ms(bare)}`);
  console.log(`  br cost summary --json (warm ledger):    ${ms(summary)}`);
  console.log(`  br cost statusline:                      ${ms(statusline)}`);
  console.log(`  br ledger:    ${totals}`);
  if (AGAINST) console.log(`  other ledger: ${otherTotals}`);
  if (cc) {
    const warm = median(again.map((x) => x.ms)) + median(summary.map((x) => x.ms));
    const ccMs = median(ccusageRuns.map((x) => x.ms));
    console.log(
      `  ccusage 20 daily --json --offline:       ${ms(ccusageRuns)} (${range(ccusageRuns)})`,
    );
    console.log(`  ccusage:      ${await ccusageTotals(cc, ccEnv)}`);
    const perRound = imp.map((x, k) => (x.ms / ccusageRuns[k].ms).toFixed(2)).join(", ");
    console.log(
      `  first import / ccusage: ${(median(imp.map((x) => x.ms)) / ccMs).toFixed(2)}x ` +
        `(per round ${perRound}); ccusage / (import again + summary): ${(ccMs / warm).toFixed(1)}x`,
    );
    if (AGAINST) {
      const o = other.map((x, k) => (x.ms / ccusageRuns[k].ms).toFixed(2)).join(", ");
      console.log(`  other first import / ccusage per round: ${o}`);
    }
  }
}
if (peaks.length > 1 && peaks[0]) {
  console.log(
    `\npeak memory ${SIZES.at(-1)!.mb} MB / ${SIZES[0].mb} MB: ${
      (peaks.at(-1)! / peaks[0]).toFixed(2)
    }x`,
  );
}
