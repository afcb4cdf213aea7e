/**
 * The pre-commit hook on a 20-file staged change in a repository of 5,000 files, next to a
 * bare `deno run` of an empty script measured in the same run (the floor). Target: at most
 * 3× the floor.
 *
 *   deno run -A bench/hook.ts [--files 5000] [--staged 20] [--runs 9]
 */
import { join } from "node:path";
import { brArgs, flag, isolateGit, median, run, sample } from "./_lib.ts";

const FILES = flag("files", 5000);
const STAGED = flag("staged", 20);
const RUNS = flag("runs", 9);

isolateGit();

const root = await Deno.makeTempDir({ prefix: "br-bench-hook-" });
try {
  await run(Deno.execPath(), brArgs("init", "--name", "bench"), root);
  for (let i = 0; i < FILES; i++) {
    const dir = join(root, "src", `m${i % 100}`);
    if (i < 100) await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      join(dir, `f${i}.ts`),
      `/** Module ${i}. */\nexport function f${i}(x: number): number {\n  return x + ${i};\n}\n`,
    );
  }
  await run("git", ["add", "-A"], root);
  await run("git", ["commit", "-q", "-m", "init"], root);
  // The staged change: features.json (so STATUS.md is regenerated) and source edits.
  await run(Deno.execPath(), brArgs("feature", "add", "Bench feature", "--id", "bench"), root);
  const staged = [".buildrunner/features.json"];
  for (let i = 0; i < STAGED - 1; i++) {
    const rel = `src/m${i % 100}/f${i}.ts`;
    await Deno.writeTextFile(join(root, rel), `export const changed${i} = ${i};\n`, {
      append: true,
    });
    staged.push(rel);
  }
  await run("git", ["add", "--", ...staged], root);
  const empty = join(root, "empty.ts");
  await Deno.writeTextFile(empty, "");

  // Alternately, round by round, so that a change in the machine's load hits all alike.
  const measure = async (cases: string[][]) => {
    for (const args of cases) await sample(Deno.execPath(), args, root); // warm the caches
    const ms = cases.map(() => [] as number[]);
    const rss = cases.map(() => 0);
    for (let i = 0; i < RUNS; i++) {
      for (const [c, args] of cases.entries()) {
        const s = await sample(Deno.execPath(), args, root);
        ms[c].push(s.ms);
        rss[c] = Math.max(rss[c], s.rssKb ?? 0);
      }
    }
    return cases.map((_, c) => ({ ms: median(ms[c]), rss: rss[c] }));
  };
  const [floor, version, hook] = await measure([
    ["run", "--quiet", empty],
    brArgs("--version"),
    brArgs("hooks", "run", "pre-commit"),
  ]);
  const row = (label: string, r: { ms: number; rss: number }, base = floor) =>
    console.log(
      `${label.padEnd(44)} ${r.ms.toFixed(0).padStart(5)} ms  ${(r.ms / base.ms).toFixed(2)}×` +
        (r.rss ? `  ${r.rss} KiB peak RSS` : ""),
    );
  console.log(
    `repository: ${FILES} files, ${STAGED} staged (features.json included), median of ${RUNS} ` +
      "runs, alternating with the floor",
  );
  row("bare deno run of an empty script (floor)", floor);
  row("br --version (start-up of br itself)", version);
  row("br hooks run pre-commit", hook);
  console.log(`target: pre-commit ≤ 3× the floor (${(3 * floor.ms).toFixed(0)} ms)`);
} finally {
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
