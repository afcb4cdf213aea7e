import assert from "node:assert/strict";
import { join } from "node:path";
import process from "node:process";
import { exists } from "../../src/core/fs.ts";
import { brArgv, brProcess, FIXTURES, gitRun, readJson } from "../helpers.ts";
import {
  AGENT_COMMAND,
  intervals,
  json,
  overlap,
  type ParallelProject,
  parallelProject,
} from "./_setup.ts";

interface Report {
  run: { id: string; state: string; counts: Record<string, number>; cost_usd: number | null };
  tasks: {
    feature: string;
    state: string;
    attempt: number;
    error: string | null;
    conflict_files: string[];
    branch: string;
    worktree: string;
    cost_usd: number | null;
    tokens: Record<string, number>;
    log: string | null;
  }[];
  recovery: null | {
    orphans_stopped: { feature: string; pid: number }[];
    requeued: string[];
    claims_released: number;
  };
}

/** True when `pid` runs (a zombie left to a non-reaping init does not count). */
async function alive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat !== "" && !/\) [ZX] /.test(stat);
}

const task = (r: Report, f: string) => r.tasks.find((t) => t.feature === f)!;

async function featureStatus(dir: string, id: string): Promise<Record<string, unknown>> {
  const file = await readJson<{ features: Record<string, unknown>[] }>(
    join(dir, ".buildrunner", "features.json"),
  );
  return file.features.find((f) => f.id === id)!;
}

Deno.test("br parallel run: four independent features run at once and all merge", async () => {
  await using p = await parallelProject([{ id: "a" }, { id: "b" }, { id: "c" }, { id: "d" }]);
  const res = await p.br(
    ["parallel", "run", "--workers", "4", "--agent-command", AGENT_COMMAND, "--json"],
    { FIXTURE_SLEEP: "1" },
  );
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.equal(rep.run.state, "completed");
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [
    ["a", "merged"],
    ["b", "merged"],
    ["c", "merged"],
    ["d", "merged"],
  ]);
  for (const f of ["a", "b", "c", "d"]) {
    // The merged file holds the first line of the prompt the agent was given.
    const text = await Deno.readTextFile(join(p.path, "src", `${f}.txt`));
    assert.equal(text, `# Feature ${f}: ${f}\n`);
    assert.equal((await featureStatus(p.path, f)).status, "complete");
    assert.equal(await exists(join(p.path, ".buildrunner", "worktrees", f)), false);
  }
  assert.equal(await gitRun(["branch", "--list", "br/*"], p.path), "");
  assert.equal(await gitRun(["status", "--porcelain", "--untracked-files=no"], p.path), "");
  // Every step was recorded by the telemetry collector.
  const events = json<{ type: string }[]>(
    await p.br(["telemetry", "events", "--json", "--limit", "100000"]),
  );
  const count = (type: string) => events.filter((e) => e.type === type).length;
  assert.deepEqual(
    ["build.started", "task.started", "worker.started", "task.completed", "build.completed"].map(
      count,
    ),
    [1, 4, 4, 4, 1],
  );
  const spans = [...intervals(await p.records()).values()];
  const concurrent = spans.filter((s) => spans.some((o) => o !== s && overlap(s, o))).length;
  assert.ok(concurrent >= 2, `agents did not overlap: ${JSON.stringify(spans)}`);
});

Deno.test("br parallel run: features with overlapping files never run at the same time", async () => {
  await using p = await parallelProject([
    { id: "x", files: ["src/shared/**"] },
    { id: "y", files: ["src/shared/util.ts"] },
    { id: "z", files: ["docs/**"] },
  ]);
  const res = await p.br(
    ["parallel", "run", "--workers", "3", "--agent-command", AGENT_COMMAND, "--json"],
    { FIXTURE_SLEEP: "0.7" },
  );
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.deepEqual(json<Report>(res).tasks.map((t) => t.state), ["merged", "merged", "merged"]);
  const spans = intervals(await p.records());
  assert.equal(overlap(spans.get("x")!, spans.get("y")!), false, "x and y ran together");
  assert.ok(
    overlap(spans.get("z")!, spans.get("x")!) || overlap(spans.get("z")!, spans.get("y")!),
    "z (no shared files) should not have waited",
  );
});

