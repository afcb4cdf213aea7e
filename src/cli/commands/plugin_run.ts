import { BrError } from "../../core/errors.ts";
import { flatLine } from "../../core/text.ts";
import type { Project } from "../../core/project.ts";
import {
  asksMore,
  checkGrant,
  fullGrant,
  installPlugin,
  keptGrant,
  listPlugins,
  parseGrant,
  type PreparedPlugin,
  preparePlugin,
  removePlugin,
} from "../../plugins/manage.ts";
import {
  findPlugin,
  loadPlugins,
  type PluginEntry,
  type PluginGrant,
} from "../../plugins/registry.ts";
import { runPluginCommand } from "../../plugins/runtime.ts";
import type { BrContext } from "../context.ts";
import {
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  warn,
  withProject,
} from "../output.ts";

type GrantFlags = ProjectFlags & JsonFlags & { grant?: string; yes?: boolean };

const KINDS = ["read", "write", "net", "env", "features"] as const;

function grantLines(grant: PluginGrant): string[] {
  return KINDS.map((k) =>
    `  ${k.length < 6 ? k.padEnd(6) : `${k} `}${grant[k].length ? grant[k].join(", ") : "-"}`
  );
}

async function confirm(ctx: BrContext, question: string): Promise<boolean> {
  ctx.process.stderr.write(`${question} [y/N] `);
  const buf = new Uint8Array(256);
  const n = await Deno.stdin.read(buf);
  return /^y(es)?$/i.test(new TextDecoder().decode(buf.subarray(0, n ?? 0)).trim());
}

/** The grant the flags (or the user, in a terminal) give to a prepared plugin. */
async function chooseGrant(
  ctx: BrContext,
  project: Project,
  flags: GrantFlags,
  prepared: PreparedPlugin,
  verb: string,
): Promise<PluginGrant> {
  const requested = prepared.loaded.manifest.permissions;
  if (flags.grant !== undefined && flags.yes) {
    throw new BrError("usage", "Cannot use --grant and --yes together", {
      hint: "--yes grants what the manifest requests; --grant grants the list you give",
    });
  }
  if (flags.grant !== undefined) {
    const grant = parseGrant(flags.grant, project.root);
    checkGrant(prepared.loaded.manifest.name, requested, grant);
    return grant;
  }
  if (flags.yes) return fullGrant(requested);
  const name = prepared.loaded.manifest.name;
  if (!ctx.stdinIsTTY) {
    throw new BrError(
      "usage",
      `Cannot ${verb} plugin "${name}" without a grant: no terminal to ask`,
      {
        hint: "pass --yes to grant what it requests, or --grant read=PATH,net=HOST,...",
      },
    );
  }
  if (!await confirm(ctx, `Grant plugin "${name}" these permissions?`)) {
    throw new BrError(
      "usage",
      `Plugin "${name}" was not ${verb === "add" ? "added" : "updated"}: the grant was declined`,
      {
        hint: "grant part of it with --grant read=PATH,net=HOST,...",
      },
    );
  }
  return fullGrant(requested);
}

function describeRequest(ctx: BrContext, prepared: PreparedPlugin): void {
  const m = prepared.loaded.manifest;
  warn(ctx, `Plugin "${m.name}" ${m.version} (${prepared.source}) requests:`);
  for (const line of grantLines(m.permissions)) warn(ctx, line);
}

function entryJson(entry: PluginEntry) {
  return {
    name: entry.name,
    version: entry.version,
    api_version: entry.api_version,
    source: entry.source,
    sha256: entry.sha256,
    description: entry.description ?? null,
    grant: entry.grant,
    events: entry.events,
    commands: entry.commands,
  };
}

/** `br plugin add <source>` */
export function add(this: BrContext, flags: GrantFlags, source: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const prepared = await preparePlugin(project, source, this.cwd);
    describeRequest(this, prepared);
    const grant = await chooseGrant(this, project, flags, prepared, "add");
    const entry = await installPlugin(project, prepared, grant);
    if (flags.json) return printJson(this, entryJson(entry));
    print(this, `Added plugin "${entry.name}" ${entry.version}; granted:`);
    for (const line of grantLines(entry.grant)) print(this, line);
    print(this, `Commit .buildrunner/plugins.yaml and .buildrunner/plugins/${entry.name}.js.`);
  });
}

