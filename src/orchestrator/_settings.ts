import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { renderArgv } from "./_words.ts";

/** How an agent is started. */
export interface AgentProfile {
  /** Profile name. */
  name: string;
  /** argv template with `{prompt}`, `{prompt_file}`, `{feature}`, `{worktree}`. */
  command: string;
  /** Feed the prompt file to standard input. */
  stdin: boolean;
  /** Template used when the prompt is longer than `prompt_arg_max` (null: always `command`). */
  long_command: string | null;
  /** Feed the prompt file to standard input with `long_command`. */
  long_stdin: boolean;
  /** Which documented output to read usage from. */
  usage: "auto" | "claude" | "codex" | "none";
  /** Model to record when the output names none. */
  model: string | null;
  /** Extra environment of the agent. */
  env: Record<string, string>;
  /** Oldest version of the program (`<program> --version`) whose flags and output br uses. */
  min_version: string | null;
}

/** The built-in profiles (a profile of the same name in config replaces one). */
export const BUILTIN_PROFILES: Readonly<Record<string, AgentProfile>> = {
  claude: {
    name: "claude",
    command: "claude -p {prompt} --output-format json --permission-mode acceptEdits",
    stdin: false,
    long_command: "claude -p --output-format json --permission-mode acceptEdits",
    long_stdin: true,
    usage: "claude",
    model: null,
    env: {},
    // --permission-mode and the result's total_cost_usd.
    min_version: "1.0.0",
  },
  codex: {
    name: "codex",
    // --full-auto is gone from current Codex; the sandbox mode says the same for exec.
    command: "codex exec --json --sandbox workspace-write {prompt}",
    stdin: false,
    long_command: "codex exec --json --sandbox workspace-write -",
    long_stdin: true,
    usage: "codex",
    model: null,
    env: {},
    // exec --json with thread/turn/item events (turn.completed carries the usage).
    min_version: "0.44.0",
  },
  aider: {
    name: "aider",
    command: "aider --yes --message {prompt}",
    stdin: false,
    long_command: "aider --yes --message-file {prompt_file}",
    long_stdin: false,
    usage: "none",
    model: null,
    env: {},
    min_version: null,
  },
};

/** Effective settings of one run (config + flags). */
export interface ParallelSettings {
  /** Concurrent workers. */
  workers: number;
  /** The agent profile. */
  profile: AgentProfile;
  /** Per-attempt timeout, ms. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  /** First retry delay, ms (doubles each retry). */
  backoffMs: number;
  /** Heartbeat interval, ms. */
  heartbeatMs: number;
  /** Branch prefix. */
  branchPrefix: string;
  /** Base branch (null: the current branch). */
  base: string | null;
  /** Ignored files copied into each worktree. */
  include: string[];
  /** Merge mode. */
  merge: "ff" | "no-ff" | "ff-only";
  /** Leave branches for review instead of merging. */
  noMerge: boolean;
  /** Status of a merged feature. */
  onSuccess: "complete" | "testing";
  /** Gates run in the worktree (null: the `quality.gates` setting; [] none). */
  gates: string[] | null;
  /** Run the project's test command in the worktree. */
  runTests: boolean;
  /** Commit features.json on the base after each merge. */
  commitStatus: boolean;
  /** Remove a merged task's worktree and branch. */
  cleanup: boolean;
  /** Stop starting tasks once the run has cost this much. */
  maxCostUsd: number | null;
  /** Longest prompt passed as an argument. */
  promptArgMax: number;
  /** The project's test command. */
  testCommand: string | null;
}

/** Flags of `br parallel run` that override config. */
export interface SettingsOverrides {
  /** `--workers`. */
  workers?: number;
  /** `--agent`. */
  agent?: string;
  /** `--agent-command`. */
  agentCommand?: string;
  /** `--timeout`. */
  timeout?: string;
  /** `--retries`. */
  retries?: number;
  /** `--max-cost`. */
  maxCostUsd?: number;
  /** `--no-merge`. */
  noMerge?: boolean;
  /** `--base`. */
  base?: string;
}

