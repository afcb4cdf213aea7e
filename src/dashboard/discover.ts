/**
 * Finding BuildRunner projects under a few root folders: a bounded walk that never follows
 * links and never enters vendored folders, git internals, br's own state or linked git
 * worktrees, plus the repositories `mani.yaml` (in a root) and gita's repo list name.
 *
 * @module
 */
import { BR_DIR } from "../core/project.ts";
import { basename, join, resolve } from "../core/path.ts";
import { SKIP_DIRS } from "../core/walk.ts";

/** A project found by {@link discoverProjects}. */
export interface FoundProject {
  /** The folder name (the features file may name it otherwise). */
  name: string;
  /** The absolute project root. */
  path: string;
}

/** Options of {@link discoverProjects}. */
export interface DiscoverOptions {
  /** Folder levels searched below each root (0: the root itself only). */
  depth: number;
  /** Environment (`HOME`, `XDG_CONFIG_HOME` locate gita's repo list). */
  env: Record<string, string | undefined>;
}

/** Extra folders no project search enters. */
const SKIP_MORE = new Set(["worktrees", ".worktrees"]);

function isDir(path: string): boolean {
  try {
    return Deno.lstatSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * True when `dir` is a linked git worktree (its `.git` is a file pointing into another
 * repository's `worktrees/`): the main checkout is the project, not each worktree.
 */
function isLinkedWorktree(dir: string): boolean {
  try {
    const info = Deno.lstatSync(join(dir, ".git"));
    if (!info.isFile || info.size > 4096) return false;
    return /^gitdir:.*[\\/]worktrees[\\/]/m.test(Deno.readTextFileSync(join(dir, ".git")));
  } catch {
    return false;
  }
}

/** A BuildRunner project root: a real `.buildrunner/` folder, not a linked worktree. */
function isProject(dir: string): boolean {
  return isDir(join(dir, BR_DIR)) && !isLinkedWorktree(dir);
}

function walk(root: string, depth: number, out: Map<string, FoundProject>): void {
  let level = [root];
  for (let d = 0; d <= depth && level.length; d++) {
    const next: string[] = [];
    for (const dir of level) {
      if (isLinkedWorktree(dir)) continue;
      if (isProject(dir)) out.set(dir, { name: basename(dir) || dir, path: dir });
      if (d === depth) continue;
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        continue; // unreadable folder: nothing below it is listed
      }
      for (const e of entries) {
        // Links are never followed (no loops, no leaving the roots).
        if (!e.isDirectory || e.isSymlink) continue;
        if (SKIP_DIRS.has(e.name) || SKIP_MORE.has(e.name)) continue;
        next.push(join(dir, e.name));
      }
    }
    next.sort();
    level = next;
  }
}

/** The repository paths of a `mani.yaml` (`projects: {name: {path}}`), relative to it. */
async function maniPaths(root: string): Promise<string[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(root, "mani.yaml"));
  } catch {
    return [];
  }
  try {
    const { load } = await import("js-yaml");
    const doc = load(text) as { projects?: Record<string, { path?: unknown } | null> } | null;
    const projects = doc && typeof doc === "object" ? doc.projects : undefined;
    if (!projects || typeof projects !== "object") return [];
    return Object.entries(projects).map(([name, p]) =>
      resolve(root, typeof p?.path === "string" ? p.path : name)
    );
  } catch {
    return []; // a mani file br cannot parse adds nothing; the walk still runs
  }
}

/** The repositories of gita's list (`<config>/gita/repos.csv`: `path,name,...` lines). */
async function gitaPaths(env: Record<string, string | undefined>): Promise<string[]> {
  const base = env.XDG_CONFIG_HOME || (env.HOME ? join(env.HOME, ".config") : null);
  if (!base) return [];
  let text: string;
  try {
    text = await Deno.readTextFile(join(base, "gita", "repos.csv"));
  } catch {
    return [];
  }
  return text.split(/\r?\n/).map((l) => l.split(",")[0].trim()).filter((p) => p.startsWith("/"));
}

/**
 * The projects under `roots` (each searched `depth` levels deep) and those listed by
 * `mani.yaml` files in the roots and by gita, sorted by path, each once.
 */
export async function discoverProjects(
  roots: readonly string[],
  options: DiscoverOptions,
): Promise<FoundProject[]> {
  const found = new Map<string, FoundProject>();
  const listed: string[] = [...await gitaPaths(options.env)];
  for (const raw of roots) {
    const root = resolve(raw);
    walk(root, options.depth, found);
    listed.push(...await maniPaths(root));
  }
  for (const path of listed) {
    if (!found.has(path) && isProject(path)) found.set(path, { name: basename(path), path });
  }
  return [...found.values()].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
