import { existsSync } from "../core/fs.ts";
import { join } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import type { DebugBlocker } from "./report.ts";

/**
 * The blockers `br watch` recorded (see {@link DebugBlocker}), for `br status` and
 * `br feature show`: one stat when nothing was recorded, the debug modules load only when
 * something was.
 */
export async function recordedBlockers(
  project: Project,
  feature?: string,
): Promise<DebugBlocker[]> {
  if (!existsSync(join(project.paths.context, "debug.json"))) return [];
  const { debugBlockers } = await import("./report.ts");
  const all = await debugBlockers(project);
  return feature === undefined ? all : all.filter((b) => b.feature === feature);
}
