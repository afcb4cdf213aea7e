/**
 * Servers on 127.0.0.1 that speak the providers' APIs, for the real agent CLIs: each answers a
 * scripted conversation that writes one file with the agent's file tool, then ends the turn.
 */

/** A request the server received. */
export interface SeenRequest {
  /** Path. */
  path: string;
  /** Authorization headers as sent (x-api-key or Authorization). */
  auth: string | null;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
}

/** A running fake API server. */
export interface FakeServer extends AsyncDisposable {
  /** Base URL (http://127.0.0.1:port). */
  url: string;
  /** Every request, in order. */
  requests: SeenRequest[];
}

/** What the scripted turn writes. */
export interface Script {
  /** Absolute path of the file the agent is asked to write, given the request's working dir. */
  file: (cwd: string) => string;
  /** Its content, given the request's working dir. */
  content: (cwd: string) => string;
}

/** Usage the Anthropic server reports per response (billed by Claude Code's own price table). */
export const ANTHROPIC_USAGE = {
  input_tokens: 1000,
  output_tokens: 200,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

/** The model the Anthropic server answers as. */
export const ANTHROPIC_MODEL = "claude-sonnet-4-5-20250929";

function sse(events: [string, unknown][]): string {
  return events.map(([e, d]) => `event: ${e}\ndata: ${JSON.stringify(d)}\n\n`).join("");
}

/** Where the agent works: Claude Code states it in its system prompt ("Working directory: ..."). */
function workingDir(body: Record<string, unknown>): string | null {
  const text = JSON.stringify(body.system ?? "") + JSON.stringify(body.messages ?? "");
  return /[Ww]orking directory: ([^\s"\\]+)/.exec(text)?.[1] ?? null;
}

function hasToolResult(body: Record<string, unknown>): boolean {
  const msgs = (body.messages ?? []) as { role: string; content: unknown }[];
  const last = msgs[msgs.length - 1];
  return Array.isArray(last?.content) &&
    (last.content as { type: string }[]).some((c) => c.type === "tool_result");
}

/**
 * The Anthropic Messages API (`POST /v1/messages`, streamed as SSE: message_start,
 * content_block_start/delta/stop, message_delta with usage, message_stop). A request that offers
 * the `Write` tool and has no tool result yet gets a `tool_use` of it; every other request gets
 * a short text answer.
 */
export function anthropicServer(script: Script, options: { stall?: boolean } = {}): FakeServer {
  const requests: SeenRequest[] = [];
  let n = 0;
  const ac = new AbortController();
  const serveOptions = { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} };
  const server = Deno.serve(serveOptions, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST"
      ? await req.json().catch(() => ({})) as Record<string, unknown>
      : {};
    requests.push({
      path: url.pathname,
      auth: req.headers.get("x-api-key") ?? req.headers.get("authorization"),
      body,
    });
    if (url.pathname.endsWith("/count_tokens")) return Response.json({ input_tokens: 1000 });
    if (!url.pathname.endsWith("/v1/messages")) return Response.json({}, { status: 404 });
    if (options.stall) {
      // Headers, then nothing: the agent waits until it is killed.
      const body = new ReadableStream({ start() {} });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    }
    const id = `msg_${++n}`;
    const tools = (body.tools ?? []) as { name: string }[];
    const cwd = workingDir(body);
    const useTool = tools.some((t) => t.name === "Write") && !hasToolResult(body) && cwd;
    const blocks: [string, unknown][] = [];
    if (useTool) {
      const input = JSON.stringify({ file_path: script.file(cwd!), content: script.content(cwd!) });
      blocks.push(
        ["content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "tool_use", id: `toolu_${n}`, name: "Write", input: {} },
        }],
        ["content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "input_json_delta", partial_json: input },
        }],
        ["content_block_stop", { type: "content_block_stop", index: 0 }],
      );
    } else {
      blocks.push(
        ["content_block_start", {
          type: "content_block_start",
          index: 0,
          content_block: { type: "text", text: "" },
        }],
        ["content_block_delta", {
          type: "content_block_delta",
          index: 0,
          delta: { type: "text_delta", text: "Done." },
        }],
        ["content_block_stop", { type: "content_block_stop", index: 0 }],
      );
    }
    const message = {
      id,
      type: "message",
      role: "assistant",
      model: ANTHROPIC_MODEL,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...ANTHROPIC_USAGE, output_tokens: 1 },
    };
    const events: [string, unknown][] = [
      ["message_start", { type: "message_start", message }],
      ...blocks,
      ["message_delta", {
        type: "message_delta",
        delta: { stop_reason: useTool ? "tool_use" : "end_turn", stop_sequence: null },
        usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
      }],
      ["message_stop", { type: "message_stop" }],
    ];
    if (body.stream) {
      return new Response(sse(events), {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    }
    return Response.json({
      ...message,
      content: useTool
        ? [{
          type: "tool_use",
          id: `toolu_${n}`,
          name: "Write",
          input: { file_path: script.file(cwd!), content: script.content(cwd!) },
        }]
        : [{ type: "text", text: "Done." }],
      stop_reason: useTool ? "tool_use" : "end_turn",
      usage: ANTHROPIC_USAGE,
    });
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
    },
  };
}

