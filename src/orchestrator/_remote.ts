/**
 * Remote runs (`br parallel run --remote`, `br parallel worker`): the git side. Workers in
 * their own clones branch from a base commit the coordinator pushed, push their task branch to
 * the shared remote; the coordinator fetches it, checks and merges it, and pushes the base.
 */
import { BrError } from "../core/errors.ts";
import { git, gitOk } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import type { Outcome } from "./_checks.ts";
import type { RunRow, TaskRow } from "./_repo.ts";
import { processAlive } from "./_process.ts";
import { copyIncluded, ensureWorktree, removeDeadSpares } from "./_worktree.ts";

/** The git remote of a remote run, or null for a run whose agents run in its own process. */
export function remoteOf(run: Pick<RunRow, "options">): string | null {
  const o = JSON.parse(run.options) as { mode?: string; remote?: string };
  return o.mode === "remote" && o.remote ? o.remote : null;
}

/** The error for a distributed mode on a store that is not PostgreSQL. */
export function needsPostgres(command: string): BrError {
  return new BrError(
    "usage",
    `Cannot use "${command}" with the SQLite store: workers on other machines share one PostgreSQL store`,
    {
      hint:
        'pass --database postgres://... (or set BR_DATABASE_URL); on one machine use "br parallel run" without --remote',
    },
  );
}

/** The machine a coordinator or worker runs on (as recorded in the store). */
export function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** git's reason, last line, without the credentials a URL may hold. */
function reason(res: { stdout: string; stderr: string }): string {
  const lines = (res.stderr || res.stdout).trim().split("\n").filter(Boolean);
  const line = lines.find((l) => /^(fatal|error): /.test(l)) ?? lines.at(-1) ?? "git failed";
  return line.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, "$1***@");
}

/**
 * Checks that `remote` is a remote of the repository at `root`.
 *
 * @throws {BrError} `not_found` when it is not.
 */
export async function checkRemote(root: string, remote: string): Promise<void> {
  const res = await git(["remote", "get-url", remote], { cwd: root });
  if (res.code !== 0) {
    throw new BrError("not_found", `Cannot find the git remote "${remote}"`, {
      hint: `add it ("git remote add ${remote} <url>") or pass --remote <name>`,
    });
  }
}

/** Pushes the base branch to the remote (never forced); null when done, else git's reason. */
export async function pushBase(root: string, remote: string, base: string): Promise<string | null> {
  const res = await git(["push", "--quiet", remote, `refs/heads/${base}:refs/heads/${base}`], {
    cwd: root,
  });
  return res.code === 0 ? null : reason(res);
}

/** Deletes a merged task branch from the remote (best effort). */
export async function deleteRemoteBranch(
  root: string,
  remote: string,
  branch: string,
): Promise<void> {
  await git(["push", "--quiet", remote, "--delete", `refs/heads/${branch}`], { cwd: root });
}

/**
 * `git fetch`, tried again twice: a clone shared with a worker or coordinator sees worktrees
 * being added and removed, and fetch fails on one half made ("bad object worktrees/...").
 */
async function fetchRetried(root: string, args: string[]) {
  let res = await git(["fetch", "--quiet", ...args], { cwd: root });
  for (let i = 0; i < 2 && res.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 100 * (i + 1)));
    res = await git(["fetch", "--quiet", ...args], { cwd: root });
  }
  return res;
}

/** True when the repository at `dir` has `commit`. */
async function hasCommit(dir: string, commit: string): Promise<boolean> {
  return (await git(["cat-file", "-e", `${commit}^{commit}`], { cwd: dir })).code === 0;
}

/**
 * Worker: makes sure its clone has the base commit of a task, fetching the base branch from
 * the remote when it has not; null when it is there, else why not.
 */
export async function fetchBase(
  root: string,
  remote: string,
  baseBranch: string,
  commit: string,
): Promise<string | null> {
  if (await hasCommit(root, commit)) return null;
  const res = await fetchRetried(root, [remote, `refs/heads/${baseBranch}`]);
  if (res.code !== 0) return `cannot fetch ${baseBranch} from ${remote}: ${reason(res)}`;
  if (await hasCommit(root, commit)) return null;
  return `the base commit ${commit.slice(0, 12)} is not on ${remote}/${baseBranch}`;
}

/** Worker: pushes the task branch (replacing an earlier attempt's); null when done. */
export async function pushTaskBranch(
  worktree: string,
  remote: string,
  branch: string,
  commit: string,
): Promise<string | null> {
  const res = await git(["push", "--quiet", remote, `+${commit}:refs/heads/${branch}`], {
    cwd: worktree,
  });
  return res.code === 0 ? null : `cannot push ${branch} to ${remote}: ${reason(res)}`;
}

/**
 * Coordinator: fetches the branch a worker reported, checks it is the very commit the worker
 * pushed, and puts it in the task's worktree here (for the checks and the merge). Null when it
 * is ready, else the outcome that ends (or retries) the task.
 */
export async function fetchTaskBranch(
  project: Project,
  remote: string,
  task: TaskRow,
  include: readonly string[],
): Promise<Outcome | null> {
  const root = project.root;
  const ref = `refs/remotes/${remote}/${task.branch}`;
  const res = await fetchRetried(root, [remote, `+refs/heads/${task.branch}:${ref}`]);
  if (res.code !== 0) {
    return {
      state: "failed",
      retry: true,
      reason: `cannot fetch ${task.branch} from ${remote}: ${reason(res)}`,
    };
  }
  const tip = await gitOk(["rev-parse", ref], { cwd: root });
  if (tip !== task.pushed_commit) {
    return {
      state: "failed",
      retry: true,
      reason: `${remote}/${task.branch} is at ${tip.slice(0, 12)}, not at ${
        (task.pushed_commit ?? "").slice(0, 12)
      }, the commit worker ${task.worker} pushed`,
    };
  }
  // A worktree left by an earlier check of the task goes, and so does the spare of a killed
  // worker in this clone (its branch); the branch is the pushed commit.
  await removeDeadSpares(project, (pid) => processAlive(pid));
  await ensureWorktree(project, task.worktree, task.branch, tip, { fresh: true });
  await copyIncluded(root, task.worktree, include);
  return null;
}
