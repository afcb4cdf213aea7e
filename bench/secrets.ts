/**
 * `br security scan` throughput and peak memory on a generated corpus of mixed source with
 * planted secrets, next to ripgrep running the same translated regex set, in the same run.
 *
 * Usage: deno run -A bench/secrets.ts [--full] [--runs 3] [--worst] [--corpus]
 *   default: corpora of 10 and 40 MB;  --full: 50 and 200 MB (the sizes)
 * First, recall and precision of the built-in rules on the labeled corpus of
 * tests/security/corpus.ts (`--corpus`: only these, with every miss and false alarm).
 * Then worst cases for a backtracking regex engine (4.5 MB each: unterminated private-key
 * headers, a JWT prefix after every dash, 20 000 tokens on one line) next to 4.5 MB of
 * ordinary source, in the same run: linear rules keep them within a small factor of it
 * (`--worst`: only these, no ripgrep needed).
 * Needs `rg` (Debian: apt-get install -y ripgrep). Corpora are cached in bench/out/.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { translateRe2 } from "../src/security/re2.ts";
import { BUILTIN_SECRET_RULES } from "../src/security/rules_builtin.ts";
import { builtinSecretRules } from "../src/security/rules.ts";
import { corpus as labeledCorpus, scoreCorpus } from "../tests/security/corpus.ts";
import { ALNUM, rnd, SAMPLES } from "../tests/security/samples.ts";
import { brArgs, median } from "./_lib.ts";

const FULL = Deno.args.includes("--full");
const runsAt = Deno.args.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(Deno.args[runsAt + 1]) : 3;
const SIZES_MB = FULL ? [50, 200] : [10, 40];
const FILE_BYTES = 64 * 1024;
const OUT = fileURLToPath(new URL("./out/secrets/", import.meta.url));
const CORPUS_VERSION = "3";

const TEMPLATES: Record<string, (i: number) => string> = {
  ts: (i) =>
    `export async function handler${i}(req: Request): Promise<Response> {\n` +
    `  const url = new URL(req.url);\n  const id = url.searchParams.get("id") ?? "${i}";\n` +
    `  const rows = await db.query("SELECT * FROM items WHERE id = $1", [id]);\n` +
    `  return Response.json({ ok: true, rows, n: ${i} });\n}\n\n`,
  py: (i) =>
    `def compute_${i}(values, factor=${i % 7 + 1}):\n    """Scale and sum ${i}."""\n` +
    `    total = 0\n    for v in values:\n        total += v * factor\n    return total\n\n`,
  go: (i) =>
    `func Process${i}(ctx context.Context, in []byte) ([]byte, error) {\n` +
    `\tif len(in) == 0 {\n\t\treturn nil, fmt.Errorf("empty input %d", ${i})\n\t}\n` +
    `\treturn bytes.ToUpper(in), nil\n}\n\n`,
  json: (i) => `  {"id": ${i}, "name": "item-${i}", "tags": ["a", "b"], "price": ${i % 100}.5},\n`,
  md: (i) =>
    `## Section ${i}\n\nThis paragraph explains how part ${i} works and why the key idea ` +
    `matters for the token budget of the next release.\n\n`,
};
const EXTS = Object.keys(TEMPLATES);
const PLANTS = Object.values(SAMPLES).map((s) => s.hit);

/** Writes the corpus once (cached by size and version); returns the number of planted secrets. */
async function corpus(mb: number): Promise<{ dir: string; planted: number }> {
  const dir = join(OUT, `${mb}mb`);
  const marker = join(dir, ".corpus");
  try {
    const [version, planted] = (await Deno.readTextFile(marker)).split(" ");
    if (version === CORPUS_VERSION) return { dir, planted: Number(planted) };
  } catch { /* not there yet */ }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  const files = Math.ceil((mb * 1024 * 1024) / FILE_BYTES);
  let planted = 0;
  for (let f = 0; f < files; f++) {
    const ext = EXTS[f % EXTS.length];
    let text = "";
    let i = f * 1000;
    while (text.length < FILE_BYTES) {
      text += TEMPLATES[ext](i++);
      // one planted secret in about every 40 KB
      if (text.length % 40_000 < 300 && text.length > 1000 && i % 3 === 0) {
        text += `\n${PLANTS[planted % PLANTS.length]}\n`;
        planted++;
      }
    }
    if (f % 50 === 0) text += `\nconst key_${f} = "${"gh" + "p_" + rnd(ALNUM, 36)}";\n`, planted++;
    const sub = join(dir, `pkg${Math.floor(f / 100)}`);
    await Deno.mkdir(sub, { recursive: true });
    await Deno.writeTextFile(join(sub, `file${f}.${ext}`), text);
  }
  await Deno.writeTextFile(marker, `${CORPUS_VERSION} ${planted}`);
  return { dir, planted };
}

