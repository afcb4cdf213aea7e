import { resolveProjectRoot } from "../../core/project.ts";
import {
  installMcpClient,
  type McpInstallOptions,
  type McpInstallResult,
  startMcpServer,
  uninstallMcpClient,
} from "../../mcp/mod.ts";
import { selectTools } from "../../mcp/catalog.ts";
import { VERSION } from "../../core/version.ts";
import type { BrContext } from "../context.ts";
import { colors, type JsonFlags, print, printJson, type ProjectFlags, warn } from "../output.ts";

function selection(ctx: BrContext, flags: { tools?: string }) {
  const spec = flags.tools ?? ctx.env.BR_MCP_TOOLS;
  const selected = selectTools(
    spec,
    undefined,
    flags.tools === undefined ? "BR_MCP_TOOLS" : "--tools",
  );
  if (selected.unknown.length) {
    warn(
      ctx,
      `warning: no such MCP tool in this br: ${
        selected.unknown.join(", ")
      } (ignored; br mcp tools lists them)`,
    );
  }
  return selected.tools;
}

/** `br mcp` / `br mcp serve` */
export async function serve(
  this: BrContext,
  flags: ProjectFlags & { tools?: string },
): Promise<void> {
  const tools = selection(this, flags);
  // A project named on the command line (or in BR_PROJECT) must be there before serving;
  // without one, each tool call finds the project from the folder the client started in.
  if (flags.project !== undefined || this.env.BR_PROJECT) {
    resolveProjectRoot({ cwd: this.cwd, project: flags.project, env: this.env });
  }
  // stdout carries protocol messages only: anything printed by mistake goes to stderr.
  console.log = console.info = console.debug = console.error;
  // One session id for the whole connection, stamped on every event a tool emits.
  const ctx: BrContext = {
    ...this,
    env: { ...this.env, BR_SESSION: this.env.BR_SESSION ?? crypto.randomUUID() },
  };
  const server = await startMcpServer({
    tools: tools.map((t) => t.name),
    // Telemetry records each tool call that changes something as its own command.
    session: {
      cwd: ctx.cwd,
      project: flags.project,
      env: ctx.env,
      clock: ctx.clock,
      onHandlerError: ({ event, error }) =>
        warn(this, `warning: a handler of ${event.type} failed: ${(error as Error)?.message}`),
    },
    version: VERSION,
    log: (line) => warn(this, line),
  });
  if (this.stdinIsTTY) {
    warn(this, "br mcp: serving MCP over stdio; an MCP client starts this for you (Ctrl-C stops)");
  }
  const stop = () => void server.close();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  try {
    await server.closed;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}

type ClientFlags = ProjectFlags & JsonFlags & { client: string; global?: boolean };

function installOptions(ctx: BrContext, flags: ClientFlags): McpInstallOptions {
  let root: string | null = null;
  try {
    root = resolveProjectRoot({ cwd: ctx.cwd, project: flags.project, env: ctx.env });
  } catch (err) {
    // Global configs need no project; project-scoped ones report the error themselves.
    if (!flags.global && flags.client !== "windsurf" && flags.client !== "codex") throw err;
  }
  return { client: flags.client, global: flags.global, root, env: ctx.env };
}

async function render(ctx: BrContext, flags: JsonFlags, r: McpInstallResult): Promise<void> {
  if (r.warning) warn(ctx, `warning: ${r.warning}`);
  if (flags.json) return printJson(ctx, r);
  const c = await colors(ctx);
  const where = `${r.path} (${r.client}, ${r.scope})`;
  switch (r.action) {
    case "added":
      print(ctx, `${c.green("✓")} Added "${r.server}" to ${where}`);
      break;
    case "updated":
      print(ctx, `${c.green("✓")} Updated "${r.server}" in ${where}`);
      break;
    case "unchanged":
      print(ctx, `"${r.server}" is already in ${where}`);
      break;
    case "removed":
      print(ctx, `${c.green("✓")} Removed "${r.server}" from ${where}`);
      return;
    case "absent":
      print(ctx, `"${r.server}" is not in ${where}; nothing to remove`);
      return;
  }
  print(ctx, c.dim(`  command: ${r.command.join(" ")}`));
  print(ctx, "  restart the client (or reload its MCP servers) to pick it up");
}

/** `br mcp install` */
export async function install(this: BrContext, flags: ClientFlags): Promise<void> {
  await render(this, flags, await installMcpClient(installOptions(this, flags)));
}

/** `br mcp uninstall` */
export async function uninstall(this: BrContext, flags: ClientFlags): Promise<void> {
  await render(this, flags, await uninstallMcpClient(installOptions(this, flags)));
}

/** `br mcp tools` */
export async function tools(this: BrContext, flags: JsonFlags & { tools?: string }): Promise<void> {
  const list = selection(this, flags);
  if (flags.json) {
    const { describeTool } = await import("../../mcp/server.ts");
    return printJson(this, list.map((t) => ({ ...describeTool(t), set: t.set })));
  }
  const c = await colors(this);
  const width = Math.max(...list.map((t) => t.name.length));
  for (const t of list) {
    const kind = t.annotations.readOnlyHint
      ? "read-only"
      : t.annotations.destructiveHint
      ? "destructive"
      : "writes";
    print(
      this,
      `${c.bold(t.name.padEnd(width))}  ${t.set.padEnd(8)}  ${kind.padEnd(11)}  ${t.title}`,
    );
  }
}
