/**
 * Git hooks: installing, removing and inspecting the pre-commit, commit-msg and pre-push
 * hooks, and running them.
 *
 * @example
 * ```ts ignore
 * import { openProject } from "../core/project.ts";
 * import { installHooks } from "./mod.ts";
 * const project = await openProject();
 * const result = await installHooks(project);
 * console.log(result.hooks.map((h) => `${h.hook}: ${h.action}`));
 * ```
 *
 * @module
 */
export {
  CHAINED_DIR,
  CHAINED_SUFFIX,
  HOOK_MARKER,
  HOOK_NAMES,
  type HookChange,
  type HookName,
  hookOwner,
  hookScript,
  hooksDir,
  type HooksResult,
  hooksSnippet,
  type HooksStatus,
  hooksStatus,
  type HookState,
  installHooks,
  type InstallOptions,
  shellOf,
  uninstallHooks,
} from "./install.ts";
export { type DisplacedHook, displacedHooks, displacedWarning, type HooksRecord } from "./watch.ts";
export { type HookCheck, type HookInput, type HookRun, runHook } from "./run.ts";
