import { BrError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { sha256Hex } from "../core/hash.ts";
import type { Project } from "../core/project.ts";
import { isAbsolute, normalize, relative } from "node:path";
import { type LoadedPlugin, PluginWorker } from "./host.ts";
import {
  bundlePath,
  findPlugin,
  grantPathInside,
  loadPlugins,
  mutatePlugins,
  type PluginEntry,
  type PluginGrant,
  toGrantPath,
} from "./registry.ts";
import { fetchBundle } from "./source.ts";
import { COMMAND_TIMEOUT_MS, pluginTimeout } from "./runtime.ts";

/** A plugin fetched and inspected, not yet installed. */
export interface PreparedPlugin {
  /** Where it came from (as recorded). */
  source: string;
  /** Its bundle. */
  bytes: Uint8Array;
  /** sha256 of the bundle. */
  sha256: string;
  /** What it declares; `manifest.permissions` is what it requests. */
  loaded: LoadedPlugin;
}

const KINDS = ["read", "write", "net", "env", "features"] as const;

/** An empty grant. */
export function emptyGrant(): PluginGrant {
  return { read: [], write: [], net: [], env: [], features: [] };
}

/**
 * Parses `--grant read=P,write=P,net=H,env=V` (each key may repeat; paths are relative to
 * the project root, wherever the command runs).
 *
 * @throws {BrError} `usage` for a malformed item or a path outside the project.
 */
export function parseGrant(text: string, root: string): PluginGrant {
  const grant = emptyGrant();
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const eq = item.indexOf("=");
    const kind = item.slice(0, eq) as typeof KINDS[number];
    const value = item.slice(eq + 1);
    if (
      eq === -1 || !KINDS.includes(kind) || value === "" ||
      (kind === "features" && value !== "write")
    ) {
      throw new BrError("usage", `Invalid --grant item "${item}"`, {
        hint: "write it as read=PATH,write=PATH,net=HOST,env=NAME,features=write (keys may repeat)",
      });
    }
    if (kind === "read" || kind === "write") {
      const rel = toGrantPath(root, root, value);
      if (rel === null) {
        throw new BrError("usage", `Cannot grant ${kind}=${value}: it is outside the project`, {
          hint: "grant paths inside the project root",
        });
      }
      grant[kind].push(rel);
    } else grant[kind].push(value);
  }
  return grant;
}

function normalizeRequest(name: string, requested: PluginGrant): PluginGrant {
  const out = emptyGrant();
  for (const kind of KINDS) {
    for (const value of requested[kind]) {
      if (kind === "features" && value !== "write") {
        throw new BrError(
          "plugin",
          `Cannot add plugin "${name}": it requests features access "${value}"`,
          { hint: 'the only features access is "write"' },
        );
      }
      if ((kind === "read" || kind === "write") && !grantPathInside(value)) {
        throw new BrError(
          "plugin",
          `Cannot add plugin "${name}": it requests ${kind} access outside the project ("${value}")`,
          { hint: "plugins may only ask for paths inside the project, relative to its root" },
        );
      }
      const v = kind === "read" || kind === "write"
        ? normalize(value).replace(/[\\/]+$/, "").split("\\").join("/") || "."
        : value;
      if (!out[kind].includes(v)) out[kind].push(v);
    }
  }
  return out;
}

function within(path: string, folder: string): boolean {
  return folder === "." || path === folder || path.startsWith(`${folder}/`);
}

/**
 * The host a manifest names as `"*"`: a host the user chooses at add time (a GitHub
 * Enterprise server, a test server). `--yes` never grants it; `--grant net=HOST` names it.
 */
export const ANY_HOST = "*";

/**
 * True when a request covers one granted item: a path inside a requested folder; a host
 * requested (a host without a port covers its ports) or, when the manifest requests
 * {@link ANY_HOST}, any host; an environment variable requested.
 */
function covers(kind: typeof KINDS[number], requested: string[], value: string): boolean {
  if (kind === "read" || kind === "write") return requested.some((r) => within(value, r));
  if (requested.includes(value)) return true;
  if (kind !== "net" || value === ANY_HOST) return false;
  const host = value.replace(/:\d+$/, "");
  return requested.includes(ANY_HOST) || requested.includes(host);
}

/** What granting "everything requested" (`--yes`) gives: the request without {@link ANY_HOST}. */
export function fullGrant(requested: PluginGrant): PluginGrant {
  const out = structuredClone(requested);
  out.net = out.net.filter((h) => h !== ANY_HOST);
  return out;
}

/**
 * Checks a grant against what the plugin requests: a grant may hold less, never more.
 *
 * @throws {BrError} `usage` naming the first item the manifest does not request.
 */
export function checkGrant(name: string, requested: PluginGrant, grant: PluginGrant): void {
  for (const kind of KINDS) {
    for (const value of grant[kind]) {
      if (!covers(kind, requested[kind], value)) {
        throw new BrError(
          "usage",
          `Cannot grant ${kind}=${value} to plugin "${name}": its manifest does not request it`,
          { hint: `run "br plugin info" after adding, or grant only what it requests` },
        );
      }
    }
  }
}

