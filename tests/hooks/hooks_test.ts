import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brProcess, gitRun, gitTry, tempDir, tempProject } from "../helpers.ts";
import { ALNUM, rnd } from "../security/samples.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";

/** A committed project with the hooks installed. */
async function repoWithHooks(name: string) {
  const dir = await tempProject(name);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  const r = await br(["hooks", "install"], { cwd: dir.path });
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

/** A committed repository at `top` whose project lives in apps/web, hooks installed. */
async function subfolderProject(top: string): Promise<string> {
  await gitRun(["init", "-q"], top);
  const sub = join(top, "apps/web");
  await Deno.mkdir(sub, { recursive: true });
  assert.equal((await br(["init", "--name", "web"], { cwd: sub })).code, 0);
  await gitRun(["add", "-A"], top);
  await gitRun(["commit", "-q", "-m", "init"], top);
  assert.equal((await br(["hooks", "install"], { cwd: sub })).code, 0);
  return sub;
}

async function head(cwd: string): Promise<string> {
  return await gitRun(["rev-parse", "HEAD"], cwd);
}

Deno.test("pre-commit blocks a commit with an invalid features.json", async () => {
  await using dir = await repoWithHooks("h1");
  const before = await head(dir.path);
  await Deno.writeTextFile(
    join(dir.path, ".buildrunner/features.json"),
    JSON.stringify({ project: "h1", features: [{ id: "a", name: "A", dependencies: ["ghost"] }] }),
  );
  await gitRun(["add", ".buildrunner/features.json"], dir.path);
  const r = await gitTry(["commit", "-m", "break it"], dir.path);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /br pre-commit: ✗ features/);
  assert.match(r.stderr, /depends on unknown feature "ghost"/);
  assert.equal(await head(dir.path), before);
});

Deno.test("pre-commit blocks a commit adding a secret and shows it masked", async () => {
  await using dir = await repoWithHooks("h2");
  const before = await head(dir.path);
  await Deno.writeTextFile(join(dir.path, "config.ts"), `export const token = "${GH}";\n`);
  await gitRun(["add", "config.ts"], dir.path);
  const r = await gitTry(["commit", "-m", "add config"], dir.path);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /br pre-commit: ✗ security/);
  assert.match(r.stderr, /config\.ts:1:\d+ \S+ ghp_\S*\*{4,}/);
  assert.equal(r.stderr.includes(GH), false);
  assert.equal(r.stdout.includes(GH), false);
  assert.equal(await head(dir.path), before);
});

Deno.test("pre-commit regenerates and stages STATUS.md with a features.json change", async () => {
  await using dir = await repoWithHooks("h3");
  const add = await br(["feature", "add", "Checkout flow", "--id", "checkout"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  await gitRun(["add", ".buildrunner/features.json"], dir.path);
  const r = await gitTry(["commit", "-m", "add checkout"], dir.path);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /staged STATUS\.md/);
  const committed = await gitRun(["show", "HEAD:STATUS.md"], dir.path);
  assert.match(committed, /Checkout flow \(`checkout`\)/);
  const changed = await gitRun(["show", "--name-only", "--format=", "HEAD"], dir.path);
  assert.deepEqual(changed.split("\n").sort(), [".buildrunner/features.json", "STATUS.md"]);
  assert.equal(await gitRun(["status", "--porcelain", "STATUS.md"], dir.path), "");
});

Deno.test("pre-push blocks a push while a complete feature has high gaps", async () => {
  await using dir = await repoWithHooks("h4");
  await using remote = await tempDir();
  await gitRun(["init", "-q", "--bare", remote.path], dir.path);
  await gitRun(["remote", "add", "origin", remote.path], dir.path);
  await Deno.mkdir(join(dir.path, "src/auth"), { recursive: true });
  await Deno.writeTextFile(
    join(dir.path, "src/auth/login.ts"),
    "/** Login. */\nexport function login(): boolean {\n  // TODO: check the password\n  return true;\n}\n",
  );
  const steps = [
    [
      "feature",
      "add",
      "Login",
      "--id",
      "login",
      "--files",
      "src/auth/**",
      "--acceptance",
      "logs in",
    ],
    ["feature", "complete", "login"],
  ];
  for (const s of steps) assert.equal((await br(s, { cwd: dir.path })).code, 0);
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "login"], dir.path)).code, 0);
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.notEqual(push.code, 0);
  assert.match(push.stderr, /br pre-push: ✗ gaps/);
  assert.match(push.stderr, /[1-9]\d* high/);
  assert.equal((await gitTry(["rev-parse", "--verify", "main"], remote.path)).code, 128);

  // Fixed: no TODO, a test names the feature; only the gaps gate runs at pre-push.
  await Deno.writeTextFile(
    join(dir.path, "src/auth/login.ts"),
    "/** Login. */\nexport function login(): boolean {\n  return true;\n}\n",
  );
  await Deno.mkdir(join(dir.path, "tests"));
  await Deno.writeTextFile(
    join(dir.path, "tests/login_test.ts"),
    'Deno.test("login", () => {});\n',
  );
  const gov = join(dir.path, ".buildrunner/governance.yaml");
  await Deno.writeTextFile(
    gov,
    (await Deno.readTextFile(gov)).replace(
      "pre_push: [quality, security, gaps]",
      "pre_push: [gaps]",
    ),
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  await gitRun(["add", "-A"], dir.path);
  const fix = await gitTry(["commit", "-m", "fix"], dir.path);
  assert.equal(fix.code, 0, fix.stderr);
  const ok = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /br pre-push: ✓ gaps/);
});