Deno.test("br parallel run: a dependency chain runs in order, each on the merged work", async () => {
  await using p = await parallelProject([
    { id: "a1" },
    { id: "b2", deps: ["a1"] },
    { id: "c3", deps: ["b2"] },
  ]);
  const res = await p.br([
    "parallel",
    "run",
    "--workers",
    "3",
    "--features",
    "a1,b2,c3",
    "--agent-command",
    `${AGENT_COMMAND} edit`,
    "--json",
  ]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [
    ["a1", "merged"],
    ["b2", "merged"],
    ["c3", "merged"],
  ]);
  const spans = intervals(await p.records());
  assert.ok(spans.get("b2")![0] > spans.get("a1")![1]);
  assert.ok(spans.get("c3")![0] > spans.get("b2")![1]);
  // Uncommitted work was committed by br; merges landed in dependency order.
  const subjects = (await gitRun(["log", "--format=%s"], p.path)).split("\n");
  const order = subjects.filter((s) => s.startsWith("br: work of")).reverse();
  assert.deepEqual(order, [
    "br: work of command on a1",
    "br: work of command on b2",
    "br: work of command on c3",
  ]);
});

Deno.test("br parallel run: the index lock an agent left when it died in a git command does not fail the retry", async () => {
  await using p = await parallelProject([{ id: "locked" }]);
  const script = `${p.log}.agent.sh`;
  const mark = `${p.log}.attempts`;
  await Deno.writeTextFile(
    script,
    `set -eu
n=$(cat "${mark}" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" > "${mark}"
if [ "$n" = 1 ]; then touch "$(git rev-parse --git-path index.lock)"; exit 1; fi
mkdir -p src tests
echo "$BR_FEATURE" > "src/$BR_FEATURE.txt"
printf 'Deno.test("%s works", () => {});\\n' "$BR_FEATURE" > "tests/\${BR_FEATURE}_test.ts"
git add -A && git commit -q -m "agent: $BR_FEATURE"
`,
  );
  const res = await p.br(
    ["parallel", "run", "--retries", "1", "--agent-command", `sh ${script}`, "--json"],
  );
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const locked = task(json<Report>(res), "locked");
  assert.deepEqual([locked.state, locked.attempt], ["merged", 2]);
  assert.equal(await Deno.readTextFile(mark), "2\n");
});

