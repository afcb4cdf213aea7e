/**
 * The project files served as MCP resources, and a watcher that tells the server when one
 * of them changes on disk (whoever wrote it: a tool of this server, `br` on the command
 * line, an editor).
 */
import { pathToFileURL } from "node:url";
import { projectPaths } from "../core/project.ts";

/** One file served as a resource. */
export interface ResourceFile {
  /** `file://` URI of the file. */
  uri: string;
  /** Short name (the file name). */
  name: string;
  /** What it holds. */
  description: string;
  /** MIME type. */
  mimeType: string;
  /** Absolute path. */
  path: string;
}

/** The files a project serves, present or not. */
export function resourceFiles(root: string): ResourceFile[] {
  const p = projectPaths(root);
  const file = (path: string, name: string, mimeType: string, description: string) => ({
    uri: pathToFileURL(path).href,
    name,
    description,
    mimeType,
    path,
  });
  return [
    file(
      p.features,
      "features.json",
      "application/json",
      "The project's features (.buildrunner/features.json): the source of truth",
    ),
    file(p.status, "STATUS.md", "text/markdown", "Status report generated from features.json"),
    file(p.spec, "PROJECT_SPEC.md", "text/markdown", "The product spec"),
  ];
}

/** A change seen by {@link watchResources}. */
export interface ResourceChange {
  /** URIs whose content changed (or that appeared or disappeared). */
  updated: string[];
  /** True when a file appeared or disappeared, so the list itself changed. */
  listChanged: boolean;
}

/** A running watcher. */
export interface ResourceWatcher {
  /** Stops watching. */
  close(): void;
}

type Signature = string | null;

async function signature(path: string): Promise<Signature> {
  try {
    const st = await Deno.stat(path);
    // An atomic write renames a new file over the old one, so the inode changes too.
    return `${st.mtime?.getTime()}:${st.size}:${st.ino ?? ""}`;
  } catch {
    return null;
  }
}

/**
 * Watches the project root and `.buildrunner/` (not recursively: the served files live
 * there, and a recursive watch of a large repository costs one inotify watch per folder)
 * and calls `onChange` once per burst of events, after `debounceMs`.
 */
export async function watchResources(
  root: string,
  onChange: (change: ResourceChange) => void,
  debounceMs = 40,
): Promise<ResourceWatcher> {
  const files = resourceFiles(root);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const last = new Map<string, Signature>();
  for (const f of files) last.set(f.path, await signature(f.path));
  const dirs = [root, projectPaths(root).dir];
  const watcher = Deno.watchFs(dirs, { recursive: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const check = async () => {
    const updated: string[] = [];
    let listChanged = false;
    for (const f of files) {
      const now = await signature(f.path);
      const before = last.get(f.path) ?? null;
      if (now === before) continue;
      last.set(f.path, now);
      updated.push(f.uri);
      if ((now === null) !== (before === null)) listChanged = true;
    }
    if (!closed && updated.length) onChange({ updated, listChanged });
  };
  (async () => {
    try {
      for await (const event of watcher) {
        if (!event.paths.some((p) => byPath.has(p))) continue;
        clearTimeout(timer);
        timer = setTimeout(() => void check(), debounceMs);
      }
    } catch {
      // The watcher was closed.
    }
  })();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // Already closed.
      }
    },
  };
}