Deno.test("hooks work inside a git worktree (shared hooks folder, no core.hooksPath)", async () => {
  await using dir = await repoWithHooks("h5");
  await using wtParent = await tempDir();
  const wt = join(wtParent.path, "wt");
  await gitRun(["worktree", "add", "-q", "-b", "side", wt], dir.path);
  assert.equal((await gitTry(["config", "--get", "core.hooksPath"], dir.path)).code, 1);
  const status = await br(["hooks", "status", "--json"], { cwd: wt });
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  assert.deepEqual(s.hooks.map((h: { state: string }) => h.state), ["br", "br", "br", "br"]);
  assert.equal(s.dir, join(await Deno.realPath(dir.path), ".git/hooks"));

  const before = await head(wt);
  await Deno.writeTextFile(join(wt, ".buildrunner/features.json"), "{ not json");
  await gitRun(["add", ".buildrunner/features.json"], wt);
  const r = await gitTry(["commit", "-m", "break in worktree"], wt);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /br pre-commit: ✗ features/);
  assert.equal(await head(wt), before);
  // The main checkout was not touched.
  assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");

  await gitRun(["checkout", "HEAD", "--", ".buildrunner/features.json"], wt);
  const add = await br(["feature", "add", "Side", "--id", "side"], { cwd: wt });
  assert.equal(add.code, 0, add.stderr);
  await gitRun(["add", ".buildrunner/features.json"], wt);
  assert.equal((await gitTry(["commit", "-m", "side"], wt)).code, 0);
  assert.match(await gitRun(["show", "HEAD:STATUS.md"], wt), /`side`/);
});

