// The values `br __complete` proposes for arguments and flags: feature ids of the project
// around the current folder, and the fixed lists of statuses, priorities, industries, use
// cases and MCP tools. Loaded only while completing.
import type { BrContext } from "./context.ts";

/** What a value to complete is. */
export type CompletionKind =
  | "feature"
  | "features"
  | "status"
  | "priority"
  | "industry"
  | "use-case"
  | "tools";

/**
 * The proposals for `kind` (a comma-separated list, for `features` and `tools`, completes
 * its last item). Nothing (never an error) when they cannot be had.
 */
export async function completionValues(
  ctx: BrContext,
  kind: CompletionKind,
  partial: string,
): Promise<string[]> {
  const comma = partial.lastIndexOf(",");
  const head = kind === "features" || kind === "tools" ? partial.slice(0, comma + 1) : "";
  const values = await valuesOf(ctx, kind).catch(() => [] as string[]);
  return values.map((v) => head + v);
}

async function valuesOf(ctx: BrContext, kind: CompletionKind): Promise<string[]> {
  switch (kind) {
    case "feature":
    case "features": {
      const { openProject } = await import("../core/project.ts");
      const { loadFeatures } = await import("../features/mod.ts");
      const project = await openProject({ cwd: ctx.cwd, env: ctx.env });
      try {
        return (await loadFeatures(project)).features.map((f) => f.id).sort();
      } finally {
        await project.close();
      }
    }
    case "status":
      return [...(await import("../features/types.ts")).STATUSES];
    case "priority":
      return [...(await import("../features/types.ts")).PRIORITIES];
    case "industry":
      return [...(await import("../spec/types.ts")).INDUSTRIES];
    case "use-case":
      return [...(await import("../spec/types.ts")).USE_CASES];
    case "tools": {
      const { TOOL_SETS } = await import("../mcp/tool.ts");
      const { allTools } = await import("../mcp/catalog.ts");
      return [...TOOL_SETS, ...allTools().map((t) => t.name)];
    }
  }
}
