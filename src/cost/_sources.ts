import { join, resolve } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import { claudeProjectDirs } from "./claude_code.ts";
import { codexSessionDirs } from "./codex.ts";

/** The agents whose logs can be imported. */
export type ImportSource = "claude-code" | "codex";

/**
 * Every `*.jsonl` below `dir`, recursively (a missing folder has none). Folders are listed
 * synchronously: a tree of hundreds of small folders would otherwise wait for as many round
 * trips to an I/O thread.
 */
export function* jsonlFiles(dir: string): Generator<string> {
  const subdirs: string[] = [];
  const files: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) subdirs.push(path);
      else if (e.isFile && e.name.endsWith(".jsonl")) files.push(path);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) return;
    throw err;
  }
  // Main session files before their subagents' files, so that a sidechain replay finds the
  // message it replays already counted.
  files.sort();
  subdirs.sort((a, b) =>
    Number(a.endsWith("subagents")) - Number(b.endsWith("subagents")) || (a < b ? -1 : 1)
  );
  yield* files;
  for (const d of subdirs) yield* jsonlFiles(d);
}

export function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * The folders to read for a source. Given folders count for a source when they hold its
 * layout (`projects/` for Claude Code; `sessions/` or `archived_sessions/` for Codex), or
 * when only that source is imported (the folder is then the log folder itself).
 */
export function rootsFor(
  project: Project,
  source: ImportSource,
  dirs: string[] | undefined,
  single: boolean,
): string[] {
  if (!dirs?.length) {
    return (source === "claude-code"
      ? claudeProjectDirs(project.env)
      : codexSessionDirs(project.env))
      .filter(isDir);
  }
  const out: string[] = [];
  for (const d of dirs.map((x) => resolve(project.root, x))) {
    const inner = source === "claude-code"
      ? [join(d, "projects")].filter(isDir)
      : [join(d, "sessions"), join(d, "archived_sessions")].filter(isDir);
    if (inner.length) out.push(...inner);
    else if (single && isDir(d)) out.push(d);
  }
  // A folder given twice is read once.
  return [...new Set(out)];
}
