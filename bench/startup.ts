/**
 * Start-up cost of `br` next to another commit (default 2757161, before plugins, migration and
 * the dashboard existed): `br --version`, a warm `br status --json` on 1,000 features and
 * `br hooks run pre-commit` on a small staged change, each run by this checkout and by the
 * other commit (extracted with `git archive` into a temporary folder), round by round in
 * alternating order. Each side has its own project folders (its own caches).
 *
 * Figures: CPU time (user + system) of each run, from getrusage(RUSAGE_CHILDREN) around it:
 * on a machine that other work shares it varies far less than wall time. Median and
 * interquartile range per side, and the median of the per-round differences. Prints figures
 * only; it asserts nothing.
 *
 *   deno run -A bench/startup.ts [--ref 2757161] [--runs 41] [--files 500]
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RACY_MS } from "../src/core/cache.ts";
import { RUN_FLAGS } from "../src/core/self.ts";
import { featuresFile, flag, isolateGit, median, run } from "./_lib.ts";

const refArg = Deno.args.indexOf("--ref");
const REF = refArg >= 0 ? Deno.args[refArg + 1] : "2757161";
const RUNS = flag("runs", 41);
const FILES = flag("files", 500);
const HERE = fileURLToPath(new URL("..", import.meta.url));

// CPU time of the children waited for so far (Linux x86-64/arm64 `struct rusage`).
const libc = Deno.dlopen(Deno.build.os === "darwin" ? "libc.dylib" : "libc.so.6", {
  getrusage: { parameters: ["i32", "buffer"], result: "i32" },
});
const usage = new BigInt64Array(18);
function childrenCpuMs(): number {
  if (libc.symbols.getrusage(-1, usage) !== 0) throw new Error("getrusage failed");
  const [us, uu, ss, su] = [0, 1, 2, 3].map((i) => Number(usage[i]));
  return (us + ss) * 1000 + (uu + su) / 1000;
}

/** Runs `argv` in `cwd`, its output discarded; its CPU milliseconds. Throws when it fails. */
async function cpuOf(argv: string[], cwd: string): Promise<number> {
  const before = childrenCpuMs();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const ms = childrenCpuMs() - before;
  if (out.code !== 0) {
    throw new Error(
      `${argv.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return ms;
}

/** The quartiles of numbers (first, third). */
function quartiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => {
    const i = (s.length - 1) * q;
    const lo = Math.floor(i);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
  };
  return [at(0.25), at(0.75)];
}

isolateGit();
const root = await Deno.makeTempDir({ prefix: "br-bench-startup-" });
try {
  // The other commit's files, without touching this repository's worktrees.
  const old = join(root, "ref");
  await Deno.mkdir(old);
  const tar = new Deno.Command("tar", { args: ["-x", "-C", old], stdin: "piped" }).spawn();
  const archive = new Deno.Command("git", {
    args: ["archive", "--format=tar", REF],
    cwd: HERE,
    stdout: "piped",
  }).spawn();
  await archive.stdout.pipeTo(tar.stdin);
  if (!(await archive.status).success || !(await tar.status).success) {
    throw new Error(`cannot extract ${REF} with git archive`);
  }

  const sides = [{ name: REF, tree: old }, { name: "this checkout", tree: HERE }];
  const brOf = (tree: string, ...args: string[]) => [
    Deno.execPath(),
    "run",
    "--quiet",
    ...RUN_FLAGS,
    "--config",
    join(tree, "deno.json"),
    join(tree, "main.ts"),
    ...args,
  ];

  // Per side: a 1,000-feature project for status, a git repository with a staged change.
  const projects: { status: string; repo: string }[] = [];
  for (const [i, side] of sides.entries()) {
    const status = join(root, `status${i}`);
    await Deno.mkdir(join(status, ".buildrunner"), { recursive: true });
    await Deno.writeTextFile(join(status, ".buildrunner", "features.json"), featuresFile(1000));
    const repo = join(root, `repo${i}`);
    await Deno.mkdir(repo);
    await run("git", ["init", "-q"], repo);
    const [cmd, ...args] = brOf(side.tree, "init", "--name", "bench");
    await run(cmd, args, repo);
    for (let f = 0; f < FILES; f++) {
      const dir = join(repo, "src", `m${f % 20}`);
      if (f < 20) await Deno.mkdir(dir, { recursive: true });
      await Deno.writeTextFile(join(dir, `f${f}.ts`), `export const f${f} = ${f};\n`);
    }
    await run("git", ["add", "-A"], repo);
    await run("git", ["commit", "-q", "-m", "init"], repo);
    const staged: string[] = [];
    for (let f = 0; f < 10; f++) {
      const rel = `src/m${f % 20}/f${f}.ts`;
      await Deno.writeTextFile(join(repo, rel), `export const g${f} = ${f};\n`, { append: true });
      staged.push(rel);
    }
    await run("git", ["add", "--", ...staged], repo);
    projects.push({ status, repo });
  }
  await new Promise((r) => setTimeout(r, RACY_MS + 100)); // features.json settles: cacheable

  const cases: { label: string; argv: (s: number) => string[]; cwd: (s: number) => string }[] = [
    { label: "br --version", argv: (s) => brOf(sides[s].tree, "--version"), cwd: () => root },
    {
      label: "br status --json (1,000 features, warm)",
      argv: (s) => brOf(sides[s].tree, "status", "--json"),
      cwd: (s) => projects[s].status,
    },
    {
      label: `br hooks run pre-commit (${FILES} files, 10 staged)`,
      argv: (s) => brOf(sides[s].tree, "hooks", "run", "pre-commit"),
      cwd: (s) => projects[s].repo,
    },
  ];
  const cpu = cases.map(() => sides.map(() => [] as number[]));
  for (let round = 0; round < RUNS + 2; round++) {
    for (const [c, k] of cases.entries()) {
      // Alternate which side goes first, so that neither is always the one after the other.
      const order = round % 2 ? [1, 0] : [0, 1];
      for (const s of order) {
        const ms = await cpuOf(k.argv(s), k.cwd(s));
        if (round >= 2) cpu[c][s].push(ms); // two warm-up rounds (emit, code and br caches)
      }
    }
  }

  console.log(
    `start-up CPU time (user + system, ms): ${REF} vs this checkout, ${RUNS} alternating rounds`,
  );
  console.log(`| command | ${REF} median (IQR) | this median (IQR) | paired difference (IQR) |`);
  console.log("| --- | ---: | ---: | ---: |");
  const fmt = (xs: number[]) => {
    const [q1, q3] = quartiles(xs);
    return `${median(xs).toFixed(1)} (${q1.toFixed(1)}–${q3.toFixed(1)})`;
  };
  for (const [c, k] of cases.entries()) {
    const diff = cpu[c][1].map((x, i) => x - cpu[c][0][i]);
    const [d1, d3] = quartiles(diff);
    const sign = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(2)}`;
    console.log(
      `| ${k.label} | ${fmt(cpu[c][0])} | ${fmt(cpu[c][1])} | ${sign(median(diff))} (${sign(d1)}…${
        sign(d3)
      }) |`,
    );
  }
} finally {
  libc.close();
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
