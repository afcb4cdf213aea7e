// Workers across machines: a coordinator ("br parallel run --database ... --remote origin")
// and "br parallel worker" processes in two clones of a bare remote, all sharing one real
// PostgreSQL server, with the fixture agent.
import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brArgv, type BrRun, gitRun, gitTry, tempDir, tempProject } from "../helpers.ts";
import { sharedPostgres, startPostgres } from "../postgres.ts";
import { AGENT_COMMAND, FAKE_BIN, type FeatureSpec, json } from "./_setup.ts";
import type { RunReport, WorkerReport } from "../../src/orchestrator/mod.ts";

/** A running `br` subprocess. */
interface Proc {
  child: Deno.ChildProcess;
  /** Its exit code and output, once it has ended. */
  done: Promise<BrRun>;
}

/** A bare remote, clone `a` (where the coordinator runs) and clone `b`. */
interface Cluster extends AsyncDisposable {
  remote: string;
  a: string;
  b: string;
  log: string;
  url: string;
  /** Starts `br <args>` in `cwd` as a subprocess. */
  spawn(args: string[], cwd: string, extra?: Record<string, string>): Proc;
  /** `br parallel status --json` of clone `cwd`. */
  status(cwd: string): Promise<RunReport>;
  /** Fixture log lines "start|end <feature> <ms> <mode>". */
  records(): Promise<{ kind: string; feature: string }[]>;
}

async function cluster(url: string, features: FeatureSpec[]): Promise<Cluster> {
  const top = await tempDir("br-remote-");
  const remote = join(top.path, "remote.git");
  const a = join(top.path, "a");
  const b = join(top.path, "b");
  await Deno.mkdir(a);
  await gitRun(["init", "-q", "--bare", "-b", "main", remote], top.path);
  await gitRun(["init", "-q", "-b", "main"], a);
  const init = await br(["init", "--name", "demo"], { cwd: a });
  assert.equal(init.code, 0, init.stderr);
  for (const f of features) {
    const args = ["feature", "add", f.id, "--id", f.id, "--acceptance", `${f.id} works`];
    if (f.deps?.length) args.push("--depends-on", f.deps.join(","));
    const res = await br(args, { cwd: a });
    assert.equal(res.code, 0, res.stderr);
  }
  await Deno.writeTextFile(join(a, "shared.txt"), "base version\n");
  await gitRun(["add", "-A"], a);
  await gitRun(["commit", "-q", "-m", "start"], a);
  await gitRun(["remote", "add", "origin", remote], a);
  await gitRun(["push", "-q", "-u", "origin", "main"], a);
  await gitRun(["clone", "-q", remote, b], top.path);
  const log = join(top.path, "agent.log");
  const env: Record<string, string> = {
    PATH: `${FAKE_BIN}:${Deno.env.get("PATH")}`,
    FIXTURE_LOG: log,
    BR_PARALLEL__HEARTBEAT: "100ms",
    BR_PARALLEL__RETRY_BACKOFF: "100ms",
    BR_HOME: join(top.path, "home"),
    NO_COLOR: "1",
  };
  const children: Deno.ChildProcess[] = [];
  const dec = new TextDecoder();
  return {
    remote,
    a,
    b,
    log,
    url,
    spawn(args, cwd, extra = {}) {
      const child = new Deno.Command(Deno.execPath(), {
        args: brArgv(args),
        cwd,
        env: { ...env, ...extra },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(child);
      // A process that hangs is killed, so that the test fails instead of waiting forever.
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // ended meanwhile
        }
      }, 120_000);
      const done = child.output().finally(() => clearTimeout(timer)).then((out) => ({
        code: out.code,
        stdout: dec.decode(out.stdout),
        stderr: dec.decode(out.stderr),
      }));
      return { child, done };
    },
    async status(cwd) {
      const res = await br(["parallel", "status", "--json", "--database", url], { cwd, env });
      return json<RunReport>(res);
    },
    async records() {
      const text = await Deno.readTextFile(log).catch(() => "");
      return text.split("\n").filter(Boolean).map((l) => {
        const [kind, feature] = l.split(" ");
        return { kind, feature };
      });
    },
    async [Symbol.asyncDispose]() {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch {
          // ended already
        }
      }
      await Promise.allSettled(children.map((c) => c.status));
      await top[Symbol.asyncDispose]();
    },
  };
}

