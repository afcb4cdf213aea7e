/**
 * Log trees with the field layout Claude Code and Codex really write, for the cost tests.
 */
import { dirname, join } from "node:path";

/** One Claude Code assistant line. */
export interface CcLine {
  id?: string;
  req?: string | null;
  model: string;
  time: string;
  input: number;
  output: number;
  write5m?: number;
  write1h?: number;
  /** cache_creation_input_tokens without the `cache_creation` object (older logs). */
  writeLegacy?: number;
  read?: number;
  cwd?: string;
  branch?: string;
  sidechain?: boolean;
  costUSD?: number;
  session?: string;
}

/** A Claude Code JSONL line (assistant message with usage). */
export function ccLine(l: CcLine): string {
  const usage: Record<string, unknown> = {
    input_tokens: l.input,
    cache_creation_input_tokens: l.writeLegacy ?? (l.write5m ?? 0) + (l.write1h ?? 0),
    cache_read_input_tokens: l.read ?? 0,
    output_tokens: l.output,
    service_tier: "standard",
  };
  if (l.writeLegacy === undefined) {
    usage.cache_creation = {
      ephemeral_5m_input_tokens: l.write5m ?? 0,
      ephemeral_1h_input_tokens: l.write1h ?? 0,
    };
  }
  const obj: Record<string, unknown> = {
    parentUuid: crypto.randomUUID(),
    isSidechain: l.sidechain ?? false,
    userType: "external",
    cwd: l.cwd ?? "/home/dev/elsewhere",
    sessionId: l.session ?? "s",
    version: "2.0.14",
    gitBranch: l.branch ?? "main",
    message: {
      id: l.id,
      type: "message",
      role: "assistant",
      model: l.model,
      content: [{ type: "text", text: "done" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage,
    },
    type: "assistant",
    uuid: crypto.randomUUID(),
    timestamp: l.time,
  };
  if (l.req !== null) obj.requestId = l.req ?? `req_${l.id}`;
  if (l.costUSD !== undefined) obj.costUSD = l.costUSD;
  return JSON.stringify(obj);
}

/** A Claude Code user line (no usage). */
export function ccUser(time: string, cwd = "/home/dev/elsewhere"): string {
  return JSON.stringify({
    parentUuid: null,
    isSidechain: false,
    userType: "external",
    cwd,
    sessionId: "s",
    version: "2.0.14",
    gitBranch: "main",
    type: "user",
    message: { role: "user", content: "please fix the tests" },
    uuid: crypto.randomUUID(),
    timestamp: time,
  });
}

/** Codex `session_meta`. */
export function cxMeta(id: string, cwd: string, branch: string, time: string): string {
  return JSON.stringify({
    timestamp: time,
    type: "session_meta",
    payload: {
      id,
      timestamp: time,
      cwd,
      originator: "codex_cli_rs",
      cli_version: "0.46.0",
      instructions: null,
      git: { commit_hash: "0f1e2d3c", branch, repository_url: "git@example.com:acme/app.git" },
    },
  });
}

/** Codex `turn_context`. */
export function cxTurn(model: string, cwd: string, time: string): string {
  return JSON.stringify({
    timestamp: time,
    type: "turn_context",
    payload: {
      cwd,
      approval_policy: "on-request",
      sandbox_policy: { mode: "workspace-write" },
      model,
      effort: "medium",
      summary: "auto",
    },
  });
}

/** Codex cumulative token counters. */
export interface CxUsage {
  input: number;
  cached: number;
  output: number;
  reasoning?: number;
}

function usage(u: CxUsage) {
  return {
    input_tokens: u.input,
    cached_input_tokens: u.cached,
    output_tokens: u.output,
    reasoning_output_tokens: u.reasoning ?? 0,
    total_tokens: u.input + u.output,
  };
}

/** Codex `event_msg` `token_count` with cumulative totals and the last turn's usage. */
export function cxCount(time: string, total: CxUsage | null, last?: CxUsage): string {
  return JSON.stringify({
    timestamp: time,
    type: "event_msg",
    payload: {
      type: "token_count",
      info: total
        ? {
          total_token_usage: usage(total),
          last_token_usage: usage(last ?? total),
          model_context_window: 272000,
        }
        : null,
      rate_limits: { primary: { used_percent: 7.0, window_minutes: 300, resets_at: 1763483205 } },
    },
  });
}

/** Codex `response_item` (a message; no usage). */
export function cxItem(time: string): string {
  return JSON.stringify({
    timestamp: time,
    type: "response_item",
    payload: { type: "message", role: "assistant", content: [{ type: "output_text", text: "ok" }] },
  });
}

/** Writes `lines` to `path` (creating folders), one per line with a final newline unless `open`. */
export async function writeLog(path: string, lines: string[], open = false): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, lines.join("\n") + (open ? "" : "\n"));
}

/** Appends lines to a log. */
export async function appendLog(path: string, lines: string[]): Promise<void> {
  await Deno.writeTextFile(path, lines.join("\n") + "\n", { append: true });
}

export { join };

/** What {@link writeBigTree} wrote, computed by hand. */
export interface BigTree {
  /** The folder holding `projects/`. */
  claude: string;
  /** Ledger rows the logs make (one per API response). */
  rows: number;
  /** Output tokens of those rows (the larger count of each split response). */
  output: number;
  /** Input tokens. */
  input: number;
  /** Bytes of log. */
  bytes: number;
}

/**
 * A Claude Code tree of `files` sessions of `messages` responses each: a user line, then each
 * response split over two lines (the first with a partial output count), as Claude Code
 * writes them. Several MiB with the defaults.
 */
export async function writeBigTree(
  dir: string,
  files = 12,
  messages = 1200,
): Promise<BigTree> {
  const claude = join(dir, "claude");
  const padding = "x".repeat(400);
  let rows = 0;
  let output = 0;
  let input = 0;
  let bytes = 0;
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let m = 0; m < messages; m++) {
      const time = new Date(Date.UTC(2026, 10, 1, 0, 0, f * messages + m)).toISOString();
      const id = `msg_${f}_${m}`;
      const base = { id, model: "claude-haiku-4-5-20251001", time, input: 10 + (m % 7) };
      lines.push(JSON.stringify({ type: "user", timestamp: time, message: { content: padding } }));
      lines.push(ccLine({ ...base, output: 1 }), ccLine({ ...base, output: 20 + (m % 13) }));
      rows++;
      output += 20 + (m % 13);
      input += 10 + (m % 7);
    }
    const text = lines.join("\n") + "\n";
    bytes += new TextEncoder().encode(text).length;
    const path = join(claude, "projects", `-work-p${f % 3}`, `session-${f}.jsonl`);
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  return { claude, rows, output, input, bytes };
}
