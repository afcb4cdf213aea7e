import { z } from "zod";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import type { Project } from "../core/project.ts";
import { EVENT_TYPES } from "../core/events.ts";

/** The plugin API major version this host speaks. */
export const PLUGIN_API_VERSION = 1;

/** What a plugin may touch: paths are relative to the project root. */
export interface PluginGrant {
  /** Paths it may read. */
  read: string[];
  /** Paths it may write. */
  write: string[];
  /** Hosts it may reach (`host` or `host:port`). */
  net: string[];
  /** Environment variables it may read. */
  env: string[];
  /** `write`: it may add and change features, through br (never the file itself). */
  features: string[];
}

/** A command a plugin adds. */
export interface PluginCommandInfo {
  /** Its name (`br <plugin> <name>`). */
  name: string;
  /** One-line help. */
  brief: string;
}

/** One installed plugin, as recorded in `.buildrunner/plugins.yaml`. */
export interface PluginEntry {
  /** Its name. */
  name: string;
  /** Its version. */
  version: string;
  /** The API version it targets. */
  api_version: number;
  /** Where it was installed from (path, `npm:`, `https:`, `jsr:`). */
  source: string;
  /** sha256 of the bundle it was granted for (`.buildrunner/plugins/<name>.js`). */
  sha256: string;
  /** What it may touch. */
  grant: PluginGrant;
  /** The events it handles (read at add time). */
  events: string[];
  /** The commands it adds. */
  commands: PluginCommandInfo[];
  /** Its one-line description. */
  description?: string;
}

/** The content of `.buildrunner/plugins.yaml`. */
export interface PluginsFile {
  /** Format version. */
  version: 1;
  /** Installed plugins, by name order. */
  plugins: PluginEntry[];
}

/** A plugin name: lower-case letters, digits and dashes. */
export const PLUGIN_NAME: RegExp = /^[a-z][a-z0-9-]{0,63}$/;

const list = z.array(z.string().min(1)).default([]);
const grantSchema = z.strictObject({
  read: list,
  write: list,
  net: list,
  env: list,
  features: z.array(z.enum(["write"])).default([]),
});
const entrySchema = z.strictObject({
  name: z.string().regex(PLUGIN_NAME, "must be lower-case letters, digits and dashes"),
  version: z.string().min(1),
  api_version: z.number().int(),
  source: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex digits"),
  grant: grantSchema,
  events: z.array(z.enum(EVENT_TYPES as [string, ...string[]])).default([]),
  commands: z.array(
    z.strictObject({ name: z.string().regex(PLUGIN_NAME), brief: z.string().default("") }),
  ).default([]),
  description: z.string().optional(),
});
const fileSchema = z.strictObject({
  version: z.literal(1),
  plugins: z.array(entrySchema).default([]),
});

/** `.buildrunner/plugins.yaml` of a project. */
export function pluginsFile(project: Pick<Project, "paths">): string {
  return join(project.paths.dir, "plugins.yaml");
}

/** `.buildrunner/plugins/<name>.js`, the bundle of a plugin. */
export function bundlePath(project: Pick<Project, "paths">, name: string): string {
  return join(project.paths.dir, "plugins", `${name}.js`);
}

/**
 * Parses and checks the text of `plugins.yaml`.
 *
 * @throws {BrError} `invalid_data` naming the file and field.
 */
export async function parsePlugins(text: string, label = ".buildrunner/plugins.yaml"): Promise<
  PluginsFile
> {
  let raw: unknown;
  try {
    raw = (await import("js-yaml")).load(text) ?? { version: 1, plugins: [] };
  } catch (err) {
    throw new BrError(
      "invalid_data",
      `Cannot parse ${label}: ${(err as Error).message.split("\n")[0]}`,
      { hint: "fix the YAML syntax or restore the file with git", cause: err },
    );
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.map(String).join(".") || "(top level)";
    throw new BrError("invalid_data", `Invalid ${label}: "${field}" ${issue.message}`, {
      hint: 'fix the field or restore the file with git; "br plugin add" rewrites entries',
    });
  }
  const file = result.data as PluginsFile;
  const seen = new Set<string>();
  for (const [i, p] of file.plugins.entries()) {
    if (seen.has(p.name)) {
      throw new BrError(
        "invalid_data",
        `Invalid ${label}: "plugins.${i}.name" repeats "${p.name}"`,
        {
          hint: "keep one entry per plugin",
        },
      );
    }
    seen.add(p.name);
    for (const kind of ["read", "write"] as const) {
      for (const [j, path] of p.grant[kind].entries()) {
        if (!grantPathInside(path)) {
          throw new BrError(
            "invalid_data",
            `Invalid ${label}: "plugins.${i}.grant.${kind}.${j}" ("${path}") is outside the project`,
            { hint: "grant paths are relative to the project root and stay inside it" },
          );
        }
      }
    }
  }
  return file;
}

/** True when a grant path (relative to the root) stays inside the project. */
export function grantPathInside(path: string): boolean {
  if (isAbsolute(path)) return false;
  const n = normalize(path);
  return n !== ".." && !n.startsWith(`..${sep}`) && !n.startsWith("../");
}

/** A grant path made absolute for the Worker's permissions. */
export function absoluteGrantPath(root: string, path: string): string {
  return resolve(root, path);
}

/** A path given by the user, as a grant path relative to the root (or null when outside). */
export function toGrantPath(root: string, cwd: string, path: string): string | null {
  const rel = relative(root, resolve(cwd, path)) || ".";
  return grantPathInside(rel) ? rel.split(sep).join("/") : null;
}

/**
 * Reads `plugins.yaml` (an empty list when there is none).
 *
 * @throws {BrError} `invalid_data` for a corrupt file.
 */
export async function loadPlugins(project: Pick<Project, "paths">): Promise<PluginsFile> {
  const path = pluginsFile(project);
  const text = await readOwnTextOrNull(path, ".buildrunner/plugins.yaml");
  if (text === null) return { version: 1, plugins: [] };
  return parsePlugins(text);
}

const HEADER =
  `# BuildRunner plugins: what each may touch (its grant) and the sha256 of the bundle it was
# granted for (.buildrunner/plugins/<name>.js). Written by "br plugin add|update|remove"; a
# bundle whose hash differs is never run. Grant paths are relative to the project root.
`;

/** The text of `plugins.yaml` for `file`. */
export async function serializePlugins(file: PluginsFile): Promise<string> {
  const { dump } = await import("js-yaml");
  const plugins = [...file.plugins].sort((a, b) => a.name.localeCompare(b.name));
  return HEADER + dump({ version: 1, plugins }, { lineWidth: 100, noRefs: true, flowLevel: 4 });
}

/**
 * Reads, changes and writes `plugins.yaml` under the project lock. `fn` returns the new file
 * (or null to leave it unchanged).
 */
export function mutatePlugins<R>(
  project: Project,
  fn: (file: PluginsFile) => Promise<{ file: PluginsFile | null; result: R }>,
): Promise<R> {
  return project.withLock(async () => {
    const file = await loadPlugins(project);
    const { file: next, result } = await fn(file);
    if (next) {
      await writeFileAtomic(pluginsFile(project), await serializePlugins(next));
    }
    return result;
  });
}

/**
 * Finds one installed plugin.
 *
 * @throws {BrError} `not_found` naming it.
 */
export function findPlugin(file: PluginsFile, name: string): PluginEntry {
  const entry = file.plugins.find((p) => p.name === name);
  if (!entry) {
    throw new BrError("not_found", `Cannot find plugin "${name}"`, {
      hint: 'run "br plugin list" to see the installed plugins',
    });
  }
  return entry;
}