/** Waits until `check` holds (polling), failing after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Kills an agent's process group left running by a SIGKILLed worker. */
function killGroup(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    Deno.kill(-pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** True while `pid` runs (a zombie left to an init that does not reap it has ended). */
function running(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]);
  } catch {
    return false;
  }
}

async function postgresOrSkip(): Promise<string | null> {
  const pg = await sharedPostgres();
  if (!pg) console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  return pg?.url ?? null;
}

/** `br parallel run` as the coordinator of remote workers, with the test agent by default. */
const COORDINATOR = (url: string, ...agent: string[]) => [
  "parallel",
  "run",
  "--database",
  url,
  "--remote",
  "origin",
  ...(agent.length ? agent : ["--agent-command", AGENT_COMMAND]),
  "--json",
];
const WORKER = (url: string, ...more: string[]) => [
  "parallel",
  "worker",
  "--database",
  url,
  "--agent-command",
  AGENT_COMMAND,
  "--json",
  ...more,
];

Deno.test("br parallel worker: two clones, one PostgreSQL: every task merged once, in dependency order, on the remote", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [
    { id: "alpha" },
    { id: "beta", deps: ["alpha"] },
    { id: "gamma" },
    { id: "delta" },
  ]);
  const coordinator = c.spawn(COORDINATOR(url), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  const extra = { FIXTURE_SLEEP: "0.5" };
  const w1 = c.spawn(WORKER(url, "--lease", "10s"), c.a, extra);
  const w2 = c.spawn(WORKER(url, "--lease", "10s"), c.b, extra);
  const res = await coordinator.done;
  assert.equal(res.code, 0, res.stderr);
  const rep = json<RunReport>(res);
  assert.equal(rep.run?.state, "completed");
  const byFeature = new Map(rep.tasks.map((t) => [t.feature, t]));
  for (const f of ["alpha", "beta", "gamma", "delta"]) {
    assert.equal(byFeature.get(f)?.state, "merged", `${f}: ${byFeature.get(f)?.error}`);
    assert.equal(byFeature.get(f)?.attempt, 1);
  }
  // Both workers end by themselves once the run has ended.
  const reports = [await w1.done, await w2.done].map((r) => {
    assert.equal(r.code, 0, r.stderr);
    return json<WorkerReport>(r);
  });
  // Each task claimed once per attempt, by one worker, and pushed once.
  const claims = reports.flatMap((r) => r.tasks.map((t) => `${t.feature}#${t.attempt}`)).sort();
  assert.deepEqual(claims, ["alpha#1", "beta#1", "delta#1", "gamma#1"]);
  for (const t of reports.flatMap((r) => r.tasks)) assert.equal(t.outcome, "pushed");
  const starts = (await c.records()).filter((r) => r.kind === "start").map((r) => r.feature);
  assert.deepEqual(starts.sort(), ["alpha", "beta", "delta", "gamma"]);
  // The coordinator checked and merged each reported task once (one task.completed each).
  const events = await br(["telemetry", "events", "--type", "task.completed", "--json"], {
    cwd: c.a,
    env: { BR_DATABASE_URL: url },
  });
  const completed = json<{ feature: string }[]>(events).map((e) => e.feature).sort();
  assert.deepEqual(completed, ["alpha", "beta", "delta", "gamma"]);
  // The remote's base has every merge, beta's on top of alpha's, and the clone's final base.
  for (const t of rep.tasks) {
    const r = await gitTry(["merge-base", "--is-ancestor", t.merge_commit!, "main"], c.remote);
    assert.equal(r.code, 0, `${t.feature}'s merge is not on the remote's main`);
  }
  const order = await gitTry(
    [
      "merge-base",
      "--is-ancestor",
      byFeature.get("alpha")!.merge_commit!,
      byFeature.get("beta")!
        .merge_commit!,
    ],
    c.remote,
  );
  assert.equal(order.code, 0, "beta merged before alpha");
  const files = await gitRun(["ls-tree", "-r", "--name-only", "main"], c.remote);
  for (const f of ["alpha", "beta", "gamma", "delta"]) {
    assert.match(files, new RegExp(`src/${f}.txt`));
  }
  assert.equal(
    await gitRun(["rev-parse", "main"], c.remote),
    await gitRun(["rev-parse", "main"], c.a),
  );
  // Merged task branches are gone from the remote.
  assert.equal(await gitRun(["branch", "--list", "br/*"], c.remote), "");
  // Status (from the other clone too) lists the remote workers with their host.
  const st = await c.status(c.b);
  assert.equal(st.run?.id, rep.run?.id);
  const workers = st.workers.filter((w) => w.host !== null);
  assert.deepEqual(workers.map((w) => w.id).sort(), reports.map((r) => r.worker).sort());
  for (const w of workers) assert.equal(w.state, "done");
});

