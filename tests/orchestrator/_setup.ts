/** Shared set-up of the `br parallel` tests: a committed project, the fixture agent, its log. */
import { join } from "node:path";
import { br, type BrRun, FIXTURES, gitRun, type TempDir, tempProject } from "../helpers.ts";

/** The fixture agent script. */
export const AGENT: string = join(FIXTURES, "parallel", "agent.sh");
/** Folder of the fake `claude`, `codex` and `aider`. */
export const FAKE_BIN: string = join(FIXTURES, "parallel", "bin");
/** `--agent-command` running the fixture agent. */
export const AGENT_COMMAND = `sh ${AGENT}`;

/** A feature to add. */
export interface FeatureSpec {
  /** Id (also the name). */
  id: string;
  /** Dependencies. */
  deps?: string[];
  /** File globs. */
  files?: string[];
}

/** A test project with features, all committed. */
export interface ParallelProject extends TempDir {
  /** The fixture agent's log (start/end lines). */
  log: string;
  /** Environment for `br` (fast heartbeats and retries, fake agents first on PATH). */
  env: Record<string, string>;
  /** Runs `br` in the project with that environment (plus `extra`). */
  br(args: string[], extra?: Record<string, string>): Promise<BrRun>;
  /** The fixture log as records. */
  records(): Promise<{ kind: string; feature: string; ms: number; mode: string }[]>;
}

/** Creates the project, adds the features, commits everything. */
export async function parallelProject(features: FeatureSpec[]): Promise<ParallelProject> {
  const dir = await tempProject("par");
  for (const f of features) {
    const args = ["feature", "add", f.id, "--id", f.id, "--acceptance", `${f.id} works`];
    if (f.deps?.length) args.push("--depends-on", f.deps.join(","));
    for (const g of f.files ?? []) args.push("--files", g);
    const res = await br(args, { cwd: dir.path });
    if (res.code !== 0) throw new Error(res.stderr);
  }
  await Deno.writeTextFile(join(dir.path, "shared.txt"), "base version\n");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "start"], dir.path);
  const log = join(dir.path, "..", `${dir.path.split("/").pop()}.agent.log`);
  const env: Record<string, string> = {
    PATH: `${FAKE_BIN}:${Deno.env.get("PATH")}`,
    FIXTURE_LOG: log,
    BR_PARALLEL__HEARTBEAT: "100ms",
    BR_PARALLEL__RETRY_BACKOFF: "100ms",
  };
  return {
    ...dir,
    log,
    env,
    br: (args, extra = {}) => br(args, { cwd: dir.path, env: { ...env, ...extra } }),
    async records() {
      const text = await Deno.readTextFile(log).catch(() => "");
      return text.split("\n").filter(Boolean).map((l) => {
        const [kind, feature, ms, mode] = l.split(" ");
        return { kind, feature, ms: Number(ms), mode };
      });
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(log).catch(() => {});
      for await (const e of Deno.readDir(join(dir.path, ".."))) {
        if (e.name.startsWith(`${dir.path.split("/").pop()}.agent.log`)) {
          await Deno.remove(join(dir.path, "..", e.name)).catch(() => {});
        }
      }
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** The [start, end] interval of each feature's first agent run. */
export function intervals(
  records: { kind: string; feature: string; ms: number }[],
): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const r of records) {
    if (r.kind === "start" && !out.has(r.feature)) out.set(r.feature, [r.ms, Infinity]);
    if (r.kind === "end" && out.get(r.feature)?.[1] === Infinity) out.get(r.feature)![1] = r.ms;
  }
  return out;
}

/** True when two intervals overlap. */
export function overlap(a: [number, number], b: [number, number]): boolean {
  return a[0] < b[1] && b[0] < a[1];
}

/** Parses the JSON printed by a `--json` run. */
export function json<T = Record<string, unknown>>(res: BrRun): T {
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${res.code}): ${res.stdout}\n${res.stderr}`);
  }
}
