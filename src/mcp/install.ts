/**
 * `br mcp install|uninstall`: merges (or removes) one `br` entry in an MCP client's config
 * file, leaving every other server and setting as it was.
 */
import { join, relative } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { selfCommand } from "../core/self.ts";

/** The clients `br mcp install` knows. */
export const MCP_CLIENTS = ["claude-code", "codex", "cursor", "vscode", "windsurf"] as const;
/** One of {@link MCP_CLIENTS}. */
export type McpClient = typeof MCP_CLIENTS[number];

/** The name of our entry in every client config. */
export const MCP_SERVER_NAME = "br";

/** Where a client keeps its MCP servers. */
export interface ClientConfigLocation {
  /** The client. */
  client: McpClient;
  /** `project` (in the repository) or `global` (in the home folder). */
  scope: "project" | "global";
  /** Absolute path of the config file. */
  path: string;
  /** The top-level key holding the servers. */
  key: "mcpServers" | "servers" | "mcp_servers";
}

/** Options of {@link installMcpClient} and {@link uninstallMcpClient}. */
export interface McpInstallOptions {
  /** The client. */
  client: string;
  /** Use the user-wide config instead of the project's. */
  global?: boolean;
  /** The project root (for project-scoped configs). */
  root?: string | null;
  /** Environment (HOME, BR_BIN). */
  env: Record<string, string | undefined>;
}

/** What an install or uninstall did. */
export interface McpInstallResult {
  /** The client. */
  client: McpClient;
  /** `project` or `global`. */
  scope: "project" | "global";
  /** The config file (relative to the project root when inside it). */
  path: string;
  /** The entry name. */
  server: string;
  /** `added`, `updated`, `unchanged` (install); `removed`, `absent` (uninstall). */
  action: "added" | "updated" | "unchanged" | "removed" | "absent";
  /** The command the client will run. */
  command: string[];
  /** Why the client may fail to start it (`br` not on PATH for a project's file), or null. */
  warning: string | null;
}

/**
 * The config file of `client`: Claude Code `.mcp.json` / `~/.claude.json`, Cursor
 * `.cursor/mcp.json` / `~/.cursor/mcp.json`, VS Code `.vscode/mcp.json` (project only),
 * Windsurf `~/.codeium/windsurf/mcp_config.json` (global only), Codex
 * `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`; global only).
 *
 * @throws {BrError} `usage` for an unknown client or an unsupported scope, `no_project`
 * for a project-scoped config outside a project.
 */
export function clientConfigLocation(options: McpInstallOptions): ClientConfigLocation {
  const client = options.client as McpClient;
  if (!(MCP_CLIENTS as readonly string[]).includes(client)) {
    throw new BrError("usage", `Unknown MCP client "${options.client}"`, {
      hint: `use one of: ${MCP_CLIENTS.join(", ")}`,
    });
  }
  const home = () => {
    const h = options.env.HOME ?? options.env.USERPROFILE;
    if (!h) {
      throw new BrError("usage", "Cannot find the home folder (HOME is not set)", {
        hint: "set HOME, or install into the project without --global",
      });
    }
    return h;
  };
  const project = () => {
    if (!options.root) {
      throw new BrError("no_project", "No BuildRunner project here for a project-scoped config", {
        hint: 'run "br init" first, or pass --global',
      });
    }
    return options.root;
  };
  switch (client) {
    case "claude-code":
      return options.global
        ? { client, scope: "global", path: join(home(), ".claude.json"), key: "mcpServers" }
        : { client, scope: "project", path: join(project(), ".mcp.json"), key: "mcpServers" };
    case "cursor":
      return options.global
        ? { client, scope: "global", path: join(home(), ".cursor", "mcp.json"), key: "mcpServers" }
        : {
          client,
          scope: "project",
          path: join(project(), ".cursor", "mcp.json"),
          key: "mcpServers",
        };
    case "vscode":
      if (options.global) {
        throw new BrError("usage", "VS Code is configured per workspace by br", {
          hint: "run without --global to write .vscode/mcp.json",
        });
      }
      return {
        client,
        scope: "project",
        path: join(project(), ".vscode", "mcp.json"),
        key: "servers",
      };
    case "codex": {
      const codexHome = options.env.CODEX_HOME?.trim() || join(home(), ".codex");
      return {
        client,
        scope: "global",
        path: join(codexHome, "config.toml"),
        key: "mcp_servers",
      };
    }
    case "windsurf":
      return {
        client,
        scope: "global",
        path: join(home(), ".codeium", "windsurf", "mcp_config.json"),
        key: "mcpServers",
      };
  }
}

