/**
 * Change notification for the dashboard: one file-system watcher over the `.buildrunner/`
 * folders of the projects shown (not polling every project). Events within a short window
 * are delivered together, as the set of project roots that changed.
 *
 * @module
 */
import { join, sep } from "../core/path.ts";

/** A running watcher. */
export interface ProjectWatcher {
  /** Stops watching. */
  close(): void;
}

/**
 * Calls `onChange` with the roots whose `.buildrunner/` (or its spool) changed, at most
 * once per `debounceMs`.
 */
export function watchProjects(
  roots: readonly string[],
  onChange: (changed: Set<string>) => void,
  debounceMs = 80,
): ProjectWatcher {
  const dirs: string[] = [];
  for (const root of roots) {
    for (const dir of [join(root, ".buildrunner"), join(root, ".buildrunner", "spool")]) {
      try {
        if (Deno.lstatSync(dir).isDirectory) dirs.push(dir);
      } catch {
        // not there (yet)
      }
    }
  }
  if (!dirs.length) return { close() {} };
  const watcher = Deno.watchFs(dirs, { recursive: false });
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const byLength = [...roots].sort((a, b) => b.length - a.length);
  (async () => {
    try {
      for await (const event of watcher) {
        for (const p of event.paths) {
          // br's own temp and lock files come and go with every write; the rename that
          // follows is the change.
          if (/\.br-[^/\\]*\.tmp$|[\\/]\.lock$|-shm$|-journal$/.test(p)) continue;
          const root = byLength.find((r) => p.startsWith(r + sep));
          if (root) pending.add(root);
        }
        if (pending.size && timer === undefined) {
          timer = setTimeout(() => {
            timer = undefined;
            const changed = pending;
            pending = new Set();
            onChange(changed);
          }, debounceMs);
        }
      }
    } catch {
      // closed
    }
  })();
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // already closed
      }
    },
  };
}
