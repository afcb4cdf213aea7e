/**
 * Bundles the first-party plugins (plugins/<name>/mod.ts) into one JavaScript file each,
 * plugins/<name>/dist/<name>.js by default: the file `br plugin add` installs.
 *
 *     deno task plugins            # every plugin
 *     deno task plugins github     # one
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The first-party plugins. */
export const FIRST_PARTY = ["github", "slack", "notion"] as const;

const ROOT = fileURLToPath(new URL("../plugins/", import.meta.url));

/**
 * Bundles one plugin to `outDir/<name>.js` (default plugins/<name>/dist) and returns the
 * file's path.
 */
export async function bundlePlugin(name: string, outDir?: string): Promise<string> {
  const out = join(outDir ?? join(ROOT, name, "dist"), `${name}.js`);
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--config",
      join(ROOT, "deno.json"),
      join(ROOT, name, "mod.ts"),
      "-o",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!res.success) {
    throw new Error(`Cannot bundle plugin "${name}": ${new TextDecoder().decode(res.stderr)}`);
  }
  return out;
}

if (import.meta.main) {
  const names = Deno.args.length ? Deno.args : [...FIRST_PARTY];
  for (const name of names) console.log(await bundlePlugin(name));
}
