import { SKIP_DIRS } from "../core/walk.ts";
import { join, relative, sep } from "../core/path.ts";
import { git } from "../core/git.ts";
import type { SourceLang } from "./_facts.ts";

/** A source file found under the analysis root. */
export interface SourceFile {
  /** Path relative to the root, with `/`. */
  file: string;
  /** Language. */
  lang: SourceLang;
}

const LANG_BY_EXT: Record<string, SourceLang> = {
  ts: "ts",
  tsx: "ts",
  mts: "ts",
  cts: "ts",
  js: "js",
  jsx: "js",
  mjs: "js",
  cjs: "js",
  py: "py",
  pyi: "py",
};

/** The language of a path, or null when no analyzer reads it. */
export function langOf(path: string): SourceLang | null {
  if (path.endsWith(".d.ts") || path.endsWith(".min.js")) return null;
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return LANG_BY_EXT[ext] ?? null;
}

/** True when a relative path lies in a folder no walker enters. */
export function isSkipped(rel: string): boolean {
  const parts = rel.split("/");
  parts.pop();
  return parts.some((p) => SKIP_DIRS.has(p) || (p.startsWith(".") && p !== "."));
}

/**
 * Every file under `root` (relative paths with `/`, sorted): the files git knows (tracked
 * and untracked, not ignored) when `root` is in a repository, else a walk of the tree.
 * Folders of {@link SKIP_DIRS} and hidden folders are left out.
 */
export async function listFiles(root: string): Promise<string[]> {
  const res = await git(
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate"],
    { cwd: root },
  ).catch(() => null);
  let files: string[];
  if (res && res.code === 0) {
    files = res.stdout.split("\0").filter(Boolean);
  } else {
    files = [];
    const walk = async (dir: string): Promise<void> => {
      for await (const e of Deno.readDir(dir)) {
        const abs = join(dir, e.name);
        if (e.isDirectory) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) await walk(abs);
        } else if (e.isFile) files.push(relative(root, abs).split(sep).join("/"));
      }
    };
    await walk(root);
  }
  return [...new Set(files)].filter((f) => !isSkipped(f)).sort();
}

/** The source files among `files` (those of {@link listFiles}) that an analyzer reads. */
export function sourceFilesOf(files: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const file of files) {
    const lang = langOf(file);
    if (lang) out.push({ file, lang });
  }
  return out;
}

export { globToRegExp, matchesAny } from "../core/glob.ts";
