// br's hooks next to the real hook managers: husky v9 and v4, lefthook, simple-git-hooks and
// prek (from npm), the pre-commit framework (Debian's `pre-commit` package). In each order:
// the manager first (br chains its hook, which must keep running under its own name), and
// the manager after br (br must notice and say so). Without npm or pre-commit a test prints a
// line and skips; under CI=true it fails, as CI must provide them.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { br, brArgv, GIT_ENV, tempProject } from "../helpers.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";
const IN_CI = !!Deno.env.get("CI") && Deno.env.get("CI") !== "false";
const NPM_PACKAGES = [
  "husky@9.1.7",
  "husky4@npm:husky@4.3.8",
  "lefthook@2.2.4",
  "simple-git-hooks@2.14.0",
  "@j178/prek@0.5.3",
];

/** The hook every manager runs: blocks while `block-me` exists, else says it ran. */
const USER_HOOK = "#!/bin/sh\n" +
  'if [ -e block-me ]; then echo "USER-HOOK-BLOCKED"; exit 1; fi\necho "USER-HOOK-RAN"\n';

interface Run {
  code: number;
  /** stdout and stderr together (git sends a hook's stdout to stderr anyway). */
  out: string;
}

async function exec(
  cmd: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { ...GIT_ENV, ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function ok(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await exec(cmd, args, cwd, env);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")}: ${r.out}`);
  return r.out;
}

function skipOrFail(what: string): null {
  if (IN_CI) throw new Error(`${what} is missing: CI must provide it`);
  console.log(`skipped: ${what} is not available`);
  return null;
}

let npmTools: Promise<string | null> | null = null;

/** node_modules holding the npm tools, installed once for this file (null: npm unreachable). */
function tools(): Promise<string | null> {
  npmTools ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "br-hook-managers-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch { /* already gone */ }
    });
    const r = await exec(
      "npm",
      ["install", "--prefix", dir, "--no-audit", "--no-fund", ...NPM_PACKAGES],
      dir,
    ).catch((err) => ({ code: -1, out: String(err) }));
    if (r.code !== 0) {
      console.log(`npm install failed: ${r.out.slice(-500)}`);
      return null;
    }
    return join(dir, "node_modules");
  })();
  return npmTools;
}

async function npmOrSkip(): Promise<string | null> {
  return (await tools()) ?? skipOrFail(`npm packages (${NPM_PACKAGES.join(", ")})`);
}

async function preCommitOrSkip(): Promise<true | null> {
  const r = await exec("pre-commit", ["--version"], "/").catch(() => null);
  return r?.code === 0 ? true : skipOrFail('"pre-commit" (apt-get install pre-commit)');
}

/**
 * The environment the managers and git run with: their caches in `home` (HOME stays: deno
 * keeps its module cache there, which the hooks' `br` needs).
 */
function toolEnv(nm: string | null, home: string): Record<string, string> {
  const path = Deno.env.get("PATH") ?? "/usr/bin:/bin";
  return {
    PATH: nm ? `${join(nm, ".bin")}:${path}` : path,
    PRE_COMMIT_HOME: join(home, "pre-commit"),
    PREK_HOME: join(home, "prek"),
    npm_config_user_agent: "npm/11.0.0 node/v20.0.0 linux x64",
    NO_COLOR: "1",
  };
}

/** Every file under `dir` (name, mode, content or link target), to compare before and after. */
async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const path = join(dir, rel, e.name);
      const info = await Deno.lstat(path);
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (info.isDirectory) {
        out.push(`${name}/`);
        await walk(name);
      } else if (info.isSymlink) out.push(`${name} -> ${await Deno.readLink(path)}`);
      else out.push(`${name} ${info.mode?.toString(8)} ${await Deno.readTextFile(path)}`);
    }
  };
  await walk("");
  return out.sort();
}

interface Repo {
  path: string;
  env: Record<string, string>;
  git(args: string[]): Promise<Run>;
}

