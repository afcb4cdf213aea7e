// A governance.yaml edited without "br governance update" is never obeyed, and the integrity
// checks of pre-commit (secrets, governance checksum, features.json) run whatever it says.
// Each test goes through real git commits and pushes with the installed hooks.
import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, gitTry, tempDir, tempProject } from "../helpers.ts";

const AWS = "AKIA" + "Q3ZT7XK2" + "LMN4PRW5";
const GOV = ".buildrunner/governance.yaml";
const SUM = ".buildrunner/governance.sha256";
const DEFAULT_PRE_COMMIT = "pre_commit: [features, governance, security, spec]";

/** A committed project with the hooks installed. */
async function repoWithHooks(name: string) {
  const dir = await tempProject(name);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  const r = await br(["hooks", "install"], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** Replaces `from` with `to` in governance.yaml (the replacement must happen). */
async function editGov(root: string, from: string | RegExp, to: string): Promise<void> {
  const path = join(root, GOV);
  const before = await Deno.readTextFile(path);
  const after = before.replace(from, to);
  assert.notEqual(after, before, `governance.yaml has no ${from}`);
  await Deno.writeTextFile(path, after);
}

/** Records governance.yaml with "br governance update" and commits it. */
async function recordGov(root: string, message = "chore: governance"): Promise<void> {
  const up = await br(["governance", "update"], { cwd: root });
  assert.equal(up.code, 0, up.stderr);
  await gitRun(["add", "-A"], root);
  const c = await gitTry(["commit", "-m", message], root);
  assert.equal(c.code, 0, c.stderr);
}

async function head(cwd: string): Promise<string> {
  return await gitRun(["rev-parse", "HEAD"], cwd);
}

/** Stages a file holding an AWS access key id. */
async function stageSecret(root: string): Promise<void> {
  await Deno.writeTextFile(join(root, "aws.ts"), `export const id = "${AWS}";\n`);
  await gitRun(["add", "aws.ts"], root);
}

function assertTamperReported(text: string): void {
  assert.match(text, /\.buildrunner\/governance\.yaml/);
  assert.match(text, /br governance update/);
}

Deno.test("pre-commit: an unrecorded edit that empties gates.pre_commit leaves the secret scan on", async (t) => {
  await using dir = await repoWithHooks("int1");
  const before = await head(dir.path);
  await editGov(dir.path, DEFAULT_PRE_COMMIT, "pre_commit: []");
  await stageSecret(dir.path);

  await t.step("edit not staged", async () => {
    const r = await gitTry(["commit", "-m", "add aws"], dir.path);
    assert.notEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /br pre-commit: ✗ security/);
    assert.match(r.stderr, /aws\.ts:1:\d+ aws-access-key-id/);
    assert.equal(r.stderr.includes(AWS), false);
    assert.match(r.stderr, /br pre-commit: ✗ governance/);
    assertTamperReported(r.stderr);
    assert.equal(await head(dir.path), before);
    const verify = await br(["governance", "verify"], { cwd: dir.path });
    assert.equal(verify.code, 10);
  });

  await t.step("edit staged", async () => {
    await gitRun(["add", GOV], dir.path);
    const r = await gitTry(["commit", "-m", "add aws"], dir.path);
    assert.notEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /br pre-commit: ✗ security/);
    assert.match(r.stderr, /br pre-commit: ✗ governance/);
    assert.equal(await head(dir.path), before);
  });

  await t.step("the hook run directly exits 10", async () => {
    const r = await br(["hooks", "run", "pre-commit"], { cwd: dir.path });
    assert.equal(r.code, 10);
    assertTamperReported(r.stderr);
  });
});