Deno.test("an existing hook still runs, and uninstall leaves the repository as before", async () => {
  await using dir = await tempProject("h6");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  const hooks = join(dir.path, ".git/hooks");
  const mine = '#!/bin/sh\necho "$@" >> "$(git rev-parse --show-toplevel)/.git/mine-ran"\n';
  await Deno.writeTextFile(join(hooks, "pre-commit"), mine);
  await Deno.chmod(join(hooks, "pre-commit"), 0o755);
  const snapshot = async () => {
    const out: string[] = [];
    for await (const e of Deno.readDir(hooks)) {
      out.push(`${e.name} ${await Deno.readTextFile(join(hooks, e.name))}`);
    }
    const config = await gitRun(["config", "--list", "--local"], dir.path);
    return [...out.sort(), config];
  };
  const before = await snapshot();

  const inst = await br(["hooks", "install", "--json"], { cwd: dir.path });
  assert.equal(inst.code, 0, inst.stderr);
  const res = JSON.parse(inst.stdout);
  assert.equal(res.hooks[0].hook, "pre-commit");
  assert.equal(res.hooks[0].chained, join(hooks, ".br-chained/pre-commit"));
  assert.equal((await br(["hooks", "install", "--json"], { cwd: dir.path })).code, 0);
  assert.equal(await Deno.readTextFile(join(hooks, ".br-chained/pre-commit")), mine);

  await Deno.writeTextFile(join(dir.path, "x.txt"), "x\n");
  await gitRun(["add", "x.txt"], dir.path);
  const ok = await gitTry(["commit", "-m", "x"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await Deno.readTextFile(join(dir.path, ".git/mine-ran")), "\n");
  assert.match(ok.stderr, /br pre-commit: ✓ governance, security/);

  // The chained hook failing blocks the commit before br runs.
  await Deno.writeTextFile(join(hooks, ".br-chained/pre-commit"), "#!/bin/sh\nexit 3\n");
  await Deno.writeTextFile(join(dir.path, "y.txt"), "y\n");
  await gitRun(["add", "y.txt"], dir.path);
  assert.notEqual((await gitTry(["commit", "-m", "y"], dir.path)).code, 0);
  await Deno.writeTextFile(join(hooks, ".br-chained/pre-commit"), mine);

  const un = await br(["hooks", "uninstall"], { cwd: dir.path });
  assert.equal(un.code, 0, un.stderr);
  assert.match(un.stdout, /pre-commit: removed, previous hook restored/);
  await Deno.remove(join(dir.path, ".git/mine-ran"));
  assert.deepEqual(await snapshot(), before);
  const status = JSON.parse((await br(["hooks", "status", "--json"], { cwd: dir.path })).stdout);
  assert.deepEqual(status.hooks.map((h: { state: string }) => h.state), [
    "foreign",
    "absent",
    "absent",
    "absent",
  ]);
});

Deno.test("commit-msg applies the governance commit rule", async () => {
  await using dir = await repoWithHooks("h7");
  const gov = join(dir.path, ".buildrunner/governance.yaml");
  await Deno.writeTextFile(
    gov,
    (await Deno.readTextFile(gov)).replace(
      "  pattern: null",
      '  pattern: "^(feat|fix|chore)(\\\\(.+\\\\))?: .+"',
    ),
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  await gitRun(["add", "-A"], dir.path);
  const bad = await gitTry(["commit", "-m", "update governance"], dir.path);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /br commit-msg: ✗ commit/);
  assert.match(bad.stderr, /does not match the governance pattern/);
  const good = await gitTry(["commit", "-m", "chore: commit rule"], dir.path);
  assert.equal(good.code, 0, good.stderr);

  // A governance.yaml edited without "br governance update" is refused at pre-commit.
  await Deno.writeTextFile(
    gov,
    (await Deno.readTextFile(gov)).replace("policy: strict", "policy: warn"),
  );
  await gitRun(["add", "-A"], dir.path);
  const sneaky = await gitTry(["commit", "-m", "chore: relax"], dir.path);
  assert.notEqual(sneaky.code, 0);
  assert.match(sneaky.stderr, /br pre-commit: ✗ governance/);
});

Deno.test("hooks find a project that lives in a subfolder of the repository", async () => {
  await using repo = await tempDir();
  const sub = await subfolderProject(repo.path);
  const script = await Deno.readTextFile(join(repo.path, ".git/hooks/pre-commit"));
  assert.match(script, /hooks run --project apps\/web pre-commit "\$@"/);
  await Deno.writeTextFile(join(sub, ".buildrunner/features.json"), "[]");
  await gitRun(["add", "-A"], repo.path);
  const r = await gitTry(["commit", "-m", "break"], repo.path);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /br pre-commit: ✗ features/);
});

