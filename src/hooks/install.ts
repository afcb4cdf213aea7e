import { basename, join, resolve } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { gitOk, isGitRepo, noRepository } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { selfCommandLine, shellQuote } from "../core/self.ts";

import { CHAINED_DIR, HOOK_MARKER, HOOK_NAMES, type HookName, hookOwner } from "./names.ts";
import { fileStamp, hookRunsBr, readHooksRecord, writeHooksRecord } from "./watch.ts";

export { CHAINED_DIR, HOOK_MARKER, HOOK_NAMES, type HookName, hookOwner };

/**
 * Suffix under which earlier versions of `br` kept the previous hook (`pre-commit.br-chained`);
 * install moves such a hook to {@link CHAINED_DIR}, uninstall restores it from either place.
 */
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
  /**
   * br: ours; replaced: br installed it, and another tool's script (or none: removed) took
   * its place, or git now runs the hooks of another folder (inactive); foreign: another
   * tool's; absent: none.
   */
  state: "br" | "replaced" | "removed" | "inactive" | "foreign" | "absent";
  /** True when git runs br's checks at this hook (directly, or through pre-commit/prek). */
  runs_br: boolean;
  /** The tool whose script is there (br, husky, lefthook, pre-commit, prek, simple-git-hooks), or null. */
  owner: string | null;
  /** Path of the chained previous hook, if any. */
  chained: string | null;
  /** Where br's script went when another tool renamed it (`<hook>.old`, `<hook>.legacy`), or null. */
  renamed_to: string | null;
  /** The command line our hook starts (null when not ours). */
  command: string | null;
}

