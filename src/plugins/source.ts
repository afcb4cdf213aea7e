import { BrError } from "../core/errors.ts";
import { join, normalize, resolve } from "node:path";

/** The most a plugin bundle may weigh. */
export const MAX_BUNDLE_BYTES = 10 << 20;

/** A plugin bundle, fetched. */
export interface FetchedBundle {
  /** Its bytes (one JavaScript module). */
  bytes: Uint8Array;
  /** The source as recorded (an absolute path, `npm:name@version`, a URL, `jsr:...`). */
  source: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function checkBundle(spec: string, bytes: Uint8Array): Uint8Array {
  if (bytes.length > MAX_BUNDLE_BYTES) {
    throw new BrError("plugin", `Cannot add plugin "${spec}": its bundle is over 10 MiB`, {
      hint: "bundle it into one smaller JavaScript file",
    });
  }
  try {
    utf8.decode(bytes);
  } catch {
    throw new BrError("plugin", `Cannot add plugin "${spec}": its bundle is not UTF-8 JavaScript`, {
      hint: 'a plugin is one bundled JavaScript module (e.g. "deno bundle mod.ts -o plugin.js")',
    });
  }
  return bytes;
}

function notJs(spec: string, file: string): never {
  throw new BrError(
    "plugin",
    `Cannot add plugin "${spec}": "${file}" is not a bundled JavaScript file (.js or .mjs)`,
    { hint: 'bundle it first (e.g. "deno task bundle" in a project made by "br plugin new")' },
  );
}

/** The entry file a package.json names (exports "." > module > main > index.js). */
function packageEntry(pkg: Record<string, unknown>): string {
  const pick = (v: unknown): string | undefined => {
    if (typeof v === "string") return v;
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      return pick(o["."]) ?? pick(o.import) ?? pick(o.default);
    }
    return undefined;
  };
  return pick(pkg.exports) ?? (typeof pkg.module === "string" ? pkg.module : undefined) ??
    (typeof pkg.main === "string" ? pkg.main : undefined) ?? "index.js";
}

function insidePackage(spec: string, entry: string): string {
  const n = normalize(entry).replace(/^\.\//, "");
  if (n.startsWith("..") || n.startsWith("/")) notJs(spec, entry);
  if (!/\.m?js$/.test(n)) notJs(spec, entry);
  return n;
}

async function fromPath(spec: string, cwd: string): Promise<FetchedBundle> {
  const path = resolve(cwd, spec);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new BrError("not_found", `Cannot find plugin "${spec}"`, {
      hint: "give the path of a bundled .js file, a package folder, npm:, https: or jsr:",
    });
  }
  if (info.isDirectory) {
    let pkg: Record<string, unknown>;
    try {
      pkg = JSON.parse(await Deno.readTextFile(join(path, "package.json")));
    } catch (err) {
      throw new BrError(
        "plugin",
        `Cannot add plugin "${spec}": the folder has no readable package.json (${
          (err as Error).message.split("\n")[0]
        })`,
        { hint: "give the bundled .js file itself" },
      );
    }
    const entry = insidePackage(spec, packageEntry(pkg));
    return { bytes: checkBundle(spec, await Deno.readFile(join(path, entry))), source: path };
  }
  if (!/\.m?js$/.test(path)) notJs(spec, spec);
  return { bytes: checkBundle(spec, await Deno.readFile(path)), source: path };
}