/** Removes what a run of br leaves in the corpus (its telemetry database). */
async function fresh(dir: string): Promise<void> {
  for (const name of ["br.db", "br.db-wal", "br.db-shm"]) {
    await Deno.remove(join(dir, ".buildrunner", name)).catch(() => {});
  }
}

function medianKb(runs: Run[]): number | null {
  const v = runs.map((r) => r.rssKb).filter((x): x is number => x !== null);
  return v.length ? median(v) : null;
}

interface Run {
  ms: number;
  rssKb: number | null;
  stdout: string;
}

async function measure(cmd: string, args: string[], cwd: string, ok: number[]): Promise<Run> {
  const t0 = performance.now();
  const out = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "__RSS__%M", cmd, ...args],
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" },
  }).output();
  const ms = performance.now() - t0;
  const err = new TextDecoder().decode(out.stderr);
  if (!ok.includes(out.code)) throw new Error(`${cmd} failed (${out.code}): ${err.slice(0, 500)}`);
  const m = err.match(/__RSS__(\d+)/);
  return { ms, rssKb: m ? Number(m[1]) : null, stdout: new TextDecoder().decode(out.stdout) };
}

const rgPatterns = BUILTIN_SECRET_RULES.map((r) => {
  const t = translateRe2(r.regex!, r.id);
  const flags = t.flags.replace("u", "");
  return flags ? `(?${flags})${t.source}` : t.source;
});
const rgArgs = (dir: string) => [
  "--no-config",
  "--no-ignore",
  "--hidden",
  "--multiline",
  "--count-matches",
  "--no-messages",
  "--regex-size-limit",
  "1G",
  "--dfa-size-limit",
  "1G",
  ...rgPatterns.flatMap((p) => ["-e", p]),
  dir,
];

// Recall and precision on the labeled corpus (no timing: the figures do not depend on the
// machine).
{
  const cases = labeledCorpus();
  const score = scoreCorpus(builtinSecretRules(), cases);
  const rules = new Set(cases.filter((c) => c.rule).map((c) => c.rule)).size;
  console.log(
    `labeled corpus: ${score.positives} secrets of ${rules} rules, ${score.negatives} look-alikes`,
  );
  console.log("| recall | precision | found | missed | false alarms |");
  console.log("| ---: | ---: | ---: | ---: | ---: |");
  console.log(
    `| ${score.recall.toFixed(3)} | ${score.precision.toFixed(3)} | ${score.found} | ${
      score.positives - score.found
    } | ${score.falseAlarms} |\n`,
  );
  if (Deno.args.includes("--corpus")) {
    for (const m of score.missed) console.log(`missed: ${m}`);
    for (const a of score.alarms) console.log(`false alarm: ${a}`);
    Deno.exit(0);
  }
}

if (Deno.args.includes("--worst")) {
  await worstCases();
  Deno.exit(0);
}

const hasRg = await new Deno.Command("rg", { args: ["--version"], stdout: "null" }).output()
  .then((o) => o.code === 0, () => false);
if (!hasRg) {
  console.error("error: rg (ripgrep) is not installed\nhint: apt-get install -y ripgrep");
  Deno.exit(1);
}

