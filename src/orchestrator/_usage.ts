/** Token usage read from an agent's documented JSON output. */

/** One model's usage in one agent run. */
export interface AgentUsage {
  /** Model id as the agent named it (or the profile's model). */
  model: string;
  /** Uncached input tokens. */
  input_tokens: number;
  /** Output tokens. */
  output_tokens: number;
  /** Tokens written to the prompt cache. */
  cache_creation_tokens: number;
  /** Tokens read from the prompt cache. */
  cache_read_tokens: number;
  /** USD as the agent reported it, when it did. */
  cost_usd: number | null;
  /** The agent's session id, when reported. */
  session: string | null;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function jsonObjects(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("{")) continue;
    try {
      const v = JSON.parse(t);
      if (v && typeof v === "object" && !Array.isArray(v)) out.push(v);
    } catch {
      // not a JSON line: ordinary log output
    }
  }
  if (out.length === 0) {
    // `--output-format json` printed with indentation: take the outermost object.
    const start = output.indexOf("{");
    const end = output.lastIndexOf("}");
    if (start >= 0 && end > start) {
      try {
        const v = JSON.parse(output.slice(start, end + 1));
        if (v && typeof v === "object") out.push(v);
      } catch {
        // no JSON at all
      }
    }
  }
  return out;
}

/**
 * Claude Code's result object (`claude -p --output-format json`, or the last line of
 * `stream-json`): one row per model of `modelUsage` (with its `costUSD`), else one row from
 * `usage` and `total_cost_usd`.
 */
export function parseClaudeUsage(output: string, fallbackModel: string | null): AgentUsage[] {
  const result = jsonObjects(output).filter((o) => o.type === "result").pop();
  if (!result) return [];
  const session = typeof result.session_id === "string" ? result.session_id : null;
  const models = result.modelUsage as Record<string, Record<string, unknown>> | undefined;
  if (models && typeof models === "object" && Object.keys(models).length > 0) {
    return Object.entries(models).sort(([a], [b]) => a.localeCompare(b)).map(([model, u]) => ({
      model,
      input_tokens: num(u.inputTokens),
      output_tokens: num(u.outputTokens),
      cache_creation_tokens: num(u.cacheCreationInputTokens),
      cache_read_tokens: num(u.cacheReadInputTokens),
      cost_usd: typeof u.costUSD === "number" ? u.costUSD : null,
      session,
    }));
  }
  const u = (result.usage ?? {}) as Record<string, unknown>;
  return [{
    model: fallbackModel ?? "claude",
    input_tokens: num(u.input_tokens),
    output_tokens: num(u.output_tokens),
    cache_creation_tokens: num(u.cache_creation_input_tokens),
    cache_read_tokens: num(u.cache_read_input_tokens),
    cost_usd: typeof result.total_cost_usd === "number" ? result.total_cost_usd : null,
    session,
  }];
}

/**
 * Codex's `codex exec --json` events: the `usage` of every `turn.completed`, summed. Codex
 * counts cached tokens inside `input_tokens`; they are split out here so that no token is
 * priced twice. Codex names no model in these events, so the profile's model is used.
 */
export function parseCodexUsage(output: string, fallbackModel: string | null): AgentUsage[] {
  let found = false;
  let session: string | null = null;
  const total = { input: 0, cached: 0, output: 0 };
  for (const ev of jsonObjects(output)) {
    if ((ev.type === "thread.started" || ev.type === "session.created") && !session) {
      const id = ev.thread_id ?? ev.session_id;
      if (typeof id === "string") session = id;
    }
    if (ev.type !== "turn.completed") continue;
    const u = (ev.usage ?? {}) as Record<string, unknown>;
    total.input += num(u.input_tokens);
    total.cached += num(u.cached_input_tokens);
    total.output += num(u.output_tokens);
    found = true;
  }
  if (!found) return [];
  return [{
    model: fallbackModel ?? "codex",
    input_tokens: Math.max(0, total.input - total.cached),
    output_tokens: total.output,
    cache_creation_tokens: 0,
    cache_read_tokens: total.cached,
    cost_usd: null,
    session,
  }];
}
