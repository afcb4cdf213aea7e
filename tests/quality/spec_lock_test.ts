import assert from "node:assert/strict";
import { join } from "node:path";
import { specLockChecksum } from "../../src/quality/mod.ts";
import { br, gitRun, tempProject } from "../helpers.ts";

function lockedSpec(body: string): string {
  const draft = `---\nstatus: draft\n---\n${body}`;
  const lock = specLockChecksum(draft);
  return `---\nstatus: locked\nlock: ${lock}\n---\n${body}`;
}

Deno.test("a locked spec that changed fails the spec gate and the pre-commit hook", async () => {
  await using dir = await tempProject("lock");
  const spec = join(dir.path, "PROJECT_SPEC.md");
  const body = "# Demo\n\n## Overview\n\nA shop.\n";
  // The checksum leaves out the status and lock lines, so locking does not change it.
  assert.equal(
    specLockChecksum(lockedSpec(body)),
    specLockChecksum(`---\nstatus: x\n---\n${body}`),
  );
  await Deno.writeTextFile(spec, lockedSpec(body));
  const ok = await br(["validate", "--gates", "spec", "--json"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(JSON.parse(ok.stdout).gates[0].summary, "locked, unchanged");

  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  assert.equal(
    (await br(["hooks", "install", "--hooks", "pre-commit"], { cwd: dir.path })).code,
    0,
  );
  await Deno.writeTextFile(spec, lockedSpec(body).replace("A shop.", "A bank."));
  const bad = await br(["validate", "--gates", "spec"], { cwd: dir.path });
  assert.equal(bad.code, 10);
  assert.match(bad.stdout, /changed after it was locked/);
  await gitRun(["add", "PROJECT_SPEC.md"], dir.path);
  const commit = await new Deno.Command("git", {
    args: ["commit", "-m", "edit locked spec"],
    cwd: dir.path,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.notEqual(commit.code, 0);
  assert.match(new TextDecoder().decode(commit.stderr), /br pre-commit: ✗ spec/);
});
