import type { RouteMap } from "@stricli/core";
import { buildRouteMap } from "@stricli/core";
import { existsSync } from "../../core/fs.ts";
import { join } from "../../core/path.ts";
import { projectPaths, resolveProjectRoot } from "../../core/project.ts";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { projectFlag } from "../output.ts";

/**
 * `br <plugin> <command>` for every installed plugin of the project around `ctx.cwd` (none
 * outside a project, and none for a plugin named like a command of br). A plugins.yaml that
 * cannot be read adds nothing here: `br plugin list` reports it.
 */
export async function pluginCommandRoutes(
  ctx: Pick<BrContext, "cwd" | "env">,
  reserved: readonly string[],
): Promise<Record<string, RouteMap<BrContext>>> {
  let root: string;
  try {
    root = resolveProjectRoot({ cwd: ctx.cwd, env: ctx.env });
  } catch {
    return {};
  }
  const paths = projectPaths(root);
  if (!existsSync(join(paths.dir, "plugins.yaml"))) return {};
  const { loadPlugins } = await import("../../plugins/registry.ts");
  const file = await loadPlugins({ paths }).catch(() => null);
  const routes: Record<string, RouteMap<BrContext>> = {};
  for (const plugin of file?.plugins ?? []) {
    if (reserved.includes(plugin.name) || !plugin.commands.length) continue;
    const commands = Object.fromEntries(plugin.commands.map((c) => [
      c.name,
      command({
        load: async () => {
          const { run } = await import("./plugin_run.ts");
          return function (this: BrContext, flags: { project?: string }, ...args: string[]) {
            return run.call(this, flags, plugin.name, c.name, ...args);
          };
        },
        brief: c.brief || `Command of plugin ${plugin.name}`,
        parameters: {
          flags: { project: projectFlag },
          positional: {
            kind: "array",
            parameter: {
              brief: "Arguments (after -- when they start with -)",
              parse: String,
              placeholder: "arg",
            },
          },
        },
      }),
    ]));
    routes[plugin.name] = buildRouteMap({
      routes: commands,
      docs: { brief: `Plugin: ${plugin.description ?? plugin.name} (${plugin.version})` },
    });
  }
  return routes;
}
