import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { br, FIXTURES, tempProject } from "../helpers.ts";

const HOLD = fileURLToPath(new URL("hold_lock.ts", `file://${FIXTURES}`));

Deno.test("lock: a writer waits for the holder, times out with exit 5, and recovers when the holder dies", async () => {
  await using dir = await tempProject();
  const holder = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HOLD, dir.path],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = holder.stdout.getReader();
  await reader.read(); // "held"
  const before = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  const blocked = await br(["feature", "add", "Login"], {
    cwd: dir.path,
    env: { BR_LOCK_TIMEOUT_MS: "300" },
  });
  assert.equal(blocked.code, 5);
  assert.match(blocked.stderr, /Timed out after 300 ms waiting for the project lock/);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), before);
  // Reads need no lock.
  assert.equal((await br(["status", "--json"], { cwd: dir.path })).code, 0);
  holder.kill("SIGKILL");
  await holder.status;
  reader.releaseLock();
  await holder.stdout.cancel().catch(() => {});
  const after = await br(["feature", "add", "Login"], {
    cwd: dir.path,
    env: { BR_LOCK_TIMEOUT_MS: "5000" },
  });
  assert.equal(after.code, 0, after.stderr);
});