Deno.test("br parallel run: a crashing agent is retried, then the task fails", async () => {
  await using p = await parallelProject([{ id: "boom" }, { id: "fine" }]);
  const res = await p.br(
    ["parallel", "run", "--retries", "1", "--agent-command", AGENT_COMMAND, "--json"],
    { FIXTURE_MODES: "boom=crash,fine=commit" },
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.equal(rep.run.state, "failed");
  const boom = task(rep, "boom");
  assert.equal(boom.state, "failed");
  assert.equal(boom.attempt, 2);
  assert.match(boom.error!, /killed by SIGKILL/);
  assert.equal(task(rep, "fine").state, "merged");
  const starts = (await p.records()).filter((r) => r.kind === "start" && r.feature === "boom");
  assert.equal(starts.length, 2);
  const f = await featureStatus(p.path, "boom");
  assert.equal(f.status, "blocked");
  assert.match(String(f.blocked_reason), /SIGKILL/);
  // The failed branch and its worktree are kept for a look.
  assert.ok(await exists(join(p.path, boom.worktree)));
  assert.match(await gitRun(["branch", "--list", "br/boom"], p.path), /br\/boom/);
});

Deno.test("br parallel run: a hung agent and everything it started are killed at the timeout", async () => {
  await using p = await parallelProject([{ id: "stuck" }]);
  const t0 = Date.now();
  const res = await p.br(
    [
      "parallel",
      "run",
      "--timeout",
      "1s",
      "--retries",
      "0",
      "--agent-command",
      AGENT_COMMAND,
      "--json",
    ],
    { FIXTURE_MODE: "hang" },
  );
  assert.ok(Date.now() - t0 < 15_000);
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const stuck = task(json<Report>(res), "stuck");
  assert.equal(stuck.state, "failed");
  assert.match(stuck.error!, /timed out after 1 s/);
  const pids = (await Deno.readTextFile(`${p.log}.stuck.pid`)).trim().split(" ").map(Number);
  assert.equal(pids.length, 2);
  for (const pid of pids) assert.equal(await alive(pid), false, `process ${pid} survived`);
});

Deno.test("br parallel run: a merge conflict is reported with its files and the branch kept", async () => {
  await using p = await parallelProject([{ id: "left" }, { id: "right" }]);
  const res = await p.br(
    ["parallel", "run", "--workers", "2", "--agent-command", `${AGENT_COMMAND} conflict`, "--json"],
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  const states = rep.tasks.map((t) => t.state).sort();
  assert.deepEqual(states, ["conflict", "merged"]);
  const lost = rep.tasks.find((t) => t.state === "conflict")!;
  assert.deepEqual(lost.conflict_files, ["shared.txt"]);
  assert.match(lost.error!, /merge conflict in shared\.txt/);
  // The losing branch keeps its work; the base is clean, with the winner's version.
  const theirs = await gitRun(["show", `${lost.branch}:shared.txt`], p.path);
  assert.equal(theirs, `${lost.feature}'s version`);
  assert.equal(await gitRun(["status", "--porcelain", "--untracked-files=no"], p.path), "");
  const winner = rep.tasks.find((t) => t.state === "merged")!;
  assert.equal(
    (await Deno.readTextFile(join(p.path, "shared.txt"))).trim(),
    `${winner.feature}'s version`,
  );
  assert.equal((await featureStatus(p.path, lost.feature)).status, "blocked");
});

Deno.test("br parallel resume: after SIGKILL of br the run completes without duplicate work", async () => {
  await using p = await parallelProject([{ id: "quick" }, { id: "slow", files: ["src/**"] }]);
  const child = spawnBr(p.path, [
    "parallel",
    "run",
    "--workers",
    "2",
    "--agent-command",
    AGENT_COMMAND,
  ], { ...p.env, FIXTURE_MODES: "quick=commit,slow=slow", NO_COLOR: "1" });
  // Wait until "quick" is merged and the slow agent is running.
  let st: Report | null = null;
  for (let i = 0; i < 300; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await p.br(["parallel", "status", "--json"]);
    if (res.code !== 0) continue;
    st = json<Report>(res);
    const slow = st.tasks?.find((t) => t.feature === "slow") as { pid?: number } | undefined;
    if (task(st, "quick")?.state === "merged" && slow?.pid) break;
  }
  assert.ok(st && task(st, "quick").state === "merged", "the run did not get going");
  child.kill("SIGKILL");
  await child.status;
  const before = json<{ run: { interrupted: boolean } }>(
    await p.br(["parallel", "status", "--json"]),
  );
  assert.equal(before.run.interrupted, true);
  // A new run is refused while this one is unfinished.
  const again = await p.br(["parallel", "run", "--agent-command", AGENT_COMMAND]);
  assert.equal(again.code, 5);
  assert.match(again.stderr, /br parallel resume/);

  const res = await p.br(["parallel", "resume", "--json"]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(rep.recovery!.orphans_stopped.map((o) => o.feature), ["slow"]);
  assert.deepEqual(rep.recovery!.requeued, ["slow"]);
  assert.ok(rep.recovery!.claims_released >= 1);
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [
    ["quick", "merged"],
    ["slow", "merged"],
  ]);
  assert.equal(task(rep, "slow").attempt, 1, "the interrupted attempt must not count");
  const starts = (await p.records()).filter((r) => r.kind === "start");
  assert.equal(starts.filter((r) => r.feature === "quick").length, 1, "quick ran twice");
  assert.equal(starts.filter((r) => r.feature === "slow").length, 2);
  const merges = (await gitRun(["log", "--format=%s"], p.path)).split("\n")
    .filter((s) => s === "agent: quick");
  assert.equal(merges.length, 1);
  const listed = json<{ id: string; state: string }[]>(await p.br(["parallel", "list", "--json"]));
  assert.deepEqual(listed.map((r) => r.state), ["completed"]);
});

Deno.test("br parallel stop: every agent process is gone when it returns (SIGKILL after SIGTERM); resume finishes the tasks", async () => {
  await using p = await parallelProject([{ id: "deaf" }, { id: "mute" }]);
  // The default heartbeat: the stop must not wait for it.
  const child = spawnBr(p.path, [
    "parallel",
    "run",
    "--workers",
    "2",
    "--agent-command",
    AGENT_COMMAND,
  ], { ...p.env, FIXTURE_MODE: "stubborn", BR_PARALLEL__HEARTBEAT: "5s", NO_COLOR: "1" });
  const pidFiles = ["deaf", "mute"].map((f) => `${p.log}.${f}.pid`);
  for (let i = 0; i < 300; i++) {
    if ((await Promise.all(pidFiles.map(exists))).every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = (await Promise.all(pidFiles.map((f) => Deno.readTextFile(f))))
    .flatMap((t) => t.trim().split(" ").map(Number));
  assert.equal(pids.length, 4, "the agents did not start");
  const stop = await p.br(["parallel", "stop", "--json"]);
  assert.equal(stop.code, 0, stop.stderr + stop.stdout);
  assert.equal(json<{ state: string }>(stop).state, "stopped");
  for (const pid of pids) assert.equal(await alive(pid), false, `process ${pid} survived the stop`);
  assert.equal((await child.status).code, 130);
  const st = json<Report>(await p.br(["parallel", "status", "--json"]));
  assert.deepEqual(st.tasks.map((t) => t.state), ["cancelled", "cancelled"]);
  // Stopped, not lost: resume reruns both (the stopped attempt does not count).
  const res = await p.br(["parallel", "resume", "--json"]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.equal(rep.run.id, st.run.id);
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state, t.attempt]), [
    ["deaf", "merged", 1],
    ["mute", "merged", 1],
  ]);
  assert.deepEqual(rep.recovery!.requeued, ["deaf", "mute"]);
  assert.equal((await featureStatus(p.path, "deaf")).status, "complete");
});

Deno.test("br parallel stop: with its br process gone, stop kills the orphaned agents itself", async () => {
  await using p = await parallelProject([{ id: "lonely" }]);
  const child = spawnBr(p.path, ["parallel", "run", "--agent-command", `${AGENT_COMMAND} hang`], {
    ...p.env,
    NO_COLOR: "1",
  });
  let pid = 0;
  for (let i = 0; i < 300 && !pid; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await p.br(["parallel", "status", "--json"]);
    if (res.code === 0) pid = (json<Report>(res).tasks[0] as { pid?: number })?.pid ?? 0;
  }
  assert.ok(pid > 0, "the agent did not start");
  child.kill("SIGKILL");
  await child.status;
  const stop = await p.br(["parallel", "stop", "--json"]);
  assert.equal(stop.code, 0, stop.stderr + stop.stdout);
  const res = json<{ run: string; state: string; requested: boolean; orphans_stopped: number[] }>(
    stop,
  );
  assert.deepEqual(res, {
    run: res.run,
    state: "stopped",
    requested: false,
    orphans_stopped: [pid],
    interrupted_merges: [],
  });
  assert.equal(await alive(pid), false);
  assert.equal((await featureStatus(p.path, "lonely")).status, "planned");
  const st = json<Report>(await p.br(["parallel", "status", "--json"]));
  assert.equal(st.tasks[0].state, "cancelled");
});

/** Starts `br <args>` in the background (to be killed by the test), output discarded. */
function spawnBr(cwd: string, args: string[], env: Record<string, string>): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: brArgv(args),
    cwd,
    env,
    stdout: "null",
    stderr: "null",
  })
    .spawn();
}

