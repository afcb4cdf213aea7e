import {
  type Config,
  globalConfigPath,
  loadConfig,
  maskConfigValue,
  parseConfigValue,
  writeConfigValue,
} from "../../core/config.ts";
import { maskSecret } from "../../security/engine.ts";
import { BrError } from "../../core/errors.ts";
import { resolveProjectRoot } from "../../core/project.ts";
import { loadAllConfigSections } from "../config_sections.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  withProject,
} from "../output.ts";

type Flags = ProjectFlags & JsonFlags & { global?: boolean };

/** What `br config` prints of a value: secret-bearing ones masked as findings are. */
const shown = (key: string, value: unknown) => maskConfigValue(key, value, maskSecret);

async function effective(ctx: BrContext, flags: Flags): Promise<Config> {
  await loadAllConfigSections();
  let projectFile: string | null = null;
  if (flags.global) return loadConfig({ globalFile: globalConfigPath(ctx.env) });
  try {
    const root = resolveProjectRoot({ cwd: ctx.cwd, project: flags.project, env: ctx.env });
    projectFile = `${root}/.buildrunner/config.yaml`;
  } catch (err) {
    // Outside a project only the global and environment layers apply.
    if (!(err instanceof BrError && err.code === "no_project") || flags.project) throw err;
  }
  return loadConfig({ projectFile, globalFile: globalConfigPath(ctx.env), env: ctx.env });
}

/** `br config get` */
export async function get(
  this: BrContext,
  flags: ProjectFlags & JsonFlags,
  key: string,
): Promise<void> {
  const config = await effective(this, flags);
  const value = config.get(key);
  if (value === undefined) {
    const { assertKnownKey } = await import("../../core/config.ts");
    assertKnownKey(key);
  }
  const out = shown(key, value ?? null);
  if (flags.json) return printJson(this, { key, value: out, source: config.source(key) });
  print(this, typeof out === "string" ? out : JSON.stringify(out));
}

function targetFile(ctx: BrContext, flags: Flags): Promise<string> {
  if (flags.global) {
    const file = globalConfigPath(ctx.env);
    if (!file) {
      throw new BrError("usage", "Cannot find the home folder", { hint: "set HOME or BR_HOME" });
    }
    return Promise.resolve(file);
  }
  return withProject(ctx, flags, (p) => Promise.resolve(p.paths.config));
}

async function change(ctx: BrContext, flags: Flags, key: string, value: unknown): Promise<void> {
  await loadAllConfigSections();
  const file = await targetFile(ctx, flags);
  const scope = flags.global ? "global" : "project";
  if (flags.global) {
    await Deno.mkdir(file.replace(/[\\/][^\\/]*$/, ""), { recursive: true });
    await writeConfigValue(file, key, value);
    return;
  }
  await withProject(ctx, flags, async (project) => {
    await project.withLock(() => writeConfigValue(file, key, value, { linksWithin: project.root }));
    project.bus.emit("config.changed", {
      key,
      scope,
      action: value === undefined ? "unset" : "set",
    });
  });
}

/**
 * True when `value` (set at `key`) gives `store.url` a URL holding a password (in its user
 * part or as `?password=`).
 */
function storeUrlHasPassword(key: string, value: unknown): boolean {
  const url = key === "store.url"
    ? value
    : key === "store" && value !== null && typeof value === "object"
    ? (value as Record<string, unknown>).url
    : undefined;
  return typeof url === "string" && maskConfigValue("store.url", url, () => "") !== url;
}

/** `br config set` */
export async function set(this: BrContext, flags: Flags, key: string, raw: string): Promise<void> {
  const value = await parseConfigValue(raw);
  if (!flags.global && storeUrlHasPassword(key, value)) {
    // The project's config.yaml is committed with the code: a password there reaches every
    // clone and the git host.
    throw new BrError(
      "usage",
      "Cannot set store.url with a password in the project config (.buildrunner/config.yaml is tracked by git)",
      {
        hint:
          "set the URL without its password and give the password in PGPASSWORD, or keep the whole URL on this machine: br config set --global store.url <url> (or BR_DATABASE_URL)",
      },
    );
  }
  await change(this, flags, key, value);
  const scope = flags.global ? "global" : "project";
  if (flags.json) return printJson(this, { key, value, scope, action: "set" });
  print(
    this,
    `${(await colors(this)).green("✓")} ${key} = ${JSON.stringify(shown(key, value))}${
      flags.global ? " (global)" : ""
    }`,
  );
}

/** `br config unset` */
export async function unset(this: BrContext, flags: Flags, key: string): Promise<void> {
  await change(this, flags, key, undefined);
  const scope = flags.global ? "global" : "project";
  if (flags.json) return printJson(this, { key, value: null, scope, action: "unset" });
  print(
    this,
    `${(await colors(this)).green("✓")} ${key} removed${flags.global ? " (global)" : ""}`,
  );
}

/** `br config list` */
export async function list(this: BrContext, flags: Flags): Promise<void> {
  const config = await effective(this, flags);
  const entries = config.list().filter((e) => !flags.global || e.source === "global")
    .map((e) => ({ ...e, value: shown(e.key, e.value) }));
  if (flags.json) return printJson(this, entries);
  const c = await colors(this);
  // The value last: a long one (a list, a mapping) then pushes nothing out of line.
  const keys = Math.max(0, ...entries.map((e) => e.key.length));
  const sources = Math.max(0, ...entries.map((e) => e.source.length));
  for (const e of entries) {
    print(
      this,
      `${e.key.padEnd(keys)}  ${c.dim(e.source.padEnd(sources))}  ${JSON.stringify(e.value)}`,
    );
  }
}
