/**
 * The SDK for BuildRunner plugin authors: the manifest a plugin declares, the context every
 * handler and command receives, and {@link definePlugin}, which checks it. A plugin is one
 * bundled JavaScript module whose default export is `definePlugin({ manifest, events,
 * commands })` (a plain object of the same shape works too). `br plugin add` records what it
 * may touch; br runs it in its own Worker with exactly that (docs/plugins.md).
 *
 * @example
 * ```ts
 * import { definePlugin } from "@buildrunner/br/plugin";
 * import assert from "node:assert/strict";
 *
 * const plugin = definePlugin({
 *   manifest: { name: "hello", version: "1.0.0", apiVersion: 1, permissions: { env: ["USER"] } },
 *   events: {
 *     "feature.completed": async (event, ctx) => {
 *       await ctx.kv.set("last-completed", event.payload.id);
 *     },
 *   },
 *   commands: {
 *     greet: {
 *       brief: "Greets someone",
 *       run: (args, ctx) => ({ output: `hello ${args[0] ?? ctx.env.USER ?? "you"}` }),
 *     },
 *   },
 * });
 * assert.equal(plugin.manifest.name, "hello");
 * const result = await plugin.commands!.greet.run(["Ada"], {} as never);
 * assert.equal(result.output, "hello Ada");
 * ```
 *
 * @module
 */
import type { BrEvent, EventType } from "./src/core/events.ts";
import { BrError } from "./src/core/errors.ts";

export type {
  BrEvent,
  BuildPayload,
  EventPayloads,
  EventType,
  FeatureTransition,
  FieldChange,
  GatePayload,
  SpecPayload,
  TaskPayload,
  WorkerPayload,
} from "./src/core/events.ts";

/** The plugin API major version this SDK targets (a host refuses another major version). */
export const PLUGIN_API_VERSION = 1;

/** What every event handler and command receives. */
export interface PluginContext {
  /** The command's arguments (empty for an event handler). */
  args: string[];
  /** The project, read-only. */
  project: {
    /** Its name (from features.json). */
    name: string;
    /** Its root folder. */
    root: string;
    /** A copy of its features (features.json). */
    features(): Promise<Record<string, unknown>[]>;
    /**
     * Adds a feature. br does it in its own process, under the project lock, with the same
     * checks and governance as `br feature add`. Needs the grant `features=write` (no file
     * access: the sandbox never writes features.json).
     */
    addFeature(input: PluginFeatureInput): Promise<Record<string, unknown>>;
    /** Changes fields of a feature (as `br feature update`; grant `features=write`). */
    updateFeature(id: string, patch: PluginFeaturePatch): Promise<Record<string, unknown>>;
    /** Moves a feature to another status (`blocked` needs a reason; grant `features=write`). */
    setFeatureStatus(
      id: string,
      status: string,
      options?: { reason?: string },
    ): Promise<Record<string, unknown>>;
    /** What the usage ledger recorded for a feature: USD and tokens. */
    cost(featureId: string): Promise<{ cost_usd: number; total_tokens: number }>;
  };
  /** The granted environment variables that are set. */
  env: Record<string, string>;
  /** `fetch`, limited to the granted hosts. */
  fetch: typeof fetch;
  /** Streams text to the command's stdout as it is written. */
  output: { write(text: string): void };
  /** Lines on br's stderr, prefixed with the plugin's name. */
  log: {
    info(...parts: unknown[]): void;
    warn(...parts: unknown[]): void;
    error(...parts: unknown[]): void;
  };
  /** A key-value store of this plugin's own, kept in the project's store (JSON values). */
  kv: {
    get(key: string): Promise<unknown>;
    set(key: string, value: unknown): Promise<void>;
    delete(key: string): Promise<void>;
    list(prefix?: string): Promise<string[]>;
  };
}

/** The fields a plugin may set on a new feature. */
export interface PluginFeatureInput {
  /** Human name (required). */
  name: string;
  /** Id; default: the slug of the name. */
  id?: string;
  /** Description. */
  description?: string;
  /** Priority (default medium). */
  priority?: string;
  /** Status (default planned). */
  status?: string;
  /** Acceptance criteria. */
  acceptance?: string[];
  /** Tags. */
  tags?: string[];
  /** Planned week. */
  week?: number | null;
  /** Owner. */
  owner?: string | null;
  /** Why it is blocked (needed when status is blocked). */
  blocked_reason?: string | null;
}

/** The fields a plugin may change on a feature (not its status). */
export type PluginFeaturePatch = Partial<
  Pick<
    PluginFeatureInput,
    "name" | "description" | "priority" | "acceptance" | "tags" | "week" | "owner"
  >
>;

/** What a command returns. */
export interface PluginCommandResult {
  /** Text printed after what it streamed. */
  output?: string;
  /** Its exit code (default 0). */
  exitCode?: number;
}

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
  /**
   * `["write"]`: it may add and change features through its context (br writes them, under
   * the project lock, with the same checks and governance as `br feature`).
   */
  features?: "write"[];
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
  [T in EventType]?: (event: BrEvent<T>, ctx: PluginContext) => void | Promise<void>;
};

/** A command a plugin adds as `br <plugin> <name>`. */
export interface PluginCommand {
  /** One-line help. */
  brief: string;
  /** Runs with the remaining arguments; returns the text to print and an exit code. */
  run(
    args: string[],
    ctx: PluginContext,
  ): Promise<PluginCommandResult> | PluginCommandResult;
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
 * @throws {BrError} `plugin` when the manifest is malformed.
 */
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  const { manifest } = definition;
  if (!/^[a-z][a-z0-9-]{0,63}$/.test(manifest?.name ?? "")) {
    throw new BrError(
      "plugin",
      `Invalid plugin name "${manifest?.name}": use lower-case letters, digits and dashes`,
    );
  }
  if (manifest.apiVersion !== PLUGIN_API_VERSION) {
    throw new BrError(
      "plugin",
      `Plugin "${manifest.name}" targets API version ${manifest.apiVersion}; this SDK speaks ${PLUGIN_API_VERSION}`,
    );
  }
  return definition;
}
