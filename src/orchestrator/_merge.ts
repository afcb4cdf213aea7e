/**
 * Merging a finished task branch into the base: only into the main checkout, only while it is
 * on the base branch and clean (apart from the files `br` itself owns there); a conflict is
 * aborted and reported with its files, the branch kept. Nothing is forced or overwritten.
 *
 * Every merge `br` starts is noted first in `<git-dir>/BR_MERGE` (run, task, HEAD, the commit
 * being merged, the message subject), so that after a kill `resume` can tell its own
 * half-finished merge from one the user has going: only a merge that matches the note is touched.
 */
import { resolve } from "node:path";
import { exists, writeFileAtomic } from "../core/fs.ts";
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
  if (await operationInProgress(root)) {
    return "a merge, rebase or cherry-pick is in progress in the main checkout";
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

/** Who starts a merge: the run and task noted in `BR_MERGE`. */
export interface MergeOwner {
  /** Run id. */
  run: string;
  /** Task id. */
  task: string;
}

/** The note `br` writes before a merge: its owner, HEAD before it, the commit merged. */
export interface MergeMarker extends MergeOwner {
  /** HEAD of the checkout when the merge started. */
  head: string;
  /** The commit being merged (what git then writes to MERGE_HEAD). */
  merge_head: string;
  /** First line of the merge message (what git then writes to MERGE_MSG). */
  subject: string;
}

/** What {@link recoverMerge} found in a checkout. */
export type MergeRecovery =
  /** No merge in progress (a stale note of the run was removed). */
  | { kind: "clean" }
  /** The run's own merge, cut short: aborted (the task merges again), or committed by git. */
  | { kind: "settled"; task: string; outcome: "aborted" | "committed" }
  /** A merge, rebase or cherry-pick `br` did not start (or not this run): left alone. */
  | { kind: "foreign"; operation: string };

const MARKER = "BR_MERGE";

const firstLine = (text: string) => text.split("\n", 1)[0].trim();

/** The note in `path`, or null when there is none or it is not one `br` wrote. */
async function readMarker(path: string): Promise<MergeMarker | null> {
  try {
    // A link or a folder is not a note br wrote.
    if (!(await Deno.lstat(path)).isFile) return null;
    const text = new TextDecoder("utf-8", { fatal: true }).decode(await Deno.readFile(path));
    const m = JSON.parse(text) as Record<string, unknown>;
    const keys = ["run", "task", "head", "merge_head", "subject"] as const;
    if (!m || typeof m !== "object" || keys.some((k) => typeof m[k] !== "string")) return null;
    return {
      run: m.run as string,
      task: m.task as string,
      head: m.head as string,
      merge_head: m.merge_head as string,
      subject: m.subject as string,
    };
  } catch {
    return null;
  }
}

/**
 * Runs `merge` (a `git merge` of `commit` with `message` in `checkout`) with the note written
 * around it.
 */
async function noted<T>(
  checkout: string,
  owner: MergeOwner,
  commit: string,
  message: string,
  merge: () => Promise<T>,
): Promise<T> {
  const [where, head] = (await gitOk(["rev-parse", "--git-path", MARKER, "HEAD"], {
    cwd: checkout,
  })).split("\n");
  const path = resolve(checkout, where);
  const marker: MergeMarker = {
    run: owner.run,
    task: owner.task,
    head,
    merge_head: commit,
    subject: firstLine(message),
  };
  await writeFileAtomic(path, JSON.stringify(marker) + "\n");
  try {
    return await merge();
  } finally {
    await Deno.remove(path).catch(() => {});
  }
}

/** The merge, rebase or cherry-pick in progress in `checkout`, or null. */
export async function operationInProgress(checkout: string): Promise<string | null> {
  const ops: [string, string][] = [
    ["MERGE_HEAD", "merge"],
    ["rebase-merge", "rebase"],
    ["rebase-apply", "rebase"],
    ["CHERRY_PICK_HEAD", "cherry-pick"],
  ];
  const paths = (await gitOk(["rev-parse", ...ops.flatMap(([m]) => ["--git-path", m])], {
    cwd: checkout,
  })).split("\n");
  for (let i = 0; i < ops.length; i++) {
    if (paths[i] && await exists(resolve(checkout, paths[i]))) return ops[i][1];
  }
  return null;
}

/**
 * After a kill: settles the merge `br` was making in `checkout` for run `runId` (and, when
 * given, task `taskId`), recognised by its note: same run, MERGE_HEAD the commit it was
 * merging and MERGE_MSG its message (a user's own `git merge` of the same commit has git's
 * message). With HEAD unmoved, the merge never committed: `git merge --abort` puts the checkout
 * back as it was before (nothing is lost or doubled) and the task merges again (`aborted`). With
 * HEAD the very merge commit (parents HEAD-before and the merged commit, br's message), git was
 * killed after committing and before clearing its merge state: `git merge --quit` clears that,
 * index and files untouched (`committed`). Anything else in progress is left alone and reported
 * as `foreign`; a note of the run that matches nothing is removed.
 *
 * @throws {BrError} `external` when git cannot abort or clear the merge.
 */
export async function recoverMerge(
  checkout: string,
  runId: string,
  taskId?: string,
): Promise<MergeRecovery> {
  const [where, msgFile] = (await gitOk(
    ["rev-parse", "--git-path", MARKER, "--git-path", "MERGE_MSG"],
    { cwd: checkout },
  )).split("\n").map((p) => resolve(checkout, p));
  const marker = await readMarker(where);
  const ours = marker !== null && marker.run === runId && (!taskId || marker.task === taskId);
  const operation = await operationInProgress(checkout);
  if (operation === null) {
    // The merge finished or never started: the note describes nothing.
    if (ours) await Deno.remove(where).catch(() => {});
    return { kind: "clean" };
  }
  if (ours && operation === "merge") {
    const heads = await git(["rev-parse", "HEAD", "MERGE_HEAD"], { cwd: checkout });
    const [head, mergeHead] = heads.stdout.trim().split("\n");
    const msg = await Deno.readTextFile(msgFile).catch(() => "");
    if (heads.code === 0 && mergeHead === marker.merge_head && firstLine(msg) === marker.subject) {
      let outcome: "aborted" | "committed" | null = null;
      if (head === marker.head) outcome = "aborted";
      else {
        const [parents, subject] = (await gitOk(["log", "-1", "--format=%P%n%s", head], {
          cwd: checkout,
        })).split("\n");
        if (parents === `${marker.head} ${marker.merge_head}` && subject === marker.subject) {
          outcome = "committed";
        }
      }
      if (outcome) {
        await gitOk(["merge", outcome === "aborted" ? "--abort" : "--quit"], { cwd: checkout });
        await Deno.remove(where).catch(() => {});
        return { kind: "settled", task: marker.task, outcome };
      }
    }
  }
  return { kind: "foreign", operation };
}

/** Merges `branch` into the base branch checked out in `root`. */
export async function mergeBranch(
  root: string,
  baseBranch: string,
  branch: string,
  mode: "ff" | "no-ff" | "ff-only",
  message: string,
  owner: MergeOwner,
): Promise<MergeOutcome> {
  const problem = await baseProblem(root, baseBranch);
  if (problem) return { kind: "review", reason: `not merged: ${problem}` };
  const before = await gitOk(["rev-parse", "HEAD"], { cwd: root });
  const tip = await gitOk(["rev-parse", "--verify", `${branch}^{commit}`], { cwd: root });
  const ident = await git(["config", "user.email"], { cwd: root });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  // The failed merge is aborted inside the note: a kill before the abort leaves a merge that
  // resume recognises as its own.
  const res = await noted(root, owner, tip, message, async () => {
    const res = await git([...who, "merge", `--${mode}`, "--no-edit", "-m", message, branch], {
      cwd: root,
    });
    if (res.code === 0) return { res, unmerged: [] };
    const unmerged = (await git(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: root }))
      .stdout.split("\0").filter(Boolean).sort();
    const inMerge = (await git(["rev-parse", "--verify", "--quiet", "MERGE_HEAD"], { cwd: root }))
      .code === 0;
    if (inMerge) await git(["merge", "--abort"], { cwd: root });
    return { res, unmerged };
  });
  if (res.res.code === 0) {
    const after = await gitOk(["rev-parse", "HEAD"], { cwd: root });
    const parents = (await gitOk(["rev-list", "--parents", "-n", "1", after], { cwd: root }))
      .split(" ").length - 1;
    return { kind: "merged", commit: after, fast_forward: parents < 2 && after !== before };
  }
  const msg = (res.res.stderr || res.res.stdout).trim().split("\n").filter(Boolean).slice(-2)
    .join(" ");
  if (res.unmerged.length > 0) {
    return {
      kind: "conflict",
      files: res.unmerged,
      reason: `merge conflict in ${res.unmerged.join(", ")}; branch "${branch}" kept`,
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
  owner: MergeOwner,
): Promise<{ ok: true } | { ok: false; files: string[]; error: string }> {
  const ident = await git(["config", "user.email"], { cwd: worktree });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  return await noted(worktree, owner, tip, message, async () => {
    const res = await git([...who, "merge", "--no-edit", "-m", message, tip], { cwd: worktree });
    if (res.code === 0) return { ok: true };
    const files = (await git(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: worktree }))
      .stdout.split("\0").filter(Boolean).sort();
    await git(["merge", "--abort"], { cwd: worktree });
    const error = (res.stderr || res.stdout).trim().split("\n").filter(Boolean).slice(-1)[0] ??
      "";
    return { ok: false, files, error };
  });
}
