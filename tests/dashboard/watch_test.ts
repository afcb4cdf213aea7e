import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brArgv, brProcess, tempDir } from "../helpers.ts";

Deno.test("br dashboard --watch prints the view again when a project changes", async () => {
  await using tmp = await tempDir();
  const env = { BR_HOME: join(tmp.path, "home"), NO_COLOR: "1" };
  const app = join(tmp.path, "app");
  await Deno.mkdir(app);
  assert.equal((await br(["init", "--name", "app"], { cwd: app, env })).code, 0);
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["dashboard", "--watch", "--roots", tmp.path, "--view", "detail"]),
    cwd: tmp.path,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const until = async (re: RegExp) => {
    while (!re.test(out)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`watch ended: ${out}`);
      out += value;
    }
  };
  try {
    await until(/features\s+0 total/);
    const add = await brProcess(["feature", "add", "Login"], { cwd: app, env });
    assert.equal(add.code, 0, add.stderr);
    await until(/features\s+1 total, 0 complete \(0%\)/);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel().catch(() => {});
    const status = await child.status;
    await child.stderr.cancel().catch(() => {});
    // SIGTERM is its normal end: the watcher closes and br exits 0.
    assert.equal(status.code, 0);
  }
});
