import assert from "node:assert/strict";
import { br, brProcess, fixedClock, tempProject } from "../helpers.ts";
import { ccLine } from "./_logs.ts";
import { recordUsage } from "../../src/cost/mod.ts";
import { type Clock, createProject } from "../../src/core/project.ts";

const MODEL = "claude-sonnet-4-5-20250929";

async function writeLog(root: string, lines: string[], session = "s"): Promise<void> {
  // Claude Code names a session's log after the session id.
  const dir = `${root}/logs/projects/-home-dev-app`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/${session}.jsonl`, lines.join("\n") + "\n");
}

interface Block {
  id: string;
  start: string;
  end: string;
  active: boolean;
  gap: boolean;
  entries: number;
  total_tokens: number;
  cost_usd: number;
  burn_rate: { cost_per_hour: number; tokens_per_minute: number } | null;
  projection: { cost_usd: number; total_tokens: number; remaining_minutes: number } | null;
}

const UTC = { TZ: "UTC" };

/** `br cost blocks <flags> --json` in `dir` at `clock`, in UTC. */
async function blocksJson(dir: string, clock: Clock, ...flags: string[]): Promise<Block[]> {
  const res = await br(["cost", "blocks", ...flags, "--json"], { cwd: dir, clock, env: UTC });
  return JSON.parse(res.stdout) as Block[];
}

Deno.test("br cost blocks cuts 5-hour windows from the hour of the first message, with gaps", async () => {
  await using dir = await tempProject();
  // 1000 input tokens of Sonnet 4.5 = $0.003; each message below costs that.
  const at = (id: string, time: string) =>
    ccLine({ id, model: MODEL, time, input: 1000, output: 0 });
  await writeLog(dir.path, [
    at("m1", "2026-11-24T01:10:00.000Z"),
    at("m2", "2026-11-24T01:50:00.000Z"),
    at("m3", "2026-11-24T06:00:00.000Z"), // exactly 5 h after the start: same window
    at("m4", "2026-11-24T06:05:00.000Z"), // past the end: next window, from 06:00
    at("m5", "2026-11-24T12:00:00.000Z"), // 5 h 55 min pause: a gap, then a window
    at("m6", "2026-11-24T12:30:00.000Z"),
  ]);
  const clock = fixedClock("2026-11-24T13:00:00.000Z");
  const env = { TZ: "UTC" };
  const imp = await br(["cost", "import", "claude-code", "--dir", "logs"], {
    cwd: dir.path,
    clock,
    env,
  });
  assert.equal(imp.code, 0, imp.stderr);
  const res = await br(["cost", "blocks", "--json"], { cwd: dir.path, clock, env });
  assert.equal(res.code, 0, res.stderr);
  const blocks = JSON.parse(res.stdout) as Block[];
  assert.deepEqual(
    blocks.map((b) => [b.start, b.end, b.gap, b.active, b.entries]),
    [
      ["2026-11-24T01:00:00.000Z", "2026-11-24T06:00:00.000Z", false, false, 3],
      ["2026-11-24T06:00:00.000Z", "2026-11-24T11:00:00.000Z", false, false, 1],
      ["2026-11-24T11:05:00.000Z", "2026-11-24T12:00:00.000Z", true, false, 0],
      ["2026-11-24T12:00:00.000Z", "2026-11-24T17:00:00.000Z", false, true, 2],
    ],
  );
  assert.equal(blocks[2].id, "gap-2026-11-24T11:05:00.000Z");
  const active = blocks[3];
  assert.equal(active.cost_usd, 0.006);
  assert.equal(active.total_tokens, 2000);
  // Burn rate from the first to the last message (30 min): $0.006 per half hour.
  assert.equal(active.burn_rate?.cost_per_hour, 0.012);
  assert.equal(blocks[1].burn_rate, null); // one message: no rate
  assert.deepEqual(active.projection, {
    remaining_minutes: 240,
    cost_usd: 0.054,
    total_tokens: 2000 + Math.round((2000 / 30) * 240),
  });

  const only = await br(["cost", "blocks", "--active", "--json"], { cwd: dir.path, clock, env });
  assert.deepEqual(JSON.parse(only.stdout), [active]);
  clock.set("2026-11-24T17:30:00.000Z"); // past the window's end: nothing active
  const none = await br(["cost", "blocks", "--active", "--json"], { cwd: dir.path, clock, env });
  assert.deepEqual(JSON.parse(none.stdout), []);
  const recent = await br(["cost", "blocks", "--recent", "--json"], {
    cwd: dir.path,
    clock: fixedClock("2026-11-27T06:30:00.000Z"),
    env,
  });
  assert.deepEqual(
    (JSON.parse(recent.stdout) as Block[]).map((b) => b.start),
    ["2026-11-24T11:05:00.000Z", "2026-11-24T12:00:00.000Z"],
  );

  // --live piped prints once, with no terminal escapes, and ends.
  const live = await br(["cost", "blocks", "--live"], { cwd: dir.path, clock, env });
  assert.equal(live.code, 0, live.stderr);
  assert.ok(!live.stdout.includes("\x1b"), "no terminal escapes when piped");
  assert.match(live.stdout, /^START\tSTATUS\tMODELS\tTOKENS\tCOST\tBURN\/H\tPROJECTED\n/);
  assert.match(
    live.stdout,
    /^2026-11-24 12:00\tdone\tclaude-sonnet-4-5-20250929\t2,000\t\$0\.0060\t\$0\.01\t-$/m,
  );
  assert.match(live.stdout, /^2026-11-24 11:05\tgap\t/m);
});

Deno.test("br cost blocks: a run of messages without pause longer than 5 h decides where the active window starts", async () => {
  await using dir = await tempProject();
  // Every 4 hours for 3 days: windows chain (01:00, 09:00? no: each message past the window's
  // end opens a new one at its own hour), so the active one depends on messages days back.
  const lines: string[] = [];
  let t = Date.parse("2026-11-20T00:30:00.000Z");
  for (let i = 0; i < 20; i++, t += 4 * 3_600_000 + 7 * 60_000) {
    lines.push(
      ccLine({ id: `m${i}`, model: MODEL, time: new Date(t).toISOString(), input: 10, output: 0 }),
    );
  }
  await writeLog(dir.path, lines);
  const last = t - (4 * 3_600_000 + 7 * 60_000);
  const clock = fixedClock(new Date(last + 60_000).toISOString());
  const env = { TZ: "UTC" };
  await br(["cost", "import", "claude-code", "--dir", "logs"], { cwd: dir.path, clock, env });
  const all = await blocksJson(dir.path, clock);
  const active = await blocksJson(dir.path, clock, "--active");
  assert.equal(active.length, 1);
  assert.deepEqual(active[0], all.filter((b) => b.active)[0]);
  assert.deepEqual(all.at(-1), active[0]);
});

Deno.test("br cost blocks --active: months without a 5-hour pause, and messages dated later than now", async () => {
  await using dir = await tempProject();
  // A message every 100 minutes for 60 days (864 windows chained from the first one), the
  // last 10 days of them after "now" (a clock set wrong, or logs from another machine).
  const lines: string[] = [];
  const first = Date.parse("2026-09-01T00:17:00.000Z");
  for (let i = 0; i < 864; i++) {
    const time = new Date(first + i * 100 * 60_000).toISOString();
    lines.push(ccLine({ id: `m${i}`, model: MODEL, time, input: 10 + i, output: 1 }));
  }
  await writeLog(dir.path, lines);
  const clock = fixedClock(new Date(first + 50 * 86_400_000).toISOString());
  const env = { TZ: "UTC" };
  await br(["cost", "import", "claude-code", "--dir", "logs"], { cwd: dir.path, clock, env });
  const all = await blocksJson(dir.path, clock);
  const active = await blocksJson(dir.path, clock, "--active");
  // One window: the first of those that count as active, the one that holds "now" (also
  // when --recent is given with --active).
  assert.equal(active.length, 1);
  assert.deepEqual(await blocksJson(dir.path, clock, "--active", "--recent"), active);
  assert.deepEqual(active[0], all.find((b) => b.active));
  const now = Date.parse(clock.now().toISOString());
  assert.ok(Date.parse(active[0].start) <= now && now < Date.parse(active[0].end));
  const line = await br(["cost", "statusline"], { cwd: dir.path, clock, env, stdin: "{}" });
  // The status line shows the same window: the time left until its end.
  const left = Math.round((Date.parse(active[0].end) - now) / 60_000);
  const hhmm = `${Math.floor(left / 60)}h${String(left % 60).padStart(2, "0")}m`;
  assert.match(line.stdout, new RegExp(` block \\(${hhmm} left\\)`));
});

Deno.test("br cost statusline reads Claude Code's JSON on stdin and prints one line", async () => {
  await using dir = await tempProject();
  const now = Date.now();
  const iso = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  await writeLog(dir.path, [
    ccLine({ id: "a", model: MODEL, time: iso(40), input: 10_000, output: 0, session: "abc" }),
    ccLine({ id: "b", model: MODEL, time: iso(10), input: 10_000, output: 0, session: "abc" }),
  ], "abc");
  const env = { HOME: dir.path, TZ: "UTC" };
  const imp = await brProcess(["cost", "import", "claude-code", "--dir", "logs"], {
    cwd: dir.path,
    env,
  });
  assert.equal(imp.code, 0, imp.stderr);
  const input = {
    session_id: "abc",
    transcript_path: `${dir.path}/logs/projects/-home-dev-app/abc.jsonl`,
    cwd: "/",
    model: { id: "claude-sonnet-4-5", display_name: "Sonnet 4.5" },
    workspace: { current_dir: dir.path, project_dir: dir.path },
    version: "2.0.14",
    cost: { total_cost_usd: 1.25 },
  };
  // Started from "/" (the JSON names the project), as Claude Code may run it.
  const res = await brProcess(["cost", "statusline"], {
    cwd: "/",
    env: { ...env, BR_HOME: `${dir.path}/.br-home` },
    stdin: JSON.stringify(input),
  });
  assert.equal(res.code, 0, res.stderr);
  const end = Math.floor((now - 40 * 60_000) / 3_600_000) * 3_600_000 + 5 * 3_600_000;
  const today = new Date(now).toISOString().slice(0, 10) === iso(40).slice(0, 10) ? "$0.06" : null;
  const lines = res.stdout.split("\n").filter(Boolean);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    new RegExp(
      String
        .raw`^Sonnet 4\.5 \| \$1\.25 session · \$0\.0\d+ today · \$0\.06 block \(\dh\d\dm left\) \| \$0\.12/h$`,
    ),
  );
  if (today) assert.match(lines[0], /\$0\.06 today/);
  // The time left as br saw it, a moment after `now`: within a minute of the expected figure.
  const shown = /\((\d+)h(\d\d)m left\)/.exec(lines[0])!;
  const left = Math.round((end - now) / 60_000);
  const seen = Number(shown[1]) * 60 + Number(shown[2]);
  assert.ok(seen <= left && seen >= left - 2, `${lines[0]} (expected about ${left} min left)`);

  // Without Claude Code's own figure, the session's ledger rows are summed.
  const { cost: _cost, ...noCost } = input;
  const json = await brProcess(["cost", "statusline", "--json"], {
    cwd: dir.path,
    env,
    stdin: JSON.stringify(noCost),
  });
  assert.equal(json.code, 0, json.stderr);
  const figures = JSON.parse(json.stdout);
  assert.equal(figures.session_cost_usd, 0.06);
  assert.equal(figures.block.cost_usd, 0.06);

  const bad = await brProcess(["cost", "statusline"], { cwd: dir.path, env, stdin: "{nope" });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /^error: Cannot read the status line JSON on stdin\nhint: /);
});

/** ccusage 20 from npm (its native binary for this platform), or null when npm is unreachable. */
async function ccusage(): Promise<string | null> {
  const os = { linux: "linux", darwin: "darwin", windows: "win32" }[Deno.build.os as string];
  const arch = { x86_64: "x64", aarch64: "arm64" }[Deno.build.arch as string];
  if (!os || !arch) {
    console.log(`skipped: no ccusage binary for ${Deno.build.os}/${Deno.build.arch}`);
    return null;
  }
  const dir = await Deno.makeTempDir({ prefix: "br-ccusage-" });
  globalThis.addEventListener("unload", () => {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  });
  // npm skips the optional native package on some setups: name it.
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
    stdout: "piped",
    stderr: "piped",
  }).output().catch(() => null);
  if (!out?.success) {
    console.log("skipped: npm install ccusage@20 failed (npm unreachable?)");
    return null;
  }
  return `${dir}/node_modules/.bin/ccusage`;
}

Deno.test("br cost blocks matches ccusage 20 (from npm) on the same logs", async () => {
  const bin = await ccusage();
  if (!bin) return;
  await using dir = await tempProject();
  // Deterministic pseudo-random usage over 4 days: bursts, pauses under and over 5 hours.
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const models = [
    "claude-sonnet-4-5-20250929",
    "claude-haiku-4-5-20251001",
    "claude-opus-4-1-20250805",
  ];
  const lines: string[] = [];
  let t = Date.parse("2026-11-20T07:23:11.000Z");
  for (let i = 0; i < 240; i++) {
    const r = rand();
    t += r < 0.05
      ? 6 * 3_600_000 + rand() * 10 * 3_600_000
      : r < 0.1
      ? 4.5 * 3_600_000
      : rand() * 600_000;
    lines.push(ccLine({
      id: `msg_${i}`,
      model: models[i % 3],
      time: new Date(Math.floor(t)).toISOString(),
      input: Math.floor(rand() * 5000),
      output: Math.floor(rand() * 2000),
      write5m: Math.floor(rand() * 20000),
      read: Math.floor(rand() * 100000),
    }));
  }
  // And an active window now, for the burn rate and the projection.
  for (const [i, minutesAgo] of [95, 60, 20].entries()) {
    lines.push(ccLine({
      id: `now_${i}`,
      model: models[0],
      time: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      input: 4000,
      output: 1000,
    }));
  }
  await writeLog(dir.path, lines, "0b7a7f5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b");
  const env = { TZ: "UTC" };
  const imp = await br(["cost", "import", "claude-code", "--dir", "logs"], { cwd: dir.path, env });
  assert.equal(imp.code, 0, imp.stderr);
  const ours = JSON.parse((await br(["cost", "blocks", "--json"], { cwd: dir.path, env })).stdout);
  const out = await new Deno.Command(bin, {
    args: ["claude", "blocks", "--json", "--offline"],
    env: { CLAUDE_CONFIG_DIR: `${dir.path}/logs`, TZ: "UTC", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const theirs = JSON.parse(new TextDecoder().decode(out.stdout)).blocks;
  assert.ok(theirs.some((b: { isGap: boolean }) => b.isGap), "the logs have a gap");
  assert.ok(theirs.length >= 8, `${theirs.length} blocks`);
  assert.deepEqual(
    ours.map((b: Block & { input_tokens: number; output_tokens: number }) => [
      b.id,
      b.start,
      b.end,
      b.gap,
      b.active,
      b.input_tokens,
      b.output_tokens,
      b.total_tokens,
    ]),
    theirs.map((b: Record<string, never>) => [
      b.id,
      b.startTime,
      b.endTime,
      b.isGap,
      b.isActive,
      (b.tokenCounts as Record<string, number>).inputTokens,
      (b.tokenCounts as Record<string, number>).outputTokens,
      b.totalTokens,
    ]),
  );
  const active = ours.at(-1), theirActive = theirs.at(-1);
  assert.equal(active.active, true);
  assert.ok(
    Math.abs(active.burn_rate.cost_per_hour - theirActive.burnRate.costPerHour) < 1e-5,
    `${active.burn_rate.cost_per_hour} vs ${theirActive.burnRate.costPerHour}`,
  );
  assert.ok(
    Math.abs(active.burn_rate.tokens_per_minute - theirActive.burnRate.tokensPerMinute) < 1e-6,
  );
  // Both project to the window's end from their own "now" (a few seconds apart).
  assert.ok(
    Math.abs(active.projection.remaining_minutes - theirActive.projection.remainingMinutes) <= 1,
  );
  // The same prices; br keeps micro-dollars per row, so sums may differ in the last digit.
  ours.forEach((b: Block, i: number) =>
    assert.ok(Math.abs(b.cost_usd - theirs[i].costUSD) < 1e-5, `${b.id}: ${b.cost_usd}`)
  );
});

Deno.test("br cost statusline counts today in the configured time zone", async () => {
  await using dir = await tempProject();
  for (
    const [time, usd] of [["2026-11-25T14:30:00.000Z", 1], ["2026-11-25T15:30:00.000Z", 2]] as const
  ) {
    const project = createProject(dir.path, { clock: { now: () => new Date(time) } });
    await recordUsage(project, {
      source: "test",
      model: "m",
      input_tokens: 1,
      cost_usd: usd,
      time,
    });
    await project.close();
  }
  const clock = fixedClock("2026-11-25T16:00:00.000Z");
  const day = async (env: Record<string, string>) => {
    const res = await br(["cost", "statusline", "--json"], {
      cwd: dir.path,
      clock,
      env,
      stdin: "{}",
    });
    assert.equal(res.code, 0, res.stderr);
    return JSON.parse(res.stdout).today_cost_usd;
  };
  // Tokyo (+9): 15:30 UTC is already the 26th there, 14:30 UTC still the 25th.
  assert.equal(await day({ TZ: "Asia/Tokyo" }), 2);
  assert.equal(await day({ TZ: "UTC" }), 3);
});