Deno.test("pre-commit: integrity checks run even when a recorded governance lists no gates", async () => {
  await using dir = await repoWithHooks("int2");
  await editGov(dir.path, DEFAULT_PRE_COMMIT, "pre_commit: []");
  await recordGov(dir.path);
  const show = await br(["governance", "show"], { cwd: dir.path });
  assert.match(show.stdout, /^pre-commit: +features, governance, security$/m);
  const before = await head(dir.path);
  await stageSecret(dir.path);
  const r = await gitTry(["commit", "-m", "add aws"], dir.path);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /br pre-commit: ✗ security/);
  assert.equal(await head(dir.path), before);

  // A broken features.json is refused too.
  await gitRun(["rm", "-q", "--cached", "aws.ts"], dir.path);
  await Deno.writeTextFile(join(dir.path, ".buildrunner/features.json"), "{ not json");
  await gitRun(["add", ".buildrunner/features.json"], dir.path);
  const bad = await gitTry(["commit", "-m", "break features"], dir.path);
  assert.notEqual(bad.code, 0, bad.stderr);
  assert.match(bad.stderr, /br pre-commit: ✗ features/);
  assert.equal(await head(dir.path), before);
});

Deno.test("hooks: an unrecorded policy: off does not switch off the commit and branch rules", async () => {
  await using dir = await repoWithHooks("int3");
  await editGov(dir.path, "  pattern: null", '  pattern: "^(feat|fix|chore): .+"');
  await recordGov(dir.path, "chore: commit rule");
  const before = await head(dir.path);
  await editGov(dir.path, "policy: strict", "policy: off");
  await Deno.writeTextFile(join(dir.path, "a.ts"), "export const a = 1;\n");
  await gitRun(["add", "a.ts"], dir.path);
  const r = await gitTry(["commit", "-m", "whatever"], dir.path);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /br pre-commit: ✗ governance/);
  assertTamperReported(r.stderr);
  assert.equal(await head(dir.path), before);

  // commit-msg run on its own (lefthook, pre-commit framework) refuses it as well.
  await Deno.writeTextFile(join(dir.path, "msg.txt"), "whatever\n");
  const msg = await br(["hooks", "run", "commit-msg", "msg.txt"], { cwd: dir.path });
  assert.equal(msg.code, 10);
  assertTamperReported(msg.stderr);

  // Recorded, the same edit is obeyed: the commit rule is off.
  await recordGov(dir.path, "relax the rules");
  const ok = await gitTry(["commit", "--allow-empty", "-m", "whatever"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("hooks and commands: a deleted governance.yaml whose checksum remains is a tamper", async () => {
  await using dir = await repoWithHooks("int4");
  await editGov(dir.path, "  pattern: null", '  pattern: "^(feat|fix|chore): .+"');
  await recordGov(dir.path, "chore: commit rule");
  const before = await head(dir.path);
  await Deno.remove(join(dir.path, GOV));
  await Deno.writeTextFile(join(dir.path, "a.ts"), "export const a = 1;\n");
  await gitRun(["add", "-A"], dir.path);
  const r = await gitTry(["commit", "-m", "whatever"], dir.path);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, /br pre-commit: ✗ governance/);
  assertTamperReported(r.stderr);
  assert.equal(await head(dir.path), before);

  const verify = await br(["governance", "verify"], { cwd: dir.path });
  assert.equal(verify.code, 10, verify.stdout);
  assertTamperReported(verify.stdout);
  const add = await br(["feature", "add", "One", "--id", "one"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  const start = await br(["feature", "start", "one"], { cwd: dir.path });
  assert.equal(start.code, 10);
  assertTamperReported(start.stderr);

  // Without either file, the defaults apply.
  await Deno.remove(join(dir.path, SUM));
  assert.equal((await br(["governance", "verify"], { cwd: dir.path })).code, 0);
  assert.equal((await br(["feature", "start", "one"], { cwd: dir.path })).code, 0);
});

Deno.test("feature commands: a transition loosened without governance update is refused (exit 10)", async () => {
  await using dir = await tempProject("int5");
  await editGov(
    dir.path,
    "transitions: {}",
    "transitions:\n  planned: [in_progress]\n  in_progress: [complete]",
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const add = await br(["feature", "add", "Base", "--id", "base"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  const features = join(dir.path, ".buildrunner/features.json");
  const before = await Deno.readTextFile(features);
  const refused = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(refused.code, 5);
  assert.match(refused.stderr, /does not allow "base" to move from planned to complete/);

  await editGov(dir.path, "  planned: [in_progress]", "  planned: [in_progress, complete]");
  const tampered = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(tampered.code, 10, tampered.stderr);
  assertTamperReported(tampered.stderr);
  assert.equal(await Deno.readTextFile(features), before);
  // The same loosening through policy: off.
  await editGov(dir.path, "policy: strict", "policy: off");
  const off = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(off.code, 10, off.stderr);
  assert.equal(await Deno.readTextFile(features), before);

  // Recorded, the new rules are obeyed.
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const ok = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("br guard check refuses architecture rules edited without governance update", async () => {
  await using dir = await tempProject("int6");
  await Deno.mkdir(join(dir.path, "src/ui"), { recursive: true });
  await Deno.mkdir(join(dir.path, "src/db"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "src/db/q.ts"), "export const q = 1;\n");
  await Deno.writeTextFile(
    join(dir.path, "src/ui/page.ts"),
    'import { q } from "../db/q.ts";\nexport const p = q;\n',
  );
  await editGov(dir.path, "  forbidden: []", "  forbidden:\n    - {from: src/ui, to: src/db}");
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const found = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(found.code, 10, found.stderr);
  assert.equal(JSON.parse(found.stdout).violations.length, 1);

  await editGov(dir.path, "    - {from: src/ui, to: src/db}", "");
  const tampered = await br(["guard", "check"], { cwd: dir.path });
  assert.equal(tampered.code, 10, tampered.stderr);
  assertTamperReported(tampered.stderr);
  const validate = await br(["validate", "--gates", "guard", "--json"], { cwd: dir.path });
  assert.equal(validate.code, 10, validate.stderr);
  assert.equal(JSON.parse(validate.stdout).gates[0].passed, false);
});

Deno.test("pre-push: an unrecorded gates.pre_push: [] does not skip the gates", async () => {
  await using dir = await repoWithHooks("int7");
  await using remote = await tempDir();
  await gitRun(["init", "-q", "--bare", remote.path], dir.path);
  await gitRun(["remote", "add", "origin", remote.path], dir.path);
  await editGov(dir.path, "pre_push: [quality, security, gaps]", "pre_push: []");
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(push.code, 0, push.stderr);
  assert.match(push.stderr, /br pre-push: ✗ governance/);
  assertTamperReported(push.stderr);
  assert.equal((await gitTry(["rev-parse", "--verify", "main"], remote.path)).code, 128);

  // Recorded, an empty list is obeyed.
  await recordGov(dir.path);
  const ok = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
});

Deno.test("a checkout with CRLF line endings is not a tamper, and its rules are obeyed", async () => {
  await using dir = await repoWithHooks("int8");
  await editGov(dir.path, "  pattern: null", '  pattern: "^(feat|fix|chore): .+"');
  await recordGov(dir.path, "chore: commit rule");
  await gitRun(["config", "core.autocrlf", "true"], dir.path);
  await Deno.remove(join(dir.path, GOV));
  await Deno.remove(join(dir.path, SUM));
  await gitRun(["checkout", "--", GOV, SUM], dir.path);
  assert.match(await Deno.readTextFile(join(dir.path, GOV)), /\r\n/);

  const verify = await br(["governance", "verify"], { cwd: dir.path });
  assert.equal(verify.code, 0, verify.stdout);
  await Deno.writeTextFile(join(dir.path, "a.ts"), "export const a = 1;\n");
  await gitRun(["add", "a.ts"], dir.path);
  const bad = await gitTry(["commit", "-m", "whatever"], dir.path);
  assert.notEqual(bad.code, 0, bad.stderr);
  assert.match(bad.stderr, /br commit-msg: ✗ commit/);
  const good = await gitTry(["commit", "-m", "feat: a"], dir.path);
  assert.equal(good.code, 0, good.stderr);
  // "br governance update" in this checkout records the same checksum.
  const sum = await Deno.readTextFile(join(dir.path, SUM));
  const up = await br(["governance", "update", "--json"], { cwd: dir.path });
  assert.equal(up.code, 0, up.stderr);
  assert.equal(JSON.parse(up.stdout).checksum, sum.slice(0, 64));
});
