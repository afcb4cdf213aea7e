/** Agent usage into the cost ledger and onto the task. */
import type { Project } from "../core/project.ts";
import { recordUsage } from "../cost/mod.ts";
import { readUsage } from "./_agent.ts";
import type { Repo, TaskRow } from "./_repo.ts";
import type { AgentProfile } from "./_settings.ts";

/**
 * Reads the usage the agent printed (per its profile) from the attempt's log, records one
 * cost-ledger row per model, and adds the tokens and USD to the task's totals.
 */
export async function recordTaskUsage(
  project: Project,
  repo: Repo,
  profile: AgentProfile,
  task: TaskRow,
  log: string,
): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(log);
  } catch {
    return;
  }
  const usage = readUsage(profile, text);
  for (const u of usage) {
    // One ledger row per model of the agent session: a session total that `br cost import`
    // replaces by the exact rows once it reads that session's own log. USD as the agent
    // reported it, else priced from the model catalog.
    const rec = await recordUsage(project, {
      source: `parallel:${profile.name}`,
      model: u.model,
      input_tokens: u.input_tokens,
      output_tokens: u.output_tokens,
      cache_creation_tokens: u.cache_creation_tokens,
      cache_read_tokens: u.cache_read_tokens,
      cost_usd: u.cost_usd,
      logged_cost_usd: u.cost_usd,
      session: u.session,
      feature: task.feature,
      task: task.id,
      key: u.session
        ? `agent-session:${u.session}:${u.model}`
        : `parallel:${task.id}#${task.attempt}#${u.model}`,
    });
    const usd = u.cost_usd ?? (rec.entry.priced ? rec.entry.cost_usd : null);
    await repo.addUsage(task.id, {
      cost_usd: usd,
      input: u.input_tokens,
      output: u.output_tokens,
      cw: u.cache_creation_tokens,
      cr: u.cache_read_tokens,
    });
  }
  const fresh = await repo.getTask(task.id);
  if (fresh) task.cost_usd = fresh.cost_usd;
}