/**
 * Installs the hook that SIGKILLs br (and its git) once: in the middle of a merge commit
 * (`prepare-commit-msg`), or just after a merge (`post-merge`).
 */
async function killInMerge(
  root: string,
  at: "main" | "worktree",
  hookName: "prepare-commit-msg" | "post-merge" = "prepare-commit-msg",
): Promise<{ env: Record<string, string>; fired: () => Promise<boolean> }> {
  const hooks = await gitRun(["rev-parse", "--path-format=absolute", "--git-path", "hooks"], root);
  await Deno.mkdir(hooks, { recursive: true });
  const hook = join(hooks, hookName);
  await Deno.copyFile(join(FIXTURES, "parallel", "kill_in_merge.sh"), hook);
  await Deno.chmod(hook, 0o755);
  const flag = `${root}.killed`;
  return {
    env: { FIXTURE_KILL_AT: at, FIXTURE_KILL_FLAG: flag },
    fired: async () => {
      const there = await exists(flag);
      await Deno.remove(flag).catch(() => {});
      return there;
    },
  };
}

/** The commit MERGE_HEAD names in `checkout`, or null when no merge is in progress. */
async function mergeHead(checkout: string): Promise<string | null> {
  try {
    return await gitRun(["rev-parse", "--verify", "--quiet", "MERGE_HEAD"], checkout);
  } catch {
    return null;
  }
}

