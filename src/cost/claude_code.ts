import { basename, dirname, join, relative, sep } from "../core/path.ts";
import { attributeFeature, type AttributionContext, claudeProjectKey } from "./attribution.ts";
import { isoUtc, num, str } from "./_fields.ts";
import type { UsageEntry } from "./types.ts";
import type { Fields } from "./_scan.ts";

/** Name of the Claude Code source in the ledger. */
export const CLAUDE_CODE = "claude-code";

/**
 * The folders holding Claude Code projects: `CLAUDE_CONFIG_DIR` (comma-separated, each
 * with a `projects/` folder) when set, else `~/.config/claude/projects` and
 * `~/.claude/projects`.
 */
export function claudeProjectDirs(env: Record<string, string | undefined>): string[] {
  const configured = env.CLAUDE_CONFIG_DIR?.split(",").map((s) => s.trim()).filter(Boolean);
  if (configured?.length) return configured.map((d) => join(d, "projects"));
  const home = env.HOME ?? env.USERPROFILE ?? "";
  return [join(home, ".config", "claude", "projects"), join(home, ".claude", "projects")];
}

/** Session and project of a log file below a `projects/` folder. */
export function claudeFileContext(
  projectsDir: string,
  file: string,
): { session: string; project: string | null } {
  // A file found below the folder starts with it (no need to resolve either path).
  const rel =
    (file.startsWith(projectsDir + sep)
      ? file.slice(projectsDir.length + 1)
      : relative(projectsDir, file)).split(sep);
  const project = rel.length > 1 ? rel[0] : null;
  const parent = dirname(file);
  const session = basename(parent) === "subagents"
    ? basename(dirname(parent))
    : basename(file).replace(/\.jsonl$/i, "");
  return { session, project };
}

/** What {@link parseClaudeLine} needs besides the line. */
export interface ClaudeLineContext {
  /** Session of the file. */
  session: string;
  /** Project folder of the file. */
  project: string | null;
  /** Feature attribution. */
  attribution: AttributionContext;
}

/** A line can carry usage only when it holds one of these (the rest is never parsed). */
export const CLAUDE_MARKERS: readonly string[] = ['"usage"'];

/**
 * Turns one line of a Claude Code session log into a usage entry, or `null` when the line
 * carries no usage (or is a `<synthetic>` message). Throws on malformed JSON.
 */
export function parseClaudeLine(line: string, ctx: ClaudeLineContext): UsageEntry | null {
  if (!line.includes(CLAUDE_MARKERS[0])) return null;
  return claudeEntry(JSON.parse(line), ctx);
}

/**
 * The members {@link claudeEntry} reads (an import reduces each usage line to them before it
 * parses it, see `_scan.ts`: the message's content, most of a line, is checked, not parsed).
 */
export const CLAUDE_FIELDS: Fields = {
  keep: ["message", "timestamp", "requestId", "cwd", "costUSD", "gitBranch", "uuid", "isSidechain"],
  parent: "message",
  inner: ["usage", "model", "id"],
};

/** {@link parseClaudeLine} of a line already parsed (one that holds a marker). */
// deno-lint-ignore no-explicit-any
export function claudeEntry(obj: any, ctx: ClaudeLineContext): UsageEntry | null {
  const message = obj?.message;
  const usage = message?.usage;
  if (!usage || typeof usage !== "object") return null;
  const model = str(message.model) ?? "unknown";
  if (model === "<synthetic>") return null;
  const time = str(obj.timestamp);
  if (!time) return null;
  let creation = num(usage.cache_creation_input_tokens);
  let oneHour = 0;
  const split = usage.cache_creation;
  if (split && typeof split === "object") {
    const fiveMin = num(split.ephemeral_5m_input_tokens);
    oneHour = num(split.ephemeral_1h_input_tokens);
    if (fiveMin + oneHour > creation) creation = fiveMin + oneHour;
  }
  const id = str(message.id);
  const request = str(obj.requestId);
  const cwd = str(obj.cwd);
  const logged = typeof obj.costUSD === "number" && Number.isFinite(obj.costUSD)
    ? obj.costUSD
    : null;
  return {
    time: isoUtc(time),
    source: CLAUDE_CODE,
    model,
    input_tokens: num(usage.input_tokens),
    output_tokens: num(usage.output_tokens),
    cache_creation_tokens: creation,
    cache_creation_1h_tokens: oneHour,
    cache_read_tokens: num(usage.cache_read_input_tokens),
    logged_cost_usd: logged,
    session: ctx.session,
    project: claudeProjectKey(ctx.project, cwd),
    feature: attributeFeature(ctx.attribution, cwd, str(obj.gitBranch)),
    key: id ? `cc:${id}:${request ?? ""}` : str(obj.uuid) ? `cc-line:${obj.uuid}` : null,
    message_id: id,
    sidechain: obj.isSidechain === true,
  };
}
