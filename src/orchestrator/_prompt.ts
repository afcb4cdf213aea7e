/**
 * The agent's prompt. The handoff package of the spec capability (`buildHandoff` +
 * `renderHandoff`, issue 3) is the intended prompt; until it is on main this renders the
 * feature's own fields from features.json, and says so in the prompt's first line.
 */
import type { Feature } from "../features/mod.ts";

/** Renders the prompt for one feature. */
export function featurePrompt(feature: Feature, branch: string): string {
  const lines = [
    `# Task: ${feature.name} (feature "${feature.id}")`,
    "",
    "<!-- prompt built from .buildrunner/features.json (handoff package not available) -->",
    "",
    "You are working in a git worktree on branch `" + branch + "`. Implement the feature",
    "below in this worktree. Commit your work when you are done (uncommitted changes are",
    "committed for you). Do not edit files under `.buildrunner/`: `br` records the feature",
    "status itself, and a branch that changes them is rejected.",
    "",
  ];
  if (feature.description) lines.push("## Description", "", feature.description, "");
  if (feature.acceptance.length) {
    lines.push("## Acceptance criteria", "", ...feature.acceptance.map((a) => `- ${a}`), "");
  }
  if (feature.files.length) {
    lines.push("## Where the work lives", "", ...feature.files.map((f) => `- \`${f}\``), "");
  }
  if (feature.dependencies.length) {
    lines.push(
      "## Depends on (already merged)",
      "",
      ...feature.dependencies.map((d) => `- ${d}`),
      "",
    );
  }
  return lines.join("\n");
}
