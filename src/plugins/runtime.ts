import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import type { Project } from "../core/project.ts";
import { STORE_SECRET_ENV } from "../core/store.ts";
import {
  type CallSinks,
  type CommandResult,
  type PluginServices,
  PluginWorker,
  verifyBundle,
} from "./host.ts";
import {
  bundlePath,
  findPlugin,
  loadPlugins,
  type PluginEntry,
  type PluginGrant,
} from "./registry.ts";

/** Default per-call timeout of an event handler (the bus's own is 5 s). */
export const EVENT_TIMEOUT_MS = 3000;
/** Default per-call timeout of a plugin command. */
export const COMMAND_TIMEOUT_MS = 30000;

/**
 * The per-call timeout: `BR_PLUGIN_TIMEOUT_MS` when set, else `fallback`.
 *
 * @throws {BrError} `usage` for a value that is not a positive integer.
 */
export function pluginTimeout(env: Record<string, string | undefined>, fallback: number): number {
  const raw = env.BR_PLUGIN_TIMEOUT_MS;
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new BrError("usage", `Invalid BR_PLUGIN_TIMEOUT_MS "${raw}"`, {
      hint: "set it to a number of milliseconds, e.g. 5000",
    });
  }
  return n;
}

/** Reads a plugin's bundle and checks it is the one it was granted for. */
function readBundle(project: Project, entry: PluginEntry): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(bundlePath(project, entry.name));
  } catch (err) {
    throw new BrError(
      "plugin",
      `Cannot run plugin "${entry.name}": cannot read its bundle .buildrunner/plugins/${entry.name}.js (${
        (err as Error).message
      })`,
      { hint: `run "br plugin update ${entry.name}" to fetch it again`, cause: err },
    );
  }
  verifyBundle(entry.name, bytes, entry.sha256);
  return bytes;
}

async function projectName(project: Project): Promise<string> {
  try {
    const { loadFeatures } = await import("../features/registry.ts");
    return (await loadFeatures(project)).project;
  } catch {
    return "";
  }
}

const STRING_FIELDS = [
  "name",
  "id",
  "description",
  "priority",
  "status",
  "owner",
  "blocked_reason",
];
const LIST_FIELDS = ["acceptance", "tags"];

/**
 * The feature fields a plugin sent, checked field by field (a plugin is untrusted): only
 * the fields of the SDK's `PluginFeatureInput` (the status and id only when adding).
 */
function featureFields(raw: unknown, adding: boolean): Record<string, unknown> {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error("feature fields must be an object");
  }
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const ok = STRING_FIELDS.includes(field) &&
        (adding || !["id", "status", "blocked_reason"].includes(field))
      ? typeof value === "string" ||
        (value === null && (field === "owner" || field === "blocked_reason"))
      : LIST_FIELDS.includes(field)
      ? Array.isArray(value) && value.every((v) => typeof v === "string")
      : field === "week"
      ? value === null || (Number.isInteger(value) && (value as number) >= 0)
      : false;
    if (!ok) throw new Error(`invalid feature field "${field}"`);
    out[field] = value;
  }
  if (adding && typeof out.name !== "string") throw new Error('a feature needs a "name"');
  return out;
}

