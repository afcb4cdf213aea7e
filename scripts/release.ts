/**
 * Builds the `br` binary for every `deno compile` target into dist/: for each target the
 * binary `br-<version>-<target>[.exe]` and its archive (`.tar.gz`, or `.zip` for Windows, the
 * executable inside named `br`/`br.exe`), and one SHA256SUMS file over all of them
 * (`sha256sum -c --ignore-missing SHA256SUMS` checks what was downloaded). The release
 * workflow (.github/workflows/release.yml) runs it on a tag and attaches dist/ to the release.
 *
 * Needs the Deno runtime download for each target (from dl.deno.land). Where it is
 * unreachable the script stops at once with one line naming the host, exit code 7.
 *
 * Usage: deno run -A scripts/release.ts [--target <triple>]... [--out-dir <dir>] (default dist/)
 */
import { join } from "node:path";
import denoJson from "../deno.json" with { type: "json" };
import { compileBr, downloadMessage, EXIT_TOOL, ROOT } from "./_compile.ts";
import { sha256Hex, tarGz, zip } from "./_archive.ts";

const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
];

const FLAGS = ["--target", "--out-dir"];
const valueOf = (flag: string) => Deno.args.flatMap((a, i) => Deno.args[i - 1] === flag ? [a] : []);
const chosen = valueOf("--target");
const dist = valueOf("--out-dir").at(-1) ?? join(ROOT, "dist");
const stray = Deno.args.find((a, i) =>
  FLAGS.includes(a) ? i === Deno.args.length - 1 : !FLAGS.includes(Deno.args[i - 1])
);
if (stray !== undefined || chosen.some((t) => !TARGETS.includes(t))) {
  const bad = stray ?? chosen.find((t) => !TARGETS.includes(t));
  console.error(`error: Cannot use the argument "${bad}"`);
  console.error(
    "hint: deno task release [--target <triple>]... [--out-dir <dir>], a triple among " +
      TARGETS.join(", "),
  );
  Deno.exit(2);
}
const targets = chosen.length ? chosen : TARGETS;
await Deno.mkdir(dist, { recursive: true });
// Archive entries carry the time of the commit being released when the runner says it.
const mtime = Number(Deno.env.get("SOURCE_DATE_EPOCH") ?? "") || Math.floor(Date.now() / 1000);
const sums: string[] = [];
let failed = 0;
for (const target of targets) {
  const windows = target.includes("windows");
  const base = `br-${denoJson.version}-${target}`;
  const name = `${base}${windows ? ".exe" : ""}`;
  const out = join(dist, name);
  console.log(`compiling ${name}`);
  const res = await compileBr({ target, output: out });
  if (res.download) {
    // Every other target needs the same host: stop here.
    console.error(downloadMessage(res.download, target));
    Deno.exit(EXIT_TOOL);
  }
  if (res.code !== 0) {
    await Deno.stderr.write(new TextEncoder().encode(res.stderr));
    console.error(`error: Cannot compile br for ${target}: deno compile exited with ${res.code}`);
    failed++;
    continue;
  }
  const bytes = await Deno.readFile(out);
  const archive = windows
    ? { name: `${base}.zip`, data: await zip("br.exe", bytes, mtime) }
    : { name: `${base}.tar.gz`, data: await tarGz("br", bytes, mtime) };
  await Deno.writeFile(join(dist, archive.name), archive.data);
  sums.push(`${await sha256Hex(bytes)}  ${name}`);
  sums.push(`${await sha256Hex(archive.data)}  ${archive.name}`);
}
await Deno.writeTextFile(join(dist, "SHA256SUMS"), sums.join("\n") + (sums.length ? "\n" : ""));
console.log(
  `${targets.length - failed} built, ${failed} failed; checksums in ${join(dist, "SHA256SUMS")}`,
);
Deno.exit(failed ? EXIT_TOOL : 0);