Deno.test("pre-commit of a project in a subfolder stages its STATUS.md only when it is out of date", async () => {
  await using repo = await tempDir();
  const sub = await subfolderProject(repo.path);

  // features.json staged alone: the hook regenerates apps/web/STATUS.md and stages it.
  assert.equal(
    (await br(["feature", "add", "Checkout", "--id", "checkout"], { cwd: sub })).code,
    0,
  );
  await gitRun(["add", "apps/web/.buildrunner/features.json"], repo.path);
  const first = await gitTry(["commit", "-m", "checkout"], repo.path);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /staged STATUS\.md/);
  assert.match(await gitRun(["show", "HEAD:apps/web/STATUS.md"], repo.path), /Checkout/);
  assert.deepEqual(
    (await gitRun(["show", "--name-only", "--format=", "HEAD"], repo.path)).split("\n").sort(),
    ["apps/web/.buildrunner/features.json", "apps/web/STATUS.md"],
  );

  // Both staged, STATUS.md already up to date: committed as it is, not staged again.
  assert.equal((await br(["feature", "add", "Search", "--id", "search"], { cwd: sub })).code, 0);
  assert.equal((await br(["generate"], { cwd: sub })).code, 0);
  await gitRun(["add", "-A"], repo.path);
  const second = await gitTry(["commit", "-m", "search"], repo.path);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /br pre-commit: ✓ features/);
  assert.doesNotMatch(second.stderr, /staged STATUS\.md/);
  assert.match(await gitRun(["show", "HEAD:apps/web/STATUS.md"], repo.path), /Search/);
  assert.equal(await gitRun(["status", "--porcelain"], repo.path), "");
});

Deno.test("pre-commit of a project in a subfolder of a linked worktree (git exports GIT_DIR)", async () => {
  await using repo = await tempDir();
  await subfolderProject(repo.path);
  await using wtParent = await tempDir();
  const wt = join(wtParent.path, "wt");
  await gitRun(["worktree", "add", "-q", "-b", "side", wt], repo.path);
  const sub = join(wt, "apps/web");
  assert.equal((await br(["feature", "add", "Side", "--id", "side"], { cwd: sub })).code, 0);
  await gitRun(["add", "apps/web/.buildrunner/features.json"], wt);
  const r = await gitTry(["commit", "-m", "side"], wt);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /br pre-commit: ✓ features/);
  assert.match(r.stderr, /staged STATUS\.md/);
  assert.deepEqual(
    (await gitRun(["show", "--name-only", "--format=", "HEAD"], wt)).split("\n").sort(),
    ["apps/web/.buildrunner/features.json", "apps/web/STATUS.md"],
  );
  assert.match(await gitRun(["show", "HEAD:apps/web/STATUS.md"], wt), /`side`/);
  assert.equal(await gitRun(["status", "--porcelain"], wt), "");
});

/** A committed project without hooks; its hooks folder. */
async function committed(name: string) {
  const dir = await tempProject(name);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  return { dir, hooks: join(dir.path, ".git/hooks") };
}

async function writeHook(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
}

Deno.test("a chained shell hook runs under the hook's own path, with git's arguments", async () => {
  const { dir, hooks } = await committed("own-name");
  await using _ = dir;
  const log = join(dir.path, ".git/ran");
  await writeHook(join(hooks, "commit-msg"), `#!/bin/sh\necho "$0|$1" > '${log}'\n`);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  assert.equal((await gitTry(["commit", "--allow-empty", "-m", "x"], dir.path)).code, 0);
  const [zero, arg] = (await Deno.readTextFile(log)).trim().split("|");
  assert.equal(zero, ".git/hooks/commit-msg"); // what git itself gives it
  assert.match(arg, /COMMIT_EDITMSG$/);
});

Deno.test("a chained hook that is not a shell script runs under its own name", async () => {
  const { dir, hooks } = await committed("not-shell");
  await using _ = dir;
  const log = join(dir.path, ".git/ran");
  await writeHook(
    join(hooks, "pre-commit"),
    `#!/usr/bin/env -S deno run -A\nDeno.writeTextFileSync(${
      JSON.stringify(log)
    }, import.meta.filename ?? "");\nDeno.exit(Deno.args.length === 0 ? 4 : 0);\n`,
  );
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(join(dir.path, "x.txt"), "x\n");
  await gitRun(["add", "x.txt"], dir.path);
  assert.notEqual((await gitTry(["commit", "-m", "x"], dir.path)).code, 0);
  assert.equal(await Deno.readTextFile(log), join(hooks, ".br-chained/pre-commit"));
});

