/**
 * Builds the `br` binary for every `deno compile` target into dist/, with a SHA256SUMS file.
 * Needs the Deno runtime downloads for the targets (not reachable from every network).
 *
 * Usage: deno run -A scripts/release.ts [--target <triple>]...
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../deno.json" with { type: "json" };
import { RUN_FLAGS } from "../src/core/self.ts";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const chosen = Deno.args.flatMap((a, i) => Deno.args[i - 1] === "--target" ? [a] : []);
const targets = chosen.length ? chosen : TARGETS;
await Deno.mkdir(dist, { recursive: true });
const sums: string[] = [];
let failed = 0;
for (const target of targets) {
  const name = `br-${denoJson.version}-${target}${target.includes("windows") ? ".exe" : ""}`;
  const out = join(dist, name);
  console.log(`compiling ${name}`);
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      ...RUN_FLAGS,
      "--target",
      target,
      // Worker modules are not in the static graph: the secret scanner's and the cost
      // import's reader thread.
      "--include",
      join(root, "src", "security", "_scan_worker.ts"),
      "--include",
      join(root, "src", "cost", "_read_worker.ts"),
      "--output",
      out,
      join(root, "main.ts"),
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (res.code !== 0) {
    console.error(`error: compiling for ${target} failed`);
    failed++;
    continue;
  }
  const bytes = await Deno.readFile(out);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  sums.push(`${hex}  ${name}`);
}
await Deno.writeTextFile(join(dist, "SHA256SUMS"), sums.join("\n") + (sums.length ? "\n" : ""));
console.log(`${sums.length} built, ${failed} failed; checksums in dist/SHA256SUMS`);
Deno.exit(failed ? 1 : 0);