const subjects = async (dir: string, rev = "HEAD") =>
  (await gitRun(["log", "--format=%s", rev], dir)).split("\n");

Deno.test("br parallel resume: a no-ff merge into the main checkout cut by SIGKILL is redone once", async () => {
  await using p = await parallelProject([{ id: "solo" }, { id: "later", deps: ["solo"] }]);
  const kill = await killInMerge(p.path, "main");
  const env = { ...p.env, BR_PARALLEL__MERGE: "no-ff" };
  const killed = await brProcess(["parallel", "run", "--agent-command", AGENT_COMMAND], {
    cwd: p.path,
    env: { ...env, ...kill.env },
  });
  assert.ok(await kill.fired(), `br was not killed in the merge: ${killed.stderr}`);
  // What the kill left: the main checkout in the middle of br's merge.
  assert.equal(await mergeHead(p.path), await gitRun(["rev-parse", "br/solo"], p.path));

  const res = await p.br(["parallel", "resume", "--json"], env);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report & { recovery: { interrupted_merges: unknown[] } }>(res);
  assert.equal(rep.run.state, "completed");
  // The task cut in its merge is merged, and the one after it too (not left for review).
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [
    ["solo", "merged"],
    ["later", "merged"],
  ]);
  assert.deepEqual(rep.recovery.interrupted_merges, [
    { feature: "solo", checkout: ".", outcome: "aborted" },
  ]);
  assert.equal(await mergeHead(p.path), null);
  assert.equal(await gitRun(["status", "--porcelain", "--untracked-files=no"], p.path), "");
  const log = await subjects(p.path);
  for (const f of ["solo", "later"]) {
    assert.equal(log.filter((s) => s === `br: merge ${f} (${f})`).length, 1, log.join("\n"));
    assert.equal(log.filter((s) => s === `agent: ${f}`).length, 1, log.join("\n"));
    assert.equal((await featureStatus(p.path, f)).status, "complete");
  }
  assert.equal(await exists(join(p.path, ".git", "BR_MERGE")), false);
});

Deno.test("br parallel resume: a merge of the base into a task worktree cut by SIGKILL is redone once", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  const kill = await killInMerge(p.path, "worktree");
  const killed = await brProcess([
    "parallel",
    "run",
    "--agent-command",
    `${AGENT_COMMAND} movebase`,
  ], {
    cwd: p.path,
    env: { ...p.env, ...kill.env },
  });
  assert.ok(await kill.fired(), `br was not killed in the merge: ${killed.stderr}`);
  const worktree = join(p.path, ".buildrunner", "worktrees", "solo");
  assert.equal(await mergeHead(worktree), await gitRun(["rev-parse", "HEAD"], p.path));

  const res = await p.br(["parallel", "resume", "--json"]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report & { recovery: { interrupted_merges: unknown[]; continued: string[] } }>(
    res,
  );
  assert.equal(rep.run.state, "completed");
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [["solo", "merged"]]);
  assert.deepEqual(rep.recovery.continued, ["solo"]);
  assert.deepEqual(rep.recovery.interrupted_merges, [
    { feature: "solo", checkout: ".buildrunner/worktrees/solo", outcome: "aborted" },
  ]);
  assert.equal((await featureStatus(p.path, "solo")).status, "complete");
  // One merge of the base into the branch, with its own message; nothing committed twice.
  const log = await subjects(p.path);
  assert.equal(log.filter((s) => s === "br: merge master into br/solo").length, 1, log.join("\n"));
  assert.equal(log.filter((s) => s.startsWith("br: work of")).length, 0, log.join("\n"));
  assert.equal(log.filter((s) => s === "agent: solo").length, 1, log.join("\n"));
  assert.equal(log.filter((s) => s === "base moved under solo").length, 1, log.join("\n"));
});

