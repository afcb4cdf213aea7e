/**
 * Merging a finished task branch into the base: only into the main checkout, only while it is
 * on the base branch and clean (apart from the files `br` itself owns there); a conflict is
 * aborted and reported with its files, the branch kept. Nothing is forced or overwritten.
 */
import { resolve } from "node:path";
import { exists } from "../core/fs.ts";
import { git, gitOk } from "../core/git.ts";

/** Files `br` changes on the base itself (status); they do not make the checkout dirty. */
const BR_OWNED = new Set([".buildrunner/features.json", "STATUS.md"]);

/** Outcome of a merge attempt. */
export type MergeOutcome =
  | { kind: "merged"; commit: string; fast_forward: boolean }
  | { kind: "review"; reason: string }
  | { kind: "conflict"; files: string[]; reason: string };

/** The branch checked out in `root`, or null when detached. */
export async function currentBranch(root: string): Promise<string | null> {
  const res = await git(["symbolic-ref", "--short", "-q", "HEAD"], { cwd: root });
  return res.code === 0 ? res.stdout.trim() : null;
}

/** Why the main checkout cannot take a merge now, or null when it can. */
export async function baseProblem(root: string, baseBranch: string): Promise<string | null> {
  const branch = await currentBranch(root);
  if (branch !== baseBranch) {
    return `the main checkout is on ${
      branch ? `"${branch}"` : "a detached HEAD"
    }, not the base branch "${baseBranch}"`;
  }
  const markers = ["MERGE_HEAD", "rebase-merge", "rebase-apply", "CHERRY_PICK_HEAD"];
  const paths = (await gitOk(["rev-parse", ...markers.flatMap((m) => ["--git-path", m])], {
    cwd: root,
  })).split("\n");
  for (const path of paths) {
    if (path && await exists(resolve(root, path))) {
      return "a merge, rebase or cherry-pick is in progress in the main checkout";
    }
  }
  const status = await gitOk(["status", "--porcelain=v1", "-z", "--untracked-files=no"], {
    cwd: root,
  });
  const dirty = status.split("\0").filter(Boolean).map((e) => e.slice(3)).filter((p) =>
    !BR_OWNED.has(p)
  );
  if (dirty.length > 0) {
    return `the main checkout has uncommitted changes (${dirty.slice(0, 5).join(", ")}${
      dirty.length > 5 ? ", ..." : ""
    })`;
  }
  return null;
}

/** Merges `branch` into the base branch checked out in `root`. */
export async function mergeBranch(
  root: string,
  baseBranch: string,
  branch: string,
  mode: "ff" | "no-ff" | "ff-only",
  message: string,
): Promise<MergeOutcome> {
  const problem = await baseProblem(root, baseBranch);
  if (problem) return { kind: "review", reason: `not merged: ${problem}` };
  const before = await gitOk(["rev-parse", "HEAD"], { cwd: root });
  const ident = await git(["config", "user.email"], { cwd: root });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  const res = await git([...who, "merge", `--${mode}`, "--no-edit", "-m", message, branch], {
    cwd: root,
  });
  if (res.code === 0) {
    const after = await gitOk(["rev-parse", "HEAD"], { cwd: root });
    const parents = (await gitOk(["rev-list", "--parents", "-n", "1", after], { cwd: root }))
      .split(" ").length - 1;
    return { kind: "merged", commit: after, fast_forward: parents < 2 && after !== before };
  }
  const unmerged = (await git(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: root }))
    .stdout.split("\0").filter(Boolean).sort();
  const inMerge = (await git(["rev-parse", "--verify", "--quiet", "MERGE_HEAD"], { cwd: root }))
    .code === 0;
  if (inMerge) await git(["merge", "--abort"], { cwd: root });
  const msg = (res.stderr || res.stdout).trim().split("\n").filter(Boolean).slice(-2).join(" ");
  if (unmerged.length > 0) {
    return {
      kind: "conflict",
      files: unmerged,
      reason: `merge conflict in ${unmerged.join(", ")}; branch "${branch}" kept`,
    };
  }
  return { kind: "review", reason: `not merged: git merge failed: ${msg}` };
}

/** Commits the status files `br` changed on the base (only those paths). */
export async function commitStatus(root: string, message: string): Promise<string | null> {
  const tracked = (await git(["ls-files", "--", ...BR_OWNED], { cwd: root })).stdout.split("\n")
    .filter(Boolean);
  if (tracked.length === 0) return null;
  const changed = (await git(["diff", "--name-only", "HEAD", "--", ...tracked], { cwd: root }))
    .stdout.split("\n").filter(Boolean);
  if (changed.length === 0) return null;
  const ident = await git(["config", "user.email"], { cwd: root });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  const res = await git([...who, "commit", "--no-verify", "-m", message, "--", ...changed], {
    cwd: root,
  });
  if (res.code !== 0) return null;
  return await gitOk(["rev-parse", "HEAD"], { cwd: root });
}

/**
 * Merges the base tip into the task branch inside its worktree, so that the checks see what
 * the merge will produce. A conflict is aborted (the branch stays as it was) and reported.
 */
export async function syncWithBase(
  worktree: string,
  tip: string,
  message: string,
): Promise<{ ok: true } | { ok: false; files: string[]; error: string }> {
  const ident = await git(["config", "user.email"], { cwd: worktree });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  const res = await git([...who, "merge", "--no-edit", "-m", message, tip], { cwd: worktree });
  if (res.code === 0) return { ok: true };
  const files = (await git(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: worktree }))
    .stdout.split("\0").filter(Boolean).sort();
  await git(["merge", "--abort"], { cwd: worktree });
  const error = (res.stderr || res.stdout).trim().split("\n").filter(Boolean).slice(-1)[0] ?? "";
  return { ok: false, files, error };
}
