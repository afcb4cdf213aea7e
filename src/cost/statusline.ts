import type { Project } from "../core/project.ts";
import { readStore } from "../core/store_read.ts";
import { costBlocks, type UsageBlock } from "./blocks.ts";
import { round } from "./ledger.ts";
import { resolveTimeZone, usdOfNano } from "./summary.ts";
import { periodWindow } from "./_time.ts";

/** The part of the JSON Claude Code passes to a status line command that br reads. */
export interface StatusInput {
  /** Claude Code's session id. */
  session_id?: string;
  /** Claude Code's own running figures for the session. */
  cost?: { total_cost_usd?: number };
  /** The model in use. */
  model?: { id?: string; display_name?: string };
}

/** The figures of one status line. */
export interface StatusFigures {
  /** The model's display name, when Claude Code passed one. */
  model: string | null;
  /** USD of the session: Claude Code's own figure, else the ledger's rows of the session. */
  session_cost_usd: number | null;
  /** USD in the ledger today (in the cost time zone). */
  today_cost_usd: number;
  /** The active 5-hour window of Claude Code usage, `null` when none is open. */
  block: UsageBlock | null;
}

/**
 * Today's window. In the process's own zone (no `cost` config, the same `TZ` as the process) it
 * comes from `Date`'s local fields, which spares loading the ICU time-zone data (tens of ms on
 * every status line refresh); otherwise from the configured zone.
 */
async function todayWindow(project: Project): Promise<{ start: Date; end: Date }> {
  const now = project.clock.now();
  let ownZone = false;
  try {
    ownZone = !project.configMentions("cost") &&
      (project.env.TZ ?? "") === (Deno.env.get("TZ") ?? "");
  } catch {
    // No permission to read the process's TZ: use the zone by name.
  }
  if (ownZone) {
    const start = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    const end = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
    return { start, end };
  }
  return periodWindow("daily", now, await resolveTimeZone(project));
}

/** A session's USD in nano-dollars: the rollup's sums of it (found by its index, migration 13). */
export const SESSION_USD = "SELECT sum(usd) AS usd FROM cost_rollup WHERE session = ?";

/**
 * The figures of a status line: session, today, the active 5-hour window and its burn rate,
 * from the ledger (as of the last `br cost import`) and Claude Code's JSON.
 *
 * @throws {BrError} `storage` when the ledger cannot be read.
 */
export async function statusFigures(project: Project, input: StatusInput): Promise<StatusFigures> {
  const store = await readStore(project);
  const day = await todayWindow(project);
  const today = await store.get<{ usd: number | null }>(
    "SELECT sum(cost_usd) AS usd FROM cost_ledger WHERE time >= ? AND time < ?",
    [day.start.toISOString(), day.end.toISOString()],
  );
  let session: number | null = null;
  const given = input.cost?.total_cost_usd;
  if (typeof given === "number" && Number.isFinite(given)) session = given;
  else if (typeof input.session_id === "string" && input.session_id) {
    const row = await store.get<{ usd: number | null }>(SESSION_USD, [input.session_id]);
    session = row?.usd === null || row?.usd === undefined ? null : usdOfNano(Number(row.usd));
  }
  const [block] = await costBlocks(project, { active: true });
  return {
    model: typeof input.model?.display_name === "string" ? input.model.display_name : null,
    session_cost_usd: session,
    today_cost_usd: round(Number(today?.usd ?? 0)),
    block: block ?? null,
  };
}
