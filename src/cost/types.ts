/** One usage record as the importers and {@link recordUsage} produce it. */
export interface UsageEntry {
  /** When the call happened (ISO 8601 UTC). */
  time: string;
  /** Where it was read from: `claude-code`, `codex`, or a caller's name such as `parallel`. */
  source: string;
  /** The model name as the agent logged it. */
  model: string;
  /** Uncached input tokens (cache reads and writes excluded). */
  input_tokens: number;
  /** Output tokens, reasoning included. */
  output_tokens: number;
  /** Cache-write tokens (5m + 1h). */
  cache_creation_tokens: number;
  /** The part of `cache_creation_tokens` written with the 1-hour lifetime. */
  cache_creation_1h_tokens?: number;
  /** Cache-read tokens. */
  cache_read_tokens: number;
  /** USD; priced from the catalog when absent. */
  cost_usd?: number | null;
  /** USD the log itself carries (Claude Code's legacy `costUSD`), when it does. */
  logged_cost_usd?: number | null;
  /** Agent session id. */
  session?: string | null;
  /** Project the log belongs to (Claude Code's project folder, Codex's working folder). */
  project?: string | null;
  /** Feature id the call is attributed to. */
  feature?: string | null;
  /** Task id. */
  task?: string | null;
  /** Dedup key: a second entry with the same key is merged into the first, not added. */
  key?: string | null;
  /** API message id (Claude Code), used to drop sidechain replays. */
  message_id?: string | null;
  /** True for a Claude Code sidechain (subagent) line. */
  sidechain?: boolean;
}
