import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const name = { brief: "Plugin name", parse: String, placeholder: "plugin" } as const;

const grantFlags = {
  grant: {
    kind: "parsed",
    parse: String,
    brief:
      "What to grant: read=PATH,write=PATH,net=HOST,env=NAME,features=write (paths relative to the " +
      "project root; keys may repeat; at most what the manifest requests)",
    optional: true,
    placeholder: "list",
  },
  yes: {
    kind: "boolean",
    brief: "Grant exactly what the manifest requests",
    optional: true,
  },
  project: projectFlag,
  json: jsonFlag,
} as const;

/** The `br plugin ...` commands. */
export const pluginRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    add: command({
      load: async () => (await import("./plugin_run.ts")).add,
      brief: "Install a plugin (path, npm:pkg, https:url or jsr:pkg) with a grant",
      description: "Shows the permissions the plugin's manifest requests, records the grant " +
        "and the bundle's sha256 in .buildrunner/plugins.yaml and copies the bundle to " +
        ".buildrunner/plugins/<name>.js (commit both). Without a terminal, --yes or --grant " +
        "is required.",
      parameters: {
        flags: grantFlags,
        positional: {
          kind: "tuple",
          parameters: [{
            brief: "Path, npm:pkg, https:url or jsr:pkg",
            parse: String,
            placeholder: "source",
          }],
        },
      },
    }),
    list: command({
      load: async () => (await import("./plugin_run.ts")).list,
      brief: "List the installed plugins and their grants",
      parameters: { flags: { project: projectFlag, json: jsonFlag } },
    }),
    info: command({
      load: async () => (await import("./plugin_run.ts")).info,
      brief: "Show one plugin: source, grant, events and commands",
      parameters: {
        flags: { project: projectFlag, json: jsonFlag },
        positional: { kind: "tuple", parameters: [name] },
      },
    }),
    remove: command({
      load: async () => (await import("./plugin_run.ts")).remove,
      brief: "Uninstall a plugin (its entry and bundle)",
      parameters: {
        flags: { project: projectFlag, json: jsonFlag },
        positional: { kind: "tuple", parameters: [name] },
      },
    }),
    update: command({
      load: async () => (await import("./plugin_run.ts")).update,
      brief: "Fetch a plugin again from its source and grant it again",
      description: "Keeps the grant (narrowed to what the new bundle requests) unless it asks " +
        "for more, which needs --yes or --grant; re-grants a bundle whose hash changed.",
      parameters: {
        flags: grantFlags,
        positional: { kind: "tuple", parameters: [name] },
      },
    }),
    run: command({
      load: async () => (await import("./plugin_run.ts")).run,
      brief: "Run a plugin's command (also: br <plugin> <command>)",
      parameters: {
        flags: { project: projectFlag },
        positional: {
          kind: "array",
          parameter: {
            brief: "Plugin, command and its arguments",
            parse: String,
            placeholder: "arg",
          },
          minimum: 2,
        },
      },
    }),
    new: command({
      load: async () => (await import("./plugin_run.ts")).scaffold,
      brief: "Create a plugin project (deno.json with a bundle task, mod.ts, a test)",
      description: "Its import map points @buildrunner/br/plugin at this br's SDK and its test " +
        "runs the bundled plugin in this br (or the one BR_BIN names), so it builds and passes " +
        "its test before anything is published.",
      parameters: {
        flags: {
          dir: {
            kind: "parsed",
            parse: String,
            brief: "Where to create it (default: ./<name>)",
            optional: true,
            placeholder: "dir",
          },
          json: jsonFlag,
        },
        positional: { kind: "tuple", parameters: [name] },
      },
    }),
  },
  docs: { brief: "Sandboxed plugins: install, list, run and scaffold them" },
});
