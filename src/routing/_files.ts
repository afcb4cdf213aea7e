/** Expands the `files` globs a feature declares and counts their lines. */
import { join, relative } from "node:path";
import { SKIP_DIRS } from "../core/walk.ts";
import { matchesAny } from "../core/glob.ts";

const MAX_WALK = 50_000;
const MAX_READ = 2_000;

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const stack = [root];
  while (stack.length && out.length < MAX_WALK) {
    const dir = stack.pop()!;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      continue;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory) {
        if (!SKIP_DIRS.has(e.name)) stack.push(path);
      } else if (e.isFile) out.push(relative(root, path).replaceAll("\\", "/"));
    }
  }
  return out;
}

/** Files matching `patterns` under `root` and their total line count. */
export async function declaredFiles(
  root: string,
  patterns: readonly string[],
): Promise<{ count: number; lines: number; patterns: number }> {
  if (patterns.length === 0) return { count: 0, lines: 0, patterns: 0 };
  const matched = (await walk(root)).filter((f) => matchesAny(f, patterns)).sort();
  let lines = 0;
  for (const file of matched.slice(0, MAX_READ)) {
    try {
      const text = await Deno.readTextFile(join(root, file));
      lines += text.length === 0 ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    } catch {
      // Unreadable files count as present but empty.
    }
  }
  return { count: matched.length, lines, patterns: patterns.length };
}
