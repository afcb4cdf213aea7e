import { BrError } from "./errors.ts";
import { readParsedCached } from "./cache.ts";
import { readOwnTextOrNull, writeFileAtomic, type WriteOptions } from "./fs.ts";

/** Where a configuration value came from, lowest precedence first. */
export type ConfigSource = "default" | "global" | "project" | "env" | "flag";

/** A plain configuration tree. */
export type ConfigTree = Record<string, unknown>;

/** What a config section schema must offer (a zod object schema does). */
export interface AnyObjectSchema {
  /** Validates a section and fills its defaults. */
  safeParse(value: unknown):
    | { success: true; data: unknown }
    | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

const sections = new Map<string, AnyObjectSchema>();

/** Environment variables with a fixed meaning; never read as configuration keys. */
export const RESERVED_ENV: readonly string[] = [
  "BR_PROJECT",
  "BR_HOME",
  "BR_BIN",
  "BR_DEBUG",
  "BR_NO_TELEMETRY",
  "BR_MCP_TOOLS",
  "BR_DATABASE_URL",
  "BR_DATABASE_CONNECT_TIMEOUT_MS",
  "BR_PROJECT_KEY",
  "BR_SESSION",
  "BR_LOCK_TIMEOUT_MS",
];

/** Sections whose keys are free-form (plugins own their settings). */
const FREE_FORM = new Set(["plugins"]);

/**
 * Registers a capability's configuration section. Every field of `schema` must have a
 * default, so that `schema.parse({})` yields the built-in defaults.
 */
export function defineConfigSection<S extends AnyObjectSchema>(name: string, schema: S): S {
  sections.set(name, schema);
  return schema;
}

/**
 * A `superRefine` check made of the function a setting's reader checks it with (one that
 * throws): its message becomes the schema issue, so `br config set` refuses what the reader
 * would, in the reader's words.
 */
export function readerCheck<T>(
  check: (value: T) => unknown,
): (value: T, ctx: { addIssue(issue: { code: "custom"; message: string }): void }) => void {
  return (value, ctx) => {
    try {
      check(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  };
}

/** The names of the registered sections, sorted. */
export function configSectionNames(): string[] {
  return [...sections.keys()].sort();
}

/** One configuration value with the layer that decided it. */
export interface ConfigEntry {
  /** Dotted key. */
  key: string;
  /** The effective value. */
  value: unknown;
  /** The layer it came from. */
  source: ConfigSource;
}

/** The merged configuration of one project. */
export class Config {
  /** Effective values (defaults filled). */
  readonly values: ConfigTree;
  readonly #layers: { source: ConfigSource; tree: ConfigTree }[];

  /** Builds the merged view; use {@link loadConfig}. */
  constructor(values: ConfigTree, layers: { source: ConfigSource; tree: ConfigTree }[]) {
    this.values = values;
    this.#layers = layers;
  }

  /** The value at a dotted key, or `undefined`. */
  get<T = unknown>(key: string): T | undefined {
    return getPath(this.values, key) as T | undefined;
  }

  /** The highest layer that sets `key`. */
  source(key: string): ConfigSource {
    for (let i = this.#layers.length - 1; i >= 0; i--) {
      if (getPath(this.#layers[i].tree, key) !== undefined) return this.#layers[i].source;
    }
    return "default";
  }

  /** Every leaf value, sorted by key. */
  list(): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    for (const [key, value] of leaves(this.values)) {
      out.push({ key, value, source: this.source(key) });
    }
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }
}

/** Inputs of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Project `.buildrunner/config.yaml`, if any. */
  projectFile?: string | null;
  /** Global config file (`~/.buildrunner/config.yaml`). */
  globalFile?: string | null;
  /** Where the parsed project file may be cached (`.buildrunner/cache/`). */
  cacheDir?: string | null;
  /** Environment (for `BR_*` overrides). */
  env?: Record<string, string | undefined>;
  /** Command-line overrides, dotted keys. */
  flags?: Record<string, unknown>;
}

export { globalConfigPath } from "./global_config.ts";

/**
 * Loads the configuration: defaults < global < project < `BR_*` env < flags, validated
 * section by section.
 *
 * @throws {BrError} `invalid_data` naming the file and key of a bad value.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  // js-yaml for reading, loaded only when there is a file to read: it loads in a fraction of
  // the time of `yaml`, and config is read on hot paths (git hooks). Writes use `yaml`'s
  // Document API, which keeps comments.
  let parse: ((text: string) => unknown) | null = null;
  const layers: { source: ConfigSource; tree: ConfigTree; label: string }[] = [];
  for (
    const [source, file] of [["global", options.globalFile], [
      "project",
      options.projectFile,
    ]] as const
  ) {
    if (!file) continue;
    const parseText = async (text: string): Promise<unknown> => {
      if (text.trim() === "") return null;
      try {
        parse ??= (await import("js-yaml")).load;
        return parse(text) ?? null;
      } catch (err) {
        throw new BrError("invalid_data", `Cannot parse "${file}": ${firstLine(err)}`, {
          hint: "fix the YAML syntax or remove the file",
          cause: err,
        });
      }
    };
    // The project's file is parsed once per change (`.buildrunner/cache/`).
    const tree = source === "project" && options.cacheDir
      ? await readParsedCached(options.cacheDir, file, "config.yaml.json", parseText)
      : await readOwnTextOrNull(file).then((text) => text === null ? null : parseText(text));
    if (tree === null || tree === undefined) continue;
    if (typeof tree !== "object" || Array.isArray(tree)) {
      throw new BrError("invalid_data", `"${file}" must be a YAML mapping of sections`, {
        hint: "write it as `section:` followed by indented `key: value` lines",
      });
    }
    layers.push({ source, tree: tree as ConfigTree, label: file });
  }
  const envTree = envOverrides(options.env ?? {});
  if (Object.keys(envTree).length) {
    layers.push({ source: "env", tree: envTree, label: "environment" });
  }
  if (options.flags && Object.keys(options.flags).length) {
    const flagTree: ConfigTree = {};
    for (const [k, v] of Object.entries(options.flags)) setPath(flagTree, k, v);
    layers.push({ source: "flag", tree: flagTree, label: "command-line flags" });
  }

  const merged: ConfigTree = {};
  for (const layer of layers) deepMerge(merged, layer.tree);
  const values: ConfigTree = { ...merged };
  for (const [name, schema] of sections) {
    const result = schema.safeParse(merged[name] ?? {});
    if (!result.success) {
      const issue = result.error.issues[0];
      const key = [name, ...issue.path.map(String)].join(".");
      const layer = [...layers].reverse().find((l) => getPath(l.tree, key) !== undefined);
      throw new BrError(
        "invalid_data",
        `Invalid config value ${key} in ${layer?.label ?? "config"}: ${issue.message}`,
        { hint: `run "br config set ${key} <value>" or fix the file` },
      );
    }
    values[name] = result.data;
  }
  return new Config(values, layers);
}

/** Parses a command-line or environment string as a YAML scalar (numbers, booleans, lists). */
export async function parseConfigValue(raw: string): Promise<unknown> {
  const { parse } = await import("yaml");
  try {
    return parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Checks that `key` names a known setting.
 *
 * @throws {BrError} `usage` for an unknown section or key.
 */
export function assertKnownKey(key: string): void {
  const [section, ...rest] = key.split(".");
  if (FREE_FORM.has(section) && rest.length > 0) return;
  const schema = sections.get(section);
  if (!schema || rest.length === 0) {
    throw new BrError("usage", `Unknown config key "${key}"`, {
      hint: `known sections: ${configSectionNames().join(", ")}; run "br config list" to see keys`,
    });
  }
  // deno-lint-ignore no-explicit-any
  let shape: any = schema;
  for (const part of rest) {
    shape = unwrap(shape);
    const next = shape?.shape?.[part];
    if (!next) {
      throw new BrError("usage", `Unknown config key "${key}"`, {
        hint: `known keys in "${section}": ${Object.keys(unwrap(schema).shape).sort().join(", ")}`,
      });
    }
    shape = next;
  }
}

// deno-lint-ignore no-explicit-any
function unwrap(schema: any): any {
  let s = schema;
  while (s && !s.shape && typeof s.unwrap === "function") s = s.unwrap();
  while (s && !s.shape && s.def?.innerType) s = s.def.innerType;
  return s;
}

/**
 * Sets (or, with `value === undefined`, removes) a key in a YAML config file, keeping its
 * comments and layout, and validates the result. `linksWithin` as for `writeFileAtomic`
 * (the project root for the project's file).
 *
 * @throws {BrError} `usage` for an unknown key, `invalid_data` for a bad value, a file that
 * is not UTF-8 or a link it must not follow.
 */
export async function writeConfigValue(
  file: string,
  key: string,
  value: unknown,
  options: Pick<WriteOptions, "linksWithin"> = {},
): Promise<void> {
  assertKnownKey(key);
  const { isMap, parseDocument } = await import("yaml");
  const text = (await readOwnTextOrNull(file)) ?? "";
  const doc = parseDocument(text);
  if (doc.errors.length) {
    throw new BrError("invalid_data", `Cannot parse "${file}": ${firstLine(doc.errors[0])}`, {
      hint: "fix the YAML syntax first; the file was not changed",
    });
  }
  const path = key.split(".");
  if (value === undefined) {
    doc.deleteIn(path);
    // A section (or mapping) left empty by the removal goes too: no `quality: {}` behind.
    for (let i = path.length - 1; i > 0; i--) {
      const parent = doc.getIn(path.slice(0, i), true);
      if (!isMap(parent) || parent.items.length > 0) break;
      doc.deleteIn(path.slice(0, i));
    }
  } else {
    if (doc.contents === null) doc.contents = doc.createNode({}) as never;
    doc.setIn(path, value);
  }
  const section = path[0];
  const schema = sections.get(section);
  if (schema) {
    const tree = (doc.toJS() ?? {}) as ConfigTree;
    const result = schema.safeParse(tree[section] ?? {});
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new BrError(
        "invalid_data",
        `Invalid value for ${[section, ...issue.path.map(String)].join(".")}: ${issue.message}`,
        { hint: "the file was not changed" },
      );
    }
  }
  await writeFileAtomic(file, doc.toString(), options);
}

function envOverrides(env: Record<string, string | undefined>): ConfigTree {
  const tree: ConfigTree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith("BR_") || raw === undefined || RESERVED_ENV.includes(name)) continue;
    const key = name.slice(3).toLowerCase().split("__").join(".");
    const section = key.split(".")[0];
    if (!sections.has(section) && !FREE_FORM.has(section)) continue;
    setPath(tree, key, scalar(raw));
  }
  return tree;
}

function scalar(raw: string): unknown {
  if (raw === "true") return true;
  if (raw === "false") return false;
  if (raw === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw.startsWith("[") || raw.startsWith("{")) {
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split("\n")[0];
}

/**
 * True when the value at `key` may hold a secret: request headers
 * (`telemetry.otlp.headers.*`), agent environments (`parallel.agents.<name>.env.*`), and any
 * key named like a credential (`token`, `secret`, `password`, `api_key`, ...). Such values
 * are masked wherever `br config` prints them.
 */
export function isSecretConfigKey(key: string): boolean {
  if (/^telemetry\.otlp\.headers(\.|$)/.test(key)) return true;
  if (/^parallel\.agents\.[^.]+\.env(\.|$)/.test(key)) return true;
  const last = key.slice(key.lastIndexOf(".") + 1);
  return /token|secret|passw(or)?d|api[_-]?key|credential|authorization|private[_-]?key/i.test(
    last,
  );
}

/**
 * `value` (the value at `key`) with every value under a secret-bearing key (see
 * {@link isSecretConfigKey}) replaced by `mask(value)`; keys and the rest are kept.
 */
export function maskConfigValue(
  key: string,
  value: unknown,
  mask: (secret: string) => string,
): unknown {
  if (isPlain(value)) {
    return Object.fromEntries(
      Object.entries(value as ConfigTree).map((
        [k, v],
      ) => [k, maskConfigValue(`${key}.${k}`, v, mask)]),
    );
  }
  if (key === "store.url" && typeof value === "string") {
    // A URL's password only: the server stays visible.
    return value.replace(
      /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:)([^@/?#]+)@/i,
      (_, head: string, pw: string) => `${head}${mask(pw)}@`,
    ).replace(/([?&]password=)[^&#]*/i, (_, head: string) => `${head}${mask("")}`);
  }
  if (value === null || value === undefined || !isSecretConfigKey(key)) return value;
  return Array.isArray(value) ? value.map((v) => mask(String(v))) : mask(String(value));
}

/** The value at a dotted path of a tree. */
export function getPath(tree: unknown, key: string): unknown {
  let node = tree;
  for (const part of key.split(".")) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
    node = (node as ConfigTree)[part];
  }
  return node;
}

function setPath(tree: ConfigTree, key: string, value: unknown): void {
  const parts = key.split(".");
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as ConfigTree;
  }
  node[parts[parts.length - 1]] = value;
}

function deepMerge(target: ConfigTree, source: ConfigTree): void {
  for (const [k, v] of Object.entries(source)) {
    const cur = target[k];
    if (isPlain(v) && isPlain(cur)) deepMerge(cur as ConfigTree, v as ConfigTree);
    else target[k] = isPlain(v) ? structuredClone(v) : v;
  }
}

function isPlain(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function* leaves(tree: ConfigTree, prefix = ""): Generator<[string, unknown]> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlain(v) && Object.keys(v as ConfigTree).length > 0) yield* leaves(v as ConfigTree, key);
    else yield [key, v];
  }
}
