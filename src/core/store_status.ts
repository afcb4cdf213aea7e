/**
 * `br store status`: where the project's store lives and whether it answers, for a user
 * checking a team set-up (which server, which project key and schema, which version), with
 * the URL's password never shown.
 *
 * @module
 */
import { BrError } from "./errors.ts";
import { importOptional } from "./optional.ts";
import type { Project } from "./project.ts";
import { redactUrl } from "./store.ts";

/** What {@link storeStatus} reports. */
export interface StoreStatus {
  /** `sqlite` or `postgres`. */
  backend: "sqlite" | "postgres";
  /** What named the server (`BR_DATABASE_URL`, `store.url in the configuration`); null for SQLite. */
  source: string | null;
  /** The SQLite file, or the server's URL without its password and query. */
  location: string;
  /** The key that keeps this project's data apart on the server; null for SQLite. */
  project_key: string | null;
  /** Where the key came from: `BR_PROJECT_KEY`, `store.project`, `git origin` or `path`. */
  project_key_source: string | null;
  /** The project's schema on the server; null for SQLite. */
  schema: string | null;
  /** True when the store answered; null for SQLite without `br.db` (not created by this). */
  reachable: boolean | null;
  /** The server's version (`15.8`); null for SQLite or when unreachable. */
  server_version: string | null;
  /** The highest migration applied; null when not read. */
  schema_version: number | null;
  /** Why the store did not answer (without the password); null when it did. */
  error: string | null;
}

/**
 * Reports where `project`'s store lives and, for a server, opens it (which creates or
 * migrates the project's schema as any command would) and asks its version. SQLite's
 * `br.db` is read only when it exists (never created here).
 *
 * @returns the status and, when the store did not answer, the error to fail with (exit 8).
 * @throws {BrError} `storage` when `BR_DATABASE_URL`/`store.url` names a backend br lacks.
 */
export async function storeStatus(
  project: Project,
): Promise<{ status: StoreStatus; failure: BrError | null }> {
  const choice = await project.storeChoice();
  if (choice.backend === "sqlite") {
    const status: StoreStatus = {
      backend: "sqlite",
      source: null,
      location: project.paths.db,
      project_key: null,
      project_key_source: null,
      schema: null,
      reachable: null,
      server_version: null,
      schema_version: null,
      error: null,
    };
    try {
      Deno.lstatSync(project.paths.db);
    } catch {
      return { status, failure: null };
    }
    try {
      status.schema_version = await (await project.store()).schemaVersion();
      status.reachable = true;
      return { status, failure: null };
    } catch (err) {
      status.reachable = false;
      status.error = (err as Error).message;
      return { status, failure: err instanceof BrError ? err : null };
    }
  }
  const pg = await importOptional<typeof import("./store_postgres.ts")>(
    "src/core/store_postgres.ts",
  );
  const { key, source: keySource } = await pg.projectKeyOf(project);
  const status: StoreStatus = {
    backend: "postgres",
    source: choice.source,
    location: redactUrl(choice.url),
    project_key: key,
    project_key_source: keySource,
    schema: await pg.projectSchema(key),
    reachable: false,
    server_version: null,
    schema_version: null,
    error: null,
  };
  try {
    const store = await project.store();
    const row = await store.get<{ v: string }>("SELECT current_setting('server_version') AS v");
    status.server_version = row?.v ?? null;
    status.schema_version = await store.schemaVersion();
    status.reachable = true;
    return { status, failure: null };
  } catch (err) {
    status.error = (err as Error).message;
    return { status, failure: err instanceof BrError ? err : null };
  }
}
