/**
 * The MCP server of BuildRunner: its tools (each calling the same capability function as the
 * matching `br` command), the project files as resources with change notifications, the
 * stdio transport, and the client config installer behind `br mcp install`.
 *
 * @example
 * ```ts
 * import { clientConfigLocation } from "@buildrunner/br/mcp";
 * import assert from "node:assert/strict";
 *
 * const where = clientConfigLocation({ client: "cursor", root: "/work/app", env: {} });
 * assert.equal(where.path, "/work/app/.cursor/mcp.json");
 * ```
 *
 * @module
 */
export {
  type ClientConfigLocation,
  clientConfigLocation,
  installMcpClient,
  MCP_CLIENTS,
  MCP_SERVER_NAME,
  type McpClient,
  type McpInstallOptions,
  type McpInstallResult,
  serverEntry,
  uninstallMcpClient,
} from "./install.ts";
export { type McpServerHandle, type McpServerOptions, startMcpServer } from "./server.ts";
export { TOOL_SETS, type ToolSet } from "./tool.ts";
export { processStreams, type StdioStreams } from "./transport.ts";