/** Starts a Worker with no permission at all to read what a bundle declares. */
export async function inspectBundle(
  name: string,
  bytes: Uint8Array,
  root: string,
  env: Record<string, string | undefined>,
): Promise<LoadedPlugin> {
  const worker = PluginWorker.start({
    name,
    bundle: bytes,
    grant: null,
    root,
    projectName: "",
    env: {},
    timeoutMs: pluginTimeout(env, COMMAND_TIMEOUT_MS),
  });
  try {
    return await worker.loaded();
  } finally {
    worker.terminate();
  }
}

/**
 * Fetches a plugin and reads its manifest (in a Worker without permissions).
 *
 * @throws {BrError} as {@link fetchBundle}, and `plugin` for a bundle that does not load.
 */
export async function preparePlugin(
  project: Project,
  spec: string,
  cwd: string,
): Promise<PreparedPlugin> {
  const fetched = await fetchBundle(spec, cwd, project.env);
  const loaded = await inspectBundle(spec, fetched.bytes, project.root, project.env);
  loaded.manifest.permissions = normalizeRequest(loaded.manifest.name, loaded.manifest.permissions);
  let source = fetched.source;
  if (isAbsolute(source)) {
    const rel = relative(project.root, source);
    if (grantPathInside(rel)) source = rel.split("\\").join("/");
  }
  return { source, bytes: fetched.bytes, sha256: sha256Hex(fetched.bytes), loaded };
}

/** The recorded entry of a prepared plugin with `grant`. */
export function entryOf(prepared: PreparedPlugin, grant: PluginGrant): PluginEntry {
  const { manifest, events, commands } = prepared.loaded;
  const entry: PluginEntry = {
    name: manifest.name,
    version: manifest.version,
    api_version: manifest.apiVersion,
    source: prepared.source,
    sha256: prepared.sha256,
    grant,
    events: [...events].sort(),
    commands: [...commands].sort((a, b) => a.name.localeCompare(b.name)),
  };
  if (manifest.description) entry.description = manifest.description;
  return entry;
}

/**
 * Installs a prepared plugin with `grant`: copies its bundle to
 * `.buildrunner/plugins/<name>.js` and records it in `.buildrunner/plugins.yaml`, under the
 * project lock. `replace` allows replacing an installed plugin of the same name (update).
 *
 * @throws {BrError} `conflict` when it is installed and `replace` is false; `usage` for a
 * grant beyond the request.
 */
export function installPlugin(
  project: Project,
  prepared: PreparedPlugin,
  grant: PluginGrant,
  replace = false,
): Promise<PluginEntry> {
  const name = prepared.loaded.manifest.name;
  checkGrant(name, prepared.loaded.manifest.permissions, grant);
  return mutatePlugins(project, async (file) => {
    const others = file.plugins.filter((p) => p.name !== name);
    if (!replace && others.length !== file.plugins.length) {
      throw new BrError("conflict", `Cannot add plugin "${name}": it is already installed`, {
        hint: `run "br plugin update ${name}" or "br plugin remove ${name}" first`,
      });
    }
    const entry = entryOf(prepared, grant);
    await writeFileAtomic(bundlePath(project, name), prepared.bytes);
    return { file: { version: 1, plugins: [...others, entry] }, result: entry };
  });
}

/**
 * Uninstalls a plugin: its entry and its bundle (its key-value data stays in the store).
 *
 * @throws {BrError} `not_found` for an unknown plugin.
 */
export function removePlugin(project: Project, name: string): Promise<PluginEntry> {
  return mutatePlugins(project, async (file) => {
    const entry = findPlugin(file, name);
    await Deno.remove(bundlePath(project, name)).catch((err) => {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    });
    return {
      file: { version: 1, plugins: file.plugins.filter((p) => p.name !== name) },
      result: entry,
    };
  });
}

/** The installed plugins, by name. */
export async function listPlugins(project: Project): Promise<PluginEntry[]> {
  const file = await loadPlugins(project);
  return [...file.plugins].sort((a, b) => a.name.localeCompare(b.name));
}

/** The grant an update keeps: the old grant, narrowed to what the new bundle requests. */
export function keptGrant(old: PluginGrant, requested: PluginGrant): PluginGrant {
  const out = emptyGrant();
  for (const kind of KINDS) {
    out[kind] = old[kind].filter((v) => covers(kind, requested[kind], v));
  }
  return out;
}

/** True when `requested` asks for something `grant` does not give. */
export function asksMore(requested: PluginGrant, grant: PluginGrant): boolean {
  return KINDS.some((kind) =>
    requested[kind].some((r) =>
      kind === "read" || kind === "write"
        ? !grant[kind].some((g) => within(r, g))
        : r !== ANY_HOST && !grant[kind].includes(r)
    )
  );
}
