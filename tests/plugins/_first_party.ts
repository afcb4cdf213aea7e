// Helpers of the first-party plugin tests: the real bundle (built by scripts/bundle_plugins.ts
// into a temp folder), a project it is installed in, and a server on 127.0.0.1.
import assert from "node:assert/strict";
import { br, type TempDir, tempDir, tempProject } from "../helpers.ts";
import { bundlePlugin } from "../../scripts/bundle_plugins.ts";

const built = new Map<string, Promise<string>>();
let out: TempDir | null = null;

/** The plugin's bundle, built once per test file. */
export function bundled(name: string): Promise<string> {
  let p = built.get(name);
  if (!p) {
    p = (async () => {
      out ??= await tempDir("br-plugins-");
      return bundlePlugin(name, out.path);
    })();
    built.set(name, p);
  }
  return p;
}

/** One request the server received. */
export interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

/** A server on 127.0.0.1 answering with `handler`; it records every request. */
export function serve(
  handler: (req: Request, url: URL, body: string) => Response | Promise<Response>,
) {
  const seen: Seen[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const body = await req.text();
    seen.push({ method: req.method, path: url.pathname + url.search, headers: req.headers, body });
    return handler(req, url, body);
  });
  const host = `127.0.0.1:${server.addr.port}`;
  return {
    seen,
    host,
    url: `http://${host}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** JSON with a status and headers. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A temp project with the plugin installed from its real bundle, granted `grant`. */
export async function projectWith(name: string, grant: string): Promise<TempDir> {
  const dir = await tempProject();
  const res = await br(["plugin", "add", await bundled(name), "--grant", grant], {
    cwd: dir.path,
  });
  assert.equal(res.code, 0, res.stderr);
  return dir;
}

/** Removes the bundles built for the file (call in a last test step or `unload`). */
globalThis.addEventListener("unload", () => {
  if (out) Deno.removeSync(out.path, { recursive: true });
});
