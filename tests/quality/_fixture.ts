import { dirname, join } from "node:path";
import { br } from "../helpers.ts";

/** Writes files (path → content) under `root`. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, text] of Object.entries(files)) {
    const abs = join(root, rel);
    await Deno.mkdir(dirname(abs), { recursive: true });
    await Deno.writeTextFile(abs, text);
  }
}

/** Adds features through the CLI (each a list of `br feature add` arguments). */
export async function addFeatures(cwd: string, features: string[][]): Promise<void> {
  for (const args of features) {
    const r = await br(["feature", "add", ...args], { cwd });
    if (r.code !== 0) throw new Error(`feature add ${args.join(" ")}: ${r.stderr}`);
  }
}
