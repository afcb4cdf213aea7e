/**
 * The stdio transport of `br mcp`: newline-delimited JSON-RPC on stdin/stdout, as the MCP
 * stdio transport specifies. The SDK's own stdio transport drops a malformed line with only
 * an `onerror` callback; JSON-RPC wants an error response (`-32700` parse error, `-32600`
 * invalid request), so the client learns what went wrong and the server keeps serving.
 */
// The SDK's "./*" export maps types to "*.js.d.ts", which does not exist: point at them.
// @ts-types="@modelcontextprotocol/sdk/shared/transport"
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
} from "@modelcontextprotocol/sdk/types.js";

/**
 * The longest line (one JSON-RPC message) read, in characters. A longer one is answered with
 * `-32600` and skipped without being kept in memory; tool arguments have their own, smaller
 * limit, which gives the more useful error.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** Where the transport reads and writes; the process' stdin/stdout by default. */
export interface StdioStreams {
  /** Incoming bytes. */
  readable: ReadableStream<Uint8Array>;
  /** Writes all of `bytes` (or throws when the pipe is gone). */
  write(bytes: Uint8Array): Promise<void>;
}

/** The streams of the real process. */
export function processStreams(): StdioStreams {
  return {
    readable: Deno.stdin.readable,
    async write(bytes) {
      let off = 0;
      while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
    },
  };
}

/** A `Transport` for the SDK's `Server` over newline-delimited JSON on stdio. */
export class LineTransport implements Transport {
  /** Called for each valid message. */
  onmessage?: (message: JSONRPCMessage) => void;
  /** Called for a problem that does not end the connection. */
  onerror?: (error: Error) => void;
  /** Called once when the input ends or {@link close} is called. */
  onclose?: () => void;
  #streams: StdioStreams;
  #closed = false;
  #reader?: ReadableStreamDefaultReader<string>;
  #writes: Promise<void> = Promise.resolve();
  #enc = new TextEncoder();
  // Requests received and not yet answered: at the end of input they are answered before
  // the transport closes, so `echo '{...}' | br mcp` gets its responses.
  #open = new Set<string | number>();
  #drained?: () => void;

  /** Creates a transport over `streams`. */
  constructor(streams: StdioStreams = processStreams()) {
    this.#streams = streams;
  }

  /** Starts reading; returns at once (the read loop runs in the background). */
  start(): Promise<void> {
    this.#reader = this.#streams.readable.pipeThrough(new TextDecoderStream()).getReader();
    void this.#readLoop();
    return Promise.resolve();
  }

  async #readLoop(): Promise<void> {
    let buffer = "";
    // While skipping a line over MAX_LINE_CHARS: its start, to find the request id in.
    let skipping: string | null = null;
    try {
      while (!this.#closed) {
        const { value, done } = await this.#reader!.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).replace(/\r$/, "");
          buffer = buffer.slice(nl + 1);
          if (skipping !== null) {
            this.#tooLarge(skipping);
            skipping = null;
          } else if (line.length > MAX_LINE_CHARS) this.#tooLarge(line.slice(0, 1000));
          else if (line.trim()) this.#handleLine(line);
        }
        if (buffer.length > MAX_LINE_CHARS) {
          skipping ??= buffer.slice(0, 1000);
          buffer = "";
        }
      }
      if (skipping !== null) this.#tooLarge(skipping);
      else if (buffer.trim()) this.#handleLine(buffer);
    } catch (err) {
      if (!this.#closed) this.onerror?.(err as Error);
    }
    if (this.#open.size > 0 && !this.#closed) {
      await new Promise<void>((resolve) => this.#drained = resolve);
    }
    await this.#writes;
    await this.close();
  }

  #handleLine(line: string): void {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      this.onerror?.(new Error(`Malformed JSON on stdin: ${(err as Error).message}`));
      void this.#reply(null, ErrorCode.ParseError, `Parse error: ${(err as Error).message}`);
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(data);
    if (!parsed.success) {
      const id = idOf(data);
      this.onerror?.(new Error("Invalid JSON-RPC message on stdin"));
      void this.#reply(
        id,
        ErrorCode.InvalidRequest,
        "Invalid request: not a JSON-RPC 2.0 request, notification or response",
      );
      return;
    }
    const message = parsed.data;
    if ("method" in message && "id" in message) this.#open.add(message.id);
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  /** Answers a line over {@link MAX_LINE_CHARS}, with the request id when its start shows it. */
  #tooLarge(start: string): void {
    const m = /^\s*\{(?:\s*"(?:jsonrpc|method)"\s*:\s*"[^"]*"\s*,)*\s*"id"\s*:\s*(-?\d+|"[^"\\]*")/
      .exec(start);
    const id = m ? JSON.parse(m[1]) as string | number : null;
    this.onerror?.(new Error(`A message over ${MAX_LINE_CHARS} characters on stdin was skipped`));
    void this.#reply(
      id,
      ErrorCode.InvalidRequest,
      `Invalid request: the message is longer than ${MAX_LINE_CHARS} characters`,
    );
  }

  #reply(id: string | number | null, code: number, message: string): Promise<void> {
    return this.#write(JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } }));
  }

  /** Sends one message as one line. */
  send(message: JSONRPCMessage): Promise<void> {
    const written = this.#write(JSON.stringify(message));
    const id = "method" in message ? undefined : (message as { id?: string | number }).id;
    if (id !== undefined && this.#open.delete(id)) {
      if (this.#open.size === 0) this.#drained?.();
    }
    return written;
  }

  #write(json: string): Promise<void> {
    // Serialized so that two messages never interleave on the pipe.
    const bytes = this.#enc.encode(json + "\n");
    const next = this.#writes.then(() => this.#closed ? undefined : this.#streams.write(bytes));
    this.#writes = next.catch((err) => {
      this.onerror?.(err as Error);
      void this.close();
    });
    return next;
  }

  /** Stops reading and reports the close once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#reader?.cancel().catch(() => {});
    this.onclose?.();
  }
}

function idOf(data: unknown): string | number | null {
  if (data && typeof data === "object" && !Array.isArray(data)) {
    const id = (data as { id?: unknown }).id;
    if (typeof id === "string" || typeof id === "number") return id;
  }
  return null;
}
