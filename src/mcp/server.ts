/**
 * The MCP server: the SDK's `Server` with BuildRunner's tools and resources. Each tool call
 * opens the project, runs the tool's capability function, and closes the project (so event
 * handlers finish before the answer, and config edits are seen by the next call).
 */
import { Server } from "@modelcontextprotocol/sdk/server";
// The SDK's "./*" export maps types to "*.js.d.ts", which does not exist: point at them.
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SubscribeRequestSchema,
  type Tool,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { Buffer } from "node:buffer";
import { relative } from "node:path";
import { z } from "zod";
import { BrError, isBrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { openSession, type SessionOptions } from "../project/session.ts";
import { type FeaturesFile, loadFeatures, parseFeaturesText } from "../features/mod.ts";
import { allTools, selectTools } from "./catalog.ts";
import { resourceFiles, type ResourceWatcher, watchResources } from "./resources.ts";
import { confinePath, type ToolDefinition } from "./tool.ts";
import { LineTransport, type StdioStreams } from "./transport.ts";

/** Options of {@link startMcpServer}. */
export interface McpServerOptions {
  /**
   * Where the project is and how to open it. Each tool call opens it as a session (the same
   * governance and telemetry as every other caller; the call is recorded as the command
   * `mcp <tool>`) and closes it after the call.
   */
  session: Omit<SessionOptions, "command" | "startedAt" | "longRunning">;
  /**
   * The names of the tools to serve (as `br mcp tools` lists them); default: the `default`
   * set.
   *
   * @throws {BrError} `usage` from {@link startMcpServer} for a name this `br` does not have.
   */
  tools?: readonly string[];
  /** The version reported to clients. */
  version: string;
  /** Log sink (stderr; stdout carries protocol messages only). */
  log: (line: string) => void;
  /** Streams (default: the process' stdin and stdout). */
  streams?: StdioStreams;
  /** Watch the served files and notify subscribers (default true). */
  watch?: boolean;
}

/** A running server. */
export interface McpServerHandle {
  /** Resolves when the client disconnects (stdin ends) or {@link close} is called. */
  closed: Promise<void>;
  /** Stops serving. */
  close(): Promise<void>;
}

const RESOURCE_NOT_FOUND = -32002;

/**
 * The most characters the arguments of one tool call may have as JSON: above every field
 * limit of every tool put together, far below what strains a client or the pipe.
 */
export const MAX_ARGUMENTS_CHARS = 1_000_000;

/** Starts serving over stdio. */
export async function startMcpServer(options: McpServerOptions): Promise<McpServerHandle> {
  const { log } = options;
  const served = serveTools(options.tools);
  const tools = new Map(served.map((t) => [t.name, t]));
  let listing: Tool[] | undefined;
  const server = new Server(
    { name: "buildrunner", title: "BuildRunner", version: options.version },
    {
      capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } },
      instructions:
        "BuildRunner keeps this project's features, status and gates. Start with br_status; " +
        "br_next_feature says what to work on; br_set_feature_status records progress.",
    },
  );
  server.onerror = (err) => log(`mcp: ${err.message}`);

  // The project root, found at start or on the first call that finds one.
  let root: string | null = null;
  let watcher: ResourceWatcher | null = null;
  const subscribed = new Set<string>();
  const features = featuresReader();
  const learnRoot = (project: Project) => {
    if (root !== null) return;
    root = project.root;
    if (options.watch !== false) startWatching(root);
  };
  const startWatching = (dir: string) => {
    watchResources(dir, (change) => {
      for (const uri of change.updated) {
        if (subscribed.has(uri)) {
          server.sendResourceUpdated({ uri }).catch((e) => log(`mcp: ${e.message}`));
        }
      }
      if (change.listChanged) {
        server.sendResourceListChanged().catch((e) => log(`mcp: ${e.message}`));
      }
    }).then((w) => watcher = w, (e) => log(`mcp: cannot watch ${dir}: ${e.message}`));
  };
  const findRoot = async (): Promise<string | null> => {
    if (root !== null) return root;
    try {
      const project = await openSession({ ...options.session, command: "mcp" });
      learnRoot(project);
      await project.close();
    } catch {
      // No project (yet): tools answer with the error and its hint.
    }
    return root;
  };

  server.setRequestHandler(ListToolsRequestSchema, () => {
    listing ??= served.map(describeTool);
    return { tools: listing };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    const call = checkToolCall(tools, name, request.params.arguments);
    if ("error" in call) return call.error;
    const { tool } = call;
    let project: Project | undefined;
    try {
      project = await openSession({ ...options.session, command: `mcp ${name}` });
      learnRoot(project);
      const opened = project;
      const result = await tool.run({
        project: opened,
        path: (value, argument) => confinePath(opened.root, value, argument),
        features: () => features(opened),
      }, call.args);
      const structured = JSON.parse(JSON.stringify(result)) as Record<string, unknown>;
      return {
        content: [{ type: "text", text: JSON.stringify(structured) }],
        structuredContent: structured,
      } satisfies CallToolResult;
    } catch (err) {
      if (!isBrError(err)) log(`mcp: ${name} failed: ${(err as Error)?.stack ?? err}`);
      return toolError(err);
    } finally {
      await project?.close().catch((e) => log(`mcp: ${e.message}`));
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    const dir = await findRoot();
    if (dir === null) return { resources: [] };
    const out = [];
    for (const f of resourceFiles(dir)) {
      if (!(await isFile(f.path))) continue;
      out.push({ uri: f.uri, name: f.name, description: f.description, mimeType: f.mimeType });
    }
    return { resources: out };
  });

  // No templates; answering the list keeps clients that always ask from logging an error.
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const dir = await findRoot();
    const file = dir === null
      ? undefined
      : resourceFiles(dir).find((f) => f.uri === request.params.uri);
    if (!file) throw unknownResource(request.params.uri);
    let text: string;
    try {
      text = await Deno.readTextFile(file.path);
    } catch {
      throw new McpError(RESOURCE_NOT_FOUND, `${file.name} does not exist yet`, {
        uri: file.uri,
      });
    }
    return { contents: [{ uri: file.uri, mimeType: file.mimeType, text }] };
  });

  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const dir = await findRoot();
    const known = dir !== null && resourceFiles(dir).some((f) => f.uri === request.params.uri);
    if (!known) throw unknownResource(request.params.uri);
    subscribed.add(request.params.uri);
    return {};
  });

  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscribed.delete(request.params.uri);
    return {};
  });

  const transport = new LineTransport(options.streams);
  const { promise: closed, resolve: resolveClosed } = Promise.withResolvers<void>();
  server.onclose = () => {
    watcher?.close();
    resolveClosed();
  };
  await server.connect(transport);
  await findRoot();
  return {
    closed,
    async close() {
      await server.close();
      await closed;
    },
  };
}