/** Empty values for every placeholder: an agent command template is checked by rendering it. */
export const TEMPLATE_SAMPLE: Readonly<Record<string, string>> = {
  prompt: "",
  prompt_file: "",
  feature: "",
  worktree: "",
};

/**
 * Parses `30m`, `90s`, `1h`, `250ms` (a bare number is seconds).
 *
 * @throws {BrError} `usage` for anything else.
 */
export function parseDuration(value: string | number, what = "duration"): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value * 1000;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(String(value));
  if (!m) {
    throw new BrError("usage", `Invalid ${what} "${value}"`, {
      hint: "use a number with a unit: 250ms, 90s, 30m, 1h",
    });
  }
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return Math.round(n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit] as number));
}

/** Loads the run settings: config section `parallel` with the flags on top. */
export async function loadSettings(
  project: Project,
  flags: SettingsOverrides = {},
): Promise<ParallelSettings> {
  await import("./config.ts");
  const config = await project.config();
  const get = <T>(key: string): T => config.get(`parallel.${key}`) as T;
  const profiles = get<Record<string, Omit<AgentProfile, "name">>>("agents") ?? {};
  let profile: AgentProfile;
  if (flags.agentCommand !== undefined) {
    profile = {
      name: "command",
      command: flags.agentCommand,
      stdin: false,
      long_command: null,
      long_stdin: false,
      usage: "auto",
      model: null,
      env: {},
      min_version: null,
    };
  } else {
    const name = flags.agent ?? get<string>("agent");
    const custom = profiles[name];
    const builtin = BUILTIN_PROFILES[name];
    if (custom) {
      profile = {
        name,
        command: custom.command,
        stdin: (custom.stdin as unknown) === "prompt",
        long_command: custom.long_command ?? null,
        long_stdin: (custom.long_stdin as unknown) === "prompt",
        usage: custom.usage ?? "auto",
        model: custom.model ?? null,
        env: custom.env ?? {},
        min_version: custom.min_version ?? null,
      };
    } else if (builtin) profile = builtin;
    else {
      throw new BrError("usage", `Unknown agent profile "${name}"`, {
        hint: name === "command"
          ? 'pass --agent-command "<argv template>" or set parallel.agents.command.command'
          : `use claude, codex, aider, --agent-command, or define parallel.agents.${name}.command`,
      });
    }
  }
  if (!profile.model && get<string | null>("model")) {
    profile = { ...profile, model: get<string>("model") };
  }
  // A bad template is a usage error now, not a failed task later.
  renderArgv(profile.command, TEMPLATE_SAMPLE);
  if (profile.long_command) renderArgv(profile.long_command, TEMPLATE_SAMPLE);
  const workers = flags.workers ?? get<number>("workers");
  if (!Number.isInteger(workers) || workers < 1) {
    throw new BrError("usage", `Invalid worker count "${workers}"`, { hint: "use 1 or more" });
  }
  return {
    workers,
    profile,
    timeoutMs: parseDuration(flags.timeout ?? get<string>("timeout"), "timeout"),
    retries: flags.retries ?? get<number>("retries"),
    backoffMs: parseDuration(get<string>("retry_backoff"), "parallel.retry_backoff"),
    heartbeatMs: Math.max(50, parseDuration(get<string>("heartbeat"), "parallel.heartbeat")),
    branchPrefix: get<string>("branch_prefix"),
    base: flags.base ?? get<string | null>("base"),
    include: get<string[]>("include"),
    merge: get<"ff">("merge"),
    noMerge: !!flags.noMerge,
    onSuccess: get<"complete">("on_success"),
    gates: get<string[] | null>("gates"),
    runTests: get<boolean>("run_tests"),
    commitStatus: get<boolean>("commit_status"),
    cleanup: get<boolean>("cleanup"),
    maxCostUsd: flags.maxCostUsd ?? get<number | null>("max_cost_usd"),
    promptArgMax: get<number>("prompt_arg_max"),
    testCommand: (config.get("project.test_command") as string | null) ?? null,
  };
}
