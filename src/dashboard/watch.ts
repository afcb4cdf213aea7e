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

/** Options of {@link watchProjects}. */
export interface WatchOptions {
  /** Events within this many milliseconds are delivered together (default 80). */
  debounceMs?: number;
  /**
   * Roots reported as changed every {@link WatchOptions.pollMs}: projects whose store is on a
   * PostgreSQL server, which no local file tells about (the caller reads them again and shows
   * only what differs).
   */
  poll?: readonly string[];
  /** How often `poll` is reported (default {@link DEFAULT_POLL_MS}). */
  pollMs?: number;
}

/** How often a dashboard reads server-backed projects again (ms). */
export const DEFAULT_POLL_MS = 5000;

/**
 * `BR_DASHBOARD_POLL_MS` (whole milliseconds, 50 to 3600000), else {@link DEFAULT_POLL_MS}: how
 * often a dashboard reads projects on a PostgreSQL server again. Another value is ignored.
 */
export function pollInterval(env: Record<string, string | undefined>): number {
  const raw = env.BR_DASHBOARD_POLL_MS ?? "";
  const ms = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  return ms >= 50 && ms <= 3_600_000 ? ms : DEFAULT_POLL_MS;
}

/**
 * Calls `onChange` with the roots whose `.buildrunner/` (or its spool) changed, at most
 * once per `debounceMs`, and with `options.poll` every `options.pollMs`.
 */
export function watchProjects(
  roots: readonly string[],
  onChange: (changed: Set<string>) => void,
  options: WatchOptions = {},
): ProjectWatcher {
  const debounceMs = options.debounceMs ?? 80;
  const poll = options.poll?.length
    ? setInterval(() => onChange(new Set(options.poll)), options.pollMs ?? DEFAULT_POLL_MS)
    : undefined;
  const stopPolling = () => poll !== undefined && clearInterval(poll);
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
  if (!dirs.length) return { close: stopPolling };
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
      stopPolling();
      if (timer !== undefined) clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // already closed
      }
    },
  };
}