Deno.test("br parallel worker: a SIGKILLed worker's task is retried by the other worker after the lease", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [{ id: "steady" }]);
  // "slow": the first attempt sleeps until killed, the next one commits.
  const extra = { FIXTURE_MODE: "slow" };
  const coordinator = c.spawn(COORDINATOR(url), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  const w1 = c.spawn(WORKER(url, "--lease", "2s"), c.a, extra);
  let agent: number | null = null;
  try {
    await until("the first agent", async () => {
      agent = (await c.status(c.a)).tasks[0]?.pid ?? null;
      return agent !== null && (await c.records()).some((r) => r.kind === "start");
    });
    const held = (await c.status(c.a)).workers.find((w) => w.state === "busy");
    assert.ok(held?.lease_until, "the busy worker shows its lease");
    const text = await br(["parallel", "status", "--database", url], { cwd: c.b });
    assert.match(text.stdout, /WORKER +HOST +STATE +TASK/);
    assert.match(
      text.stdout,
      new RegExp(
        `${held.id.slice(held.id.lastIndexOf("/") + 1)} +${held.host} +busy +steady  lease until `,
      ),
    );
    w1.child.kill("SIGKILL");
    assert.notEqual((await w1.done).code, 0);
    const w2 = c.spawn(WORKER(url, "--lease", "2s"), c.b, extra);
    const res = await coordinator.done;
    assert.equal(res.code, 0, res.stderr);
    const rep = json<RunReport>(res);
    assert.equal(rep.tasks[0].state, "merged", rep.tasks[0].error ?? "");
    assert.equal(rep.tasks[0].attempt, 2);
    const second = json<WorkerReport>(await w2.done);
    assert.deepEqual(
      second.tasks.map((t) => [t.feature, t.attempt, t.outcome]),
      [["steady", 2, "pushed"]],
    );
    const starts = (await c.records()).filter((r) => r.kind === "start");
    assert.equal(starts.length, 2, "one start per attempt");
    const files = await gitRun(["ls-tree", "-r", "--name-only", "main"], c.remote);
    assert.match(files, /src\/steady\.txt/);
  } finally {
    killGroup(agent);
  }
});

