import { sep } from "node:path";

/** What feature attribution needs to know about the project. */
export interface AttributionContext {
  /** The project root. */
  root: string;
  /** The ids of the project's features. */
  features: ReadonlySet<string>;
}

const WORKTREES = `${sep}.buildrunner${sep}worktrees${sep}`;

/**
 * The feature a call belongs to, from the agent's working folder and git branch: a task
 * worktree `<root>/.buildrunner/worktrees/<feature>`, a branch `br/<feature>`, or a branch
 * named after a feature id; `null` when none matches or the folder is outside the project.
 */
export function attributeFeature(
  ctx: AttributionContext,
  cwd: string | null | undefined,
  branch: string | null | undefined,
): string | null {
  if (cwd) {
    const tree = ctx.root + WORKTREES;
    if (cwd.startsWith(tree)) {
      const name = cwd.slice(tree.length).split(sep)[0];
      return name || null;
    }
    if (cwd !== ctx.root && !cwd.startsWith(ctx.root + sep)) return null;
  }
  if (!branch) return null;
  if (branch.startsWith("br/")) {
    const name = branch.slice(3).split("/")[0];
    return name || null;
  }
  return ctx.features.has(branch) ? branch : null;
}
