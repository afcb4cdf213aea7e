/**
 * Builds the `br` binary for this machine (`deno task compile`), into dist/br by default.
 * Where the Deno runtime download is unreachable it fails with one line naming the host and
 * exit code 7, not Deno's stack backtrace.
 *
 * Usage: deno run -A scripts/compile.ts [--output <path>] [--target <triple>]
 */
import { join } from "node:path";
import { compileBr, downloadMessage, EXIT_TOOL, hostTarget, ROOT } from "./_compile.ts";

function flag(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const unknown = Deno.args.find((a, i) =>
  a.startsWith("-") && a !== "--output" && a !== "--target" ||
  !a.startsWith("-") && !["--output", "--target"].includes(Deno.args[i - 1])
);
if (unknown !== undefined || Deno.args.length % 2 !== 0) {
  console.error(`error: Cannot use the argument "${unknown ?? Deno.args.at(-1)}"`);
  console.error("hint: deno task compile [--output <path>] [--target <triple>]");
  Deno.exit(2);
}
const target = flag("--target") ?? hostTarget();
const output = flag("--output") ?? join(ROOT, "dist", "br");
const res = await compileBr({ target, output });
if (res.code === 0) {
  await Deno.stderr.write(new TextEncoder().encode(res.stderr));
  Deno.exit(0);
}
if (res.download) {
  console.error(downloadMessage(res.download, target));
} else {
  await Deno.stderr.write(new TextEncoder().encode(res.stderr));
  console.error(`error: Cannot compile br for ${target}: deno compile exited with ${res.code}`);
}
Deno.exit(EXIT_TOOL);
