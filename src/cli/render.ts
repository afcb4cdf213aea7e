import type { Feature, FeatureStatus } from "../features/mod.ts";
import { plainCell } from "../core/text.ts";
import type { BrContext } from "./context.ts";
import { type Colors, colors } from "./output.ts";
import { table } from "./table.ts";

/** A status word in its color. */
export function statusColor(c: Colors, status: FeatureStatus | string): string {
  switch (status) {
    case "complete":
      return c.green(status);
    case "in_progress":
      return c.cyan(status);
    case "testing":
      return c.magenta(status);
    case "blocked":
      return c.red(status);
    default:
      return c.dim(status);
  }
}

/** A table of features for the terminal (plain columns when piped). */
export async function featureTable(ctx: BrContext, features: readonly Feature[]): Promise<string> {
  const c = await colors(ctx);
  const rows = features.map((f) => [
    plainCell(f.id),
    plainCell(f.name),
    statusColor(c, plainCell(f.status)),
    plainCell(f.priority),
    plainCell(f.dependencies.join(", ")),
  ]);
  const head = ["ID", "NAME", "STATUS", "PRIORITY", "DEPENDS ON"];
  if (!ctx.stdoutIsTTY) {
    return [head, ...rows].map((r) => r.join("\t")).join("\n");
  }
  return table([head.map((h) => c.bold(h)), ...rows]);
}