Deno.test("br parallel resume: a merge br did not start in the main checkout is left alone and reported", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  await gitRun(["checkout", "-q", "-b", "topic"], p.path);
  await Deno.writeTextFile(join(p.path, "topic.txt"), "the user's work\n");
  await gitRun(["add", "topic.txt"], p.path);
  await gitRun(["commit", "-q", "-m", "topic work"], p.path);
  await gitRun(["checkout", "-q", "master"], p.path);
  const kill = await killInMerge(p.path, "main");
  const env = { ...p.env, BR_PARALLEL__MERGE: "no-ff" };
  await brProcess(["parallel", "run", "--agent-command", AGENT_COMMAND], {
    cwd: p.path,
    env: { ...env, ...kill.env },
  });
  assert.ok(await kill.fired());
  // The user throws br's half merge away and starts one of their own.
  await gitRun(["merge", "--abort"], p.path);
  await gitRun(["merge", "--no-ff", "--no-commit", "topic"], p.path);
  const topic = await gitRun(["rev-parse", "topic"], p.path);

  const res = await p.br(["parallel", "resume"], env);
  assert.equal(res.code, 5, res.stderr + res.stdout);
  assert.match(res.stderr, /merge that br did not start is in progress in the main checkout/);
  assert.match(res.stderr, /git commit.*git merge --abort/);
  // Untouched: the user's merge, and the run (still open, the task not ended).
  assert.equal(await mergeHead(p.path), topic);
  assert.equal(await gitRun(["diff", "--cached", "--name-only"], p.path), "topic.txt");
  const st = json<Report & { run: { interrupted: boolean } }>(
    await p.br(["parallel", "status", "--json"]),
  );
  assert.equal(st.run.interrupted, true);
  assert.equal(task(st, "solo").state, "running");

  // Once the user has finished their merge, the run resumes and merges.
  await gitRun(["commit", "-q", "--no-edit"], p.path);
  const again = await p.br(["parallel", "resume", "--json"], env);
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.deepEqual(json<Report>(again).tasks.map((t) => [t.feature, t.state]), [[
    "solo",
    "merged",
  ]]);
  const log = await subjects(p.path);
  assert.equal(log.filter((s) => s === "br: merge solo (solo)").length, 1, log.join("\n"));
  assert.equal(log.filter((s) => s === "Merge branch 'topic'").length, 1, log.join("\n"));
  assert.equal(await exists(join(p.path, ".git", "BR_MERGE")), false);
});

Deno.test("br parallel resume: a merge br did not start in a task worktree is left alone and reported", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  const kill = await killInMerge(p.path, "worktree");
  await brProcess(["parallel", "run", "--agent-command", `${AGENT_COMMAND} movebase`], {
    cwd: p.path,
    env: { ...p.env, ...kill.env },
  });
  assert.ok(await kill.fired());
  // In the worktree, the user replaces br's half merge with their own merge of the same commit.
  const worktree = join(p.path, ".buildrunner", "worktrees", "solo");
  await gitRun(["merge", "--abort"], worktree);
  await gitRun(["merge", "--no-commit", "master"], worktree);
  const theirs = await mergeHead(worktree);
  assert.ok(theirs);

  const res = await p.br(["parallel", "resume"]);
  assert.equal(res.code, 5, res.stderr + res.stdout);
  assert.match(
    res.stderr,
    /a merge that br did not start is in progress in the worktree of "solo" \(\.buildrunner\/worktrees\/solo\)/,
  );
  assert.equal(await mergeHead(worktree), theirs);
  const st = json<Report>(await p.br(["parallel", "status", "--json"]));
  assert.equal(task(st, "solo").state, "running");
});

Deno.test("br parallel stop: with its br process killed in a merge, stop undoes that merge", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  const kill = await killInMerge(p.path, "main");
  const env = { ...p.env, BR_PARALLEL__MERGE: "no-ff" };
  await brProcess(["parallel", "run", "--agent-command", AGENT_COMMAND], {
    cwd: p.path,
    env: { ...env, ...kill.env },
  });
  assert.ok(await kill.fired());
  assert.ok(await mergeHead(p.path));
  const head = await gitRun(["rev-parse", "HEAD"], p.path);

  const stop = await p.br(["parallel", "stop", "--json"], env);
  assert.equal(stop.code, 0, stop.stderr + stop.stdout);
  const res = json<{ state: string; interrupted_merges: unknown[] }>(stop);
  assert.equal(res.state, "stopped");
  assert.deepEqual(res.interrupted_merges, [
    { feature: "solo", checkout: ".", outcome: "aborted" },
  ]);
  assert.equal(await mergeHead(p.path), null);
  assert.equal(await gitRun(["rev-parse", "HEAD"], p.path), head);
  // Nothing staged; only the feature status br keeps changed (and STATUS.md, whose "Updated"
  // minute follows features.json's last write), with STATUS.md in step with it.
  assert.equal(await gitRun(["diff", "--cached", "--name-only"], p.path), "");
  const changed = (await gitRun(["diff", "--name-only"], p.path)).split("\n");
  assert.deepEqual(changed.filter((f) => f !== "STATUS.md"), [".buildrunner/features.json"]);
  assert.equal((await p.br(["generate", "--check"])).code, 0);
  assert.equal((await featureStatus(p.path, "solo")).status, "planned");
  // The branch keeps the work, for a later run.
  assert.ok((await subjects(p.path, "br/solo")).includes("agent: solo"));
});

