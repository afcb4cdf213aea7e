import { BrError } from "../core/errors.ts";
import { sha256Hex } from "../core/hash.ts";
import type { BrEvent } from "../core/events.ts";
import { flatLine } from "../core/text.ts";
import { BOOTSTRAP_URL, PROTOCOL_VERSION } from "./_bootstrap.ts";
import {
  absoluteGrantPath,
  PLUGIN_API_VERSION,
  PLUGIN_NAME,
  type PluginCommandInfo,
  type PluginGrant,
} from "./registry.ts";

/** What a plugin module declares, as its Worker reports it. */
export interface LoadedPlugin {
  /** The manifest, checked. */
  manifest: {
    name: string;
    version: string;
    apiVersion: number;
    permissions: PluginGrant;
    description?: string;
  };
  /** The events it handles. */
  events: string[];
  /** The commands it adds. */
  commands: PluginCommandInfo[];
}

/** The result of a plugin command. */
export interface CommandResult {
  /** Its exit code. */
  exitCode: number;
  /** Text it returned (printed after what it streamed). */
  output?: string;
}

/** Answers the requests a plugin makes through its context (key-value store, features). */
export type PluginServices = (op: string, args: unknown[]) => Promise<unknown>;

/** Options of {@link PluginWorker.start}. */
export interface PluginWorkerOptions {
  /** The plugin's name (for messages). */
  name: string;
  /** Its bundle. */
  bundle: Uint8Array;
  /** What it may touch (paths relative to `root`); null: nothing (reading a manifest). */
  grant: PluginGrant | null;
  /** The project root. */
  root: string;
  /** The project's name. */
  projectName: string;
  /** The granted environment variables' values. */
  env: Record<string, string>;
  /** Per-call timeout in milliseconds (the load included). */
  timeoutMs: number;
  /** Most output (streamed text and logs) one call may write, in bytes. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Answers context requests. */
  services?: PluginServices;
}

/** Where a call's streamed text goes. */
export interface CallSinks {
  /** Text the plugin writes with `ctx.output.write`. */
  output?: (text: string) => void;
  /** Lines it logs. */
  log?: (level: "info" | "warn" | "error", text: string) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: BrError) => void;
  sinks: CallSinks;
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

/** The Deno permissions of a plugin Worker: exactly its grant; run, ffi and sys never. */
export function workerPermissions(
  root: string,
  grant: PluginGrant | null,
): Deno.PermissionOptionsObject {
  const paths = (list: string[] | undefined) =>
    list?.length ? list.map((p) => absoluteGrantPath(root, p)) : false;
  const names = (list: string[] | undefined) => list?.length ? [...list] : false;
  return {
    read: paths(grant?.read),
    write: paths(grant?.write),
    net: names(grant?.net),
    env: names(grant?.env),
    run: false,
    ffi: false,
    sys: false,
    import: false,
  };
}

function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * One plugin running in its own Worker with exactly its granted permissions. Every call has
 * a timeout; a plugin that hangs or floods output is terminated and every later call fails.
 */
export class PluginWorker {
  readonly #options: PluginWorkerOptions;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #dead: BrError | null = null;
  #loaded: Promise<LoadedPlugin>;