/** A committed br project with `files` written, and the managers' environment. */
async function repo(
  dir: { path: string },
  nm: string | null,
  files: Record<string, string>,
): Promise<Repo> {
  const env = toolEnv(nm, join(dir.path, ".home"));
  await Deno.mkdir(join(dir.path, ".home"));
  const all: Record<string, string> = {
    ".gitignore": ".home/\nnode_modules\nblock-me\n",
    "user-hook.sh": USER_HOOK,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    await Deno.mkdir(join(dir.path, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir.path, name), text);
  }
  if (nm) await Deno.symlink(nm, join(dir.path, "node_modules"));
  const r: Repo = { path: dir.path, env, git: (args) => exec("git", args, dir.path, env) };
  await ok("git", ["add", "-A"], dir.path, env);
  await ok("git", ["commit", "-q", "--no-verify", "-m", "init"], dir.path, env);
  return r;
}

/**
 * The manager's hook and br's both run and both block: the user's hook blocks while
 * `block-me` exists; then br blocks a secret (after the user's hook ran); a clean commit passes.
 */
let commits = 0;

async function assertBothBlock(r: Repo, label: string): Promise<void> {
  const file = `change-${++commits}.txt`;
  await Deno.writeTextFile(join(r.path, "block-me"), "");
  await Deno.writeTextFile(join(r.path, file), "a\n");
  await r.git(["add", file]);
  const blocked = await r.git(["commit", "-m", "a"]);
  assert.notEqual(blocked.code, 0, `${label}: the user's hook did not block:\n${blocked.out}`);
  assert.match(blocked.out, /USER-HOOK-BLOCKED/, label);

  await Deno.remove(join(r.path, "block-me"));
  await Deno.writeTextFile(join(r.path, "config.ts"), `export const token = "${GH}";\n`);
  await r.git(["add", "config.ts"]);
  const secret = await r.git(["commit", "-m", "secret"]);
  assert.notEqual(secret.code, 0, `${label}: br did not block the secret:\n${secret.out}`);
  assert.match(secret.out, /USER-HOOK-RAN/, label);
  assert.match(secret.out, /br pre-commit: ✗ security/, label);
  assert.equal(secret.out.includes(GH), false);

  await r.git(["rm", "-q", "--cached", "config.ts"]);
  await Deno.remove(join(r.path, "config.ts"));
  const clean = await r.git(["commit", "-m", "clean"]);
  assert.equal(clean.code, 0, `${label}: ${clean.out}`);
  assert.match(clean.out, /USER-HOOK-RAN/, label);
}

async function hooksState(r: Repo): Promise<Record<string, unknown>[]> {
  const s = await br(["hooks", "status", "--json"], { cwd: r.path });
  assert.equal(s.code, 0, s.stderr);
  return JSON.parse(s.stdout).hooks;
}

/** The lines of a plain command's stderr that warn about br's hooks. */
async function hookWarnings(r: Repo): Promise<string[]> {
  const s = await br(["feature", "list"], { cwd: r.path });
  assert.equal(s.code, 0, s.stderr);
  return s.stderr.split("\n").filter((l) => l.includes("br's git hooks"));
}

async function installBr(r: Repo): Promise<void> {
  const i = await br(["hooks", "install"], { cwd: r.path });
  assert.equal(i.code, 0, i.stderr);
}

/** Installs br over the manager's hooks, checks both block, uninstalls: the folder is as before. */
async function chainRoundTrip(r: Repo, hooksDir: string, label: string): Promise<void> {
  const before = await snapshot(hooksDir);
  await installBr(r);
  assert.deepEqual(await hookWarnings(r), []);
  await assertBothBlock(r, label);
  const un = await br(["hooks", "uninstall"], { cwd: r.path });
  assert.equal(un.code, 0, un.stderr);
  assert.deepEqual(await snapshot(hooksDir), before, `${label}: uninstall changed the hooks`);
}

const HUSKY9 = { ".husky/pre-commit": "sh user-hook.sh\n" };

Deno.test("husky v9: its pre-commit script still blocks under br's hook, and br's scan too", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("husky9");
  const r = await repo(dir, nm, HUSKY9);
  await ok("husky", [], r.path, r.env);
  assert.equal((await r.git(["config", "core.hooksPath"])).out.trim(), ".husky/_");
  await chainRoundTrip(r, join(r.path, ".husky/_"), "husky v9");
});

