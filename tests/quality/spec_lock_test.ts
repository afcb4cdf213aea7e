import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, tempProject } from "../helpers.ts";
import { HAND_SPEC } from "../spec/_fixtures.ts";

Deno.test("a spec locked by br spec lock that changed fails the spec gate and pre-commit", async () => {
  await using dir = await tempProject("lock");
  const spec = join(dir.path, "PROJECT_SPEC.md");
  await Deno.writeTextFile(spec, HAND_SPEC);
  for (const step of ["confirm", "lock"]) {
    const r = await br(["spec", step], { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
  }
  const ok = await br(["validate", "--gates", "spec", "--json"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal(JSON.parse(ok.stdout).gates[0].summary, "locked, unchanged");

  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  assert.equal(
    (await br(["hooks", "install", "--hooks", "pre-commit"], { cwd: dir.path })).code,
    0,
  );
  const locked = await Deno.readTextFile(spec);
  await Deno.writeTextFile(spec, locked.replace("## Overview", "## Overview\n\nOne more line."));
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
  // Unlocked, the edit commits.
  assert.equal((await br(["spec", "unlock"], { cwd: dir.path })).code, 0);
  await gitRun(["add", "PROJECT_SPEC.md"], dir.path);
  await gitRun(["commit", "-q", "-m", "edit unlocked spec"], dir.path);
});
