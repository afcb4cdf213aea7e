/**
 * The core: project discovery and layout, configuration, atomic files and the project lock,
 * git, the store, the event bus, errors and self-invocation. It imports no capability.
 *
 * @module
 */
export {
  type AnyObjectSchema,
  assertKnownKey,
  Config,
  type ConfigEntry,
  configSectionNames,
  type ConfigSource,
  type ConfigTree,
  defineConfigSection,
  globalConfigPath,
  loadConfig,
  type LoadConfigOptions,
  parseConfigValue,
  RESERVED_ENV,
  writeConfigValue,
} from "./config.ts";
export {
  BrError,
  type BrErrorCode,
  type BrErrorOptions,
  ExitCode,
  type ExitCodeValue,
  isBrError,
} from "./errors.ts";
export {
  type BrEvent,
  type BuildPayload,
  EVENT_TYPES,
  EventBus,
  type EventBusOptions,
  type EventHandler,
  type EventMeta,
  type EventPayloads,
  type EventType,
  type FeatureTransition,
  type FieldChange,
  type GatePayload,
  type HandlerFailure,
  type SpecPayload,
  type TaskPayload,
  type VetoHandler,
  type WorkerPayload,
} from "./events.ts";
export {
  exists,
  existsSync,
  readOwnTextOrNull,
  readTextOrNull,
  writeFileAtomic,
  writeIfChanged,
  type WriteOptions,
} from "./fs.ts";
export { git, gitOk, type GitOptions, type GitResult, isGitRepo } from "./git.ts";
export { type LockOptions, withLock } from "./lock.ts";
export {
  BR_DIR,
  type Clock,
  createProject,
  findProjectRoot,
  openProject,
  type OpenProjectOptions,
  type Project,
  type ProjectPaths,
  projectPaths,
  resolveProjectRoot,
  systemClock,
} from "./project.ts";
export type {
  Migration,
  RunResult,
  SqlParams,
  SqlValue,
  Store,
  StoreBackend,
  StoreChoice,
  StoreQueries,
  StoreTx,
} from "./store.ts";
export { openSqliteStore, type SqliteStoreOptions } from "./store_sqlite.ts";
export { MIGRATIONS } from "./store_migrations.ts";
export { SKIP_DIRS, VENDORED_DIRS } from "./walk.ts";
export {
  isCompiled,
  RUN_FLAGS,
  RUN_PERMISSIONS,
  selfCommand,
  selfCommandLine,
  shellQuote,
} from "./self.ts";