/**
 * The entry `br mcp install` writes for `client`. A project's file is committed and shared,
 * so it gets the portable `br mcp` (found on each machine's PATH); a user's file gets this
 * machine's command (`BR_BIN`, the binary, or `deno run` on this checkout), with absolute
 * paths.
 */
export function serverEntry(
  client: McpClient,
  env: Record<string, string | undefined>,
  scope: "project" | "global" = "global",
): { [key: string]: unknown } {
  const [command, ...args] = scope === "project" ? [MCP_SERVER_NAME] : selfCommand(env);
  const entry: Record<string, unknown> = { command, args: [...args, "mcp"] };
  // Claude Code and VS Code name the transport; the others take command entries as stdio.
  return client === "claude-code" || client === "vscode" ? { type: "stdio", ...entry } : entry;
}

/**
 * Adds or refreshes the `br` entry of a client's config. Other servers and keys are kept
 * as they are; an entry already equal leaves the file untouched.
 *
 * @throws {BrError} `invalid_data` when the existing file is not a JSON object.
 */
export async function installMcpClient(options: McpInstallOptions): Promise<McpInstallResult> {
  const loc = clientConfigLocation(options);
  const entry = serverEntry(loc.client, options.env, loc.scope);
  if (loc.key === "mcp_servers") {
    return result(loc, options, await editToml(loc.path, entry), entry);
  }
  const { data } = await readConfig(loc.path);
  const servers = serversOf(data, loc);
  const before = servers[MCP_SERVER_NAME];
  let action: McpInstallResult["action"];
  if (before === undefined) action = "added";
  else if (JSON.stringify(before) === JSON.stringify(entry)) action = "unchanged";
  else action = "updated";
  if (action !== "unchanged") {
    servers[MCP_SERVER_NAME] = entry;
    data[loc.key] = servers;
    await writeFileAtomic(loc.path, JSON.stringify(data, null, 2) + "\n");
  }
  const out = result(loc, options, action, entry);
  if (loc.scope === "project" && !onPath(MCP_SERVER_NAME, options.env)) {
    out.warning = `"${MCP_SERVER_NAME}" is not on PATH: ${loc.client} cannot start "${
      out.command.join(" ")
    }" on this machine until it is (${out.path} is shared, so it holds no local path); --global writes an entry for this machine only`;
  }
  return out;
}

