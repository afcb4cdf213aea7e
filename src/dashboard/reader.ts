/**
 * The dashboard's reader: discovers the projects under its roots and keeps each snapshot
 * until a file it was read from changes (a watch or a web page asks again on every change;
 * unchanged projects cost a few `stat` calls). A project whose store is on a PostgreSQL
 * server is read again every time: no local file tells when its store changed.
 *
 * @module
 */
import { createProject } from "../core/project.ts";
import { discoverProjects, type FoundProject } from "./discover.ts";
import {
  type ProjectDetail,
  projectDetail,
  type ProjectSnapshot,
  projectSnapshot,
  projectTimeline,
  type TimelineEntry,
  watchedFiles,
} from "./snapshot.ts";

/** Options of {@link DashboardReader}. */
export interface ReaderOptions {
  /** Folders searched. */
  roots: string[];
  /** Levels searched below each root. */
  depth: number;
  /** Environment. */
  env: Record<string, string | undefined>;
  /** Clock (default: the system clock). */
  now?: () => Date;
}

function stamp(path: string, day: string): string {
  const parts = [day];
  for (const f of watchedFiles(path)) {
    try {
      const s = Deno.statSync(f);
      parts.push(`${s.mtime?.getTime() ?? 0}:${s.size}`);
    } catch {
      parts.push("-");
    }
  }
  return parts.join("|");
}

/** True when the project at `path` keeps its store on a server (nothing local to watch). */
async function onServer(path: string, env: Record<string, string | undefined>): Promise<boolean> {
  const project = createProject(path, { env });
  try {
    return (await project.storeChoice()).backend === "postgres";
  } catch {
    // An unusable setting: the snapshot says why.
    return false;
  } finally {
    await project.close().catch(() => {});
  }
}

/** Reads every project of a dashboard, with a per-project cache. */
export class DashboardReader {
  #options: ReaderOptions;
  #found: FoundProject[] = [];
  #cache = new Map<string, { key: string; snapshot: ProjectSnapshot }>();
  #server = new Set<string>();

  /** A reader over `options.roots`. */
  constructor(options: ReaderOptions) {
    this.#options = options;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }

  /** The projects found by the last {@link DashboardReader.snapshots} (sorted by path). */
  get projects(): readonly FoundProject[] {
    return this.#found;
  }

  /**
   * The roots of the projects (as of the last {@link DashboardReader.snapshots}) whose store
   * is on a PostgreSQL server: a watcher polls them, since no local file changes with them.
   */
  get serverProjects(): string[] {
    return this.#found.map((f) => f.path).filter((p) => this.#server.has(p));
  }

  /** Searches the roots again. */
  async discover(): Promise<FoundProject[]> {
    this.#found = await discoverProjects(this.#options.roots, {
      depth: this.#options.depth,
      env: this.#options.env,
    });
    return this.#found;
  }

  /** Every project's snapshot, sorted by name then path; unchanged projects from the cache. */
  async snapshots(options: { rediscover?: boolean } = {}): Promise<ProjectSnapshot[]> {
    if (options.rediscover !== false || !this.#found.length) await this.discover();
    const now = this.#now();
    const day = now.toISOString().slice(0, 10);
    const out: ProjectSnapshot[] = [];
    const todo: { found: FoundProject; key: string }[] = [];
    for (const found of this.#found) {
      const key = stamp(found.path, day);
      const hit = this.#cache.get(found.path);
      if (await onServer(found.path, this.#options.env)) this.#server.add(found.path);
      else this.#server.delete(found.path);
      if (hit && hit.key === key && !this.#server.has(found.path)) out.push(hit.snapshot);
      else todo.push({ found, key });
    }
    // A few at a time: one project's file reads overlap another's queries.
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const { found, key } = todo[next++];
        const snapshot = await projectSnapshot(found, this.#options.env, now);
        this.#cache.set(found.path, { key, snapshot });
        out.push(snapshot);
      }
    };
    await Promise.all(Array.from({ length: Math.min(6, todo.length) }, lane));
    return out.sort((a, b) =>
      a.name.localeCompare(b.name) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
    );
  }

  /** The detail of the project at `path` (one of {@link DashboardReader.projects}). */
  detail(found: FoundProject): Promise<ProjectDetail> {
    return projectDetail(found, this.#options.env, this.#now());
  }

  /** The latest events over every project, newest first. */
  async timeline(limit = 50): Promise<TimelineEntry[]> {
    const all: TimelineEntry[] = [];
    for (const found of this.#found) {
      all.push(...await projectTimeline(found, this.#options.env, limit));
    }
    return all.sort((a, b) => b.time.localeCompare(a.time)).slice(0, limit);
  }
}
