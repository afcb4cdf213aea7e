/**
 * The published package's root module (`jsr:@buildrunner/br`) is the command line when run as a
 * program and only the library when imported. Run here from the checkout with a config that
 * holds nothing but the package's imports: what a `deno run jsr:@buildrunner/br` gets (a
 * package's own "unstable" and "tasks" do not apply to who runs it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { tempDir, tempProject } from "../helpers.ts";
import { RUN_FLAGS, selfCommand, UNSTABLE_FLAGS } from "../../src/core/self.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MOD_TS = join(ROOT, "mod.ts");
const QUIET_PLUGIN = fileURLToPath(new URL("../fixtures/plugins/quiet.js", import.meta.url));
const MAIN_TS = join(ROOT, "main.ts");

async function denoRun(dir: string, args: string[], env: Record<string, string> = {}) {
  const config = join(dir, "deno.json");
  await Deno.writeTextFile(config, JSON.stringify({ imports: denoJson.imports }));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config, "--lock", join(ROOT, "deno.lock"), ...args],
    cwd: dir,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("deno run of the package's root module runs br's command line", async () => {
  await using dir = await tempDir();
  const version = await denoRun(dir.path, [MOD_TS, "--version"]);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), denoJson.version);
  const unknown = await denoRun(dir.path, [MOD_TS, "no-such-command"]);
  assert.equal(unknown.code, 2, unknown.stderr);
});

Deno.test("importing the package's root module starts no command line", async () => {
  await using dir = await tempDir();
  const script = join(dir.path, "use.ts");
  await Deno.writeTextFile(
    script,
    `import { openProject } from ${JSON.stringify(MOD_TS)};\n` +
      `console.log(typeof openProject);\n`,
  );
  const res = await denoRun(dir.path, [script, "--version"]);
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stdout, "function\n");
});

Deno.test("selfCommand(): run from JSR, br starts the same published version again", () => {
  const here = `https://jsr.io/@buildrunner/br/${denoJson.version}/src/core/self.ts`;
  assert.deepEqual(selfCommand({}, here), [
    Deno.execPath(),
    "run",
    "--quiet",
    ...RUN_FLAGS,
    "--unstable-worker-options",
    "--unstable-lazy-dynamic-imports",
    `jsr:@buildrunner/br@${denoJson.version}`,
  ]);
  assert.deepEqual(selfCommand({ BR_BIN: "/opt/br" }, here), ["/opt/br"]);
  assert.deepEqual(UNSTABLE_FLAGS, denoJson.unstable.map((f) => `--unstable-${f}`));
  const local = selfCommand({});
  assert.equal(local.at(-1), MAIN_TS);
});

Deno.test("run as a package, br needs deno.json's unstable flags: a plugin's sandboxed Worker ends the process without them", async () => {
  await using project = await tempProject("acme");
  // `plugin add` reads the bundle's manifest in a Worker without permissions
  // (Worker.deno.permissions: --unstable-worker-options).
  const env = { BR_NO_TELEMETRY: "1", BR_HOME: join(project.path, ".home") };
  const args = [MOD_TS, "plugin", "add", QUIET_PLUGIN, "--yes", "--json"];
  const bare = await denoRun(project.path, args, env);
  assert.notEqual(bare.code, 0, bare.stdout);
  assert.match(bare.stderr, /--unstable-worker-options/);
  const flagged = await denoRun(project.path, [...UNSTABLE_FLAGS, ...args], env);
  assert.equal(flagged.code, 0, flagged.stderr);
  assert.equal(JSON.parse(flagged.stdout).name, "quiet");
});