Deno.test("br parallel resume: a kill right after git committed a merge does not merge twice", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  const kill = await killInMerge(p.path, "main", "post-merge");
  const env = { ...p.env, BR_PARALLEL__MERGE: "no-ff" };
  await brProcess(["parallel", "run", "--agent-command", AGENT_COMMAND], {
    cwd: p.path,
    env: { ...env, ...kill.env },
  });
  assert.ok(await kill.fired());
  // git was killed after the merge commit, before it cleared its merge state.
  const merged = await gitRun(["rev-parse", "HEAD"], p.path);
  assert.deepEqual((await subjects(p.path)).slice(0, 1), ["br: merge solo (solo)"]);
  assert.equal(await mergeHead(p.path), await gitRun(["rev-parse", "br/solo"], p.path));

  const res = await p.br(["parallel", "resume", "--json"], env);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report & { recovery: { interrupted_merges: unknown[] } }>(res);
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [["solo", "merged"]]);
  assert.deepEqual(rep.recovery.interrupted_merges, [
    { feature: "solo", checkout: ".", outcome: "committed" },
  ]);
  assert.equal(await mergeHead(p.path), null);
  const log = await subjects(p.path);
  assert.equal(log.filter((s) => s === "br: merge solo (solo)").length, 1, log.join("\n"));
  assert.equal(await gitRun(["rev-parse", "HEAD^{/br: merge solo}"], p.path), merged);
  assert.equal((await featureStatus(p.path, "solo")).status, "complete");
  assert.equal(await exists(join(p.path, ".git", "BR_MERGE")), false);
});

/**
 * A real small agent for pause tests: logs "start <feature>", waits for the file
 * `<log>.gate.<feature>`, commits its work, logs "end <feature>".
 */
async function gatedAgent(p: ParallelProject) {
  const gate = `${p.log}.gate`;
  const script = `${p.log}.agent.sh`;
  await Deno.writeTextFile(
    script,
    `set -eu
echo "start $BR_FEATURE" >> "${p.log}"
while [ ! -f "${gate}.$BR_FEATURE" ]; do sleep 0.05; done
mkdir -p src tests
echo "$BR_FEATURE" > "src/$BR_FEATURE.txt"
printf 'Deno.test("%s works", () => {});\\n' "$BR_FEATURE" > "tests/\${BR_FEATURE}_test.ts"
# A rerun finds the work of an attempt whose br was killed already committed (its agent went
# on): nothing left to do is success, as for a real agent.
git add -A && { git diff --cached --quiet || git commit -q -m "agent: $BR_FEATURE"; }
echo "end $BR_FEATURE" >> "${p.log}"
`,
  );
  const log = async () => (await Deno.readTextFile(p.log).catch(() => "")).split("\n");
  return {
    command: `sh ${script}`,
    log,
    open: (feature: string) => Deno.writeTextFile(`${gate}.${feature}`, ""),
    status: async () =>
      json<Report & { run: { id: string; paused: boolean } }>(
        await p.br(["parallel", "status", "--json"]),
      ),
    async until(what: string, ok: () => Promise<boolean>) {
      for (let i = 0; i < 600; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`timed out waiting for ${what}:\n${(await log()).join("\n")}`);
    },
  };
}

