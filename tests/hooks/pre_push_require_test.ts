import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, gitTry, tempDir, tempProject } from "../helpers.ts";

const GOV = ".buildrunner/governance.yaml";

/** Replaces the gates section's pre_push line and records the checksum. */
async function setGates(root: string, lines: string): Promise<void> {
  const path = join(root, GOV);
  const text = await Deno.readTextFile(path);
  const old =
    / {2}pre_push: \[quality, security, gaps\]\n( {2}#.*\n)* {2}pre_push_require: no-high-gaps\n/;
  assert.match(text, old);
  await Deno.writeTextFile(path, text.replace(old, lines));
  const r = await br(["governance", "update"], { cwd: root });
  assert.equal(r.code, 0, r.stderr);
}

async function brOk(args: string[], cwd: string): Promise<void> {
  const r = await br(args, { cwd });
  assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
}

/** A project with two planned features (a: src/a/**, b: src/b/**), hooks and a bare remote. */
async function twoFeatures(name: string) {
  const dir = await tempProject(name);
  const remote = await tempDir();
  await gitRun(["init", "-q", "--bare", remote.path], dir.path);
  await gitRun(["remote", "add", "origin", remote.path], dir.path);
  await brOk(["feature", "add", "Alpha", "--id", "a", "--files", "src/a/**"], dir.path);
  await brOk(["feature", "add", "Beta", "--id", "b", "--files", "src/b/**"], dir.path);
  await brOk(["hooks", "install"], dir.path);
  return { dir, remote };
}

async function remoteHas(remote: string, branch: string): Promise<boolean> {
  return (await gitTry(["rev-parse", "--verify", "--quiet", branch], remote)).code === 0;
}

Deno.test("pre-push passes with open features by default (no high gaps)", async () => {
  const { dir, remote } = await twoFeatures("pp1");
  await using _d = dir;
  await using _r = remote;
  await setGates(dir.path, "  pre_push: [security, gaps]\n");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "init"], dir.path)).code, 0);
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(push.code, 0, push.stderr);
  assert.ok(await remoteHas(remote.path, "main"));
});

Deno.test("pre_push_require: complete blocks a push with incomplete features and lists them", async () => {
  const { dir, remote } = await twoFeatures("pp2");
  await using _d = dir;
  await using _r = remote;
  await setGates(dir.path, "  pre_push: [security]\n  pre_push_require: complete\n");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "init"], dir.path)).code, 0);
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(push.code, 0, push.stderr);
  assert.match(push.stderr, /br pre-push: ✗ complete/);
  assert.match(push.stderr, /2 features are not complete \(gates\.pre_push_require: complete\)/);
  assert.match(push.stderr, /a: planned \(Alpha\)/);
  assert.match(push.stderr, /b: planned \(Beta\)/);
  assert.equal(await remoteHas(remote.path, "main"), false);

  // What is pushed counts, not the working tree: completing them without a commit does not help.
  await brOk(["feature", "complete", "a"], dir.path);
  await brOk(["feature", "complete", "b"], dir.path);
  const still = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(still.code, 0, still.stderr);
  assert.match(still.stderr, /a: planned/);

  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "done"], dir.path)).code, 0);
  const ok = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /br pre-push: ✓ security, complete/);
  assert.ok(await remoteHas(remote.path, "main"));
});

Deno.test("pre_push_require with scope touched: only the features whose files the pushed commits touch", async () => {
  const { dir, remote } = await twoFeatures("pp3");
  await using _d = dir;
  await using _r = remote;
  await setGates(
    dir.path,
    "  pre_push: [security]\n  pre_push_require: {level: complete, scope: touched}\n",
  );
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "init"], dir.path)).code, 0);
  // Nothing under src/a or src/b is pushed.
  const first = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(first.code, 0, first.stderr);

  await Deno.mkdir(join(dir.path, "src/a"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "src/a/x.ts"), "export const x = 1;\n");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "x"], dir.path)).code, 0);
  const blocked = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(blocked.code, 0, blocked.stderr);
  assert.match(blocked.stderr, /1 feature is not complete/);
  assert.match(blocked.stderr, /a: planned \(Alpha\) touched: src\/a\/x\.ts/);
  assert.doesNotMatch(blocked.stderr, /b: planned/);

  await brOk(["feature", "complete", "a"], dir.path);
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "a done"], dir.path)).code, 0);
  const ok = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("an unrecorded change of pre_push_require is not obeyed", async () => {
  const { dir, remote } = await twoFeatures("pp4");
  await using _d = dir;
  await using _r = remote;
  await setGates(dir.path, "  pre_push: [security]\n  pre_push_require: complete\n");
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "init"], dir.path)).code, 0);
  const path = join(dir.path, GOV);
  await Deno.writeTextFile(
    path,
    (await Deno.readTextFile(path)).replace(
      "pre_push_require: complete",
      "pre_push_require: no-high-gaps",
    ),
  );
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(push.code, 0, push.stderr);
  assert.match(push.stderr, /br pre-push: ✗ governance/);
  assert.equal(await remoteHas(remote.path, "main"), false);
});
