/** Task worktrees under `.buildrunner/worktrees/`, one branch each. */
import { dirname, join, relative, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import { exists } from "../core/fs.ts";
import { git, gitOk } from "../core/git.ts";
import { matchesAny } from "../core/glob.ts";
import type { Project } from "../core/project.ts";

/** A worktree git knows about. */
export interface WorktreeInfo {
  /** Absolute path. */
  path: string;
  /** Checked-out branch (short name) or null when detached. */
  branch: string | null;
  /** HEAD commit. */
  head: string;
}

/** The worktree folder of a feature. */
export function worktreePath(project: Project, feature: string): string {
  return join(project.paths.worktrees, feature);
}

/** Every worktree of the repository (`git worktree list --porcelain`). */
export async function listWorktrees(root: string): Promise<WorktreeInfo[]> {
  const out = await gitOk(["worktree", "list", "--porcelain"], { cwd: root });
  const list: WorktreeInfo[] = [];
  let cur: WorktreeInfo | null = null;
  for (const line of out.split("\n")) {
    if (line.startsWith("worktree ")) {
      cur = { path: line.slice(9), branch: null, head: "" };
      list.push(cur);
    } else if (cur && line.startsWith("HEAD ")) cur.head = line.slice(5);
    else if (cur && line.startsWith("branch ")) {
      cur.branch = line.slice(7).replace(/^refs\/heads\//, "");
    }
  }
  return list;
}

/** True when the branch exists. */
export async function branchExists(root: string, branch: string): Promise<boolean> {
  const res = await git(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
    cwd: root,
  });
  return res.code === 0;
}

/**
 * Makes sure the task worktree exists on its branch: reuses one that is there (a retry or a
 * resumed run keeps the agent's earlier work), checks out an existing branch, or creates the
 * branch from `baseCommit`. With `fresh` (a remote worker: earlier attempts may have run on
 * another machine), a worktree left there is removed and the branch starts at `baseCommit`.
 *
 * @throws {BrError} `external` when git refuses.
 */
export async function ensureWorktree(
  project: Project,
  path: string,
  branch: string,
  baseCommit: string,
  options: { fresh?: boolean } = {},
): Promise<"reused" | "created"> {
  const root = project.root;
  if (options.fresh) {
    if (await exists(join(path, ".git"))) await removeWorktree(root, path, true);
    await Deno.mkdir(dirname(path), { recursive: true });
    await addWorktree(root, path, ["-B", branch, path, baseCommit]);
    return "created";
  }
  if (await exists(join(path, ".git"))) {
    const res = await git(["symbolic-ref", "--short", "-q", "HEAD"], { cwd: path });
    const on = res.code === 0 ? res.stdout.trim() : null;
    if (on !== branch) {
      throw new BrError(
        "conflict",
        `Worktree "${relative(root, path)}" is on "${on ?? "a detached HEAD"}", not "${branch}"`,
        { hint: `run "br parallel cleanup --force" or "git worktree remove ${path}"` },
      );
    }
    return "reused";
  }
  await Deno.mkdir(dirname(path), { recursive: true });
  const args = await branchExists(root, branch)
    ? ["worktree", "add", path, branch]
    : ["worktree", "add", "-b", branch, path, baseCommit];
  await gitOk(args, { cwd: root });
  return "created";
}

/**
 * `git worktree add <args>` (the worktree at `path`), tried three times: another br process in
 * this clone (a remote worker, the coordinator) may be adding or removing a worktree
 * meanwhile, and git fails on its half-made metadata.
 *
 * @throws {BrError} `external` when git still refuses.
 */
async function addWorktree(root: string, path: string, args: string[]): Promise<void> {
  for (let i = 1; i < 3; i++) {
    if ((await git(["worktree", "add", ...args], { cwd: root })).code === 0) return;
    await new Promise((r) => setTimeout(r, 100 * i));
    if (await exists(join(path, ".git"))) await removeWorktree(root, path, true);
  }
  await gitOk(["worktree", "add", ...args], { cwd: root });
}

/** Where a remote worker keeps its spare worktree (one per worker process). */
export function spareWorktreePath(project: Project, pid: number = Deno.pid): string {
  return join(project.paths.worktrees, `.worker-${pid}`);
}

/**
 * A remote worker's spare worktree: made while the worker is idle (detached at `commit`, with
 * the `include` files), so that a claimed task starts with a `git checkout` instead of a
 * `git worktree add`. Spares of worker processes that are gone are removed first.
 */
export async function prepareSpare(
  project: Project,
  commit: string,
  include: readonly string[],
  alive: (pid: number) => boolean,
): Promise<string> {
  const root = project.root;
  const path = spareWorktreePath(project);
  await removeDeadSpares(project, alive);
  if (!(await exists(join(path, ".git")))) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await addWorktree(root, path, ["--detach", path, commit]);
    await copyIncluded(root, path, include);
  }
  return path;
}

/**
 * Removes the spare worktrees of worker processes that are gone (a SIGKILLed worker leaves
 * its task branch checked out there, which no other worktree could then check out).
 */