  private constructor(options: PluginWorkerOptions) {
    this.#options = options;
    this.#worker = new Worker(BOOTSTRAP_URL, {
      type: "module",
      name: `plugin ${options.name}`,
      deno: { permissions: workerPermissions(options.root, options.grant) },
    });
    this.#worker.onmessage = (e) => this.#receive(e.data);
    this.#worker.onerror = (e) => {
      e.preventDefault();
      this.#failAll(
        this.#error(
          `failed: ${flatLine(String(e.message)).slice(0, 500)}`,
          /Requires \w+ access/.test(e.message),
        ),
      );
    };
    this.#worker.onmessageerror = () => this.#failAll(this.#error("sent a message br cannot read"));
    this.#loaded = this.#call<LoadedPlugin>({
      type: "load",
      source: base64(options.bundle),
      root: options.root,
      projectName: options.projectName,
      env: options.env,
    }, {}).then((loaded) => this.#checkLoaded(loaded));
  }

  /** Starts a Worker and loads the plugin in it. */
  static start(options: PluginWorkerOptions): PluginWorker {
    return new PluginWorker(options);
  }

  /**
   * What the plugin declares.
   *
   * @throws {BrError} `plugin` when it fails to load or targets another API version.
   */
  loaded(): Promise<LoadedPlugin> {
    return this.#loaded;
  }

  /**
   * Runs the plugin's handler of `event`.
   *
   * @throws {BrError} `plugin` when it throws, is denied an access, or times out.
   */
  async event(event: BrEvent, sinks: CallSinks = {}): Promise<void> {
    await this.#loaded;
    await this.#call({ type: "event", event }, sinks);
  }

  /**
   * Runs one of the plugin's commands.
   *
   * @throws {BrError} `plugin` when it throws, is denied an access, or times out.
   */
  async command(name: string, args: string[], sinks: CallSinks = {}): Promise<CommandResult> {
    const loaded = await this.#loaded;
    if (!loaded.commands.some((c) => c.name === name)) {
      throw new BrError(
        "not_found",
        `Cannot find command "${name}" of plugin "${this.#options.name}"`,
        {
          hint: `run "br plugin info ${this.#options.name}" to see its commands`,
        },
      );
    }
    const raw = await this.#call<{ exitCode?: unknown; output?: unknown } | null>(
      { type: "command", name, args },
      sinks,
    );
    const code = Number(raw?.exitCode ?? 0);
    return {
      exitCode: Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1,
      output: typeof raw?.output === "string" ? raw.output : undefined,
    };
  }

  /** Stops the Worker (pending calls fail). */
  terminate(): void {
    this.#worker.terminate();
    if (!this.#dead) this.#failAll(this.#error("was stopped"));
  }

  #error(what: string, denied = false): BrError {
    const name = this.#options.name;
    return denied
      ? new BrError("plugin", `Plugin "${name}" was denied an access: ${what}`, {
        hint: `the grant of "${name}" does not allow it; see "br plugin info ${name}"`,
      })
      : new BrError("plugin", `Plugin "${name}" ${what}`, {
        hint: `see "br plugin info ${name}"; "br plugin remove ${name}" uninstalls it`,
      });
  }

  #checkLoaded(raw: unknown): LoadedPlugin {
    const r = raw as { manifest?: Record<string, unknown>; events?: unknown; commands?: unknown };
    const m = r?.manifest;
    const name = this.#options.name;
    if (!m || typeof m !== "object") throw this.#error("has no manifest (use definePlugin)");
    const api = m.apiVersion;
    if (typeof api !== "number" || Math.trunc(api) !== PLUGIN_API_VERSION) {
      throw new BrError(
        "plugin",
        `Plugin "${name}" targets plugin API version ${
          String(api)
        }; this br speaks ${PLUGIN_API_VERSION}`,
        { hint: "install a release of the plugin built for this br, or update br" },
      );
    }
    if (typeof m.name !== "string" || !PLUGIN_NAME.test(m.name)) {
      throw this.#error(`has an invalid manifest name "${String(m.name)}"`);
    }
    const strings = (v: unknown, field: string): string[] => {
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string" || x === "")) {
        throw this.#error(`has an invalid manifest field "permissions.${field}"`);
      }
      return [...v];
    };
    const p = (m.permissions ?? {}) as Record<string, unknown>;
    const permissions: PluginGrant = {
      read: strings(p.read, "read"),
      write: strings(p.write, "write"),
      net: strings(p.net, "net"),
      env: strings(p.env, "env"),
      features: strings(p.features, "features"),
    };
    const commands = (Array.isArray(r.commands) ? r.commands : []) as PluginCommandInfo[];
    for (const c of commands) {
      if (!PLUGIN_NAME.test(c.name)) throw this.#error(`has an invalid command name "${c.name}"`);
    }
    return {
      manifest: {
        name: m.name,
        version: typeof m.version === "string" ? m.version : "0.0.0",
        apiVersion: api,
        permissions,
        description: typeof m.description === "string" ? m.description : undefined,
      },
      events: (Array.isArray(r.events) ? r.events : []).map(String),
      commands: commands.map((c) => ({ name: c.name, brief: String(c.brief ?? "") })),
    };
  }

  #call<T>(message: Record<string, unknown>, sinks: CallSinks): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const call = ++this.#next;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#kill(this.#error(`did not answer within ${this.#options.timeoutMs} ms`));
      }, this.#options.timeoutMs);
      this.#pending.set(call, {
        resolve: resolve as (v: unknown) => void,
        reject,
        sinks,
        bytes: 0,
        timer,
      });
      this.#worker.postMessage({ v: PROTOCOL_VERSION, ...message, call });
    });
  }

  #kill(err: BrError): void {
    this.#worker.terminate();
    this.#failAll(err);
  }

  #failAll(err: BrError): void {
    this.#dead ??= err;
    for (const [call, p] of this.#pending) {
      clearTimeout(p.timer);
      this.#pending.delete(call);
      p.reject(err);
    }
  }

  #receive(m: Record<string, unknown>): void {
    if (!m || typeof m !== "object" || m.v !== PROTOCOL_VERSION) {
      this.#kill(this.#error("sent a message of an unknown protocol version"));
      return;
    }
    if (m.call === null && m.type === "failed") {
      // A rejection nothing awaited: fails whatever call is running.
      const [first] = this.#pending.keys();
      if (first !== undefined) this.#settle(first, m);
      return;
    }
    const call = Number(m.call);
    const p = this.#pending.get(call);
    if (!p) return;
    switch (m.type) {
      case "output":
      case "log": {
        const text = String(m.text ?? "");
        p.bytes += text.length;
        if (p.bytes > (this.#options.maxOutputBytes ?? 1 << 20)) {
          this.#kill(this.#error("wrote more output than allowed (1 MiB a call)"));
          return;
        }
        if (m.type === "output") p.sinks.output?.(text);
        else {
          const level = m.level === "warn" || m.level === "error" ? m.level : "info";
          p.sinks.log?.(level, text);
        }
        return;
      }
      case "request":
        void this.#serve(call, Number(m.id), String(m.op), Array.isArray(m.args) ? m.args : []);
        return;
      default:
        this.#settle(call, m);
    }
  }

  #settle(call: number, m: Record<string, unknown>): void {
    const p = this.#pending.get(call);
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending.delete(call);
    if (m.type === "failed") {
      const message = flatLine(String(m.message)).slice(0, 500);
      p.reject(m.denied === true ? this.#error(message, true) : this.#error(`failed: ${message}`));
    } else if (m.type === "loaded") p.resolve(m);
    else p.resolve(m.result);
  }

  async #serve(call: number, id: number, op: string, args: unknown[]): Promise<void> {
    if (!this.#pending.has(call)) return;
    let reply: Record<string, unknown>;
    try {
      if (!this.#options.services) throw new Error(`"${op}" is not available here`);
      reply = { value: await this.#options.services(op, args) };
    } catch (err) {
      reply = { error: (err as Error)?.message ?? String(err) };
    }
    if (!this.#dead) this.#worker.postMessage({ v: PROTOCOL_VERSION, type: "reply", id, ...reply });
  }
}

/**
 * The sha256 of a bundle, checked against the one it was granted for.
 *
 * @throws {BrError} `plugin` when they differ.
 */
export function verifyBundle(name: string, bundle: Uint8Array, sha256: string): void {
  const actual = sha256Hex(bundle);
  if (actual !== sha256) {
    throw new BrError(
      "plugin",
      `Cannot run plugin "${name}": its bundle changed since it was granted (sha256 ${
        actual.slice(0, 12)
      }, granted ${sha256.slice(0, 12)})`,
      { hint: `run "br plugin update ${name}" to review its permissions and grant it again` },
    );
  }
}
