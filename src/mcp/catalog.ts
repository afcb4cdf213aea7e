/**
 * Every tool the server can serve: one list per capability. A capability that has not
 * landed contributes no list, so its tools are absent (never stubs).
 */
import { BrError } from "../core/errors.ts";
import { TOOL_SETS, type ToolDefinition } from "./tool.ts";
import { featureTools } from "./tools/features.ts";
import { costTools } from "./tools/cost.ts";
import { designTools } from "./tools/design.ts";
import { parallelTools } from "./tools/parallel.ts";
import { qualityTools } from "./tools/quality.ts";
import { routingTools } from "./tools/routing.ts";
import { securityTools } from "./tools/security.ts";
import { specTools } from "./tools/spec.ts";
import { telemetryTools } from "./tools/telemetry.ts";

/** Every tool definition, in the order `tools/list` shows them. */
export function allTools(): ToolDefinition[] {
  return [
    ...featureTools,
    ...qualityTools,
    ...specTools,
    ...securityTools,
    ...costTools,
    ...routingTools,
    ...telemetryTools,
    ...designTools,
    ...parallelTools,
  ];
}

/** The result of reading `BR_MCP_TOOLS`. */
export interface ToolSelection {
  /** The tools to serve. */
  tools: ToolDefinition[];
  /** Names that match no tool of this build (reported on stderr). */
  unknown: string[];
}

/**
 * Picks the tools to serve from a `BR_MCP_TOOLS` value: a comma-separated list of set
 * names (`default`, `standard`, `all`) and tool names; empty means `default`. `standard`
 * includes `default`, `all` includes everything. `from` names where the value came from in the
 * error (`BR_MCP_TOOLS` or `--tools`).
 *
 * @throws {BrError} `usage` when the list names no tool at all.
 */
export function selectTools(
  spec: string | undefined,
  tools: readonly ToolDefinition[] = allTools(),
  from = "BR_MCP_TOOLS",
): ToolSelection {
  const items = (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) items.push("default");
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const item of items) {
    const set = (TOOL_SETS as readonly string[]).indexOf(item);
    if (set >= 0) {
      for (const t of tools) {
        if (TOOL_SETS.indexOf(t.set) <= set) chosen.add(t.name);
      }
    } else if (tools.some((t) => t.name === item)) chosen.add(item);
    else unknown.push(item);
  }
  const selected = tools.filter((t) => chosen.has(t.name));
  if (selected.length === 0) {
    const given = from.startsWith("--") ? `${from} "${spec}"` : `${from}="${spec}"`;
    throw new BrError("usage", `${given} names no tool of this br`, {
      hint: `use default, standard, all, or tool names such as ${
        tools.slice(0, 3).map((t) => t.name).join(",")
      } (br mcp tools lists them)`,
    });
  }
  return { tools: selected, unknown };
}