/**
 * Checks a `tools/call` before anything is opened: the tool exists, its arguments are not too
 * large and match its input schema. Returns the tool and its parsed arguments (defaults
 * applied), or the tool error to answer with.
 *
 * @throws {McpError} `InvalidParams` for a tool this server does not serve.
 */
export function checkToolCall(
  tools: ReadonlyMap<string, ToolDefinition>,
  name: string,
  args: unknown,
): { tool: ToolDefinition; args: Record<string, unknown> } | { error: CallToolResult } {
  const tool = tools.get(name);
  if (!tool) {
    throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${name}"`, {
      hint: `call tools/list; this server has ${[...tools.keys()].join(", ")}`,
    });
  }
  const size = JSON.stringify(args ?? {}).length;
  if (size > MAX_ARGUMENTS_CHARS) {
    return {
      error: toolError(
        new BrError(
          "usage",
          `Invalid arguments for ${name}: ${size} characters of JSON, at most ${MAX_ARGUMENTS_CHARS}`,
          { hint: "see the maxLength and maxItems of the tool's inputSchema in tools/list" },
        ),
      ),
    };
  }
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success) {
    return {
      error: toolError(
        new BrError("usage", `Invalid arguments for ${name}: ${describeIssues(parsed.error)}`, {
          hint: "see the tool's inputSchema in tools/list",
        }),
      ),
    };
  }
  return { tool, args: parsed.data as Record<string, unknown> };
}

/**
 * Reads `features.json` for the tools, keeping the last parse: an agent polls it far more
 * often than it changes, and parsing a large file is most of a call's time.
 */
function featuresReader(): (project: Project) => Promise<FeaturesFile> {
  let cache: { root: string; bytes: Buffer; file: FeaturesFile } | null = null;
  return async (project) => {
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await Deno.readFile(project.paths.features));
    } catch {
      return loadFeatures(project); // missing (an empty project) or unreadable: its own error
    }
    if (cache?.root === project.root && cache.bytes.equals(bytes)) return cache.file;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return loadFeatures(project); // not UTF-8: its own error
    }
    const file = await parseFeaturesText(text, relative(project.root, project.paths.features));
    cache = { root: project.root, bytes, file };
    return file;
  };
}

function unknownResource(uri: string): McpError {
  return new McpError(RESOURCE_NOT_FOUND, `Unknown resource "${uri}"`, { uri });
}

/** The definitions of the named tools (the default set when none are named). */
function serveTools(names: readonly string[] | undefined): ToolDefinition[] {
  if (names === undefined) return selectTools(undefined).tools;
  const all = allTools();
  const unknown = names.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new BrError("usage", `No MCP tool named ${unknown.map((n) => `"${n}"`).join(", ")}`, {
      hint: `name tools that "br mcp tools --tools all" lists`,
    });
  }
  return all.filter((t) => names.includes(t.name));
}

/** The `tools/list` entry of a definition. */
export function describeTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, "input") as Tool["inputSchema"],
    outputSchema: jsonSchema(tool.output, "output") as Tool["outputSchema"],
    annotations: { title: tool.title, ...tool.annotations },
  };
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: "draft-7", io, unrepresentable: "any" });
  delete out.$schema;
  return out as Record<string, unknown>;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`)
      .join("").replace(/^\./, "");
    const message = issue.code === "invalid_type" && /received undefined$/.test(issue.message)
      ? "required"
      : issue.message;
    return path ? `${path}: ${message}` : message;
  }).join("; ");
}

/** A failure as a tool error: the CLI's `error:` and `hint:` lines, and the code in `_meta`. */
export function toolError(err: unknown): CallToolResult {
  const br = isBrError(err) ? err : null;
  const message = br ? br.message : `unexpected: ${(err as Error)?.message ?? String(err)}`;
  const hint = br
    ? br.hint
    : "this is a bug in br; please report it with the tool call (details are on stderr)";
  return {
    content: [{ type: "text", text: `error: ${message}${hint ? `\nhint: ${hint}` : ""}` }],
    isError: true,
    _meta: {
      "br/error": {
        code: br?.code ?? "unexpected",
        exit_code: br?.exitCode ?? 1,
        message,
        hint: hint ?? null,
      },
    },
  };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
