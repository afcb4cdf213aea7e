/**
 * The code every plugin Worker starts with. It travels as text (a `data:` URL), as does the
 * plugin's bundle, so a `deno compile` binary runs plugins without embedding any file for them.
 * It speaks the host protocol ({@link PROTOCOL_VERSION}) on `postMessage`.
 *
 * @module
 */

/** The version of the messages between the host and a plugin Worker. */
export const PROTOCOL_VERSION = 1;

// The function below runs inside the Worker, from its source text: it may use nothing from
// this module's scope.
// deno-lint-ignore no-explicit-any
function bootstrap(this: any): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const deno = g.Deno;
  // A plugin never ends the process, nor its own Worker behind the host's back.
  Object.defineProperty(deno, "exit", {
    value: (code?: number) => {
      throw new Error(`Deno.exit(${code ?? ""}) is not allowed in a plugin`);
    },
    writable: false,
    configurable: false,
  });
  const post = (message: Record<string, unknown>) => g.postMessage({ v: 1, ...message });
  // deno-lint-ignore no-explicit-any
  let plugin: any = null;
  let nextRequest = 0;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const ask = (call: number, op: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextRequest;
      waiting.set(id, { resolve, reject });
      post({ type: "request", call, id, op, args });
    });
  const describe = (err: unknown) => {
    const e = err as Error;
    const denied = e?.name === "NotCapable" || e?.name === "PermissionDenied" ||
      /Requires \w+ access/.test(String(e?.message));
    return { message: String(e?.message ?? err), denied };
  };
  const context = (call: number, args: string[], init: Record<string, unknown>) => {
    const text = (parts: unknown[]) =>
      parts.map((p) => typeof p === "string" ? p : JSON.stringify(p)).join(" ");
    return {
      args,
      project: {
        name: init.projectName,
        root: init.root,
        features: () => ask(call, "features", []),
        addFeature: (input: unknown) => ask(call, "features.add", [input]),
        updateFeature: (id: string, patch: unknown) =>
          ask(call, "features.update", [String(id), patch]),
        setFeatureStatus: (id: string, status: string, options?: { reason?: string }) =>
          ask(call, "features.status", [String(id), String(status), options?.reason ?? null]),
        cost: (id: string) => ask(call, "cost", [String(id)]),
      },
      env: { ...(init.env as Record<string, string>) },
      fetch: (input: unknown, options?: unknown) => g.fetch(input, options),
      output: { write: (chunk: string) => post({ type: "output", call, text: String(chunk) }) },
      log: {
        info: (...parts: unknown[]) =>
          post({ type: "log", call, level: "info", text: text(parts) }),
        warn: (...parts: unknown[]) =>
          post({ type: "log", call, level: "warn", text: text(parts) }),
        error: (...parts: unknown[]) =>
          post({ type: "log", call, level: "error", text: text(parts) }),
      },
      kv: {
        get: (key: string) => ask(call, "kv.get", [String(key)]),
        set: (key: string, value: unknown) => ask(call, "kv.set", [String(key), value]),
        delete: (key: string) => ask(call, "kv.delete", [String(key)]),
        list: (prefix = "") => ask(call, "kv.list", [String(prefix)]),
      },
    };
  };
  let init: Record<string, unknown> = {};
  g.onmessage = async (e: MessageEvent) => {
    const m = e.data ?? {};
    if (m.type === "reply") {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (!w) return;
      if (m.error) w.reject(new Error(m.error));
      else w.resolve(m.value);
      return;
    }
    const call = m.call;
    try {
      if (m.type === "load") {
        init = m;
        const mod = await import(`data:text/javascript;base64,${m.source}`);
        plugin = mod.default;
        if (!plugin || typeof plugin !== "object") {
          throw new Error("its module has no default export (use definePlugin)");
        }
        const commands = Object.entries(plugin.commands ?? {}).map(([name, c]) => ({
          name,
          // deno-lint-ignore no-explicit-any
          brief: String((c as any)?.brief ?? ""),
        }));
        post({
          type: "loaded",
          call,
          manifest: plugin.manifest ?? null,
          events: Object.keys(plugin.events ?? {}),
          commands,
        });
      } else if (m.type === "event") {
        const handler = plugin?.events?.[m.event.type];
        if (typeof handler === "function") await handler(m.event, context(call, [], init));
        post({ type: "done", call, result: null });
      } else if (m.type === "command") {
        const command = plugin?.commands?.[m.name];
        if (!command || typeof command.run !== "function") {
          throw new Error(`it has no command "${m.name}"`);
        }
        const result = await command.run(m.args, context(call, m.args, init));
        post({
          type: "done",
          call,
          result: {
            exitCode: result?.exitCode ?? 0,
            output: result?.output === undefined ? undefined : String(result.output),
          },
        });
      }
    } catch (err) {
      post({ type: "failed", call, ...describe(err) });
    }
  };
  g.addEventListener("unhandledrejection", (e: PromiseRejectionEvent) => {
    e.preventDefault();
    post({ type: "failed", call: null, ...describe(e.reason) });
  });
}

/** The Worker's source, as a `data:` URL. */
export const BOOTSTRAP_URL: string = `data:text/javascript;base64,${
  btoa(`(${bootstrap.toString()}).call(globalThis);`)
}`;
