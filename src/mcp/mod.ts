/**
 * The MCP server of BuildRunner: its tools (each calling the same capability function as the
 * matching `br` command), the project files as resources with change notifications, the
 * stdio transport, and the client config installer behind `br mcp install`.
 *
 * @example
 * ```ts ignore
 * import { openProject } from "../core/project.ts";
 * import { selectTools, startMcpServer } from "./mod.ts";
 *
 * const server = await startMcpServer({
 *   openProject: () => openProject(),
 *   tools: selectTools(Deno.env.get("BR_MCP_TOOLS")).tools,
 *   version: "0.1.0",
 *   log: (line) => console.error(line),
 * });
 * await server.closed; // until the client disconnects
 * ```
 *
 * @module
 */
export { allTools, selectTools, type ToolSelection } from "./catalog.ts";
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
export {
  type ResourceChange,
  type ResourceFile,
  resourceFiles,
  type ResourceWatcher,
  watchResources,
} from "./resources.ts";
export {
  describeTool,
  type McpServerHandle,
  type McpServerOptions,
  startMcpServer,
  toolError,
} from "./server.ts";
export {
  confineGlob,
  confinePath,
  defineTool,
  type Page,
  paginate,
  TOOL_SETS,
  type ToolAnnotations,
  type ToolContext,
  type ToolDefinition,
  type ToolSet,
} from "./tool.ts";
export { LineTransport, processStreams, type StdioStreams } from "./transport.ts";