/** The answers to a plugin's context requests: its key-value store and the features. */
export function pluginServices(
  project: Project,
  plugin: string,
  grant: PluginGrant | null = null,
): PluginServices {
  return async (op: string, args: unknown[]): Promise<unknown> => {
    const key = String(args[0] ?? "");
    if (op.startsWith("features.") && !grant?.features.includes("write")) {
      // Worded as Deno's own denials, so the host reports it as one.
      throw new Error(
        `Requires features access to write features; grant it with "br plugin update ${plugin} --grant ...,features=write"`,
      );
    }
    switch (op) {
      case "features": {
        const { loadFeatures } = await import("../features/registry.ts");
        return structuredClone((await loadFeatures(project)).features);
      }
      case "features.add": {
        const { addFeature } = await import("../features/registry.ts");
        return structuredClone(await addFeature(project, featureFields(args[0], true) as never));
      }
      case "features.update": {
        const { updateFeature } = await import("../features/registry.ts");
        return structuredClone(await updateFeature(project, key, featureFields(args[1], false)));
      }
      case "features.status": {
        const { setFeatureStatus } = await import("../features/registry.ts");
        const reason = typeof args[2] === "string" ? args[2] : undefined;
        return structuredClone(await setFeatureStatus(project, key, String(args[1]), { reason }));
      }
      case "cost": {
        const { costSummary } = await import("../cost/summary.ts");
        const { totals } = await costSummary(project, { by: "feature", feature: key });
        return { cost_usd: totals.cost_usd, total_tokens: totals.total_tokens };
      }
      case "kv.get": {
        const store = await project.store();
        const row = await store.get<{ value: string }>(
          "SELECT value FROM plugin_kv WHERE plugin = ? AND key = ?",
          [plugin, key],
        );
        return row ? JSON.parse(row.value) : null;
      }
      case "kv.set": {
        const text = JSON.stringify(args[1] ?? null);
        if (text.length > 1 << 20) throw new Error("a value may hold at most 1 MiB of JSON");
        const store = await project.store();
        await store.tx((t) =>
          t.run(
            "INSERT INTO plugin_kv (plugin, key, value) VALUES (?, ?, ?) " +
              "ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value",
            [plugin, key, text],
          )
        );
        return null;
      }
      case "kv.delete": {
        const store = await project.store();
        await store.tx((t) =>
          t.run("DELETE FROM plugin_kv WHERE plugin = ? AND key = ?", [plugin, key])
        );
        return null;
      }
      case "kv.list": {
        const store = await project.store();
        const rows = await store.all<{ key: string }>(
          "SELECT key FROM plugin_kv WHERE plugin = ? AND substr(key, 1, length(?)) = ? ORDER BY key",
          [plugin, key, key],
        );
        return rows.map((r) => r.key);
      }
      default:
        throw new Error(`unknown request "${op}"`);
    }
  };
}

/** Starts the Worker of an installed plugin with its grant (after checking its bundle). */
export async function startPlugin(
  project: Project,
  entry: PluginEntry,
  timeoutMs: number,
): Promise<PluginWorker> {
  const bundle = readBundle(project, entry);
  const env: Record<string, string> = {};
  for (const name of entry.grant.env) {
    // The store's password stays with br, whatever the grant says.
    if (STORE_SECRET_ENV.includes(name)) continue;
    const value = project.env[name];
    if (value !== undefined) env[name] = value;
  }
  return PluginWorker.start({
    name: entry.name,
    bundle,
    grant: entry.grant,
    root: project.root,
    projectName: await projectName(project),
    env,
    timeoutMs,
    services: pluginServices(project, entry.name, entry.grant),
  });
}

/**
 * Runs `br <plugin> <command> [args]`: its output streams to `sinks`.
 *
 * @throws {BrError} `not_found` for an unknown plugin or command, `plugin` when it fails, is
 * denied an access, times out or its bundle changed since it was granted.
 */
export async function runPluginCommand(
  project: Project,
  plugin: string,
  command: string,
  args: string[],
  sinks: CallSinks,
): Promise<CommandResult> {
  const entry = findPlugin(await loadPlugins(project), plugin);
  if (!entry.commands.some((c) => c.name === command)) {
    throw new BrError("not_found", `Cannot find command "${command}" of plugin "${plugin}"`, {
      hint: `run "br plugin info ${plugin}" to see its commands`,
    });
  }
  const worker = await startPlugin(
    project,
    entry,
    pluginTimeout(project.env, COMMAND_TIMEOUT_MS),
  );
  try {
    return await worker.command(command, args, sinks);
  } finally {
    worker.terminate();
  }
}

/** Delivers bus events to the plugins that handle them (see `attachPluginEvents`). */
export interface Dispatcher {
  /** Runs every handler of `event`; rejects with one error naming the plugins that failed. */
  dispatch(event: BrEvent): Promise<void>;
  /** Stops every Worker it started. */
  close(): void;
}

/** A dispatcher for one session: each plugin's Worker starts on its first event. */
export async function createDispatcher(project: Project): Promise<Dispatcher> {
  const file = await loadPlugins(project);
  const timeoutMs = pluginTimeout(project.env, EVENT_TIMEOUT_MS);
  const workers = new Map<string, Promise<PluginWorker>>();
  return {
    async dispatch(event) {
      const handlers = file.plugins.filter((p) => p.events.includes(event.type));
      const failures: string[] = [];
      await Promise.all(handlers.map(async (entry) => {
        try {
          let worker = workers.get(entry.name);
          if (!worker) workers.set(entry.name, worker = startPlugin(project, entry, timeoutMs));
          await (await worker).event(event, {});
        } catch (err) {
          failures.push((err as Error).message);
        }
      }));
      if (failures.length) throw new Error(failures.join("; "));
    },
    close() {
      for (const w of workers.values()) w.then((worker) => worker.terminate(), () => {});
    },
  };
}

/** The sinks of a command run in a terminal-less context. */
export type { CallSinks, CommandResult };