/** The result of {@link hooksStatus}. */
export interface HooksStatus {
  /** The hooks folder. */
  dir: string;
  /** The folder br installed its hooks into, when it differs from {@link dir}; else null. */
  installed_dir: string | null;
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

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ksh", "mksh", "ash"]);

/**
 * The interpreter of a shell script from its first line (`#!/bin/sh`, `#!/usr/bin/env bash`,
 * none: sh), or null when the script is not a shell script (Python, node, a binary).
 */
export function shellOf(firstLine: string | null): string[] | null {
  if (firstLine === null || !firstLine.startsWith("#!")) return ["/bin/sh"];
  const words = firstLine.slice(2).trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return ["/bin/sh"];
  let name = basename(words[0]);
  let at = 0;
  if (name === "env") {
    at = words.findIndex((w, i) => i > 0 && !w.startsWith("-"));
    if (at === -1) return null;
    name = basename(words[at]);
  }
  if (!SHELLS.has(name)) return null;
  // `env -S` splits its argument itself; the words are already split here.
  return words.filter((w, i) => !(i > 0 && i < at && w === "-S"));
}

/**
 * The lines that run the chained hook first. A shell script is sourced by its own shell with
 * `$0` set to the hook's own path (`<hooks>/<hook>`), as git would have started it: husky
 * finds its runner and the user's script from `$0`, pre-commit and prek their folder. Another
 * program keeps its name (`.br-chained/<hook>`). `BR_HOOK_CHAIN` keeps a chain that leads
 * back to br's hook from looping.
 */
function chainLines(hook: HookName, shell: string[] | null, stdin: string): string[] {
  const run = shell
    ? `${shell.map(shellQuote).join(" ")} -c '. "$(dirname "$0")/${CHAINED_DIR}/${hook}"' ` +
      `"$hook_dir/${hook}" "$@"`
    : '"$chained" "$@"';
  return [
    `if [ -x "$chained" ] && [ "$BR_HOOK_CHAIN" != ${hook} ]; then`,
    `  BR_HOOK_CHAIN=${hook} ${run}${stdin} || exit $?`,
    "fi",
  ];
}

/**
 * The script of one managed hook. `command` is the shell command line that starts `br`;
 * `prefix` is the project folder relative to the repository root (git runs hooks there), or
 * "" when the project is the repository; `chainedFirstLine` is the first line of the chained
 * previous hook (it decides how that hook is started), null when there is none.
 */
export function hookScript(
  hook: HookName,
  command: string,
  prefix = "",
  chainedFirstLine: string | null = null,
): string {
  const project = prefix ? ` --project ${shellQuote(prefix)}` : "";
  const run = `hooks run${project} ${hook} "$@"`;
  const shell = shellOf(chainedFirstLine);
  const lines = [
    "#!/bin/sh",
    `${HOOK_MARKER}: ${hook}`,
    `# br-command: ${command}`,
    '# Installed by "br hooks install"; "br hooks uninstall" removes it and restores the previous',
    `# hook, which is kept as ${CHAINED_DIR}/${hook} and runs first, under its own name.`,
    'hook_dir=$(dirname "$0")',
    `chained="$hook_dir/${CHAINED_DIR}/${hook}"`,
  ];
  if (hook === "pre-push") {
    // git gives pre-push the refs on stdin: keep them for both the previous hook and br.
    lines.push(
      'input=$(mktemp "${TMPDIR:-/tmp}/br-pre-push.XXXXXX") || exit 1',
      "trap 'rm -f \"$input\"' EXIT",
      'cat > "$input"',
      ...chainLines(hook, shell, ' < "$input"'),
      `if [ -n "$BR_BIN" ]; then "$BR_BIN" ${run} < "$input"; exit $?; fi`,
      `${command} ${run} < "$input"`,
    );
  } else {
    lines.push(
      ...chainLines(hook, shell, ""),
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
  /** Only these hooks (default: all of {@link HOOK_NAMES}). */
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

function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** The bytes of a file, or of a symlink's target path; null when absent. */
function identity(path: string): string | null {
  const info = lstatOrNull(path);
  if (!info) return null;
  return info.isSymlink ? `link:${Deno.readLinkSync(path)}` : readTextOrNullSync(path);
}

function readTextOrNullSync(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/**
 * Moves `from` to `to` (one level deeper or shallower: `up` says which). A symlink with a
 * relative target is made again with the target adjusted, so that it keeps pointing at the
 * same file and a round trip gives back the same link.
 */
function move(from: string, to: string, up: boolean): void {
  const info = Deno.lstatSync(from);
  if (info.isSymlink) {
    const target = Deno.readLinkSync(from);
    if (!target.startsWith("/")) {
      const moved = up ? target.replace(/^\.\.\//, "") : `../${target}`;
      Deno.symlinkSync(moved, to);
      Deno.removeSync(from);
      return;
    }
  }
  Deno.renameSync(from, to);
}

function firstLine(path: string): string | null {
  const text = readTextOrNullSync(path);
  return text === null ? null : text.split("\n", 1)[0];
}

/** The folder for chained hooks: created when missing; a file or symlink there is refused. */
function chainedFolder(dir: string): string {
  const folder = join(dir, CHAINED_DIR);
  const info = lstatOrNull(folder);
  if (info && !info.isDirectory) {
    throw new BrError("conflict", `Cannot use "${folder}": it is not a folder`, {
      hint: `move it away, then run "br hooks install" again`,
    });
  }
  if (!info) Deno.mkdirSync(folder);
  return folder;
}

/**
 * Installs the pre-commit, commit-msg, post-commit and pre-push hooks in the repository of the project.
 * An existing hook of another tool is kept as `.br-chained/<hook>` and runs first under its
 * own name (husky, lefthook, pre-commit, prek and simple-git-hooks keep working); nothing is
 * written to git config (no `core.hooksPath`), so the hooks work in every worktree. When a
 * tool wrote its hook again over br's (a re-sync), the same script is not chained twice, and
 * a copy of br's hook that such a tool renamed (`<hook>.old`, `<hook>.legacy`) is removed.
 * The installed hooks are recorded, so that every command can warn when they are displaced.
 *
 * @throws {BrError} `not_found` outside a git repository, `conflict` when a previous hook is
 * already chained and a different foreign hook took br's place.
 */
export async function installHooks(
  project: Project,
  options: InstallOptions = {},
): Promise<HooksResult> {
  const dir = await hooksDir(project.root);
  await Deno.mkdir(dir, { recursive: true });
  const command = options.command ?? selfCommandLine(project.env);
  const [prefixOut, configRel] = await Promise.all([
    gitOk(["rev-parse", "--show-prefix"], { cwd: project.root }),
    gitOk(["rev-parse", "--git-path", "config"], { cwd: project.root }),
  ]);
  const prefix = prefixOut.replace(/\/$/, "");
  const hooks: HookChange[] = [];
  const picked = pickHooks(options.hooks);
  const previous = readHooksRecord(project);
  // git runs the hooks of another folder now (core.hooksPath changed): br's hooks move here.
  if (previous && previous.dir !== dir) removeHooks(previous.dir, previous.hooks);
  for (const hook of picked) {
    const path = join(dir, hook);
    const oldChained = path + CHAINED_SUFFIX;
    const chainedPath = join(dir, CHAINED_DIR, hook);
    if (lstatOrNull(oldChained) && !lstatOrNull(chainedPath)) {
      move(oldChained, join(chainedFolder(dir), hook), false);
    }
    const current = identity(path);
    let action = "installed";
    if (current !== null && !isOurs(current)) {
      const chained = identity(chainedPath);
      if (chained !== null && chained !== current) {
        const by = hookOwner(current) ?? "another tool";
        throw new BrError(
          "conflict",
          `Cannot chain ${hook} in "${dir}": br's hook was replaced by ${by}'s, and a different previous hook is already kept in "${chainedPath}"`,
          {
            hint: `if ${by}'s new hook replaces the old one, remove "${chainedPath}" and run ` +
              `"br hooks install" again; or let ${by} run br ("br hooks snippet")`,
          },
        );
      }
      if (chained === null) move(path, join(chainedFolder(dir), hook), false);
      else Deno.removeSync(path); // the same script, written again by its tool
    } else if (current !== null) {
      action = current === hookScript(hook, command, prefix, firstLine(chainedPath))
        ? "unchanged"
        : "updated";
    }
    for (const renamed of [`${path}.old`, `${path}.legacy`]) {
      // br's own hook renamed by lefthook (.old) or pre-commit/prek (.legacy): with br's hook
      // back in place, a copy run by the tool would run br twice.
      if (isOurs(readTextOrNullSync(renamed))) Deno.removeSync(renamed);
    }
    const script = hookScript(hook, command, prefix, firstLine(chainedPath));
    if (action !== "unchanged") await writeFileAtomic(path, script);
    await Deno.chmod(path, 0o755);
    hooks.push({ hook, action, chained: lstatOrNull(chainedPath) ? chainedPath : null });
  }
  const config = resolve(project.root, configRel);
  const kept = previous?.dir === dir
    ? previous.hooks.filter((h) => !picked.includes(h as HookName))
    : [];
  await writeHooksRecord(project, {
    dir,
    hooks: HOOK_NAMES.filter((h) => kept.includes(h) || picked.includes(h)),
    config,
    config_stamp: fileStamp(config),
  });
  return { dir, hooks };
}

/**
 * Removes the hooks `br` installed and puts back the hooks they chained to, exactly as they
 * were. A hook of another tool is left alone.
 *
 * @throws {BrError} `not_found` outside a git repository.
 */
export async function uninstallHooks(
  project: Project,
  options: { hooks?: string[] } = {},
): Promise<HooksResult> {
  const dir = await hooksDir(project.root);
  const picked = pickHooks(options.hooks);
  const hooks = removeHooks(dir, picked);
  const previous = readHooksRecord(project);
  if (previous) {
    // br's hooks in a folder git no longer uses (core.hooksPath changed since) go too.
    if (previous.dir !== dir) removeHooks(previous.dir, picked);
    await writeHooksRecord(project, {
      ...previous,
      hooks: previous.hooks.filter((h) => !picked.includes(h as HookName)),
    });
  }
  return { dir, hooks };
}

/** Removes br's hooks from `dir` and puts back the hooks they chained. */
function removeHooks(dir: string, picked: readonly string[]): HookChange[] {
  const hooks: HookChange[] = [];
  for (const hook of picked) {
    const path = join(dir, hook);
    const chainedPath = [join(dir, CHAINED_DIR, hook), path + CHAINED_SUFFIX]
      .find((p) => lstatOrNull(p) !== null);
    const current = identity(path);
    if (current === null) {
      hooks.push({ hook, action: "absent", chained: null });
      continue;
    }
    if (!isOurs(current)) {
      hooks.push({ hook, action: "foreign", chained: null });
      continue;
    }
    Deno.removeSync(path);
    if (chainedPath) {
      move(chainedPath, path, chainedPath.startsWith(join(dir, CHAINED_DIR)));
      hooks.push({ hook, action: "restored", chained: path });
    } else hooks.push({ hook, action: "removed", chained: null });
  }
  try {
    Deno.removeSync(join(dir, CHAINED_DIR)); // only when empty
  } catch {
    // Still holds another hook, or was never made.
  }
  return hooks;
}

/**
 * Which hooks are installed, and which br installed that another tool replaced, removed or
 * bypassed since.
 *
 * @throws {BrError} `not_found` outside a git repository.
 */
export async function hooksStatus(project: Project): Promise<HooksStatus> {
  const dir = await hooksDir(project.root);
  const record = readHooksRecord(project);
  const hooks: HookState[] = [];
  for (const hook of HOOK_NAMES) {
    const path = join(dir, hook);
    const text = readTextOrNullSync(path);
    const chained = [join(dir, CHAINED_DIR, hook), path + CHAINED_SUFFIX]
      .find((p) => lstatOrNull(p) !== null) ?? null;
    const owner = hookOwner(text);
    const recorded = record?.hooks.includes(hook) ?? false;
    let state: HookState["state"] = text === null ? "absent" : owner === "br" ? "br" : "foreign";
    if (recorded && owner !== "br") {
      state = record!.dir !== dir ? "inactive" : text === null ? "removed" : "replaced";
    }
    const renamed = [`${path}.old`, `${path}.legacy`].find((p) => isOurs(readTextOrNullSync(p)));
    hooks.push({
      hook,
      state,
      runs_br: hookRunsBr(dir, hook, text),
      owner,
      chained,
      renamed_to: renamed ?? null,
      command: text !== null && isOurs(text) ? commandOf(text) : null,
    });
  }
  return {
    dir,
    installed_dir: record && record.dir !== dir ? record.dir : null,
    hooks,
  };
}

/** Configuration snippets for users of the pre-commit framework, prek, lefthook and husky. */
export function hooksSnippet(): { pre_commit: string; lefthook: string; husky: string } {
  return {
    pre_commit: `# .pre-commit-config.yaml (pre-commit 3.2+ or prek); needs "br" on PATH
# pre-commit before 3.2 (Debian 12 ships 3.0.4): delete the next line and write
# stages [commit] and [push] for [pre-commit] and [pre-push]
minimum_pre_commit_version: "3.2.0"
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
      - id: br-post-commit
        name: br STATUS.md after the commit
        entry: br hooks run post-commit
        language: system
        pass_filenames: false
        always_run: true
        stages: [post-commit]
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
post-commit:
  commands:
    br:
      run: br hooks run post-commit
pre-push:
  commands:
    br:
      run: br hooks run pre-push
`,
    husky: `# husky v9: add the line to each script; needs "br" on PATH
# .husky/pre-commit
br hooks run pre-commit
# .husky/commit-msg
br hooks run commit-msg "$1"
# .husky/post-commit
br hooks run post-commit
# .husky/pre-push
br hooks run pre-push
`,
  };
}
