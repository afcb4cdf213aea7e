/**
 * Where the orchestrator keeps its state: the project store (`.buildrunner/br.db`, tables of
 * migration 20 in `src/core/store_migrations.ts`).
 */
import type { Project } from "../core/project.ts";
import type { Store, StoreQueries, StoreTx } from "../core/store.ts";
import { readStore } from "../core/store_read.ts";

export type { SqlParams, SqlValue } from "../core/store.ts";

/** The store or an open transaction. */
export type SqlStore = StoreQueries & { tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> };

/** Opens the project store. */
export function openStateStore(project: Project): Promise<Store> {
  return project.store();
}

/**
 * The store for reports (`br parallel status|list|dashboard`): never creates `br.db` (no runs
 * yet reads as empty) and reads a store in a folder br may not write to.
 */
export function readStateStore(project: Project): Promise<Store> {
  return readStore(project);
}