Deno.test("br parallel run --remote: a branch that fails a gate is not merged, as in a local run", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [{ id: "sneaky" }, { id: "honest" }]);
  const coordinator = c.spawn(COORDINATOR(url), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  // The shared store never picks the command a worker runs: without the coordinator's
  // --agent-command the worker refuses to start.
  const bare = await br(["parallel", "worker", "--database", url], { cwd: c.b });
  assert.equal(bare.code, 2, bare.stderr);
  assert.match(bare.stderr, /runs its agent with --agent-command, and this worker has none/);
  // sneaky's agent edits .buildrunner/features.json: the buildrunner-files check refuses it.
  const w = c.spawn(WORKER(url), c.b, { FIXTURE_MODES: "sneaky=brfiles" });
  const res = await coordinator.done;
  assert.equal(res.code, 10, res.stderr);
  const rep = json<RunReport>(res);
  assert.equal(rep.run?.state, "failed");
  const sneaky = rep.tasks.find((t) => t.feature === "sneaky")!;
  assert.equal(sneaky.state, "failed");
  assert.match(
    sneaky.error ?? "",
    /buildrunner-files: the task branch edits \.buildrunner\/features\.json/,
  );
  assert.equal(rep.tasks.find((t) => t.feature === "honest")?.state, "merged");
  const files = await gitRun(["ls-tree", "-r", "--name-only", "main"], c.remote);
  assert.doesNotMatch(files, /src\/sneaky\.txt/);
  assert.match(files, /src\/honest\.txt/);
  // The worker pushed it; judging it is the coordinator's.
  const wr = json<WorkerReport>(await w.done);
  assert.deepEqual(wr.tasks.map((t) => [t.feature, t.outcome]).sort(), [
    ["honest", "pushed"],
    ["sneaky", "pushed"],
  ]);
});

Deno.test("br parallel run --remote: the run budget counts what the workers' agents cost", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [{ id: "first" }, { id: "second", deps: ["first"] }]);
  // The fake claude reports $0.0123 per task: after the first, the run has spent its $0.01.
  const coordinator = c.spawn(COORDINATOR(url, "--agent", "claude", "--max-cost", "0.01"), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  // The worker resolves the run's profile (claude) on its own machine.
  const w = c.spawn(["parallel", "worker", "--database", url, "--json"], c.b);
  const res = await coordinator.done;
  assert.equal(res.code, 10, res.stderr);
  const rep = json<RunReport>(res);
  assert.equal(rep.tasks[0].state, "merged", rep.tasks[0].error ?? "");
  assert.equal(rep.tasks[0].cost_usd, 0.0123);
  assert.equal(rep.tasks[1].state, "skipped");
  assert.match(rep.tasks[1].error ?? "", /run budget reached: \$0\.0123 of \$0\.01/);
  const wr = json<WorkerReport>(await w.done);
  assert.deepEqual(wr.tasks.map((t) => t.feature), ["first"]);
});

Deno.test("br parallel stop from another clone: the worker stops its agent and ends", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [{ id: "endless" }]);
  const coordinator = c.spawn(COORDINATOR(url), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  const w = c.spawn(WORKER(url, "--lease", "10s"), c.b, { FIXTURE_MODE: "hang" });
  const pidFile = `${c.log}.endless.pid`;
  await until("the agent", async () => (await Deno.readTextFile(pidFile).catch(() => "")) !== "");
  const agents = (await Deno.readTextFile(pidFile)).trim().split(" ").map(Number);
  try {
    const stop = await br(["parallel", "stop", "--json"], {
      cwd: c.b,
      env: { BR_DATABASE_URL: url },
    });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(json<{ state: string }>(stop).state, "stopped");
    const res = await coordinator.done;
    assert.equal(res.code, 130, res.stderr);
    assert.equal(json<RunReport>(res).tasks[0].state, "cancelled");
    // The worker lost its claim at its next renewal (well before its 10 s lease ran out),
    // stopped the agent, reported nothing and ended with the run.
    const wr = await w.done;
    assert.equal(wr.code, 0, wr.stderr);
    assert.deepEqual(json<WorkerReport>(wr).tasks.map((t) => t.outcome), ["lost"]);
    for (const pid of agents) assert.ok(!running(pid), `agent process ${pid} still runs`);
  } finally {
    for (const pid of agents) killGroup(pid);
  }
});

