/**
 * Types for BuildRunner plugin authors: the manifest a plugin declares and
 * {@link definePlugin}, which checks it.
 *
 * @example
 * ```ts
 * import { definePlugin } from "@buildrunner/br/plugin";
 * import assert from "node:assert/strict";
 *
 * const plugin = definePlugin({
 *   manifest: { name: "hello", version: "1.0.0", apiVersion: 1, permissions: {} },
 *   events: { "feature.completed": (event) => console.log(event.payload.id) },
 * });
 * assert.equal(plugin.manifest.name, "hello");
 * ```
 *
 * @module
 */
import type { BrEvent, EventType } from "./src/core/events.ts";

/** Permissions a plugin asks for; the host grants exactly these and nothing else. */
export interface PluginPermissions {
  /** Paths inside the project it may read. */
  read?: string[];
  /** Paths inside the project it may write. */
  write?: string[];
  /** Hosts it may reach (`host` or `host:port`). */
  net?: string[];
  /** Environment variables it may read. */
  env?: string[];
}

/** The manifest of a plugin. */
export interface PluginManifest {
  /** Unique name, lower-case with dashes; also the command group it adds. */
  name: string;
  /** Its own version (semver). */
  version: string;
  /** The plugin API version it was written for. */
  apiVersion: 1;
  /** What it may touch. */
  permissions: PluginPermissions;
  /** One-line description. */
  description?: string;
}

/** Handlers for bus events, by type. */
export type PluginEventHandlers = {
  [T in EventType]?: (event: BrEvent<T>) => void | Promise<void>;
};

/** A command a plugin adds as `br <plugin> <name>`. */
export interface PluginCommand {
  /** One-line help. */
  brief: string;
  /** Runs with the remaining arguments; returns the text to print and an exit code. */
  run(
    args: string[],
  ): Promise<{ output?: string; exitCode?: number }> | { output?: string; exitCode?: number };
}

/** A plugin module's default export. */
export interface PluginDefinition {
  /** What it is and what it may touch. */
  manifest: PluginManifest;
  /** Event handlers. */
  events?: PluginEventHandlers;
  /** Commands it adds. */
  commands?: Record<string, PluginCommand>;
}

/**
 * Declares a plugin. Checks the manifest's name and API version and returns the definition.
 *
 * @throws {Error} when the manifest is malformed.
 */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  const { manifest } = definition;
  if (!/^[a-z][a-z0-9-]*$/.test(manifest?.name ?? "")) {
    throw new Error(
      `Invalid plugin name "${manifest?.name}": use lower-case letters, digits and dashes`,
    );
  }
  if (manifest.apiVersion !== 1) {
    throw new Error(
      `Plugin "${manifest.name}" targets API version ${manifest.apiVersion}; this host speaks 1`,
    );
  }
  return definition;
}
