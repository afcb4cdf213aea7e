/**
 * Project setup: `br init`, `br attach` and what attach detects.
 *
 * @module
 */
export {
  attachProject,
  BR_GITIGNORE,
  initProject,
  type SetupOptions,
  type SetupResult,
} from "./init.ts";
export { type Detection, detectProject, SKIP_DIRS } from "./detect.ts";
export {
  exportTaskMaster,
  importTaskMaster,
  type MirroredField,
  TASKMASTER_FILES,
  type TmConflict,
  type TmExportResult,
  type TmImportResult,
} from "./taskmaster.ts";