export async function removeDeadSpares(
  project: Project,
  alive: (pid: number) => boolean,
): Promise<void> {
  for (const w of await listWorktrees(project.root)) {
    const pid = /\/\.worker-(\d+)$/.exec(w.path)?.[1];
    if (pid && w.path.startsWith(project.paths.worktrees + "/") && !alive(Number(pid))) {
      await removeWorktree(project.root, w.path, true);
    }
  }
}

/** Puts the spare worktree `path` on a new `branch` at `commit` (replacing a stale branch). */
export async function takeSpare(path: string, branch: string, commit: string): Promise<void> {
  await gitOk(["checkout", "--quiet", "-B", branch, commit], { cwd: path });
}

/**
 * Copies the ignored files named by `include` (paths or globs relative to the root, such as
 * `.env`) from the main checkout into the worktree. Tracked files are there already; a file
 * the worktree has is never overwritten.
 */
export async function copyIncluded(
  root: string,
  worktree: string,
  include: readonly string[],
): Promise<string[]> {
  if (include.length === 0) return [];
  const wanted = new Set<string>();
  const globs = include.filter((p) => /[*?[{]/.test(p));
  for (const p of include) if (!globs.includes(p)) wanted.add(p.replace(/^\.\//, ""));
  if (globs.length > 0) {
    // A failed listing is an error, not an empty list: the worktree would silently miss files.
    const listed = await gitOk(
      ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"],
      { cwd: root },
    );
    for (const entry of listed.split("\0").filter(Boolean)) {
      const rel = entry.replace(/\/$/, "");
      if (matchesAny(rel, globs)) wanted.add(rel);
    }
  }
  const copied: string[] = [];
  for (const rel of wanted) {
    if (rel === ".buildrunner" || rel.startsWith(".buildrunner/") || rel.startsWith("..")) continue;
    const from = join(root, rel);
    const to = join(worktree, rel);
    if (!(await exists(from)) || await exists(to)) continue;
    await copyTree(from, to);
    copied.push(rel);
  }
  return copied.sort();
}

async function copyTree(from: string, to: string): Promise<void> {
  const info = await Deno.lstat(from);
  if (info.isDirectory) {
    await Deno.mkdir(to, { recursive: true });
    for await (const e of Deno.readDir(from)) await copyTree(join(from, e.name), join(to, e.name));
  } else if (info.isSymlink) {
    await Deno.remove(to).catch(() => {});
    await Deno.symlink(await Deno.readLink(from), to);
  } else {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
  }
}

/** Removes a worktree (refused by git when it has uncommitted changes, unless `force`). */
export async function removeWorktree(
  root: string,
  path: string,
  force = false,
): Promise<{ removed: boolean; error: string | null }> {
  const res = await git(["worktree", "remove", ...(force ? ["--force"] : []), path], { cwd: root });
  if (res.code !== 0 && !(await exists(path))) {
    await git(["worktree", "prune"], { cwd: root });
    return { removed: true, error: null };
  }
  return { removed: res.code === 0, error: res.code === 0 ? null : res.stderr.trim() };
}

/** Commits what the agent of a task left uncommitted, with br's message for it. */
export function commitAgentWork(
  worktree: string,
  profile: string,
  feature: string,
  runId: string,
  root: string,
): Promise<string | null> {
  return commitLeftovers(
    worktree,
    `br: work of ${profile} on ${feature}\n\nCommitted by br parallel (run ${runId}).`,
    { BR_FEATURE: feature, BR_WORKTREE: worktree, BR_PROJECT_ROOT: root },
  );
}

/** Commits whatever the agent left uncommitted. Returns the new commit, or null if clean. */
export async function commitLeftovers(
  worktree: string,
  message: string,
  env: Record<string, string> = {},
): Promise<string | null> {
  await gitOk(["add", "-A"], { cwd: worktree });
  const staged = await git(["diff", "--cached", "--quiet"], { cwd: worktree });
  if (staged.code === 0) return null;
  const ident = await git(["config", "user.email"], { cwd: worktree });
  const who = ident.code === 0 && ident.stdout.trim()
    ? []
    : ["-c", "user.name=BuildRunner", "-c", "user.email=br@localhost"];
  const res = await git([...who, "commit", "-m", message], { cwd: worktree, env });
  if (res.code !== 0) {
    throw new BrError(
      "external",
      `Cannot commit the agent's changes: ${
        (res.stderr || res.stdout).trim().split("\n").slice(-3).join(" ")
      }`,
      {
        hint: `look at the worktree ${worktree}; a commit hook may have refused the change`,
      },
    );
  }
  return await gitOk(["rev-parse", "HEAD"], { cwd: worktree });
}

/**
 * Removes the index lock that an agent stopped in the middle of a git command left in
 * `worktree` (while it is there, every git command that writes the index fails, exit 128, and
 * so would the next attempt). Called before an attempt, when no agent of the task runs. Returns
 * whether there was one.
 */
export async function clearStaleIndexLock(worktree: string): Promise<boolean> {
  const res = await git(["rev-parse", "--git-path", "index.lock"], { cwd: worktree });
  if (res.code !== 0) return false;
  try {
    await Deno.remove(resolve(worktree, res.stdout.trim()));
    return true;
  } catch {
    return false;
  }
}
