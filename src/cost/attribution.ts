import { sep } from "../core/path.ts";

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

/**
 * The project key of a working folder: the folder itself, or the project root for a br task
 * worktree (`<root>/.buildrunner/worktrees/<name>`), so that every agent's usage in one
 * repository sums under one key.
 */
export function projectKey(cwd: string): string {
  const at = cwd.indexOf(WORKTREES);
  return at > 0 ? cwd.slice(0, at) : cwd;
}

// Claude Code names a project's log folder after the launch folder with every character other
// than a letter or digit turned into a dash (older versions: only separators and dots).
const claudeNames = (path: string) => [
  path.replace(/[^a-zA-Z0-9]/g, "-"),
  path.replace(/[\\/.:]/g, "-"),
];

const claudeKeys = new Map<string, string | null>();

/**
 * The project key of a Claude Code line: the launch folder its log folder is named after
 * (found by walking up the line's `cwd`), as {@link projectKey}; the folder name itself when the
 * line has no `cwd` or no parent of it matches.
 */
export function claudeProjectKey(folder: string | null, cwd: string | null): string | null {
  if (!folder || !cwd) return folder;
  const memo = `${folder}\0${cwd}`;
  const known = claudeKeys.get(memo);
  if (known !== undefined) return known;
  let found: string | null = null;
  for (let dir = cwd; dir; dir = dir.slice(0, Math.max(0, dir.lastIndexOf(sep)))) {
    if (claudeNames(dir).includes(folder)) {
      found = projectKey(dir);
      break;
    }
    if (!dir.includes(sep)) break;
  }
  const key = found ?? folder;
  if (claudeKeys.size > 10_000) claudeKeys.clear();
  claudeKeys.set(memo, key);
  return key;
}