/** True when `name` is an executable file in one of the folders of `env.PATH`. */
function onPath(name: string, env: Record<string, string | undefined>): boolean {
  const windows = Deno.build.os === "windows";
  const exts = windows ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? env.Path ?? "").split(windows ? ";" : ":")) {
    if (!dir) continue;
    for (const ext of exts) {
      try {
        const st = Deno.statSync(join(dir, name + ext));
        if (st.isFile && (windows || ((st.mode ?? 0) & 0o111) !== 0)) return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/**
 * Removes the `br` entry of a client's config, and nothing else.
 *
 * @throws {BrError} `invalid_data` when the existing file is not a JSON object.
 */
export async function uninstallMcpClient(options: McpInstallOptions): Promise<McpInstallResult> {
  const loc = clientConfigLocation(options);
  const entry = serverEntry(loc.client, options.env, loc.scope);
  if (loc.key === "mcp_servers") {
    return result(loc, options, await editToml(loc.path, null), entry);
  }
  const { data, existed } = await readConfig(loc.path);
  if (!existed) return result(loc, options, "absent", entry);
  const servers = serversOf(data, loc);
  if (!(MCP_SERVER_NAME in servers)) return result(loc, options, "absent", entry);
  delete servers[MCP_SERVER_NAME];
  data[loc.key] = servers;
  await writeFileAtomic(loc.path, JSON.stringify(data, null, 2) + "\n");
  return result(loc, options, "removed", entry);
}

function result(
  loc: ClientConfigLocation,
  options: McpInstallOptions,
  action: McpInstallResult["action"],
  entry: Record<string, unknown>,
): McpInstallResult {
  const rel = options.root && loc.scope === "project" ? relative(options.root, loc.path) : loc.path;
  return {
    client: loc.client,
    scope: loc.scope,
    path: rel,
    server: MCP_SERVER_NAME,
    action,
    command: [entry.command as string, ...(entry.args as string[])],
    warning: null,
  };
}

async function readConfig(
  path: string,
): Promise<{ data: Record<string, unknown>; existed: boolean }> {
  const text = await readOwnTextOrNull(path);
  if (text === null || text.trim() === "") return { data: {}, existed: text !== null };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${path}: ${(err as Error).message}`, {
      hint: "fix the JSON (comments are not supported); nothing was written",
      cause: err,
    });
  }
  if (!isObject(data)) {
    throw new BrError("invalid_data", `${path} is not a JSON object`, {
      hint: "fix the file; nothing was written",
    });
  }
  return { data, existed: true };
}

function serversOf(
  data: Record<string, unknown>,
  loc: ClientConfigLocation,
): Record<string, unknown> {
  const servers = data[loc.key] ?? {};
  if (!isObject(servers)) {
    throw new BrError("invalid_data", `"${loc.key}" in ${loc.path} is not an object`, {
      hint: "fix the file; nothing was written",
    });
  }
  return servers;
}

async function parseToml(path: string, text: string): Promise<Record<string, unknown>> {
  const { parse } = await import("smol-toml");
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${path}: ${(err as Error).message}`, {
      hint: "fix the TOML; nothing was written",
      cause: err,
    });
  }
}

function tomlServer(data: Record<string, unknown>, path: string): Record<string, unknown> | null {
  const servers = data.mcp_servers;
  if (servers === undefined) return null;
  if (!isObject(servers)) {
    throw new BrError("invalid_data", `"mcp_servers" in ${path} is not a table`, {
      hint: "fix the file; nothing was written",
    });
  }
  const br = servers[MCP_SERVER_NAME];
  if (br === undefined) return null;
  if (!isObject(br)) {
    throw new BrError(
      "invalid_data",
      `"mcp_servers.${MCP_SERVER_NAME}" in ${path} is not a table`,
      {
        hint: "fix the file; nothing was written",
      },
    );
  }
  return br;
}

/**
 * Writes (`entry`) or removes (`null`) `[mcp_servers.br]` of a TOML config in place: only the
 * `command` and `args` values (or the table) change, every other byte stays. The edited text is
 * parsed again and must hold exactly the intended entry, else nothing is written.
 */
async function editToml(
  path: string,
  entry: Record<string, unknown> | null,
): Promise<McpInstallResult["action"]> {
  const { removeTable, setTableKeys, tomlString } = await import("./_toml_edit.ts");
  const text = (await readOwnTextOrNull(path)) ?? "";
  const before = tomlServer(await parseToml(path, text), path);
  const table = ["mcp_servers", MCP_SERVER_NAME];
  let next: string;
  let action: McpInstallResult["action"];
  if (entry === null) {
    if (!before) return "absent";
    next = removeTable(text, table);
    action = "removed";
  } else {
    const command = entry.command as string;
    const args = entry.args as string[];
    if (
      before && before.command === command && JSON.stringify(before.args) === JSON.stringify(args)
    ) {
      return "unchanged";
    }
    next = setTableKeys(text, table, [
      ["command", tomlString(command)],
      ["args", `[${args.map(tomlString).join(", ")}]`],
    ]);
    action = before ? "updated" : "added";
  }
  const after = tomlServer(await parseToml(path, next).catch(() => ({})), path);
  const ok = entry === null ? after === null : after !== null && after.command === entry.command &&
    JSON.stringify(after.args) === JSON.stringify(entry.args);
  if (!ok) {
    throw new BrError(
      "invalid_data",
      `Cannot edit [mcp_servers.${MCP_SERVER_NAME}] of ${path} in place`,
      {
        hint:
          "it is written in a form br does not edit (inline or dotted keys): edit it by hand; nothing was written",
      },
    );
  }
  await writeFileAtomic(path, next);
  return action;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