console.log(
  `br security scan vs ripgrep (${rgPatterns.length} rules, same translated regexes; ` +
    `${RUNS} runs, medians of time and of peak RSS)`,
);
console.log("| corpus | tool | median s | MB/s | peak MiB | findings | x rg time |");
console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
const peaks: Record<number, number | null> = {};
const ratios: number[] = [];
for (const mb of SIZES_MB) {
  const { dir, planted } = await corpus(mb);
  const br: Run[] = [];
  const rg: Run[] = [];
  for (let r = 0; r < RUNS; r++) {
    // every run starts from the same tree: without the telemetry database of earlier runs
    // (br records its findings there; rg would read it too)
    await fresh(dir);
    br.push(
      await measure(Deno.execPath(), brArgs("security", "scan", "--json", "--project", dir), dir, [
        0,
        10,
      ]),
    );
    await fresh(dir);
    rg.push(await measure("rg", rgArgs(dir), dir, [0, 1]));
  }
  const brMs = median(br.map((x) => x.ms));
  const rgMs = median(rg.map((x) => x.ms));
  const brFound = JSON.parse(br[0].stdout).findings.length;
  const rgFound = rg[0].stdout.split("\n").filter(Boolean)
    .reduce((n, line) => n + Number(line.slice(line.lastIndexOf(":") + 1)), 0);
  // median of the runs' peaks: one run's peak swings with GC timing on a busy machine
  const brPeak = medianKb(br);
  peaks[mb] = brPeak;
  ratios.push(brMs / rgMs);
  const mib = (kb: number | null) => (kb === null ? "n/a" : (kb / 1024).toFixed(0));
  console.log(
    `| ${mb} MB (${planted} planted) | br | ${(brMs / 1000).toFixed(2)} | ${
      (mb / (brMs / 1000)).toFixed(1)
    } | ${mib(brPeak)} | ${brFound} | ${(brMs / rgMs).toFixed(2)} |`,
  );
  console.log(
    `| ${mb} MB | rg | ${(rgMs / 1000).toFixed(2)} | ${(mb / (rgMs / 1000)).toFixed(1)} | ${
      mib(medianKb(rg))
    } | ${rgFound} | 1.00 |`,
  );
}
const [small, large] = SIZES_MB;
const memRatio = peaks[small] && peaks[large] ? peaks[large]! / peaks[small]! : null;
console.log(
  `\nbr time / rg time: ${ratios.map((r) => r.toFixed(2)).join(", ")} (target <= 3)`,
);
console.log(
  `br peak memory ${large} MB / ${small} MB: ${memRatio?.toFixed(2) ?? "n/a"} (target <= 1.2)`,
);
await worstCases();

// Worst cases: each file alone in a project, next to ordinary source of the same size.
async function worstCases(): Promise<void> {
  const WORST_BYTES = 4.5 * 1024 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(WORST_BYTES / unit.length));
  const WORST: Record<string, () => string> = {
    "ordinary source (baseline)": () => fill(TEMPLATES.ts(1)),
    "unterminated private-key headers": () => fill("-----BEGIN RSA PRIV" + "ATE KEY-----\n"),
    "private-key headers on one line": () => fill("-----BEGIN PRIV" + "ATE KEY-----"),
    "JWT prefix after every dash": () => fill("ey" + "J-"),
    "tokens on one line": () => fill(`${"gh" + "p_" + rnd(ALNUM, 36)} `),
    "Kubernetes Secret headers": () => fill("kind: Secret\n"),
    "PuTTY key headers": () => fill("PuTTY-User-Key-File-2: ssh-rsa\n"),
    "curl headers on one line": () => fill("curl -H 'Authorization: "),
    "provider names with assignments": () => fill("sumo_key= "),
    "URL credentials without a host": () => fill("://user:pass"),
  };
  console.log(`\nworst cases, 4.5 MB each (${RUNS} runs, median)`);
  console.log("| input | median s | x baseline |");
  console.log("| --- | ---: | ---: |");
  let baseMs = 0;
  for (const [name, make] of Object.entries(WORST)) {
    const dir = join(OUT, "worst", name.replace(/[^a-z]+/g, "_"));
    await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
    await Deno.writeTextFile(join(dir, "input.txt"), make());
    const runs: Run[] = [];
    for (let r = 0; r < RUNS; r++) {
      await fresh(dir);
      runs.push(
        await measure(
          Deno.execPath(),
          brArgs("security", "scan", "--json", "--project", dir),
          dir,
          [
            0,
            10,
          ],
        ),
      );
    }
    const ms = median(runs.map((x) => x.ms));
    baseMs ||= ms;
    console.log(`| ${name} | ${(ms / 1000).toFixed(2)} | ${(ms / baseMs).toFixed(2)} |`);
  }
}
