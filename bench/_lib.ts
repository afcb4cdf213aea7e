/** Shared helpers of the benchmarks: timing and peak memory of whole commands. */
import { fileURLToPath } from "node:url";
import { RUN_FLAGS } from "../src/core/self.ts";

/** Absolute path of main.ts. */
export const MAIN_TS: string = fileURLToPath(new URL("../main.ts", import.meta.url));
/** Absolute path of deno.json. */
export const DENO_JSON: string = fileURLToPath(new URL("../deno.json", import.meta.url));

/** One run of a command: wall time and peak resident memory. */
export interface Sample {
  /** Wall time in milliseconds. */
  ms: number;
  /** Peak resident set size in KiB (null where GNU time is missing). */
  rssKb: number | null;
  /** CPU time (user + system) in milliseconds, 10 ms resolution (null without GNU time). */
  cpuMs: number | null;
}

let gnuTime: boolean | null = null;

/**
 * Runs `cmd args` once in `cwd` and measures it; throws when it fails. The environment has
 * `NO_COLOR=1` unless `env` says otherwise.
 */
export async function sample(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = { NO_COLOR: "1" },
): Promise<Sample> {
  gnuTime ??= await Deno.stat("/usr/bin/time").then(() => true, () => false);
  const argv = gnuTime
    ? ["/usr/bin/time", "-f", "__RSS__%M __CPU__%U %S", cmd, ...args]
    : [cmd, ...args];
  const t0 = performance.now();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdout: "null",
    stderr: "piped",
    env,
  }).output();
  const ms = performance.now() - t0;
  const err = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}): ${err}`);
  const m = err.match(/__RSS__(\d+)/);
  const cpu = err.match(/__CPU__([\d.]+) ([\d.]+)/);
  return {
    ms,
    rssKb: m ? Number(m[1]) : null,
    cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null,
  };
}

/** The median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The maximum of numbers, or null for none. */
export function peak(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? Math.max(...v) : null;
}

/** `deno run` argv for br with the binary's flags (permissions, V8 flags). */
export function brArgs(...args: string[]): string[] {
  return ["run", "--quiet", ...RUN_FLAGS, "--config", DENO_JSON, MAIN_TS, ...args];
}

const STATUSES = ["planned", "in_progress", "testing", "blocked", "complete"];
const PRIORITIES = ["critical", "high", "medium", "low"];

/** A features.json with `n` features of every status and priority, chained dependencies. */
export function featuresFile(n: number): string {
  const features = Array.from({ length: n }, (_, i) => ({
    id: `feature-${i}`,
    name: `Feature number ${i}`,
    description: `Does thing ${i} for the users who need it.`,
    status: STATUSES[i % 5],
    priority: PRIORITIES[i % 4],
    version: "1.0.0",
    dependencies: i > 10 ? [`feature-${i - 7}`, `feature-${i - 11}`] : [],
    acceptance: [`Criterion A of ${i}`, `Criterion B of ${i}`],
    files: [`src/area${i % 50}/**`],
    tags: ["bench"],
    owner: null,
    week: i % 12,
    build: "1A",
    blocked_reason: i % 5 === 3 ? "waiting" : null,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    completed_at: i % 5 === 4 ? "2026-01-02T00:00:00.000Z" : null,
  }));
  return JSON.stringify(
    {
      project: "bench",
      version: "1.0.0",
      status: "in_development",
      description: "",
      last_updated: "2026-01-01T00:00:00.000Z",
      features,
      metrics: {},
    },
    null,
    2,
  );
}

/** The number given as `--name N` on the command line, or `fallback`. */
export function flag(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
}

/** Gives this process (and the git processes it starts) a fixed identity and no git config. */
export function isolateGit(): void {
  const env = {
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "Bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
  };
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
}

/** Runs `cmd args` in `cwd`, its output discarded; throws with its stderr when it fails. */
export async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "null", stderr: "piped" }).output();
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}
