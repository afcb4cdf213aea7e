/**
 * The agent's prompt: the feature's handoff package (spec capability: `buildHandoff` +
 * `renderHandoff`), followed by what the agent must know about working in a task worktree.
 */
import type { Project } from "../core/project.ts";
import { buildHandoff, renderHandoff } from "../spec/mod.ts";

/** Renders the prompt for one feature's task. */
export async function taskPrompt(
  project: Project,
  feature: string,
  branch: string,
): Promise<string> {
  const handoff = renderHandoff(await buildHandoff(project, feature));
  return [
    handoff.trimEnd(),
    "",
    "## Where you work",
    "",
    `You are in a git worktree of this project, on branch \`${branch}\`, started by`,
    "`br parallel`. Work only here. Commit when you are done (anything left uncommitted is",
    "committed for you). Do not edit files under `.buildrunner/`: `br` records the feature",
    "status itself on the base branch, and a branch that changes them is rejected.",
    "",
  ].join("\n");
}