Deno.test("br parallel pause: no new task starts, the running one finishes; resume goes on", async () => {
  await using p = await parallelProject([{ id: "alpha" }, { id: "beta" }]);
  const { command, log, open, status, until } = await gatedAgent(p);
  // "parallel start" is BuildRunner 3.1's name of "parallel run".
  const child = spawnBr(p.path, [
    "parallel",
    "start",
    "--workers",
    "1",
    "--agent-command",
    command,
  ], { ...p.env, NO_COLOR: "1" });
  await until("the first agent", async () => (await log()).some((l) => l.startsWith("start ")));
  const first = (await log()).find((l) => l.startsWith("start "))!.slice(6);
  const second = first === "alpha" ? "beta" : "alpha";

  const paused = await p.br(["parallel", "pause", "--json"]);
  assert.equal(paused.code, 0, paused.stderr);
  assert.deepEqual(json(paused), { run: json(paused).run, paused: true, live: true });
  assert.equal((await status()).run.paused, true);

  // The running task finishes and merges; the other one waits, paused, with a worker free.
  await open(first);
  await open(second);
  await until("the first merge and the pause of the second", async () => {
    const st = await status();
    return task(st, first).state === "merged" &&
      (task(st, second) as { phase?: string }).phase === "paused";
  });
  const st = await status();
  assert.equal(task(st, second).state, "pending");
  assert.equal(st.run.state, "running");
  assert.ok(!(await log()).includes(`start ${second}`), `${second} started while paused`);

  const resumed = await p.br(["parallel", "resume", "--json"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(json(resumed), { run: st.run.id, paused: false, live: true });
  assert.equal((await child.status).code, 0);
  const end = await status();
  assert.deepEqual(end.tasks.map((t) => [t.feature, t.state]).sort(), [
    ["alpha", "merged"],
    ["beta", "merged"],
  ]);
  assert.equal(end.run.paused, false);
  const lines = await log();
  assert.ok(lines.indexOf(`end ${first}`) < lines.indexOf(`start ${second}`), lines.join("\n"));

  // Nothing to pause once the run has ended.
  const late = await p.br(["parallel", "pause", "--json"]);
  assert.equal(late.code, 4, late.stderr);
  assert.equal(late.stdout, "");
});

Deno.test("br parallel resume: a paused run whose br process was killed continues", async () => {
  await using p = await parallelProject([{ id: "alpha" }, { id: "beta" }]);
  const { command, log, open, status, until } = await gatedAgent(p);
  const child = spawnBr(p.path, ["parallel", "run", "--workers", "1", "--agent-command", command], {
    ...p.env,
    NO_COLOR: "1",
  });
  await until("the first agent", async () => (await log()).some((l) => l.startsWith("start ")));
  assert.equal((await p.br(["parallel", "pause"])).code, 0);
  child.kill("SIGKILL");
  await child.status;
  const st = await status();
  assert.deepEqual([st.run.paused, (st.run as { interrupted?: boolean }).interrupted], [
    true,
    true,
  ]);
  await open("alpha");
  await open("beta");
  const res = await p.br(["parallel", "resume", "--json"]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.deepEqual(json<Report>(res).tasks.map((t) => [t.feature, t.state]), [
    ["alpha", "merged"],
    ["beta", "merged"],
  ]);
  assert.equal((await status()).run.paused, false);
});

Deno.test("br parallel run refuses to start while a merge is in progress in the main checkout", async () => {
  await using p = await parallelProject([{ id: "solo" }]);
  await gitRun(["checkout", "-q", "-b", "topic"], p.path);
  await Deno.writeTextFile(join(p.path, "topic.txt"), "the user's work\n");
  await gitRun(["add", "topic.txt"], p.path);
  await gitRun(["commit", "-q", "-m", "topic work"], p.path);
  await gitRun(["checkout", "-q", "master"], p.path);
  await gitRun(["merge", "--no-ff", "--no-commit", "topic"], p.path);
  const res = await p.br(["parallel", "run", "--agent-command", AGENT_COMMAND]);
  assert.equal(res.code, 5, res.stderr + res.stdout);
  assert.match(res.stderr, /^error: A merge is in progress in the main checkout\n/);
  assert.match(res.stderr, /hint: .*git merge --abort/);
  // No agent ran, no run was recorded, the user's merge is untouched.
  assert.equal(await exists(p.log), false);
  const st = json<{ run: unknown }>(await p.br(["parallel", "status", "--json"]));
  assert.equal(st.run, null);
  assert.equal(await gitRun(["diff", "--cached", "--name-only"], p.path), "topic.txt");
});