/** `br plugin update <name>` */
export function update(this: BrContext, flags: GrantFlags, name: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const old = findPlugin(await loadPlugins(project), name);
    const prepared = await preparePlugin(project, old.source, project.root);
    if (prepared.loaded.manifest.name !== name) {
      throw new BrError(
        "plugin",
        `Cannot update plugin "${name}": its source now holds plugin "${prepared.loaded.manifest.name}"`,
        {
          hint: `remove it and add the new one with "br plugin add"`,
        },
      );
    }
    describeRequest(this, prepared);
    const requested = prepared.loaded.manifest.permissions;
    const grant = flags.grant !== undefined || flags.yes || asksMore(requested, old.grant)
      ? await chooseGrant(this, project, flags, prepared, "update")
      : keptGrant(old.grant, requested);
    const entry = await installPlugin(project, prepared, grant, true);
    if (flags.json) return printJson(this, entryJson(entry));
    print(this, `Updated plugin "${entry.name}" to ${entry.version}; granted:`);
    for (const line of grantLines(entry.grant)) print(this, line);
  });
}

/** `br plugin list` */
export function list(this: BrContext, flags: ProjectFlags & JsonFlags): Promise<void> {
  return withProject(this, flags, async (project) => {
    const plugins = await listPlugins(project);
    if (flags.json) return printJson(this, plugins.map(entryJson));
    if (!plugins.length) return print(this, 'No plugins installed (add one with "br plugin add").');
    for (const p of plugins) {
      const grant = KINDS.filter((k) => p.grant[k].length).map((k) =>
        `${k}=${p.grant[k].join("+")}`
      );
      print(
        this,
        `${p.name} ${p.version}  ${grant.join(" ") || "(no access)"}  ${p.description ?? ""}`
          .trimEnd(),
      );
    }
  });
}

/** `br plugin info <name>` */
export function info(
  this: BrContext,
  flags: ProjectFlags & JsonFlags,
  name: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const entry = findPlugin(await loadPlugins(project), name);
    if (flags.json) return printJson(this, entryJson(entry));
    print(
      this,
      `${entry.name} ${entry.version}${entry.description ? `: ${entry.description}` : ""}`,
    );
    print(this, `source  ${entry.source}`);
    print(this, `sha256  ${entry.sha256}`);
    print(this, "grant:");
    for (const line of grantLines(entry.grant)) print(this, line);
    print(this, `events  ${entry.events.join(", ") || "-"}`);
    print(this, "commands:");
    if (!entry.commands.length) print(this, "  -");
    for (const c of entry.commands) {
      print(this, `  br ${entry.name} ${c.name}  ${c.brief}`.trimEnd());
    }
  });
}

/** `br plugin remove <name>` */
export function remove(
  this: BrContext,
  flags: ProjectFlags & JsonFlags,
  name: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const entry = await removePlugin(project, name);
    if (flags.json) return printJson(this, { removed: entry.name });
    print(this, `Removed plugin "${entry.name}".`);
  });
}

/** `br plugin run <plugin> <command> [args...]` and `br <plugin> <command> [args...]` */
export function run(this: BrContext, flags: ProjectFlags, ...words: string[]): Promise<void> {
  const [plugin, command, ...args] = words;
  return withProject(this, flags, async (project) => {
    const result = await runPluginCommand(project, plugin, command, args, {
      output: (text) => this.process.stdout.write(text),
      log: (level, text) =>
        warn(this, `${level === "info" ? "" : `${level}: `}[${plugin}] ${flatLine(text)}`),
    });
    if (result.output !== undefined && result.output !== "") print(this, result.output);
    if (result.exitCode !== 0) this.process.exitCode = result.exitCode;
  });
}

/** `br plugin new <name>` */
export async function scaffold(
  this: BrContext,
  flags: JsonFlags & { dir?: string },
  name: string,
): Promise<void> {
  const { scaffoldPlugin } = await import("../../plugins/scaffold.ts");
  const { resolve } = await import("../../core/path.ts");
  const result = await scaffoldPlugin(name, resolve(this.cwd, flags.dir ?? name), this.env);
  if (flags.json) return printJson(this, result);
  print(this, `Created plugin project "${name}" in ${result.dir}:`);
  for (const file of result.files) print(this, `  ${file}`);
  print(this, `Next: cd ${result.dir} && deno task test, then "br plugin add dist/${name}.js".`);
}
