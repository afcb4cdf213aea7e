/**
 * Workers across machines: how fast a `br parallel worker` starts a task it claimed. A real
 * PostgreSQL server (Debian's, in a temp dir, as the tests use), a bare remote, two clones;
 * the coordinator (`runParallel` with `remote`) in clone A, two `br parallel worker`
 * processes (clones A and B); the agent writes one file.
 *
 *   deno run -A bench/workers.ts [--features 12] [--chain 6]
 *
 * Two runs: `--features` independent tasks (their base commit is in the workers' clones), then
 * a chain of `--chain` tasks, each depending on the one before (each on a new base: the worker
 * in the coordinator's clone has it, the other one first fetches it from the remote). Per task:
 * - claim → start: from the commit of the worker's claim to its agent process running, as the
 *   worker measures it (`claim_to_start_ms`). Target: ≤ 100 ms.
 * - ready → start (chain only, where a worker is idle when the task becomes ready): from the
 *   coordinator offering the task (`ready_at`) to the agent's first line (its own clock
 *   reading); includes the worker's poll (every 100 ms) and the fetch of the new base.
 * Floor, measured in the same run: one `git checkout -B` in an existing worktree plus the
 * start of a `sh` process, the least a worker must do between claim and start.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { brArgs, isolateGit, median } from "./_lib.ts";
import { startPostgres } from "../tests/postgres.ts";
import { openProject } from "../src/core/project.ts";
import { addFeature } from "../src/features/mod.ts";
import { initProject } from "../src/project/mod.ts";
import { parallelStatus, runParallel, type WorkerReport } from "../src/orchestrator/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    features: { type: "string", default: "12" },
    chain: { type: "string", default: "6" },
  },
  strict: false,
});
const N = Number(values.features);
const C = Number(values.chain);

isolateGit();

async function git(cwd: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms, p90 ${pct(xs, 0.9).toFixed(1)} ms, max ${
    Math.max(...xs).toFixed(1)
  } ms (${xs.length} tasks)`;

const pg = await startPostgres();
if (!pg) {
  console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  Deno.exit(0);
}
const top = await Deno.makeTempDir({ prefix: "br-bench-workers-" });
try {
  const remote = join(top, "remote.git");
  const a = join(top, "a");
  const b = join(top, "b");
  const log = join(top, "agent.log");
  await git(top, "init", "-q", "--bare", "-b", "main", remote);
  await Deno.mkdir(a);
  await git(a, "init", "-q", "-b", "main");
  await initProject(a, { name: "bench" });
  // A repository of realistic size for the checkouts: 300 files.
  for (let i = 0; i < 300; i++) {
    await Deno.mkdir(join(a, "src", `m${i % 10}`), { recursive: true });
    await Deno.writeTextFile(join(a, "src", `m${i % 10}`, `f${i}.ts`), `export const v = ${i};\n`);
  }
  const env: Record<string, string> = {
    ...Deno.env.toObject(),
    BR_HOME: join(top, "home"),
    BR_DATABASE_URL: pg.url,
    BENCH_LOG: log,
    NO_COLOR: "1",
  };
  // Orchestration only: no gates, no test command.
  const project = await openProject({ cwd: a, env, configFlags: { "parallel.gates": [] } });
  const ids: string[][] = [[], []];
  for (let i = 0; i < N; i++) {
    const f = await addFeature(project, { name: `Free ${i}`, files: [`out/free${i}/**`] });
    ids[0].push(f.id);
  }
  for (let i = 0; i < C; i++) {
    const f = await addFeature(project, {
      name: `Chain ${i}`,
      files: [`out/chain${i}/**`],
      dependencies: i ? [ids[1][i - 1]] : [],
    });
    ids[1].push(f.id);
  }
  await git(a, "add", "-A");
  await git(a, "commit", "-q", "-m", "start");
  await git(a, "remote", "add", "origin", remote);
  await git(a, "push", "-q", "-u", "origin", "main");
  await git(top, "clone", "-q", remote, b);

  const agentCommand =
    `sh -c 'echo {feature} $(date +%s%3N) >> "$BENCH_LOG"; mkdir -p out/{feature} && echo done > out/{feature}/done.txt'`;
  const results: { claim: number[]; ready: number[] }[] = [];
  for (const features of ids) {
    await Deno.writeTextFile(log, "");
    const run = runParallel(project, { features, agentCommand, remote: "origin", timeout: "5m" });
    for (let i = 0; (await parallelStatus(project)).run?.state !== "running"; i++) {
      if (i > 600) throw new Error("the run did not start");
      await new Promise((r) => setTimeout(r, 50));
    }
    const workers = [a, b].map((cwd) =>
      new Deno.Command(Deno.execPath(), {
        args: brArgs("parallel", "worker", "--agent-command", agentCommand, "--json"),
        cwd,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output()
    );
    const report = await run;
    const bad = report.tasks.find((t) => t.state !== "merged");
    if (bad) throw new Error(`${bad.feature} ended ${bad.state}: ${bad.error}`);
    const claim: number[] = [];
    for (const out of await Promise.all(workers)) {
      if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
      const rep = JSON.parse(new TextDecoder().decode(out.stdout)) as WorkerReport;
      for (const t of rep.tasks) if (t.claim_to_start_ms !== null) claim.push(t.claim_to_start_ms);
    }
    const started = new Map(
      (await Deno.readTextFile(log)).split("\n").filter(Boolean).map((l) => {
        const [f, ms] = l.split(" ");
        return [f, Number(ms)] as const;
      }),
    );
    const ready = report.tasks.filter((t) => t.ready_at && started.has(t.feature)).map((t) =>
      started.get(t.feature)! - Date.parse(t.ready_at!)
    );
    results.push({ claim, ready });
  }
  await project.close();

  // Floor: a checkout of a new branch in an existing worktree, then a process start.
  const spare = join(top, "spare");
  await git(a, "worktree", "add", "-q", "--detach", spare, "HEAD");
  const floor: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await git(spare, "checkout", "-q", "--force", "-B", `floor${i}`, "HEAD");
    await new Deno.Command("sh", { args: ["-c", "true"] }).output();
    floor.push(performance.now() - t);
  }

  console.log(`PostgreSQL store, 2 workers (two clones of a bare remote), 300-file repository`);
  console.log(`floor (checkout -B + process start):       ${fmt(floor)}`);
  console.log(
    `claim → start, base in the clone:          ${fmt(results[0].claim)} (target ≤ 100 ms)`,
  );
  console.log(`claim → start, chain (new base each time):  ${fmt(results[1].claim)}`);
  console.log(`ready → start, chain:                      ${fmt(results[1].ready)}`);
  console.log(
    `(load average during the run: ${Deno.loadavg().map((n) => n.toFixed(1)).join(", ")})`,
  );
} finally {
  await pg.stop();
  await Deno.remove(top, { recursive: true }).catch(() => {});
}