Deno.test("husky v9 after br: the moved hooks folder and husky's rewrite are reported; install chains again", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("husky9b");
  const r = await repo(dir, nm, HUSKY9);
  await installBr(r);
  await ok("husky", [], r.path, r.env); // core.hooksPath=.husky/_: br's hooks no longer run
  const warned = await hookWarnings(r);
  assert.equal(warned.length, 1, warned.join("\n"));
  assert.match(
    warned[0],
    /pre-commit, commit-msg, post-commit, pre-push not run \(git now runs the hooks in ".*\.husky\/_"\)/,
  );
  const states = await hooksState(r);
  assert.deepEqual(states.map((h) => [h.state, h.owner, h.runs_br]), [
    ["inactive", "husky", false],
    ["inactive", "husky", false],
    ["inactive", "husky", false],
    ["inactive", "husky", false],
  ]);
  const text = await br(["hooks", "status"], { cwd: r.path });
  assert.match(text.stdout, /pre-commit {2}not run: git runs the hooks in/);
  assert.match(text.stdout, /hint: "br hooks install" puts br's hooks back/);

  await installBr(r);
  assert.deepEqual(await hookWarnings(r), []);
  // br's hooks left the folder git no longer runs.
  await assert.rejects(Deno.lstat(join(r.path, ".git/hooks/pre-commit")), Deno.errors.NotFound);
  await assertBothBlock(r, "husky v9 after br");

  // `npm install` runs husky again (its "prepare" script): it writes its hooks over br's.
  await ok("husky", [], r.path, r.env);
  const again = await hookWarnings(r);
  assert.equal(again.length, 1);
  assert.match(again[0], /pre-commit, commit-msg, post-commit, pre-push replaced by husky/);
  assert.deepEqual((await hooksState(r)).map((h) => h.state), [
    "replaced",
    "replaced",
    "replaced",
    "replaced",
  ]);
  await installBr(r); // husky's script is the one already chained: no conflict
  await assertBothBlock(r, "husky v9 rewritten");
});

Deno.test("husky v4: its hooks find their name under br's hook", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("husky4");
  const r = await repo(dir, nm, {
    "package.json": JSON.stringify({
      name: "husky4",
      husky: { skipCI: false, hooks: { "pre-commit": "sh user-hook.sh" } },
    }),
  });
  await ok("node", ["husky.js", "install"], join(nm, "husky4"), { ...r.env, INIT_CWD: r.path });
  assert.match(await Deno.readTextFile(join(r.path, ".git/hooks/pre-commit")), /husky/);
  await chainRoundTrip(r, join(r.path, ".git/hooks"), "husky v4");
});

const LEFTHOOK = (name: string) =>
  `pre-commit:\n  commands:\n    ${name}:\n      run: sh user-hook.sh\n`;

Deno.test("lefthook: its hook still blocks under br's hook, and br's scan too", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("lefthook");
  const r = await repo(dir, nm, { "lefthook.yml": LEFTHOOK("user") });
  await ok("lefthook", ["install"], r.path, r.env);
  await chainRoundTrip(r, join(r.path, ".git/hooks"), "lefthook");
});

Deno.test("lefthook re-sync after br: reported, and install chains again instead of refusing", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("lefthookb");
  const r = await repo(dir, nm, { "lefthook.yml": LEFTHOOK("user") });
  await ok("lefthook", ["install"], r.path, r.env);
  await installBr(r);
  // A changed lefthook.yml: lefthook syncs its hooks again and renames br's to pre-commit.old.
  await Deno.writeTextFile(join(r.path, "lefthook.yml"), LEFTHOOK("renamed"));
  await ok("lefthook", ["install"], r.path, r.env);
  const hooks = join(r.path, ".git/hooks");
  assert.match(await Deno.readTextFile(join(hooks, "pre-commit.old")), /br-managed-hook/);
  const warned = await hookWarnings(r);
  assert.equal(warned.length, 1, warned.join("\n"));
  assert.match(warned[0], /br's git hooks no longer run: pre-commit replaced by lefthook/);
  const [pre] = await hooksState(r);
  assert.equal(pre.state, "replaced");
  assert.equal(pre.owner, "lefthook");
  assert.equal(pre.renamed_to, join(await Deno.realPath(hooks), "pre-commit.old"));
  assert.equal(pre.runs_br, false);

  await installBr(r);
  await assert.rejects(Deno.lstat(join(hooks, "pre-commit.old")), Deno.errors.NotFound);
  assert.deepEqual(await hookWarnings(r), []);
  await assertBothBlock(r, "lefthook re-synced");
});

