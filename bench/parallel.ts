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
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { openProject } from "../src/core/project.ts";
import { addFeature } from "../src/features/mod.ts";
import { initProject } from "../src/project/mod.ts";
import { runParallel } from "../src/orchestrator/mod.ts";

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

const env = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Bench",
  GIT_AUTHOR_EMAIL: "bench@example.com",
  GIT_COMMITTER_NAME: "Bench",
  GIT_COMMITTER_EMAIL: "bench@example.com",
};
for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);

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
  await project.close();
  const merged = report.tasks.filter((t) => t.state === "merged").length;
  if (merged !== N) {
    const bad = report.tasks.find((t) => t.state !== "merged");
    throw new Error(`only ${merged} of ${N} tasks merged; ${bad?.feature}: ${bad?.error}`);
  }
  const perTask = total / N;
  console.log(`features: ${N}, workers: ${W}, all merged`);
  console.log(`floor (git worktree add + remove, median):     ${floor.toFixed(1)} ms per task`);
  console.log(`br parallel run, wall time:                    ${total.toFixed(0)} ms`);
  console.log(
    `orchestration overhead per task:               ${perTask.toFixed(1)} ms (${
      (perTask / floor).toFixed(2)
    }× the floor; target ≤ 2×)`,
  );
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