Deno.test("a hook that is a relative symlink is chained and put back as the same link", async () => {
  const { dir, hooks } = await committed("symlink");
  await using _ = dir;
  await Deno.mkdir(join(dir.path, "scripts"));
  await writeHook(join(dir.path, "scripts/check.sh"), "#!/bin/sh\necho LINKED-HOOK-RAN\nexit 1\n");
  await Deno.symlink("../../scripts/check.sh", join(hooks, "pre-commit"));
  const inst = await br(["hooks", "install"], { cwd: dir.path });
  assert.equal(inst.code, 0, inst.stderr);
  assert.equal(
    await Deno.readLink(join(hooks, ".br-chained/pre-commit")),
    "../../../scripts/check.sh",
  );
  await Deno.writeTextFile(join(dir.path, "x.txt"), "x\n");
  await gitRun(["add", "x.txt"], dir.path);
  const r = await gitTry(["commit", "-m", "x"], dir.path);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /LINKED-HOOK-RAN/);
  assert.equal((await br(["hooks", "uninstall"], { cwd: dir.path })).code, 0);
  assert.equal(await Deno.readLink(join(hooks, "pre-commit")), "../../scripts/check.sh");
  await assert.rejects(Deno.lstat(join(hooks, ".br-chained")), Deno.errors.NotFound);
});

Deno.test("a hook chained by an earlier br (pre-commit.br-chained) is moved, then restored", async () => {
  const { dir, hooks } = await committed("legacy");
  await using _ = dir;
  const mine = "#!/bin/sh\necho MINE-RAN\n";
  await writeHook(join(hooks, "pre-commit"), mine);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  // What an earlier br left: its hook, and the previous one next to it.
  await Deno.rename(join(hooks, ".br-chained/pre-commit"), join(hooks, "pre-commit.br-chained"));
  await Deno.remove(join(hooks, ".br-chained"));
  const inst = await br(["hooks", "install", "--json"], { cwd: dir.path });
  assert.equal(inst.code, 0, inst.stderr);
  assert.equal(JSON.parse(inst.stdout).hooks[0].chained, join(hooks, ".br-chained/pre-commit"));
  await assert.rejects(Deno.lstat(join(hooks, "pre-commit.br-chained")), Deno.errors.NotFound);
  await Deno.writeTextFile(join(dir.path, "x.txt"), "x\n");
  await gitRun(["add", "x.txt"], dir.path);
  assert.match((await gitTry(["commit", "-m", "x"], dir.path)).stderr, /MINE-RAN/);
  assert.equal((await br(["hooks", "uninstall"], { cwd: dir.path })).code, 0);
  assert.equal(await Deno.readTextFile(join(hooks, "pre-commit")), mine);
});