/**
 * Installs an npm package into a temporary folder (once per test file) and returns the path of
 * its program, or null when npm cannot install it here: the caller skips with a printed line,
 * except under `CI=true`, where a missing CLI fails.
 */
export async function npmCli(
  spec: string,
  bin: string,
): Promise<{ bin: string; dir: string } | null> {
  const dir = await Deno.makeTempDir({ prefix: "br-npm-cli-" });
  const out = await new Deno.Command("npm", {
    args: ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", spec],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000),
  }).output().catch((err) => ({ success: false, stderr: new TextEncoder().encode(String(err)) }));
  const path = `${dir}/node_modules/.bin/${bin}`;
  const ok = out.success && await Deno.stat(path).then(() => true, () => false);
  if (ok) return { bin: path, dir };
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const why = new TextDecoder().decode(out.stderr).trim().split("\n").pop();
  if (Deno.env.get("CI") === "true") throw new Error(`Cannot install ${spec} from npm: ${why}`);
  console.log(`skipping the ${bin} tests: cannot install ${spec} from npm (${why})`);
  return null;
}

/** Usage the OpenAI server reports per response. */
export const OPENAI_USAGE = {
  input_tokens: 500,
  input_tokens_details: { cached_tokens: 100 },
  output_tokens: 50,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 550,
};

/**
 * The OpenAI Responses API (`POST /v1/responses`, streamed as SSE: response.created,
 * response.output_item.added/done, response.completed with usage), which Codex speaks. A request
 * that offers Codex's `exec_command` tool and has no tool output yet gets a `function_call` of
 * it running a command that writes the file; every other request gets a short text answer.
 */
export function openaiServer(script: Script): FakeServer {
  const requests: SeenRequest[] = [];
  let n = 0;
  const ac = new AbortController();
  const serveOptions = { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} };
  const server = Deno.serve(serveOptions, async (req) => {
    const url = new URL(req.url);
    const body = req.method === "POST"
      ? await req.json().catch(() => ({})) as Record<string, unknown>
      : {};
    requests.push({ path: url.pathname, auth: req.headers.get("authorization"), body });
    if (!url.pathname.endsWith("/responses")) return Response.json({}, { status: 404 });
    n++;
    const input = (body.input ?? []) as { type: string }[];
    const tools = (body.tools ?? []) as { name?: string }[];
    const cwd = /<cwd>([^<]+)<\/cwd>/.exec(JSON.stringify(input))?.[1] ?? null;
    const useTool = tools.some((t) => t.name === "exec_command") &&
      !input.some((i) => i.type === "function_call_output") && cwd;
    let item: Record<string, unknown>;
    if (useTool) {
      const file = script.file(cwd!);
      const line = script.content(cwd!).replace(/\n$/, "");
      item = {
        type: "function_call",
        id: `fc_${n}`,
        call_id: `call_${n}`,
        name: "exec_command",
        status: "completed",
        arguments: JSON.stringify({
          cmd: `mkdir -p '${
            file.slice(0, file.lastIndexOf("/"))
          }' && printf '%s\\n' '${line}' > '${file}'`,
        }),
      };
    } else {
      item = {
        type: "message",
        id: `msg_${n}`,
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "Done.", annotations: [] }],
      };
    }
    const response = {
      id: `resp_${n}`,
      object: "response",
      status: "completed",
      model: String(body.model ?? "gpt-5-codex"),
      output: [item],
      usage: OPENAI_USAGE,
    };
    const ev = (d: Record<string, unknown>) => `event: ${d.type}\ndata: ${JSON.stringify(d)}\n\n`;
    const text = ev({
      type: "response.created",
      response: { ...response, status: "in_progress", output: [] },
    }) +
      ev({ type: "response.output_item.added", output_index: 0, item }) +
      ev({ type: "response.output_item.done", output_index: 0, item }) +
      ev({ type: "response.completed", response });
    return new Response(text, { headers: { "content-type": "text/event-stream" } });
  });
  const addr = server.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      ac.abort();
      await server.finished;
    },
  };
}