const PRE_COMMIT_CONFIG = `repos:
  - repo: local
    hooks:
      - id: user
        name: user
        entry: sh user-hook.sh
        language: system
        pass_filenames: false
        always_run: true
        verbose: true
`;

for (const tool of ["pre-commit", "prek"] as const) {
  Deno.test(`${tool}: its hook finds its folder under br's hook, and br's scan still blocks`, async () => {
    const nm = await npmOrSkip();
    if (!nm || (tool === "pre-commit" && !(await preCommitOrSkip()))) return;
    await using dir = await tempProject(tool);
    const r = await repo(dir, nm, { ".pre-commit-config.yaml": PRE_COMMIT_CONFIG });
    await ok(tool, ["install"], r.path, r.env);
    await chainRoundTrip(r, join(r.path, ".git/hooks"), tool);
  });

  Deno.test(`${tool} installed after br runs br's hook as its legacy hook: no warning, no loop`, async () => {
    const nm = await npmOrSkip();
    if (!nm || (tool === "pre-commit" && !(await preCommitOrSkip()))) return;
    await using dir = await tempProject(`${tool}b`);
    const r = await repo(dir, nm, { ".pre-commit-config.yaml": PRE_COMMIT_CONFIG });
    await installBr(r);
    await ok(tool, ["install"], r.path, r.env); // moves br's hook to pre-commit.legacy
    const hooks = join(r.path, ".git/hooks");
    assert.match(await Deno.readTextFile(join(hooks, "pre-commit.legacy")), /br-managed-hook/);
    assert.deepEqual(await hookWarnings(r), []);
    const [pre] = await hooksState(r);
    assert.equal(pre.owner, tool);
    assert.equal(pre.runs_br, true);
    await assertBothBlock(r, `${tool} after br`);

    // br installed again: the tool's hook is chained, br's legacy copy goes (else: a loop).
    await installBr(r);
    await assert.rejects(Deno.lstat(join(hooks, "pre-commit.legacy")), Deno.errors.NotFound);
    await assertBothBlock(r, `br after ${tool} after br`);
  });
}

Deno.test("simple-git-hooks: chained under br's hook; its later overwrite is reported", async () => {
  const nm = await npmOrSkip();
  if (!nm) return;
  await using dir = await tempProject("sgh");
  const r = await repo(dir, nm, {
    "package.json": JSON.stringify({
      name: "sgh",
      "simple-git-hooks": { "pre-commit": "sh user-hook.sh" },
    }),
  });
  await ok("simple-git-hooks", [], r.path, r.env);
  await chainRoundTrip(r, join(r.path, ".git/hooks"), "simple-git-hooks");

  // Installed after br, it writes its hook over br's without a copy.
  await installBr(r);
  await ok("simple-git-hooks", [], r.path, r.env);
  const warned = await hookWarnings(r);
  assert.equal(warned.length, 1);
  assert.match(warned[0], /pre-commit replaced by simple-git-hooks/);
  await installBr(r);
  await assertBothBlock(r, "simple-git-hooks after br");
});

/** A folder holding a `br` that runs this checkout's main.ts (hooks call "br" from PATH). */
async function brOnPath(dir: string): Promise<string> {
  const bin = join(dir, ".bin");
  await Deno.mkdir(bin);
  const argv = brArgv([]).map((a) => `'${a}'`).join(" ");
  await Deno.writeTextFile(join(bin, "br"), `#!/bin/sh\nexec '${Deno.execPath()}' ${argv} "$@"\n`);
  await Deno.chmod(join(bin, "br"), 0o755);
  return bin;
}

const MANIFEST = fileURLToPath(new URL("../../.pre-commit-hooks.yaml", import.meta.url));

