import { BrError } from "./errors.ts";

/** Result of one git invocation. */
export interface GitResult {
  /** Exit code. */
  code: number;
  /** Standard output (trailing newline kept). */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Options of {@link git}. */
export interface GitOptions {
  /** Working directory. */
  cwd: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Data for standard input. */
  stdin?: string;
}

/** Runs `git <args>` and returns its result without throwing on a non-zero exit. */
export async function git(args: string[], options: GitOptions): Promise<GitResult> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("git", {
      args,
      cwd: options.cwd,
      env: options.env,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new BrError("external", `Cannot run git: ${(err as Error).message}`, {
      hint: "install git and make sure it is on PATH",
      cause: err,
    });
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Runs `git <args>` and returns its trimmed standard output.
 *
 * @throws {BrError} `external` with git's message when git fails.
 */
export async function gitOk(args: string[], options: GitOptions): Promise<string> {
  const res = await git(args, options);
  if (res.code !== 0) {
    // git's own reason is its "fatal:"/"error:" line; progress lines ("Preparing worktree")
    // come first.
    const lines = (res.stderr || res.stdout).trim().split("\n").filter(Boolean);
    const msg = lines.find((l) => /^(fatal|error): /.test(l)) ?? lines.at(-1) ?? "";
    throw new BrError("external", `git ${args[0]} failed: ${msg}`, {
      hint: `run "git ${args.join(" ")}" in ${options.cwd} to see the full message`,
    });
  }
  return res.stdout.trimEnd();
}

/**
 * The error for a folder outside any git repository: a thing not found (exit 4), whichever
 * command meets it, with the hint that makes one. `why` says what needs git.
 */
export function noRepository(dir: string, why?: string): BrError {
  return new BrError("not_found", `Cannot find a git repository in "${dir}"`, {
    hint: `run "git init" there first${why ? ` (${why})` : ""}`,
  });
}

/** True when `dir` is inside a git work tree. */
export async function isGitRepo(dir: string): Promise<boolean> {
  const res = await git(["rev-parse", "--is-inside-work-tree"], { cwd: dir });
  return res.code === 0 && res.stdout.trim() === "true";
}

/**
 * Keeps git's view of the repository for the git processes `br` starts in other folders.
 * git exports `GIT_DIR` to the hooks of a linked worktree (and a user may set it); without
 * `GIT_WORK_TREE`, git then takes the folder it runs in for the work tree's top, so a git
 * process started in a project's subfolder would see the wrong tree and stage wrong paths.
 * When `GIT_DIR` is set and `GIT_WORK_TREE` is not, this asks git once, in `cwd`, for the
 * git folder and the top, and sets both in the environment every later process inherits.
 */
export async function pinGitEnvironment(cwd: string = Deno.cwd()): Promise<void> {
  if (!Deno.env.get("GIT_DIR") || Deno.env.get("GIT_WORK_TREE")) return;
  const res = await git(["rev-parse", "--absolute-git-dir", "--show-toplevel"], { cwd })
    .catch(() => null);
  const [dir, top] = res?.code === 0 ? res.stdout.trim().split("\n") : [];
  // A bare repository has no top: nothing to pin.
  if (!dir || !top) return;
  Deno.env.set("GIT_DIR", dir);
  Deno.env.set("GIT_WORK_TREE", top);
}
