/**
 * HTTP for the first-party plugins: one request with the rate limits honoured (429, or 403
 * with `x-ratelimit-remaining: 0`, waited for as `retry-after` or `x-ratelimit-reset` says,
 * then retried) and errors that say what failed in one line. A secret (a token, a webhook
 * URL) never appears in a message: pass it as `secret`.
 *
 * @module
 */
import type { PluginContext } from "@buildrunner/br/plugin";

/** Options of {@link request}. */
export interface RequestOptions {
  /** The service, for messages ("GitHub"). */
  service: string;
  /** What the request does, for messages ("list the issues of acme/app"). */
  action: string;
  /** The environment variable holding the credential, for the hint of a 401. */
  credential: string;
  /** Values masked in every message. */
  secrets: string[];
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** The longest wait for a rate limit, in seconds (default 10); longer fails at once. */
  maxWaitSeconds?: number;
}

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out.replace(/\s+/g, " ").slice(0, 300);
}

/** The message of an error body (`{ message }` of GitHub and Notion, or text). */
async function bodyMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const json = JSON.parse(text);
    if (typeof json?.message === "string") return json.message;
  } catch {
    // not JSON
  }
  return text.trim();
}

/** Seconds a rate-limited answer asks to wait, or null when it is not rate limited. */
function rateLimitWait(res: Response, now: number): number | null {
  const limited = res.status === 429 ||
    (res.status === 403 && res.headers.get("x-ratelimit-remaining") === "0");
  if (!limited) return null;
  const after = Number(res.headers.get("retry-after"));
  if (res.headers.has("retry-after") && Number.isFinite(after)) return Math.max(0, after);
  const reset = Number(res.headers.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - now / 1000));
  return 1;
}

/**
 * Sends a request; returns the answer when it is a success.
 *
 * @throws {Error} one line naming the action, the status and the service's message: for a
 * 4xx/5xx answer, a rate limit still in force after the attempts, or a host it cannot reach.
 */
export async function request(
  ctx: PluginContext,
  url: string,
  init: RequestInit,
  options: RequestOptions,
): Promise<Response> {
  const attempts = options.attempts ?? 3;
  const fail = (what: string) =>
    new Error(mask(`Cannot ${options.action}: ${what}`, options.secrets));
  for (let attempt = 1;; attempt++) {
    let res: Response;
    try {
      res = await ctx.fetch(url, init);
    } catch (err) {
      const host = URL.canParse(url) ? new URL(url).host : "the server";
      throw fail(`cannot reach ${host} (${(err as Error).message})`);
    }
    if (res.ok) return res;
    const wait = rateLimitWait(res, Date.now());
    if (wait !== null) {
      await res.body?.cancel();
      if (attempt < attempts && wait <= (options.maxWaitSeconds ?? 10)) {
        ctx.log.warn(`${options.service} rate limit: retrying in ${wait} s`);
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      throw fail(
        `${options.service} answered ${res.status} (rate limited) ${attempt} time(s); retry in ${wait} s`,
      );
    }
    const message = await bodyMessage(res);
    const detail = message ? ` (${message})` : "";
    const hint = res.status === 401
      ? `; check the token in ${options.credential}`
      : res.status === 403
      ? `; the token in ${options.credential} lacks the permission`
      : res.status === 404
      ? "; check the configured URL and names"
      : "";
    throw fail(
      `${options.service} answered ${res.status} ${res.statusText}${detail}${hint}`.replace(
        / +\(/,
        " (",
      ),
    );
  }
}

/** Parses `--name value` and `--flag` arguments; the rest are positional. */
export function parseArgs(
  args: string[],
  spec: { strings?: string[]; booleans?: string[] },
): { flags: Record<string, string | boolean>; positional: string[] } {
  const flags: Record<string, string | boolean> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.booleans?.includes(name)) flags[name] = true;
    else if (spec.strings?.includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new Error(`--${name} needs a value`);
      flags[name] = value;
    } else throw new Error(`unknown option --${name}`);
  }
  return { flags, positional };
}

/** The settings a plugin keeps in its key-value store (`br <plugin> config`). */
export async function settings(
  ctx: PluginContext,
): Promise<Record<string, string>> {
  const value = await ctx.kv.get("config");
  return value && typeof value === "object" ? value as Record<string, string> : {};
}

/**
 * `br <plugin> config [--key value ...] [--json]`: sets the given settings and prints them
 * all.
 */
export async function configCommand(
  ctx: PluginContext,
  args: string[],
  keys: string[],
): Promise<{ output: string }> {
  const { flags } = parseArgs(args, { strings: keys, booleans: ["json"] });
  const current = await settings(ctx);
  let changed = false;
  for (const key of keys) {
    if (typeof flags[key] === "string") {
      current[key] = flags[key] as string;
      changed = true;
    }
  }
  if (changed) await ctx.kv.set("config", current);
  if (flags.json) return { output: JSON.stringify(current) };
  return {
    output: keys.map((k) => `${k.padEnd(8)}${current[k] ?? "-"}`).join("\n"),
  };
}