/** Commits br's .pre-commit-hooks.yaml in a repository of its own; returns its path and commit. */
async function hooksRepo(dir: string, env: Record<string, string>): Promise<[string, string]> {
  const path = join(dir, ".hooks-repo");
  await Deno.mkdir(path);
  await Deno.copyFile(MANIFEST, join(path, ".pre-commit-hooks.yaml"));
  await ok("git", ["init", "-q"], path, env);
  await ok("git", ["add", "-A"], path, env);
  await ok("git", ["commit", "-q", "-m", "hooks"], path, env);
  return [path, (await ok("git", ["rev-parse", "HEAD"], path, env)).trim()];
}

/** A secret staged, `run` blocks it (br's hook ran); without it, `run` passes; so does pre-push. */
async function runBlocksSecret(tool: string, r: Repo, label: string): Promise<void> {
  await Deno.writeTextFile(join(r.path, "config.ts"), `export const token = "${GH}";\n`);
  await r.git(["add", "config.ts"]);
  const blocked = await exec(tool, ["run"], r.path, r.env);
  assert.notEqual(blocked.code, 0, `${label}: ${blocked.out}`);
  assert.match(blocked.out, /br pre-commit: ✗ security/, label);
  assert.equal(blocked.out.includes(GH), false);
  await r.git(["rm", "-q", "--cached", "config.ts"]);
  await Deno.remove(join(r.path, "config.ts"));
  const clean = await exec(tool, ["run"], r.path, r.env);
  assert.equal(clean.code, 0, `${label}: ${clean.out}`);
  assert.match(clean.out, /pre-commit checks\.+Passed/, `${label}: ${clean.out}`);
  const stage = tool === "prek" ? "pre-push" : "push";
  const push = await exec(tool, ["run", "--hook-stage", stage], r.path, r.env);
  assert.match(push.out, /pre-push gates\.+(Passed|Failed)/, `${label}: ${push.out}`);
  assert.doesNotMatch(push.out, /pre-commit checks/, label);
}

for (const tool of ["pre-commit", "prek"] as const) {
  Deno.test(`${tool} runs br's .pre-commit-hooks.yaml from a path repository`, async () => {
    const nm = await npmOrSkip();
    if (!nm || (tool === "pre-commit" && !(await preCommitOrSkip()))) return;
    await using dir = await tempProject(`${tool}-manifest`);
    const env = { ...toolEnv(nm, join(dir.path, ".home")) };
    const [hooks, rev] = await hooksRepo(dir.path, { ...GIT_ENV, ...env });
    const config = `repos:\n  - repo: ${hooks}\n    rev: ${rev}\n    hooks:\n` +
      "      - id: br-pre-commit\n      - id: br-commit-msg\n      - id: br-pre-push\n";
    const r = await repo(dir, nm, { ".pre-commit-config.yaml": config });
    r.env.PATH = `${await brOnPath(dir.path)}:${r.env.PATH}`;
    await runBlocksSecret(tool, r, `${tool} manifest`);
  });

  Deno.test(`${tool} runs the configuration of "br hooks snippet"`, async () => {
    const nm = await npmOrSkip();
    if (!nm || (tool === "pre-commit" && !(await preCommitOrSkip()))) return;
    await using dir = await tempProject(`${tool}-snippet`);
    const s = await br(["hooks", "snippet", "--json"], { cwd: dir.path });
    assert.equal(s.code, 0, s.stderr);
    let config: string = JSON.parse(s.stdout).pre_commit;
    assert.match(config, /^minimum_pre_commit_version: "3\.2\.0"$/m);
    const version = (await exec(tool, ["--version"], "/", toolEnv(nm, dir.path))).out;
    const [, major, minor] = /(\d+)\.(\d+)\./.exec(version) ?? [];
    if (tool === "pre-commit" && Number(major) * 100 + Number(minor) < 302) {
      // what the snippet's comment says to do for pre-commit before 3.2
      config = config.replace(/^minimum_pre_commit_version:.*\n/m, "")
        .replace("stages: [pre-commit]", "stages: [commit]")
        .replace("stages: [pre-push]", "stages: [push]");
    }
    const r = await repo(dir, nm, { ".pre-commit-config.yaml": config });
    r.env.PATH = `${await brOnPath(dir.path)}:${r.env.PATH}`;
    await runBlocksSecret(tool, r, `${tool} snippet`);
  });
}
