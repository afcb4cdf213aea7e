/**
 * Git hooks: installing, removing and inspecting the pre-commit, commit-msg,
 * post-commit and pre-push hooks, and running them.
 *
 * @example
 * ```ts
 * import { initProject, openProject } from "@buildrunner/br";
 * import { hooksStatus, installHooks } from "@buildrunner/br/hooks";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" }); // runs "git init" too
 * const project = await openProject({ cwd: dir });
 * await installHooks(project);
 * const status = await hooksStatus(project);
 * assert.ok(status.hooks.every((h) => h.state === "br"));
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
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
