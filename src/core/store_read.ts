/**
 * The store for commands that only read (reports such as `br cost summary`,
 * `br telemetry events`, `br parallel status`): they never create `.buildrunner/br.db`, and
 * they work on a project whose `.buildrunner/` br may not write to.
 *
 * @module
 */
import { exists } from "./fs.ts";
import type { Project } from "./project.ts";
import type { Store } from "./store.ts";

const memory = new WeakMap<Project, Promise<Store>>();
const readOnly = new WeakMap<Project, Promise<Store>>();

/**
 * The store a read-only report reads:
 *
 * - the project's store ({@link Project.store}) when this process opened it, or when
 *   `br.db` exists and can be opened for writing (which also applies pending migrations and
 *   ingests spooled events, so reports see them);
 * - `br.db` opened read-only when it exists but cannot be written (a read-only folder);
 * - without `br.db`, an empty in-memory store with the same schema holding the spooled
 *   events (the spool stays in place), so the report answers with empty results and leaves
 *   no file behind.
 *
 * With a PostgreSQL store (`BR_DATABASE_URL` or `store.url`), the project's store on the
 * server, always: nothing local is read or created.
 *
 * Writes to the in-memory store are lost at close; only reports use this.
 *
 * @throws {BrError} `storage` when `BR_DATABASE_URL` names a backend br lacks, or the
 * store cannot be read (a server that cannot be reached included).
 */
export async function readStore(project: Project): Promise<Store> {
  // A server store is read where it is (there is no local copy to fall back to).
  if ((await project.storeChoice()).backend === "postgres") return project.store();
  if (project.storeOpened()) return project.store();
  // Checked on every call: a long-running reader (the dashboard) sees a store created since.
  if (!(await exists(project.paths.db))) return memoryStore(project);
  const fallback = readOnly.get(project);
  if (fallback) return fallback;
  try {
    return await project.store();
  } catch (err) {
    // br.db exists but cannot be opened for writing: read it as it is.
    const { openSqliteStore } = await import("./store_sqlite.ts");
    const opened = openSqliteStore(project.paths.db, { readOnly: true });
    const store = await opened.catch((readErr) => {
      // A schema too old to read without migrating says so; otherwise the first error.
      throw /read-only and older/.test(String(readErr?.message)) ? readErr : err;
    });
    readOnly.set(project, opened);
    project.onClose(async () => {
      readOnly.delete(project);
      await store.close();
    });
    return store;
  }
}

function memoryStore(project: Project): Promise<Store> {
  let store = memory.get(project);
  if (!store) {
    store = (async () => {
      const { openSqliteStore } = await import("./store_sqlite.ts");
      const opened = await openSqliteStore(":memory:");
      project.onClose(async () => {
        memory.delete(project);
        await opened.close();
      });
      const { ingestSpool } = await import("./event_log.ts");
      await ingestSpool(opened, project.paths.spool, { keep: true });
      return opened;
    })();
    memory.set(project, store);
    store.catch(() => memory.delete(project));
  }
  return store;
}
