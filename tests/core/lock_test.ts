import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { br, FIXTURES, tempDir, tempProject } from "../helpers.ts";

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

Deno.test("lock: a planted .buildrunner/.lock symlink is refused with exit 3 and its target is untouched", async (t) => {
  await using dir = await tempProject();
  await using outside = await tempDir();
  const lock = `${dir.path}/.buildrunner/.lock`;
  const features = `${dir.path}/.buildrunner/features.json`;
  const before = await Deno.readTextFile(features);

  await t.step("a link to an existing file", async () => {
    const victim = `${outside.path}/victim.txt`;
    await Deno.writeTextFile(victim, "precious\n");
    await Deno.remove(lock).catch(() => {});
    await Deno.symlink(victim, lock);
    for (
      const args of [["feature", "add", "Login"], [
        "feature",
        "update",
        "nope",
        "--status",
        "complete",
      ]]
    ) {
      const res = await br(args, { cwd: dir.path });
      assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
      assert.match(
        res.stderr,
        /^error: Cannot use the lock file ".*\.buildrunner\/\.lock": it is a symbolic link/,
      );
      assert.match(res.stderr, /\nhint: /);
      assert.equal(await Deno.readTextFile(victim), "precious\n");
      assert.ok((await Deno.lstat(lock)).isSymlink, "the link is left for the user to inspect");
    }
    assert.equal(await Deno.readTextFile(features), before);
  });

  await t.step("a dangling link: its target is not created", async () => {
    const victim = `${outside.path}/created-by-br.txt`;
    await Deno.remove(lock);
    await Deno.symlink(victim, lock);
    const res = await br(["feature", "add", "Login"], { cwd: dir.path });
    assert.equal(res.code, 3, res.stderr);
    await assert.rejects(() => Deno.lstat(victim), Deno.errors.NotFound);
  });

  await t.step("removing the link lets writes through again", async () => {
    await Deno.remove(lock);
    const res = await br(["feature", "add", "Login"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    assert.ok((await Deno.lstat(lock)).isFile);
  });
});

Deno.test("lock: a .buildrunner folder that links outside the project is refused with exit 3", async () => {
  await using dir = await tempProject();
  await using outside = await tempDir();
  await Deno.rename(`${dir.path}/.buildrunner`, `${outside.path}/state`);
  await Deno.symlink(`${outside.path}/state`, `${dir.path}/.buildrunner`);
  const before = await Deno.readTextFile(`${outside.path}/state/features.json`);
  const res = await br(["feature", "add", "Login"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.match(
    res.stderr,
    /^error: Cannot use ".*\.buildrunner": it links to ".*state", outside the project$/m,
  );
  assert.equal(await Deno.readTextFile(`${outside.path}/state/features.json`), before);
  // Nor does the telemetry of the failed command go there.
  assert.match(
    res.stderr,
    /^warning: telemetry not recorded: Cannot spool events .*outside the project$/m,
  );
  assert.equal(await Deno.lstat(`${outside.path}/state/spool`).catch(() => null), null);
});

Deno.test("lock: BR_LOCK_TIMEOUT_MS must be a whole number of milliseconds from 0 to 2147483647", async (t) => {
  await using dir = await tempProject();
  const features = `${dir.path}/.buildrunner/features.json`;
  const before = await Deno.readTextFile(features);
  for (const bad of ["abc", "-5", "1.5", "99999999999999", "2147483648", " 5", "1e3"]) {
    await t.step(`"${bad}" is exit 2 naming the variable`, async () => {
      const res = await br(["feature", "add", "Login"], {
        cwd: dir.path,
        env: { BR_LOCK_TIMEOUT_MS: bad },
      });
      assert.equal(res.code, 2, res.stderr);
      const lines = res.stderr.trim().split("\n");
      assert.equal(lines.length, 2, res.stderr);
      assert.match(
        lines[0],
        /^error: Invalid BR_LOCK_TIMEOUT_MS ".*": expected a whole number of milliseconds from 0 to 2147483647$/,
      );
      assert.match(lines[1], /^hint: /);
      assert.equal(await Deno.readTextFile(features), before);
    });
  }
  for (const good of ["0", "2147483647", ""]) {
    await t.step(`"${good}" is accepted`, async () => {
      const res = await br(["feature", "add", `Feature ${good || "empty"}`], {
        cwd: dir.path,
        env: { BR_LOCK_TIMEOUT_MS: good },
      });
      assert.equal(res.code, 0, res.stderr);
    });
  }
});
