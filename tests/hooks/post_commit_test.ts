import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, gitTry, tempProject } from "../helpers.ts";

/** features.json with one more feature, written by hand (STATUS.md is not touched). */
async function addFeatureByHand(root: string, id: string): Promise<void> {
  const path = join(root, ".buildrunner/features.json");
  const file = JSON.parse(await Deno.readTextFile(path));
  file.features.push({ id, name: `Feature ${id}`, status: "planned", priority: "medium" });
  await Deno.writeTextFile(path, JSON.stringify(file, null, 2) + "\n");
}

Deno.test("post-commit regenerates a stale STATUS.md, says so, and leaves the commit alone", async () => {
  await using dir = await tempProject("pc1");
  const hooks = join(dir.path, ".git/hooks");
  // Another tool's post-commit hook is chained and runs first.
  await Deno.writeTextFile(
    join(hooks, "post-commit"),
    '#!/bin/sh\necho ran >> "$(git rev-parse --show-toplevel)/.git/mine-ran"\n',
  );
  await Deno.chmod(join(hooks, "post-commit"), 0o755);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  await Deno.remove(join(dir.path, ".git/mine-ran"));
  const inst = await br(["hooks", "install", "--json"], { cwd: dir.path });
  assert.equal(inst.code, 0, inst.stderr);
  const installed = JSON.parse(inst.stdout).hooks;
  const pc = installed.find((h: { hook: string }) => h.hook === "post-commit");
  assert.equal(pc.chained, join(hooks, ".br-chained/post-commit"));
  const status = JSON.parse((await br(["hooks", "status", "--json"], { cwd: dir.path })).stdout);
  assert.equal(
    status.hooks.find((h: { hook: string }) => h.hook === "post-commit").state,
    "br",
  );

  // A commit that skips pre-commit (--no-verify) leaves STATUS.md behind features.json.
  await addFeatureByHand(dir.path, "search");
  await gitRun(["add", ".buildrunner/features.json"], dir.path);
  const before = await gitRun(["show", "HEAD:STATUS.md"], dir.path);
  const r = await gitTry(["commit", "--no-verify", "-m", "search"], dir.path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /br post-commit: ! status/);
  assert.match(r.stderr, /STATUS\.md was out of date with features\.json: regenerated/);
  assert.match(r.stderr, /not part of commit [0-9a-f]{7,}/);
  // The commit is as made: its STATUS.md is the old one; the working tree has the new one.
  assert.equal(await gitRun(["show", "HEAD:STATUS.md"], dir.path), before);
  assert.equal(
    await gitRun(["show", "--name-only", "--format=", "HEAD"], dir.path),
    ".buildrunner/features.json",
  );
  assert.match(await Deno.readTextFile(join(dir.path, "STATUS.md")), /`search`/);
  assert.equal(await gitRun(["status", "--porcelain", "STATUS.md"], dir.path), "M STATUS.md");
  assert.equal(await Deno.readTextFile(join(dir.path, ".git/mine-ran")), "ran\n");

  // Up to date: the hook says nothing and writes nothing.
  await gitRun(["add", "STATUS.md"], dir.path);
  const ok = await gitTry(["commit", "-m", "status"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
  assert.doesNotMatch(ok.stderr, /post-commit/);
  assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");
});

Deno.test("post-commit leaves the working tree alone during a rebase", async () => {
  await using dir = await tempProject("pc2");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  await gitRun(["checkout", "-q", "-b", "side"], dir.path);
  await addFeatureByHand(dir.path, "a");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "--no-verify", "-m", "a"], dir.path)).code, 0);
  // The hook regenerated STATUS.md; commit it, then another stale change.
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "status a"], dir.path)).code, 0);
  await addFeatureByHand(dir.path, "b");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "--no-verify", "-m", "b"], dir.path)).code, 0);
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "status b"], dir.path)).code, 0);
  await gitRun(["checkout", "-q", "-"], dir.path);
  await Deno.writeTextFile(join(dir.path, "other.txt"), "x\n");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "other"], dir.path)).code, 0);
  await gitRun(["checkout", "-q", "side"], dir.path);
  // Each pick runs post-commit; a STATUS.md written between picks would stop the rebase.
  const rb = await gitTry(["rebase", "-q", "-"], dir.path);
  assert.equal(rb.code, 0, rb.stderr);
  assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");
});
