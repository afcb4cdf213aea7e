/**
 * The gates on a large TypeScript tree (a synthetic one: `--files` modules of about
 * `--lines` lines, 64k lines by default), against baselines measured in the same run:
 * a bare `deno run` of an empty script (the floor) and `deno lint` on the same tree.
 *
 * Targets: cold `br gaps analyze` ≤ `deno lint`; with nothing changed since their last run,
 * `br validate` and the pre-push hook ≤ 4× the floor; peak memory ≤ 150 MB; one changed file
 * re-analyzed in ≤ 50 ms over the warm figure (warm per-file caches, no memo of a whole run).
 *
 *   deno run -A bench/gates.ts [--files 300] [--lines 213] [--runs 5]
 */
import { join } from "node:path";
import { brArgs, flag, isolateGit, median, run, type Sample, sample } from "./_lib.ts";
import { writeTree } from "./_gates_tree.ts";

const FILES = flag("files", 300);
const LINES = flag("lines", 213);
const RUNS = flag("runs", 5);

isolateGit();

const root = await Deno.makeTempDir({ prefix: "br-bench-gates-" });
try {
  await run(Deno.execPath(), brArgs("init", "--name", "bench"), root);
  const total = await writeTree(root, FILES, LINES);
  await Deno.mkdir(join(root, "tests"));
  await Deno.writeTextFile(join(root, "tests/m_test.ts"), 'Deno.test("m", () => {});\n');
  await run("git", ["add", "-A"], root);
  await run("git", ["commit", "-q", "-m", "init"], root);
  const empty = join(root, "empty.ts");
  await Deno.writeTextFile(empty, "");
  const cache = join(root, ".buildrunner/cache");
  const dropCache = () => Deno.remove(cache, { recursive: true }).catch(() => {});
  const x = Deno.execPath();

  // Alternately, round by round, so that a change in the machine's load hits all alike.
  type Case = {
    args: string[];
    before?: () => Promise<unknown>;
    allowFail?: boolean;
    env?: Record<string, string>;
  };
  const once = async (c: Case): Promise<Sample> => {
    await c.before?.();
    try {
      return await sample(x, c.args, root);
    } catch (err) {
      // A gate that finds problems exits 10; the time is what counts here.
      if (c.allowFail && /failed \(10\)/.test((err as Error).message)) {
        return { ms: NaN, rssKb: null, cpuMs: null };
      }
      throw err;
    }
  };
  const timed = async (c: Case): Promise<Sample> => {
    await c.before?.();
    const t0 = performance.now();
    const out = await new Deno.Command("/usr/bin/time", {
      args: ["-f", "__RSS__%M", x, ...c.args],
      cwd: root,
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1", ...c.env },
    }).output().catch(() => null);
    const ms = performance.now() - t0;
    if (out === null) return await once(c);
    const err = new TextDecoder().decode(out.stderr);
    if (out.code !== 0 && !(c.allowFail && out.code === 10)) throw new Error(err);
    const m = err.match(/__RSS__(\d+)/);
    return { ms, rssKb: m ? Number(m[1]) : null, cpuMs: null };
  };
  const measure = async (cases: Case[]) => {
    for (const c of cases) await timed(c); // warm the OS caches (and br's)
    const ms = cases.map(() => [] as number[]);
    const rss = cases.map(() => 0);
    for (let i = 0; i < RUNS; i++) {
      for (const [n, c] of cases.entries()) {
        const s = await timed(c);
        ms[n].push(s.ms);
        rss[n] = Math.max(rss[n], s.rssKb ?? 0);
      }
    }
    return cases.map((_, n) => ({ ms: median(ms[n]), rss: rss[n] }));
  };
  let edits = 0;
  const touchOne = async () => {
    const file = join(root, "src/m7/f7.ts");
    await Deno.writeTextFile(file, `export const edit${edits++} = 1;\n`, { append: true });
  };
  const gaps = brArgs("gaps", "analyze", "--json");
  // deno lint keeps an incremental cache in DENO_DIR: a fresh one each run is its cold figure.
  const lintDir = join(root, ".deno-lint-dir");
  const freshLintDir = () => Deno.remove(lintDir, { recursive: true }).catch(() => {});
  // "Nothing changed" means since the same command's last run: the run before each timed one
  // is that run (the rounds alternate with the cases that change a file).
  const again = (args: string[]): Case => ({
    args,
    allowFail: true,
    before: () => timed({ args, allowFail: true }),
  });
  // The memos of whole runs (kept while nothing a run reads changed); the per-file caches stay.
  const dropMemos = async () => {
    for await (const e of Deno.readDir(cache)) {
      if (/^(gates|gaps|quality)-[0-9a-f]+\.json$/.test(e.name)) {
        await Deno.remove(join(cache, e.name));
      }
    }
  };
  const [floor, lint, lintCold, cold, warm, memo, changed, validateChanged, validate, prePush] =
    await measure([
      { args: ["run", "--quiet", empty] },
      { args: ["lint", "--quiet", "src"], allowFail: true },
      {
        args: ["lint", "--quiet", "src"],
        allowFail: true,
        before: freshLintDir,
        env: { DENO_DIR: lintDir },
      },
      { args: gaps, before: dropCache, allowFail: true },
      { args: gaps, before: dropMemos, allowFail: true },
      again(gaps),
      { args: gaps, before: touchOne, allowFail: true },
      { args: brArgs("validate"), before: touchOne, allowFail: true },
      again(brArgs("validate")),
      again(brArgs("hooks", "run", "pre-push")),
    ]);
  const row = (label: string, r: { ms: number; rss: number }, base = floor) =>
    console.log(
      `${label.padEnd(48)} ${r.ms.toFixed(0).padStart(6)} ms  ${(r.ms / base.ms).toFixed(2)}×` +
        (r.rss ? `  ${(r.rss / 1024).toFixed(0)} MB peak RSS` : ""),
    );
  console.log(
    `tree: ${FILES} TypeScript files, ${total} lines; median of ${RUNS} runs, alternating`,
  );
  row("bare deno run of an empty script (floor)", floor);
  row("deno lint src, its cache warm (baseline)", lint);
  row("deno lint src, no cache (baseline)", lintCold);
  row("br gaps analyze, cold (no cache)", cold);
  row("br gaps analyze, warm caches (no memo)", warm);
  row("br gaps analyze, nothing changed (memo)", memo);
  row("br gaps analyze, one file changed", changed);
  row("br validate, one file changed", validateChanged);
  row("br validate, nothing changed", validate);
  row("br hooks run pre-push, nothing changed", prePush);
  const peakMb = Math.max(
    cold.rss,
    warm.rss,
    memo.rss,
    changed.rss,
    validateChanged.rss,
    validate.rss,
    prePush.rss,
  ) / 1024;
  const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(
    `targets: cold ≤ deno lint without its cache (${lintCold.ms.toFixed(0)} ms): ` +
      `${verdict(cold.ms <= lintCold.ms)}; ` +
      `validate and pre-push ≤ 4× floor (${(4 * floor.ms).toFixed(0)} ms): ` +
      `${verdict(validate.ms <= 4 * floor.ms && prePush.ms <= 4 * floor.ms)}; ` +
      `peak ≤ 150 MB (${peakMb.toFixed(0)} MB): ${verdict(peakMb <= 150)}; ` +
      `one change ≤ warm + 50 ms (+${(changed.ms - warm.ms).toFixed(0)} ms): ` +
      `${verdict(changed.ms - warm.ms <= 50)}`,
  );
} finally {
  await Deno.remove(root, { recursive: true }).catch(() => {});
}
