// What `br hooks install` recorded, and the check every command that opens a project makes
// against it: another hook manager may later replace, rename or bypass br's hooks (lefthook
// renames a foreign hook to `<hook>.old`, husky points core.hooksPath elsewhere, a re-sync
// rewrites the script), and br's checks would then stop without a word. The check reads the
// record, stats git's config file and reads each hook: no git process unless that config
// file changed since the record was written.
import { join } from "../core/path.ts";
import { ensureIgnoredFolder, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { HOOK_MARKER, hookOwner } from "./names.ts";

/** What `br hooks install` recorded (`.buildrunner/cache/hooks.json`, never committed). */
export interface HooksRecord {
  /** The hooks folder br wrote its hooks into. */
  dir: string;
  /** The hooks br installed there. */
  hooks: string[];
  /** git's config file (where core.hooksPath lives), or null. */
  config: string | null;
  /** Size, modification time and inode of that file when the record was written. */
  config_stamp: string | null;
}

/** A hook br installed that no longer runs br. */
export interface DisplacedHook {
  /** Hook name. */
  hook: string;
  /**
   * replaced: another script took its place; removed: no script left; inactive: git now
   * runs the hooks of another folder (core.hooksPath changed).
   */
  state: "replaced" | "removed" | "inactive";
  /** The tool whose script git now runs (husky, lefthook, ...), or null when unknown. */
  by: string | null;
  /** The folder git runs hooks from now. */
  dir: string;
}

const RECORD = "hooks.json";
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function recordPath(project: Project): string {
  return join(project.paths.cache, RECORD);
}

/** The size, modification time and inode of `path`, or null when it does not exist. */
export function fileStamp(path: string | null): string | null {
  if (path === null) return null;
  try {
    const s = Deno.lstatSync(path);
    return `${s.size}:${s.mtime?.getTime() ?? 0}:${s.ino ?? ""}`;
  } catch {
    return null;
  }
}

/** The record of the hooks br installed, or null (none, or unreadable: then nothing is checked). */
export function readHooksRecord(project: Project): HooksRecord | null {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(recordPath(project));
  } catch {
    return null;
  }
  try {
    const r = JSON.parse(strictUtf8.decode(bytes));
    if (
      typeof r?.dir === "string" && Array.isArray(r.hooks) &&
      r.hooks.every((h: unknown) => typeof h === "string") &&
      (r.config === null || typeof r.config === "string") &&
      (r.config_stamp === null || typeof r.config_stamp === "string")
    ) return { dir: r.dir, hooks: r.hooks, config: r.config, config_stamp: r.config_stamp };
  } catch {
    // A damaged record only silences the check; "br hooks install" writes it again.
  }
  return null;
}

/** Writes the record, or removes it when no hook is left. */
export async function writeHooksRecord(project: Project, record: HooksRecord): Promise<void> {
  const path = recordPath(project);
  if (record.hooks.length === 0) {
    await Deno.remove(path).catch(() => {});
    return;
  }
  await ensureIgnoredFolder(project.paths.cache, "br's cache: derived data, never committed");
  await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n", { durable: false });
}

function readHook(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/**
 * True when the hook at `dir/hook` runs br: br's own script, or the script of pre-commit or
 * prek, which run the previous hook (br's, moved to `<hook>.legacy`) first.
 */
export function hookRunsBr(dir: string, hook: string, text: string | null): boolean {
  const owner = hookOwner(text);
  if (owner === "br") return true;
  if (owner !== "pre-commit" && owner !== "prek") return false;
  return readHook(join(dir, `${hook}.legacy`))?.includes(HOOK_MARKER) ?? false;
}

/**
 * The hooks br installed that git no longer runs br through (empty when br installed none).
 * Starts `git` only when git's config file changed since the record was written.
 */
export async function displacedHooks(project: Project): Promise<DisplacedHook[]> {
  const record = readHooksRecord(project);
  if (!record) return [];
  let dir = record.dir;
  if (record.config !== null && fileStamp(record.config) !== record.config_stamp) {
    const { hooksDir } = await import("./install.ts");
    const now = await hooksDir(project.root).catch(() => null);
    if (now === null) return [];
    if (now === record.dir) {
      // Another setting changed: remember the file as it is, so the next run starts no git.
      await writeHooksRecord(project, { ...record, config_stamp: fileStamp(record.config) })
        .catch(() => {});
    }
    dir = now;
  }
  const out: DisplacedHook[] = [];
  for (const hook of record.hooks) {
    const text = readHook(join(dir, hook));
    if (dir === record.dir && hookRunsBr(dir, hook, text)) continue;
    if (dir !== record.dir && hookOwner(text) === "br") continue;
    out.push({
      hook,
      state: dir !== record.dir ? "inactive" : text === null ? "removed" : "replaced",
      by: text === null ? null : hookOwner(text),
      dir,
    });
  }
  return out;
}

/** The one warning line about displaced hooks, or null when there are none. */
export function displacedWarning(displaced: DisplacedHook[]): string | null {
  if (displaced.length === 0) return null;
  const groups = new Map<string, string[]>();
  for (const d of displaced) {
    const what = d.state === "removed"
      ? "removed"
      : d.state === "inactive"
      ? `not run (git now runs the hooks in "${d.dir}")`
      : `replaced by ${d.by ?? "another tool"}`;
    groups.set(what, [...(groups.get(what) ?? []), d.hook]);
  }
  const parts = [...groups].map(([what, hooks]) => `${hooks.join(", ")} ${what}`);
  return `warning: br's git hooks no longer run: ${parts.join("; ")} ` +
    `(see "br hooks status")`;
}