Deno.test("every command warns once when br's hooks were removed or replaced; status says which", async () => {
  const { dir, hooks } = await committed("displaced");
  await using _ = dir;
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  const quiet = await br(["feature", "list"], { cwd: dir.path });
  assert.equal(quiet.stderr, "");

  await Deno.remove(join(hooks, "pre-push"));
  await writeHook(join(hooks, "commit-msg"), "#!/bin/sh\nexit 0\n");
  for (const args of [["feature", "list"], ["status"], ["hooks", "run", "pre-commit"]]) {
    const r = await br(args, { cwd: dir.path });
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    assert.deepEqual(lines, [
      `warning: br's git hooks no longer run: commit-msg replaced by another tool; pre-push removed (see "br hooks status")`,
    ], args.join(" "));
  }
  const s = JSON.parse((await br(["hooks", "status", "--json"], { cwd: dir.path })).stdout);
  assert.deepEqual(s.hooks.map((h: { state: string }) => h.state), [
    "br",
    "replaced",
    "br",
    "removed",
  ]);
  const text = await br(["hooks", "status"], { cwd: dir.path });
  assert.equal(text.stderr, "");
  assert.match(text.stdout, /commit-msg {2}replaced by another tool: br's checks do not run/);
  assert.match(text.stdout, /pre-push {4}removed: br's checks do not run/);

  // Left to the other tool on purpose: uninstall forgets them, and the warning stops.
  assert.equal((await br(["hooks", "uninstall"], { cwd: dir.path })).code, 0);
  assert.equal((await br(["feature", "list"], { cwd: dir.path })).stderr, "");
});

Deno.test("a git config change that keeps the hooks folder gives no warning", async () => {
  const { dir } = await committed("config-change");
  await using _ = dir;
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  await gitRun(["config", "user.name", "Someone"], dir.path);
  assert.equal((await br(["feature", "list"], { cwd: dir.path })).stderr, "");
  // The record now holds the config file as it is: the next command starts no git.
  const record = JSON.parse(
    await Deno.readTextFile(join(dir.path, ".buildrunner/cache/hooks.json")),
  );
  const info = await Deno.lstat(record.config);
  assert.equal(record.config_stamp, `${info.size}:${info.mtime?.getTime()}:${info.ino}`);

  await gitRun(["config", "core.hooksPath", ".githooks"], dir.path);
  const moved = await br(["feature", "list"], { cwd: dir.path });
  assert.match(
    moved.stderr,
    /pre-commit, commit-msg, post-commit, pre-push not run \(git now runs the hooks in ".*\.githooks"\)/,
  );
});

Deno.test("install refuses (exit 5) when a different hook took br's place, with a hint that works", async () => {
  const { dir, hooks } = await committed("conflict");
  await using _ = dir;
  await writeHook(join(hooks, "pre-commit"), "#!/bin/sh\necho FIRST\n");
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  await writeHook(join(hooks, "pre-commit"), "#!/bin/sh\n# lefthook\necho SECOND-RAN\n");
  const r = await br(["hooks", "install"], { cwd: dir.path });
  assert.equal(r.code, 5);
  const chained = join(hooks, ".br-chained/pre-commit");
  assert.match(r.stderr, /br's hook was replaced by lefthook's/);
  assert.match(
    r.stderr,
    new RegExp(`hint: if lefthook's new hook replaces the old one, remove "${chained}"`),
  );
  assert.equal(await Deno.readTextFile(chained), "#!/bin/sh\necho FIRST\n"); // nothing lost
  await Deno.remove(chained);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(join(dir.path, "x.txt"), "x\n");
  await gitRun(["add", "x.txt"], dir.path);
  const c = await gitTry(["commit", "-m", "x"], dir.path);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /SECOND-RAN/);
});

Deno.test("a failed pre-push lists the blocking items (file:line, kind, masked text), capped", async () => {
  await using dir = await tempProject("h-items");
  await Deno.mkdir(join(dir.path, "src"));
  // Assembled at run time: no literal token in this repository.
  const token = ["ghp", rnd(ALNUM, 36)].join("_");
  const todos = Array.from({ length: 14 }, (_, i) => `// TODO: step ${i + 1}`);
  todos[2] = `// TODO: rotate ${token}`;
  await Deno.writeTextFile(
    join(dir.path, "src/login.ts"),
    `/** Login. */\nexport function login(): boolean {\n${todos.join("\n")}\n  return true;\n}\n`,
  );
  for (
    const s of [
      ["feature", "add", "Login", "--files", "src/**", "--acceptance", "logs in"],
      ["feature", "complete", "login"],
    ]
  ) assert.equal((await br(s, { cwd: dir.path })).code, 0);
  const res = await brProcess(["hooks", "run", "pre-push"], { cwd: dir.path, stdin: "" });
  assert.equal(res.code, 10, res.stderr);
  assert.ok(!res.stderr.includes(token), res.stderr);
  const lines = res.stderr.split("\n");
  const gaps = lines.slice(lines.findIndex((l) => /✗ gaps/.test(l)) + 1);
  assert.match(gaps[0], /^\s+\d+ high, \d+ medium, \d+ low$/);
  assert.match(gaps[1], /^\s+missing_evidence: Feature "login" is marked complete/);
  assert.match(gaps[2], /^\s+src\/login\.ts:3 todo: TODO: step 1 /);
  // The TODO holding the token: shown masked, never raw.
  assert.match(gaps[4], /^\s+src\/login\.ts:5 todo: TODO: rotate ghp_\*{8} /);
  const more = gaps.findIndex((l) => /^\s+and \d+ more$/.test(l));
  assert.ok(more > 1 && more <= 11, gaps.join("\n"));
  // The security gate names its findings too.
  const sec = lines.slice(lines.findIndex((l) => /✗ security/.test(l)) + 1);
  assert.match(sec.slice(0, 3).join("\n"), /src\/login\.ts:5:\d+ github-token ghp_\*{8}/);
});
