import { join, resolve } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { exists, readTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { gitOk, isGitRepo, noRepository } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { selfCommandLine, shellQuote } from "../core/self.ts";

import { HOOK_NAMES, type HookName } from "./names.ts";

export { HOOK_NAMES, type HookName };

/** The line that marks a hook script as written by `br`. */
export const HOOK_MARKER = "# br-managed-hook";
/** Suffix of a previous hook kept (and run first) by a `br` hook. */
export const CHAINED_SUFFIX = ".br-chained";

/** What happened to one hook. */
export interface HookChange {
  /** Hook name. */
  hook: string;
  /** installed, updated, unchanged, removed, restored, absent, foreign. */
  action: string;
  /** The previous hook that runs first (install) or was put back (uninstall). */
  chained: string | null;
}

/** The result of install and uninstall. */
export interface HooksResult {
  /** The hooks folder (from `git rev-parse --git-path hooks`). */
  dir: string;
  /** One entry per hook. */
  hooks: HookChange[];
}

/** The state of one hook. */
export interface HookState {
  /** Hook name. */
  hook: string;
  /** br: ours; foreign: another tool's; absent: none. */
  state: "br" | "foreign" | "absent";
  /** Path of the chained previous hook, if any. */
  chained: string | null;
  /** The command line our hook starts (null when not ours). */
  command: string | null;
}

/** The result of {@link hooksStatus}. */
export interface HooksStatus {
  /** The hooks folder. */
  dir: string;
  /** One entry per managed hook. */
  hooks: HookState[];
}

/**
 * The hooks folder of the repository holding `cwd`: `git rev-parse --git-path hooks` (which
 * honours `core.hooksPath` and is shared by every `git worktree`), made absolute.
 *
 * @throws {BrError} `not_found` when `cwd` is not in a git repository; `external` when git
 * fails.
 */
export async function hooksDir(cwd: string): Promise<string> {
  const rel = await gitOk(["rev-parse", "--git-path", "hooks"], { cwd }).catch(async (err) => {
    if (!(await isGitRepo(cwd))) throw noRepository(cwd, "hooks live in the repository");
    throw err;
  });
  // --git-path answers relative to git's current folder, which is `cwd`.
  return resolve(cwd, rel);
}

/**
 * The script of one managed hook. `command` is the shell command line that starts `br`;
 * `prefix` is the project folder relative to the repository root (git runs hooks there), or
 * "" when the project is the repository.
 */
export function hookScript(hook: HookName, command: string, prefix = ""): string {
  const project = prefix ? ` --project ${shellQuote(prefix)}` : "";
  const run = `hooks run${project} ${hook} "$@"`;
  const lines = [
    "#!/bin/sh",
    `${HOOK_MARKER}: ${hook}`,
    `# br-command: ${command}`,
    '# Installed by "br hooks install"; "br hooks uninstall" removes it and restores the previous',
    `# hook, which is kept as ${hook}${CHAINED_SUFFIX} and runs first.`,
    'hook_dir=$(dirname "$0")',
    `chained="$hook_dir/${hook}${CHAINED_SUFFIX}"`,
  ];
  if (hook === "pre-push") {
    // git gives pre-push the refs on stdin: keep them for both the previous hook and br.
    lines.push(
      'input=$(mktemp "${TMPDIR:-/tmp}/br-pre-push.XXXXXX") || exit 1',
      "trap 'rm -f \"$input\"' EXIT",
      'cat > "$input"',
      'if [ -x "$chained" ]; then "$chained" "$@" < "$input" || exit $?; fi',
      `if [ -n "$BR_BIN" ]; then "$BR_BIN" ${run} < "$input"; exit $?; fi`,
      `${command} ${run} < "$input"`,
    );
  } else {
    lines.push(
      'if [ -x "$chained" ]; then "$chained" "$@" || exit $?; fi',
      `if [ -n "$BR_BIN" ]; then exec "$BR_BIN" ${run}; fi`,
      `exec ${command} ${run}`,
    );
  }
  return lines.join("\n") + "\n";
}

function isOurs(text: string | null): boolean {
  return text !== null && text.includes(HOOK_MARKER);
}

function commandOf(text: string): string | null {
  return /^# br-command: (.*)$/m.exec(text)?.[1] ?? null;
}

/** Options of {@link installHooks}. */
export interface InstallOptions {
  /** Only these hooks (default: all three). */
  hooks?: string[];
  /** The command line that starts `br` (default: {@link selfCommandLine}). */
  command?: string;
}

function pickHooks(names: string[] | undefined): HookName[] {
  if (!names || names.length === 0) return [...HOOK_NAMES];
  for (const n of names) {
    if (!(HOOK_NAMES as readonly string[]).includes(n)) {
      throw new BrError("usage", `Unknown hook "${n}"`, {
        hint: `hooks: ${HOOK_NAMES.join(", ")}`,
      });
    }
  }
  return names as HookName[];
}

/**
 * Installs the pre-commit, commit-msg and pre-push hooks in the repository of the project.
 * An existing hook of another tool is kept as `<hook>.br-chained` and runs first; nothing
 * is written to git config (no `core.hooksPath`), so the hooks work in every worktree.
 *
 * @throws {BrError} `not_found` outside a git repository, `conflict` when a previous hook is
 * already chained and another foreign hook took its place.
 */
export async function installHooks(
  project: Project,
  options: InstallOptions = {},
): Promise<HooksResult> {
  const dir = await hooksDir(project.root);
  await Deno.mkdir(dir, { recursive: true });
  const command = options.command ?? selfCommandLine(project.env);
  const prefix = (await gitOk(["rev-parse", "--show-prefix"], { cwd: project.root }))
    .replace(/\/$/, "");
  const hooks: HookChange[] = [];
  for (const hook of pickHooks(options.hooks)) {
    const path = join(dir, hook);
    const chainedPath = path + CHAINED_SUFFIX;
    const current = await readTextOrNull(path);
    const script = hookScript(hook, command, prefix);
    let action = "installed";
    if (current !== null && !isOurs(current)) {
      if (await exists(chainedPath)) {
        throw new BrError(
          "conflict",
          `Both ${hook} and ${hook}${CHAINED_SUFFIX} exist in "${dir}"`,
          {
            hint: `merge them by hand, or remove one, then run "br hooks install" again`,
          },
        );
      }
      await Deno.rename(path, chainedPath);
    } else if (current !== null) action = current === script ? "unchanged" : "updated";
    if (action !== "unchanged") await writeFileAtomic(path, script);
    await Deno.chmod(path, 0o755);
    hooks.push({
      hook,
      action,
      chained: (await exists(chainedPath)) ? chainedPath : null,
    });
  }
  return { dir, hooks };
}

/**
 * Removes the hooks `br` installed and puts back the hooks they chained to. A hook of
 * another tool is left alone.
 *
 * @throws {BrError} `not_found` outside a git repository.
 */
export async function uninstallHooks(
  project: Project,
  options: { hooks?: string[] } = {},
): Promise<HooksResult> {
  const dir = await hooksDir(project.root);
  const hooks: HookChange[] = [];
  for (const hook of pickHooks(options.hooks)) {
    const path = join(dir, hook);
    const chainedPath = path + CHAINED_SUFFIX;
    const current = await readTextOrNull(path);
    if (current === null) {
      hooks.push({ hook, action: "absent", chained: null });
      continue;
    }
    if (!isOurs(current)) {
      hooks.push({ hook, action: "foreign", chained: null });
      continue;
    }
    await Deno.remove(path);
    if (await exists(chainedPath)) {
      await Deno.rename(chainedPath, path);
      hooks.push({ hook, action: "restored", chained: path });
    } else hooks.push({ hook, action: "removed", chained: null });
  }
  return { dir, hooks };
}

/**
 * Which hooks are installed.
 *
 * @throws {BrError} `not_found` outside a git repository.
 */
export async function hooksStatus(project: Project): Promise<HooksStatus> {
  const dir = await hooksDir(project.root);
  const hooks: HookState[] = [];
  for (const hook of HOOK_NAMES) {
    const path = join(dir, hook);
    const text = await readTextOrNull(path);
    const chained = (await exists(path + CHAINED_SUFFIX)) ? path + CHAINED_SUFFIX : null;
    hooks.push({
      hook,
      state: text === null ? "absent" : isOurs(text) ? "br" : "foreign",
      chained,
      command: text !== null && isOurs(text) ? commandOf(text) : null,
    });
  }
  return { dir, hooks };
}

/** Configuration snippets for users of the pre-commit framework, prek and lefthook. */
export function hooksSnippet(): { pre_commit: string; lefthook: string } {
  return {
    pre_commit: `# .pre-commit-config.yaml (pre-commit or prek); needs "br" on PATH
repos:
  - repo: local
    hooks:
      - id: br-pre-commit
        name: br pre-commit checks
        entry: br hooks run pre-commit
        language: system
        pass_filenames: false
        always_run: true
        stages: [pre-commit]
      - id: br-commit-msg
        name: br commit message rule
        entry: br hooks run commit-msg
        language: system
        stages: [commit-msg]
      - id: br-pre-push
        name: br pre-push gates
        entry: br hooks run pre-push
        language: system
        pass_filenames: false
        always_run: true
        stages: [pre-push]
`,
    lefthook: `# lefthook.yml; needs "br" on PATH
pre-commit:
  commands:
    br:
      run: br hooks run pre-commit
commit-msg:
  commands:
    br:
      run: br hooks run commit-msg {1}
pre-push:
  commands:
    br:
      run: br hooks run pre-push
`,
  };
}
