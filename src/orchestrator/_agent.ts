/** Starts an agent in a worktree and waits for it: own process group, output to a log file. */
import { spawn } from "node:child_process";
import { isAbsolute, join } from "node:path";
import { closeSync, openSync } from "node:fs";
import { BrError } from "../core/errors.ts";
import { processStartTime, stopGroup } from "./_process.ts";
import { type AgentProfile, TEMPLATE_SAMPLE } from "./_settings.ts";
import { type AgentUsage, parseClaudeUsage, parseCodexUsage } from "./_usage.ts";
import { renderArgv } from "./_words.ts";

/** What the agent gets. */
export interface AgentLaunch {
  /** The profile. */
  profile: AgentProfile;
  /** Feature id. */
  feature: string;
  /** Worktree (working directory). */
  worktree: string;
  /** The prompt text. */
  prompt: string;
  /** Where the prompt is written. */
  promptFile: string;
  /** The project root (main checkout). */
  projectRoot: string;
  /** Log file (appended). */
  log: string;
  /** Longest prompt passed as an argument. */
  promptArgMax: number;
  /** Environment of the `br` process. */
  env: Record<string, string | undefined>;
}

/** A running agent. */
export interface RunningAgent {
  /** Process id (leader of its own process group). */
  pid: number;
  /** Kernel start time of the process (for orphan detection), when known. */
  pidStart: string | null;
  /** The argv that was started. */
  argv: string[];
  /** Resolves when it exits. */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Stops it (SIGTERM, then SIGKILL). */
  stop(graceMs?: number): Promise<void>;
}

/** The argv and stdin mode for a launch. */
export function agentArgv(launch: AgentLaunch): { argv: string[]; stdin: boolean } {
  const p = launch.profile;
  const long = p.long_command !== null && launch.prompt.length > launch.promptArgMax;
  const values = {
    prompt: launch.prompt,
    prompt_file: launch.promptFile,
    feature: launch.feature,
    worktree: launch.worktree,
  };
  const template = long ? p.long_command! : p.command;
  const argv = renderArgv(template, values);
  if (!long && launch.prompt.length > launch.promptArgMax && template.includes("{prompt}")) {
    throw new BrError(
      "usage",
      `The prompt of "${launch.feature}" is ${launch.prompt.length} characters, too long for an argument`,
      {
        hint: "use {prompt_file} (or $BR_PROMPT_FILE) in the agent command instead of {prompt}",
      },
    );
  }
  return { argv, stdin: long ? p.long_stdin : p.stdin };
}

/**
 * Starts the agent: working directory = the worktree; `BR_FEATURE`, `BR_WORKTREE`,
 * `BR_PROMPT_FILE`, `BR_PROJECT_ROOT` set; stdout and stderr appended to the log; the process
 * leads its own group so a timeout kills everything it started, and it survives the death of
 * `br` (so `resume` can find it).
 *
 * @throws {BrError} `external` when the command cannot be started.
 */
export async function startAgent(launch: AgentLaunch): Promise<RunningAgent> {
  await Deno.writeTextFile(launch.promptFile, launch.prompt);
  const { argv, stdin } = agentArgv(launch);
  const env = agentEnv(launch.profile, launch.env);
  Object.assign(env, {
    BR_FEATURE: launch.feature,
    BR_WORKTREE: launch.worktree,
    BR_PROMPT_FILE: launch.promptFile,
    BR_PROJECT_ROOT: launch.projectRoot,
  });
  const out = openSync(launch.log, "a");
  const input = stdin ? openSync(launch.promptFile, "r") : "ignore";
  let child;
  try {
    child = spawn(argv[0], argv.slice(1), {
      cwd: launch.worktree,
      env,
      detached: true,
      stdio: [input, out, out],
    });
  } finally {
    closeSync(out);
    if (typeof input === "number") closeSync(input);
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("error", (err: Error) => {
      Deno.writeTextFileSync(launch.log, `br: cannot start ${argv[0]}: ${err.message}\n`, {
        append: true,
      });
      resolve({ code: 127, signal: null });
    });
    child.once("exit", (code: number | null, signal: string | null) => resolve({ code, signal }));
  });
  const pid = child.pid;
  if (pid === undefined) {
    const res = await exited;
    throw new BrError("external", `Cannot start the agent "${argv[0]}" (exit ${res.code})`, {
      hint: `install ${argv[0]} or change the agent profile (parallel.agent / --agent-command)`,
    });
  }
  const pidStart = processStartTime(pid);
  return {
    pid,
    pidStart,
    argv,
    exited,
    stop: (graceMs = 3000) => stopGroup(pid, pidStart, graceMs),
  };
}

/**
 * Variables br keeps from agents: the store's URL holds the database password, which code an
 * agent writes or runs has no need of (its own `br` calls in the worktree then use the
 * worktree's local store, as with SQLite). A profile's `env` can still give it on purpose.
 */
const WITHHELD_FROM_AGENTS: readonly string[] = ["BR_DATABASE_URL"];

