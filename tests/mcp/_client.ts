/** A real MCP client (the SDK's) connected to `deno run main.ts mcp` in a folder. */
import { Client } from "@modelcontextprotocol/sdk/client";
// The SDK's "./*" export maps types to "*.js.d.ts", which does not exist: point at them.
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { DENO_JSON, MAIN_TS } from "../helpers.ts";
import { RUN_FLAGS } from "../../src/core/self.ts";

/** A connected client; `stderr()` is what the server logged so far. */
export interface Connected extends AsyncDisposable {
  /** The SDK client. */
  client: Client;
  /** The server's stderr so far. */
  stderr(): string;
}

/** Spawns `br mcp` in `cwd` and connects the SDK client to it. */
export async function connect(
  cwd: string,
  env: Record<string, string> = {},
  args: string[] = [],
): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: ["run", "--quiet", ...RUN_FLAGS, "--config", DENO_JSON, MAIN_TS, "mcp", ...args],
    cwd,
    env: {
      ...Deno.env.toObject(),
      BR_HOME: `${cwd}/.br-home`,
      NO_COLOR: "1",
      ...env,
    },
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (chunk: Uint8Array) => err += new TextDecoder().decode(chunk));
  const client = new Client({ name: "br-test", version: "1.0.0" });
  await client.connect(transport);
  return {
    client,
    stderr: () => err,
    async [Symbol.asyncDispose]() {
      await client.close();
    },
  };
}

/** Resolves with the first value `check` returns that is not undefined, or rejects after `ms`. */
export async function waitFor<T>(check: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing after ${ms} ms`);
}
