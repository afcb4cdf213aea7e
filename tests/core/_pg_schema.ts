/**
 * The schema of the PostgreSQL store tests (independent of br's own migrations): an event
 * table with a unique id, a counter for read-modify-write transactions, and a table of every
 * column type the store maps.
 */
import type { Migration } from "../../src/core/store.ts";

/** The test migrations; each fails when applied twice (no `IF NOT EXISTS`). */
export const TEST_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "test_events",
    sqlite: "",
    postgres: `
      CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        worker TEXT NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL);
      INSERT INTO counter (id, n) VALUES (1, 0);`,
  },
  {
    version: 2,
    name: "test_types",
    sqlite: "",
    postgres: `
      CREATE TABLE kinds (
        k TEXT PRIMARY KEY,
        i BIGINT,
        n INTEGER,
        r DOUBLE PRECISION,
        m NUMERIC,
        b BYTEA,
        j JSONB,
        flag BOOLEAN
      );`,
  },
];

/** The insert every writer uses: a duplicate id is skipped, never stored twice. */
export const INSERT_EVENT = "INSERT INTO events (id, worker, payload) " +
  "VALUES ($id, $worker, $payload) ON CONFLICT (id) DO NOTHING";
