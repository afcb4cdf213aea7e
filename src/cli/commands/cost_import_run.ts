/**
 * `br cost import`, apart from the other cost commands: it loads the importer alone, not the
 * whole cost module (summaries, windows, budgets' commands).
 */
import { resolve } from "../../core/path.ts";
import { type ImportSource, importUsage } from "../../cost/importer.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  formatCount,
  formatUsd,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  usage,
  withProject,
} from "../output.ts";

/** `br cost import [claude-code|codex|all] [--dir d]...` */
export function importLogs(
  this: BrContext,
  flags: ProjectFlags & JsonFlags & { dir?: string[] },
  source?: string,
): Promise<void> {
  const which = source ?? "all";
  if (!["all", "claude-code", "codex"].includes(which)) {
    usage(`Unknown source "${which}"`, "use claude-code, codex or all");
  }
  const sources: ImportSource[] = which === "all"
    ? ["claude-code", "codex"]
    : [which as ImportSource];
  return withProject(this, flags, async (project) => {
    const report = await importUsage(project, {
      sources,
      dirs: flags.dir?.map((d) => resolve(this.cwd, d)),
    });
    if (flags.json) return printJson(this, report);
    const c = await colors(this);
    for (const s of report.sources) {
      if (!s.dirs.length) {
        print(this, `${c.dim("-")} ${s.source}: no log folder found`);
        continue;
      }
      print(
        this,
        `${c.green("✓")} ${s.source}: ${
          formatCount(s.added)
        } new records from ${s.files_read} of ${s.files} files` +
          (s.malformed_lines ? ` (${s.malformed_lines} malformed lines skipped)` : ""),
      );
    }
    print(this, `Added ${formatUsd(report.cost_usd)}.`);
    if (report.unpriced_models.length) {
      print(this, c.yellow(`No price for: ${report.unpriced_models.join(", ")} (counted at $0)`));
    }
  });
}
