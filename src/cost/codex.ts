import { basename, join } from "../core/path.ts";
import { attributeFeature, type AttributionContext, projectKey } from "./attribution.ts";
import { isoUtc, num, str } from "./_fields.ts";
import type { UsageEntry } from "./types.ts";
import type { Fields } from "./_scan.ts";

/** Name of the Codex source in the ledger. */
export const CODEX = "codex";

/** The folders holding Codex session logs: `sessions/` and `archived_sessions/` of `CODEX_HOME` (default `~/.codex`). */
export function codexSessionDirs(env: Record<string, string | undefined>): string[] {
  const home = env.CODEX_HOME?.trim() ||
    join(env.HOME ?? env.USERPROFILE ?? "", ".codex");
  return [join(home, "sessions"), join(home, "archived_sessions")];
}

/** Cumulative token counters of a Codex session. */
export interface CodexTotals {
  /** Input, cached input included. */
  input: number;
  /** Cached input. */
  cached: number;
  /** Output, reasoning included. */
  output: number;
}

/** What the Codex parser carries from line to line of one file (kept between imports). */
export interface CodexState {
  /** Session id. */
  session: string;
  /** Model of the current turn. */
  model: string | null;
  /** Working folder. */
  cwd: string | null;
  /** Git branch. */
  branch: string | null;
  /** The last cumulative totals seen. */
  totals: CodexTotals | null;
}

const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/i;

/** The state at the start of a Codex session file. */
export function codexInitialState(file: string): CodexState {
  const m = UUID.exec(basename(file));
  return {
    session: m ? m[1] : basename(file).replace(/\.jsonl$/i, ""),
    model: null,
    cwd: null,
    branch: null,
    totals: null,
  };
}

function totalsOf(u: unknown): CodexTotals | null {
  if (!u || typeof u !== "object") return null;
  const r = u as Record<string, unknown>;
  return {
    input: num(r.input_tokens),
    cached: num(r.cached_input_tokens ?? r.cache_read_input_tokens),
    output: num(r.output_tokens),
  };
}

/**
 * Reads one line of a Codex session log: `session_meta` and `turn_context` update the
 * state (session, working folder, branch, model); a `token_count` event yields the tokens
 * used since the previous one (the totals are cumulative). Cached input is reported as
 * cache read and taken out of input; reasoning stays inside output. Throws on malformed
 * JSON.
 */
export function parseCodexLine(
  line: string,
  state: CodexState,
  attribution: AttributionContext,
): UsageEntry | null {
  if (!CODEX_MARKERS.some((m) => line.includes(m))) return null;
  return codexEntry(JSON.parse(line), state, attribution);
}

/** A line matters only when it holds one of these (the rest is never parsed). */
export const CODEX_MARKERS: readonly string[] = [
  '"token_count"',
  '"turn_context"',
  '"session_meta"',
];

/**
 * The members {@link codexEntry} reads (an import reduces each marked line to them before it
 * parses it, see `_scan.ts`: a session's instructions and a turn's other settings are checked,
 * not parsed).
 */
export const CODEX_FIELDS: Fields = {
  keep: ["type", "payload", "timestamp"],
  parent: "payload",
  inner: ["type", "id", "cwd", "git", "model", "info"],
};

/** {@link parseCodexLine} of a line already parsed (one that holds a marker). */
export function codexEntry(
  // deno-lint-ignore no-explicit-any
  obj: any,
  state: CodexState,
  attribution: AttributionContext,
): UsageEntry | null {
  const payload = obj?.payload;
  if (!payload || typeof payload !== "object") return null;
  if (obj.type === "session_meta") {
    state.session = str(payload.id) ?? state.session;
    state.cwd = str(payload.cwd) ?? state.cwd;
    state.branch = str(payload.git?.branch) ?? state.branch;
    return null;
  }
  if (obj.type === "turn_context") {
    state.model = str(payload.model) ?? state.model;
    state.cwd = str(payload.cwd) ?? state.cwd;
    return null;
  }
  if (obj.type !== "event_msg" || payload.type !== "token_count") return null;
  const info = payload.info;
  if (!info || typeof info !== "object") return null;
  const total = totalsOf(info.total_token_usage);
  const last = totalsOf(info.last_token_usage);
  const prev = state.totals;
  let delta: CodexTotals | null;
  if (total) {
    const grew = !prev ||
      (total.input >= prev.input && total.cached >= prev.cached && total.output >= prev.output);
    delta = grew
      ? {
        input: total.input - (prev?.input ?? 0),
        cached: total.cached - (prev?.cached ?? 0),
        output: total.output - (prev?.output ?? 0),
      }
      : last ?? total;
    state.totals = total;
  } else {
    delta = last;
  }
  const model = str(info.model) ?? str(payload.model) ?? state.model;
  if (model) state.model = model;
  const time = str(obj.timestamp);
  if (!delta || !time || (delta.input === 0 && delta.cached === 0 && delta.output === 0)) {
    return null;
  }
  const cached = Math.min(delta.cached, delta.input);
  return {
    time: isoUtc(time),
    source: CODEX,
    model: model ?? "unknown",
    input_tokens: delta.input - cached,
    output_tokens: delta.output,
    cache_creation_tokens: 0,
    cache_read_tokens: cached,
    session: state.session,
    project: state.cwd ? projectKey(state.cwd) : null,
    feature: attributeFeature(attribution, state.cwd, state.branch),
    key: total
      ? `codex:${state.session}:${total.input}:${total.cached}:${total.output}`
      : `codex:${state.session}:${time}`,
  };
}
