import { readOwnTextOrNull } from "../core/fs.ts";
import { join } from "../core/path.ts";
import type { Project } from "../core/project.ts";

/**
 * Delivers the events of a project's bus to the installed plugins that handle them, whatever
 * opened the project (the command line, the MCP server, the git hooks, `br parallel`, library
 * code). Cheap when nothing handles an event: `.buildrunner/plugins.yaml` is read once (a
 * missing file costs one failed open), and the plugin host is loaded, and a plugin's Worker
 * started, only for an event type the file names. A plugin that fails is reported through
 * the bus's handler errors (one line) and never fails the command.
 */
export function attachPluginEvents(project: Project): void {
  let text: string | null | undefined;
  let dispatcher: Promise<import("./runtime.ts").Dispatcher> | null = null;
  let reported = false;
  project.onClose(async () => {
    if (!dispatcher) return;
    await project.bus.flush();
    (await dispatcher.catch(() => null))?.close();
  });
  project.bus.on("*", (event) => {
    if (text === undefined) {
      try {
        // Decoded strictly: a corrupt file reaches the host, which names the problem.
        text = Deno.readTextFileSync(join(project.paths.dir, "plugins.yaml"));
      } catch {
        text = null;
      }
    }
    // Each entry lists the event types it handles: a type the file never names has no handler.
    if (!text || !text.includes(event.type)) return;
    if (!dispatcher) {
      dispatcher = readOwnTextOrNull(join(project.paths.dir, "plugins.yaml"))
        .then(() => import("./runtime.ts"))
        .then((m) => m.createDispatcher(project));
    }
    return dispatcher.then((d) => d.dispatch(event), (err) => {
      // A file that cannot be read is reported once per session, not once per event.
      if (reported) return;
      reported = true;
      throw err;
    });
  });
}
