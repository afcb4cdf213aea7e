/** The store for reading telemetry, without creating `br.db` just to find it empty. */
import { spoolPending } from "../core/event_log.ts";
import { exists } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import type { Store } from "../core/store.ts";

/**
 * The project's store when `br.db` exists or events wait in the spool; otherwise an empty
 * in-memory store with the same schema, so a read-only command on a project without telemetry
 * leaves no file behind.
 */
export async function readStore(project: Project): Promise<Store> {
  const stored = await exists(project.paths.db) || await spoolPending(project.paths.spool);
  if (stored) return project.store();
  const { openSqliteStore } = await import("../core/store_sqlite.ts");
  const store = await openSqliteStore(":memory:");
  project.onClose(() => store.close());
  return store;
}
