/**
 * Moving in: migrations from BuildRunner 2 (`.runner/`) and BuildRunner 3.1 files, with a
 * backup, a git commit and tag, and an exact rollback.
 *
 * @module
 */
export {
  type FromV2Options,
  migrateFromV2,
  type PlannedFeature,
  V2_TAG,
  type V2Plan,
} from "./from_v2.ts";
export { migrateFromV3, V3_TAG, type V3Change, type V3Plan } from "./from_v3.ts";
export {
  type MigrationOutcome,
  type MigrationRecord,
  type MigrationStatus,
  migrationStatus,
  readRecord,
  RECORD_PATH,
  rollbackMigration,
} from "./record.ts";
export {
  importSpecKit,
  parseSpecKitStories,
  parseSpecKitTasks,
  type SpecKitImportResult,
  type SpecKitStory,
  type SpecKitTask,
} from "./speckit.ts";