/**
 * The environment an agent starts with (br's without {@link WITHHELD_FROM_AGENTS}, the
 * profile's on top, without unset values).
 */
function agentEnv(profile: AgentProfile, base: Record<string, string | undefined>) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !WITHHELD_FROM_AGENTS.includes(k)) env[k] = v;
  }
  return Object.assign(env, profile.env);
}

/** The file `program` names: a path (relative to `cwd`) or the first match on `PATH`. */
async function whichProgram(program: string, path: string, cwd: string): Promise<string | null> {
  const candidates = program.includes("/")
    ? [isAbsolute(program) ? program : join(cwd, program)]
    : path.split(":").filter(Boolean).map((dir) => join(dir, program));
  for (const file of candidates) {
    try {
      const st = await Deno.stat(file);
      if (st.isFile && st.mode !== null && (st.mode & 0o111) !== 0) return file;
    } catch {
      // not there: the next one
    }
  }
  return null;
}

/** `a.b.c` compared by numbers: negative when `a` is older. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** What the pre-flight check found. */
export interface AgentCheck {
  /** The program (first word of the command). */
  program: string;
  /** Where it was found. */
  path: string;
  /** Its version (when the profile needs one). */
  version: string | null;
}

/**
 * Checks, before any task starts, that the agent's program can run: found (on the agent's
 * `PATH`, or the path it names, relative to the project root), executable, and, when the profile
 * sets `min_version`, at least that version by `<program> --version`. Each template of the
 * profile is checked (the long-prompt one too).
 *
 * @throws {BrError} `not_found` naming the program when it is missing, fails `--version`, or is
 * older than the profile needs.
 */
export async function checkAgent(
  profile: AgentProfile,
  baseEnv: Record<string, string | undefined>,
  root: string,
): Promise<AgentCheck[]> {
  const env = agentEnv(profile, baseEnv);
  const programs = new Set<string>();
  for (const t of [profile.command, profile.long_command]) {
    if (t) programs.add(renderArgv(t, TEMPLATE_SAMPLE)[0]);
  }
  const out: AgentCheck[] = [];
  const how = profile.name === "command"
    ? "fix --agent-command"
    : `install it or pick another agent (--agent, --agent-command, parallel.agent)`;
  for (const program of programs) {
    const path = await whichProgram(program, env.PATH ?? "", root);
    if (!path) {
      throw new BrError(
        "not_found",
        `Cannot find the agent program "${program}" (profile "${profile.name}")`,
        {
          hint: `${how}; it is looked up on PATH${
            program.includes("/") ? " (relative to the project root)" : ""
          }`,
        },
      );
    }
    let version: string | null = null;
    if (profile.min_version) {
      const res = await new Deno.Command(path, {
        args: ["--version"],
        env,
        clearEnv: true,
        cwd: root,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(15_000),
      }).output().catch(() => null);
      const text = res
        ? new TextDecoder().decode(res.stdout) + new TextDecoder().decode(res.stderr)
        : "";
      version = /\d+\.\d+(?:\.\d+)?/.exec(text)?.[0] ?? null;
      if (!res?.success || !version) {
        throw new BrError(
          "not_found",
          `Cannot read the version of the agent program "${program}" (${path} --version${
            res ? ` exited ${res.code}` : " did not finish"
          })`,
          {
            hint:
              `profile "${profile.name}" needs ${program} ${profile.min_version} or newer; ${how}`,
          },
        );
      }
      if (compareVersions(version, profile.min_version) < 0) {
        throw new BrError(
          "not_found",
          `Cannot use the agent program "${program}" ${version}: profile "${profile.name}" needs ${profile.min_version} or newer`,
          { hint: `upgrade ${program} (${path}) or pick another agent` },
        );
      }
    }
    out.push({ program, path, version });
  }
  return out;
}

/** Reads usage from the log according to the profile. */
export function readUsage(profile: AgentProfile, output: string): AgentUsage[] {
  switch (profile.usage) {
    case "claude":
      return parseClaudeUsage(output, profile.model);
    case "codex":
      return parseCodexUsage(output, profile.model);
    case "auto": {
      const c = parseClaudeUsage(output, profile.model);
      return c.length ? c : parseCodexUsage(output, profile.model);
    }
    default:
      return [];
  }
}

/** The last non-empty line of a log (for the dashboard), at most 200 characters. */
export async function lastLine(path: string | null): Promise<string | null> {
  if (!path) return null;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch {
    return null;
  }
  try {
    const size = (await file.stat()).size;
    const from = Math.max(0, size - 4096);
    await file.seek(from, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - from);
    let off = 0;
    while (off < buf.length) {
      const n = await file.read(buf.subarray(off));
      if (n === null) break;
      off += n;
    }
    const lines = new TextDecoder().decode(buf.subarray(0, off)).split("\n").map((l) => l.trim())
      .filter(Boolean);
    const last = lines.pop() ?? null;
    return last && last.length > 200 ? last.slice(0, 197) + "..." : last;
  } finally {
    file.close();
  }
}