Deno.test("br parallel run --remote refuses a base the remote has moved past", async () => {
  const url = await postgresOrSkip();
  if (!url) return;
  await using c = await cluster(url, [{ id: "solo" }]);
  await Deno.writeTextFile(join(c.b, "other.txt"), "pushed from b\n");
  await gitRun(["add", "-A"], c.b);
  await gitRun(["commit", "-q", "-m", "from b"], c.b);
  await gitRun(["push", "-q", "origin", "main"], c.b);
  const res = await br(
    ["parallel", "run", "--database", url, "--remote", "origin", "--agent-command", AGENT_COMMAND],
    { cwd: c.a },
  );
  assert.equal(res.code, 7, res.stderr);
  assert.match(res.stderr, /Cannot push "main" to the remote "origin"/);
  assert.match(res.stderr, /hint: bring in what the remote has \("git pull origin main"\)/);
  // Nothing was planned.
  assert.equal((await c.status(c.a)).run, null);
});

Deno.test("br parallel worker and run --remote refuse a store that is not a shared PostgreSQL", async () => {
  await using dir = await tempProject("solo");
  // The project's own store, whatever the environment of the test run says.
  const env = { BR_DATABASE_URL: "" };
  const worker = await br(["parallel", "worker", "--agent-command", "true"], {
    cwd: dir.path,
    env,
  });
  assert.equal(worker.code, 2);
  assert.match(worker.stderr, /Cannot use "br parallel worker" with the SQLite store/);
  assert.match(worker.stderr, /--database postgres:/);
  const run = await br(["parallel", "run", "--remote", "origin", "--agent-command", "true"], {
    cwd: dir.path,
    env,
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Cannot use "br parallel run --remote" with the SQLite store/);
  // Another scheme is refused by --database itself, without printing the URL's password.
  const other = await br(["parallel", "worker", "--database", "mysql://u:s3cret@db/x"], {
    cwd: dir.path,
    env,
  });
  assert.equal(other.code, 2);
  assert.match(other.stderr, /Invalid --database \(a mysql URL\): expected a postgres:\/\/ URL/);
  assert.doesNotMatch(other.stderr + other.stdout, /s3cret/);
});

Deno.test("br parallel worker --database: an unreachable server's hint names the flag, not the variable", async () => {
  await using dir = await tempProject("solo");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const res = await br(
    ["parallel", "worker", "--database", `postgres://br@127.0.0.1:${port}/br`, "--once"],
    { cwd: dir.path, env: { BR_DATABASE_URL: "" } },
  );
  assert.equal(res.code, 8, res.stderr);
  assert.match(res.stderr, /cannot reach the PostgreSQL server/);
  assert.match(res.stderr, /^hint: .*run without --database to use the local SQLite file/m);
  assert.doesNotMatch(res.stderr, /BR_DATABASE_URL/);
});

Deno.test("br parallel worker and run --remote: the server stopping mid-task ends both with exit 8 and stops the agent", async () => {
  // Its own server: the test stops it.
  await using server = await startPostgres();
  if (!server) return void console.log("skipped: no PostgreSQL binaries");
  const url = server.url;
  await using c = await cluster(url, [{ id: "stuck" }]);
  const coordinator = c.spawn(COORDINATOR(url), c.a);
  await until("the run", async () => (await c.status(c.a)).run?.state === "running");
  // The agent sleeps for 10 minutes: nothing may wait for it.
  const worker = c.spawn(WORKER(url), c.b, { FIXTURE_MODE: "hang" });
  const pidFile = `${c.log}.stuck.pid`;
  await until("the agent", async () => (await Deno.readTextFile(pidFile).catch(() => "")) !== "");
  const pids = (await Deno.readTextFile(pidFile)).trim().split(" ").map(Number);
  try {
    await server.stop();
    for (const [name, proc] of [["worker", worker], ["coordinator", coordinator]] as const) {
      const res = await proc.done;
      assert.equal(res.code, 8, `${name}: ${res.stderr}`);
      const errors = res.stderr.split("\n").filter((l) => l.startsWith("error: "));
      assert.equal(errors.length, 1, `${name}: ${res.stderr}`);
      assert.match(errors[0], /cannot reach the PostgreSQL server/);
      assert.doesNotMatch(res.stderr, /^\s+at /m);
    }
    for (const pid of pids) assert.equal(running(pid), false, `agent process ${pid} survived`);
  } finally {
    for (const pid of pids) killGroup(pid);
  }
});
