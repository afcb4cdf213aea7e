/**
 * The CI-runner install steps of docs/install.md (its first `sh` block), run with `sh` against
 * a release that `deno task release` built here and a local HTTP server standing in for GitHub's
 * release downloads: they install the binary when the archive matches SHA256SUMS, and stop
 * before unpacking when it does not. Linux only (GNU `sha256sum`, a small local ELF standing in
 * for the Deno runtime); elsewhere the test is skipped with one line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { tempDir } from "../helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const linux = Deno.build.os === "linux";
const tools = linux &&
  ["sh", "curl", "sha256sum", "tar", "install"].every((t) =>
    new Deno.Command("sh", { args: ["-c", `command -v ${t}`], stdout: "null" }).outputSync().success
  );
if (!tools) console.log("install doc test skipped: needs Linux with sh, curl, sha256sum, tar");

/** The first `sh` block of docs/install.md, pointed at `origin` and installing into `bin`. */
async function installScript(origin: string, bin: string): Promise<string> {
  const doc = await Deno.readTextFile(join(ROOT, "docs", "install.md"));
  const block = /```sh\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, "docs/install.md has a sh block");
  const script = block[1];
  for (const needed of ["sha256sum -c -", "SHA256SUMS", "tar -xzf", "br --version"]) {
    assert.ok(script.includes(needed), needed);
  }
  return script
    .replace(/^VERSION=.*$/m, `VERSION=${denoJson.version}`)
    .replace(/^TARGET=.*$/m, `TARGET=${Deno.build.target}`)
    .replaceAll("https://github.com/OWNER/REPO/", `${origin}/OWNER/REPO/`)
    .replaceAll("/usr/local/bin/br", `${bin}/br`)
    .replace(/^br --version$/m, `"${bin}/br" --version`);
}

Deno.test({
  name:
    "docs/install.md's CI steps install a release binary whose checksum matches, and refuse one that does not",
  ignore: !tools,
  async fn() {
    await using dir = await tempDir();
    const dist = join(dir.path, "dist");
    const build = await new Deno.Command(Deno.execPath(), {
      args: ["task", "release", "--target", Deno.build.target, "--out-dir", dist],
      cwd: ROOT,
      env: { DENORT_BIN: "/usr/bin/true", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));

    const prefix = `/OWNER/REPO/releases/download/v${denoJson.version}/`;
    let tamper = false;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (!path.startsWith(prefix)) return new Response("not found", { status: 404 });
      const name = path.slice(prefix.length);
      if (name.includes("/")) return new Response("not found", { status: 404 });
      const data = await Deno.readFile(join(dist, name)).catch(() => null);
      if (!data) return new Response("not found", { status: 404 });
      if (tamper && name.endsWith(".tar.gz")) data[data.length - 1] ^= 0xff;
      return new Response(data);
    });
    try {
      const origin = `http://127.0.0.1:${server.addr.port}`;
      const run = async (name: string) => {
        const work = join(dir.path, name);
        const bin = join(work, "bin");
        await Deno.mkdir(bin, { recursive: true });
        const out = await new Deno.Command("sh", {
          args: ["-c", await installScript(origin, bin)],
          cwd: work,
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(60_000),
        }).output();
        const text = (b: Uint8Array) => new TextDecoder().decode(b);
        return { code: out.code, out: text(out.stdout) + text(out.stderr), bin };
      };

      const good = await run("good");
      assert.equal(good.code, 0, good.out);
      assert.match(good.out, /\.tar\.gz: OK$/m);
      const installed = await Deno.stat(join(good.bin, "br"));
      assert.ok(installed.isFile && (installed.mode! & 0o111) !== 0);

      tamper = true;
      const bad = await run("bad");
      assert.notEqual(bad.code, 0, bad.out);
      assert.match(bad.out, /\.tar\.gz: FAILED$/m);
      await assert.rejects(Deno.stat(join(bad.bin, "br")), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(join(dir.path, "bad", "br")), Deno.errors.NotFound);
    } finally {
      await server.shutdown();
    }
  },
});
