import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const toolsFlag = {
  kind: "parsed",
  parse: String,
  brief: "Tools to serve: default, standard, all and/or tool names, comma-separated " +
    "(env BR_MCP_TOOLS; default: default)",
  optional: true,
  placeholder: "list",
  proposeCompletions: completeWith("tools"),
} as const;

const clientFlags = {
  client: {
    kind: "parsed",
    parse: String,
    brief: "claude-code, codex, cursor, vscode or windsurf",
    placeholder: "client",
  },
  global: {
    kind: "boolean",
    brief: "The user-wide config instead of the project's (codex and windsurf are always global)",
    optional: true,
  },
  project: projectFlag,
  json: jsonFlag,
} as const;

/** The `br mcp ...` commands. */
export const mcpRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    serve: command({
      load: async () => (await import("./mcp_run.ts")).serve,
      brief: "Serve the Model Context Protocol over stdio (what MCP clients run)",
      description: "Serves BuildRunner's tools and the project files (features.json, STATUS.md, " +
        "PROJECT_SPEC.md) to an MCP client over stdin/stdout. Logs go to stderr.",
      parameters: { flags: { project: projectFlag, tools: toolsFlag } },
    }),
    install: command({
      load: async () => (await import("./mcp_run.ts")).install,
      brief: "Add br to an MCP client's config (keeps the other servers)",
      parameters: { flags: clientFlags },
    }),
    uninstall: command({
      load: async () => (await import("./mcp_run.ts")).uninstall,
      brief: "Remove br from an MCP client's config (and nothing else)",
      parameters: { flags: clientFlags },
    }),
    tools: command({
      load: async () => (await import("./mcp_run.ts")).tools,
      brief: "List the tools the server offers with the current selection",
      parameters: { flags: { tools: toolsFlag, json: jsonFlag } },
    }),
  },
  defaultCommand: "serve",
  docs: { brief: "MCP server for AI clients (Claude Code, Codex, Cursor, VS Code, Windsurf)" },
});
