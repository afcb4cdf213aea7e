/**
 * Orchestration overhead of `br parallel run`: N features (default 32) with a no-op agent
 * (it writes one file) on W workers (default 4), against the floor measured in the same run:
 * a bare `git worktree add` + `git worktree remove` pair per task.
 *
 *   deno run -A bench/parallel.ts [--features 32] [--workers 4]
 *
 * Overhead per task = wall time of the run / N (worktree create + schedule + agent start +
 * commit + base sync + merge + status + cleanup, with W tasks in flight), gates off.
 * Target: ≤ 2× the floor.
 *
 * Then `br parallel stop` of a run with W agents that ignore SIGTERM: the time from the stop
 * request until the run is stopped and every agent process is gone. Target: < 1 s.
 */
import { parseArgs } from "node:util";
import { isolateGit } from "./_lib.ts";
import { join } from "node:path";
import { openProject } from "../src/core/project.ts";
import { addFeature } from "../src/features/mod.ts";
import { initProject } from "../src/project/mod.ts";
import { parallelStatus, runParallel, stopParallel } from "../src/orchestrator/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    features: { type: "string", default: "32" },
    workers: { type: "string", default: "4" },
  },
  strict: false,
});
const N = Number(values.features);
const W = Number(values.workers);

isolateGit();

async function git(cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (out.code !== 0) {
    throw new Error(`git ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

const dir = await Deno.makeTempDir({ prefix: "br-bench-parallel-" });
try {
  await initProject(dir, { name: "bench" });
  // A repository of realistic size for the checkout: 300 files.
  for (let i = 0; i < 300; i++) {
    await Deno.mkdir(join(dir, "src", `m${i % 10}`), { recursive: true });
    await Deno.writeTextFile(
      join(dir, "src", `m${i % 10}`, `f${i}.ts`),
      `export const v${i} = ${i};\n`,
    );
  }
  // Orchestration only: no gates, no test command.
  const project = await openProject({
    cwd: dir,
    env: { ...Deno.env.toObject(), BR_HOME: join(dir, ".home") },
    configFlags: { "parallel.gates": [] },
  });
  for (let i = 0; i < N; i++) {
    await addFeature(project, {
      name: `Feature ${i}`,
      id: `f${String(i).padStart(2, "0")}`,
      files: [`out/f${i}/**`],
    });
  }
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "-m", "start");

  // Floor: a bare worktree add + remove per task, sequential; sampled before and after the
  // run (the machine may be busy), the median of all pairs.
  const pairs: number[] = [];
  const floorPairs = async (tag: string) => {
    for (let i = 0; i < N / 2; i++) {
      const path = join(dir, ".buildrunner", "worktrees", `floor-${tag}${i}`);
      const t = performance.now();
      await git(dir, "worktree", "add", "-q", "-b", `floor/${tag}${i}`, path, "HEAD");
      await git(dir, "worktree", "remove", path);
      pairs.push(performance.now() - t);
      await git(dir, "branch", "-q", "-D", `floor/${tag}${i}`);
    }
  };
  await floorPairs("a");
  const t0 = performance.now();
  const report = await runParallel(project, {
    workers: W,
    agentCommand: "sh -c 'mkdir -p out/{feature} && echo done > out/{feature}/done.txt'",
    timeout: "5m",
  });
  const total = performance.now() - t0;
  await floorPairs("b");
  pairs.sort((a, b) => a - b);
  const floor = pairs[Math.floor(pairs.length / 2)];
  const merged = report.tasks.filter((t) => t.state === "merged").length;
  if (merged !== N) {
    const bad = report.tasks.find((t) => t.state !== "merged");
    throw new Error(`only ${merged} of ${N} tasks merged; ${bad?.feature}: ${bad?.error}`);
  }
  // Stop: W agents that ignore SIGTERM, all running; then one stop request.
  const stopIds: string[] = [];
  for (let i = 0; i < W; i++) {
    const f = await addFeature(project, { name: `Stop ${i}`, id: `stop${i}` });
    stopIds.push(f.id);
  }
  const stopping = runParallel(project, {
    workers: W,
    features: stopIds,
    agentCommand: "sh -c 'trap \"\" TERM; sleep 600 & while :; do wait; done'",
    timeout: "5m",
  });
  for (let i = 0; i < 600; i++) {
    const st = await parallelStatus(project);
    if (st.run?.state === "running" && st.tasks.filter((t) => t.pid).length === W) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const pids = (await parallelStatus(project)).tasks.map((t) => t.pid).filter((p) => p !== null);
  const s0 = performance.now();
  const stopped = await stopParallel(project);
  const stopMs = performance.now() - s0;
  await stopping;
  // Processes of those groups still running (a zombie left to an init that does not reap is
  // over).
  const left: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (pids.includes(Number(fields[2])) && fields[0] !== "Z") left.push(Number(e.name));
  }
  await project.close();
  const perTask = total / N;
  console.log(`features: ${N}, workers: ${W}, all merged`);
  console.log(`floor (git worktree add + remove, median):     ${floor.toFixed(1)} ms per task`);
  console.log(`br parallel run, wall time:                    ${total.toFixed(0)} ms`);
  console.log(
    `orchestration overhead per task:               ${perTask.toFixed(1)} ms (${
      (perTask / floor).toFixed(2)
    }× the floor; target ≤ 2×)`,
  );
  console.log(
    `br parallel stop, ${W} agents ignoring SIGTERM:  ${
      stopMs.toFixed(0)
    } ms to "${stopped.state}", ${left.length} agent process(es) left (target < 1000 ms, 0 left)`,
  );
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