async function get(spec: string, url: string, kind: "json" | "bytes"): Promise<unknown> {
  const host = new URL(url).host;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new BrError(
      "external",
      `Cannot fetch plugin "${spec}" from ${host}: ${
        String((err as Error)?.message ?? err).split("\n")[0]
      }`,
      { hint: `check the network access to ${host}, or add the plugin from a local file` },
    );
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new BrError(
      res.status === 404 ? "not_found" : "external",
      `Cannot fetch plugin "${spec}" from ${host}: HTTP ${res.status}`,
      { hint: "check the name and version" },
    );
  }
  if (kind === "json") {
    try {
      return await res.json();
    } catch {
      throw new BrError("external", `Cannot fetch plugin "${spec}" from ${host}: not JSON`, {
        hint: "check the registry address (NPM_CONFIG_REGISTRY, BR_JSR_URL) and try again",
      });
    }
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** Splits `name@version` (the name may be scoped: `@scope/name@1.0.0`). */
function nameAndVersion(text: string): [string, string | undefined] {
  const at = text.indexOf("@", 1);
  return at === -1 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** The files of a `.tar` archive (regular files only), by path. */
export function untar(bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, len: number) =>
    new TextDecoder().decode(bytes.subarray(from, from + len)).replace(/\0.*$/s, "");
  let off = 0;
  let longName: string | null = null;
  while (off + 512 <= bytes.length) {
    const name = text(off, 100);
    if (name === "") break;
    const size = parseInt(text(off + 124, 12).trim() || "0", 8);
    const type = text(off + 156, 1) || "0";
    const prefix = text(off + 345, 155);
    const body = bytes.subarray(off + 512, off + 512 + size);
    if (type === "x") {
      const m = /\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(body));
      if (m) longName = m[1];
    } else if (type === "0" || type === "\0") {
      files.set(longName ?? (prefix ? `${prefix}/${name}` : name), body);
      longName = null;
    } else longName = null;
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

async function fromNpm(spec: string, env: Record<string, string | undefined>) {
  const [name, wanted] = nameAndVersion(spec.slice("npm:".length));
  const registry = (env.NPM_CONFIG_REGISTRY || env.npm_config_registry ||
    "https://registry.npmjs.org").replace(/\/+$/, "");
  const meta = await get(spec, `${registry}/${name.replace("/", "%2f")}`, "json") as {
    "dist-tags"?: Record<string, string>;
    versions?: Record<string, { dist?: { tarball?: string } }>;
  };
  const version = wanted && meta.versions?.[wanted]
    ? wanted
    : meta["dist-tags"]?.[wanted ?? "latest"];
  const tarball = version ? meta.versions?.[version]?.dist?.tarball : undefined;
  if (!version || !tarball) {
    throw new BrError("not_found", `Cannot find version "${wanted ?? "latest"}" of "${spec}"`, {
      hint: "give an exact version or a dist-tag the package has",
    });
  }
  const gz = await get(spec, tarball, "bytes") as Uint8Array;
  let tar: Uint8Array;
  try {
    const stream = new Blob([gz as BlobPart]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    tar = new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    throw new BrError("plugin", `Cannot add plugin "${spec}": its tarball is not gzip`, {
      hint: "add a package made with npm pack, or the bundled .js file itself",
    });
  }
  const files = new Map(
    [...untar(tar)].map(([path, body]) => [path.replace(/^[^/]+\//, ""), body]),
  );
  const pkgBytes = files.get("package.json");
  let pkg: Record<string, unknown> = {};
  try {
    if (pkgBytes) pkg = JSON.parse(new TextDecoder().decode(pkgBytes));
  } catch {
    throw new BrError("plugin", `Cannot add plugin "${spec}": its package.json is not JSON`, {
      hint: "fix the package's package.json, or add the bundled .js file itself",
    });
  }
  const entry = insidePackage(spec, packageEntry(pkg));
  const body = files.get(entry);
  if (!body) {
    throw new BrError("plugin", `Cannot add plugin "${spec}": its package has no "${entry}"`, {
      hint: "publish the bundled file with the package",
    });
  }
  return { bytes: checkBundle(spec, body), source: `npm:${name}@${version}` };
}

async function fromJsr(spec: string, env: Record<string, string | undefined>) {
  const [name, wanted] = nameAndVersion(spec.slice("jsr:".length));
  if (!/^@[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) {
    throw new BrError("usage", `Invalid JSR package "${spec}"`, {
      hint: "write it as jsr:@scope/name or jsr:@scope/name@version",
    });
  }
  const base = (env.BR_JSR_URL || "https://jsr.io").replace(/\/+$/, "");
  const meta = await get(spec, `${base}/${name}/meta.json`, "json") as {
    latest?: string;
  };
  const version = wanted ?? meta.latest;
  if (!version) {
    throw new BrError("not_found", `Cannot find a version of "${spec}"`, {
      hint: "name a published version: jsr:@scope/name@1.2.3",
    });
  }
  const vmeta = await get(spec, `${base}/${name}/${version}_meta.json`, "json") as {
    exports?: Record<string, string>;
  };
  const entry = insidePackage(spec, vmeta.exports?.["."] ?? "mod.js");
  const bytes = await get(spec, `${base}/${name}/${version}/${entry}`, "bytes") as Uint8Array;
  return { bytes: checkBundle(spec, bytes), source: `jsr:${name}@${version}` };
}

/**
 * Fetches the one bundled JavaScript file a plugin source names: a path (a `.js`/`.mjs` file,
 * or a package folder), `npm:name[@version]` (from `NPM_CONFIG_REGISTRY`, default
 * registry.npmjs.org), an `https:` URL (`http:` only for 127.0.0.1 and localhost), or
 * `jsr:@scope/name[@version]` (its "." export must be a `.js` file). No bundler runs.
 *
 * @throws {BrError} `not_found`, `external` (network), `plugin` (not one bundled file).
 */
export function fetchBundle(
  spec: string,
  cwd: string,
  env: Record<string, string | undefined>,
): Promise<FetchedBundle> {
  if (spec.startsWith("npm:")) return fromNpm(spec, env);
  if (spec.startsWith("jsr:")) return fromJsr(spec, env);
  if (/^https?:\/\//.test(spec)) {
    const url = new URL(spec);
    if (url.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
      throw new BrError("usage", `Cannot add plugin "${spec}": plain http is not allowed`, {
        hint: "use an https: URL",
      });
    }
    if (!/\.m?js$/.test(url.pathname)) notJs(spec, url.pathname);
    return get(spec, spec, "bytes").then((bytes) => ({
      bytes: checkBundle(spec, bytes as Uint8Array),
      source: spec,
    }));
  }
  return fromPath(spec, cwd);
}
