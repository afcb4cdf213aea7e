import assert from "node:assert/strict";
import { join } from "node:path";
import { StagedIndex } from "../../src/core/git_index.ts";
import { gitRun, tempDir } from "../helpers.ts";

async function repo(dir: string): Promise<void> {
  await gitRun(["init", "-q"], dir);
}

Deno.test("StagedIndex reads staged names and content, not the work tree", async () => {
  await using dir = await tempDir();
  await repo(dir.path);
  await Deno.mkdir(join(dir.path, "apps/web"), { recursive: true });
  await Deno.writeTextFile(join(dir.path, "top.txt"), "top\n");
  await Deno.writeTextFile(join(dir.path, "apps/web/a.txt"), "staged\n");
  await gitRun(["add", "-A"], dir.path);
  await Deno.writeTextFile(join(dir.path, "apps/web/a.txt"), "not staged\n");

  const index = new StagedIndex(dir.path);
  try {
    assert.deepEqual((await index.names()).sort(), ["apps/web/a.txt", "top.txt"]);
    const web = join(dir.path, "apps/web");
    assert.deepEqual(await index.namesUnder(web), ["a.txt"]);
    assert.equal(await index.textUnder(web, "a.txt"), "staged\n");
    assert.equal(await index.textUnder(dir.path, "top.txt"), "top\n");
    assert.equal(await index.textUnder(web, "missing.txt"), null);
    assert.equal(new TextDecoder().decode((await index.blob("top.txt"))!), "top\n");
  } finally {
    await index.close();
  }
});

Deno.test("StagedIndex outside git: names fail with a clear error, content is null", async () => {
  await using dir = await tempDir();
  const index = new StagedIndex(dir.path);
  try {
    await assert.rejects(() => index.names(), /Cannot find a git repository in/);
    assert.equal(await index.blob("x.txt"), null);
  } finally {
    await index.close();
  }
});

Deno.test("StagedIndex reads large blobs (many pipe reads) and the ones after them intact", async () => {
  await using dir = await tempDir();
  await repo(dir.path);
  // 1.5 MB without a newline, then a small file: git's answers span many reads.
  const big = "x".repeat(1_500_000) + "END";
  await Deno.writeTextFile(join(dir.path, "big.txt"), big);
  await Deno.writeTextFile(join(dir.path, "small.txt"), "small\n");
  await gitRun(["add", "-A"], dir.path);
  const index = new StagedIndex(dir.path);
  try {
    const [a, b, c] = await Promise.all([
      index.textUnder(dir.path, "big.txt"),
      index.textUnder(dir.path, "small.txt"),
      index.textUnder(dir.path, "big.txt"),
    ]);
    assert.equal(a, big);
    assert.equal(b, "small\n");
    assert.equal(c, big);
  } finally {
    await index.close();
  }
});

Deno.test("StagedIndex relates a folder reached through a symbolic link to the repository", async () => {
  await using dir = await tempDir();
  const repoDir = join(dir.path, "repo");
  await Deno.mkdir(join(repoDir, "apps/web"), { recursive: true });
  await repo(repoDir);
  await Deno.writeTextFile(join(repoDir, "apps/web/a.txt"), "staged\n");
  await Deno.writeTextFile(join(repoDir, "top.txt"), "top\n");
  await gitRun(["add", "-A"], repoDir);
  const link = join(dir.path, "link");
  await Deno.symlink(repoDir, link);
  const web = join(link, "apps/web");
  for (const cwd of [web, link]) {
    const index = new StagedIndex(cwd);
    try {
      assert.deepEqual(await index.namesUnder(web), ["a.txt"], cwd);
      assert.equal(await index.textUnder(web, "a.txt"), "staged\n", cwd);
      assert.deepEqual((await index.namesUnder(link)).sort(), ["apps/web/a.txt", "top.txt"]);
    } finally {
      await index.close();
    }
  }
});

Deno.test("StagedIndex gives what the index holds whatever the work tree holds", async () => {
  await using dir = await tempDir();
  const at = (f: string) => join(dir.path, f);
  await repo(dir.path);
  await Deno.writeTextFile(at("unchanged.txt"), "committed\n");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  await Deno.writeTextFile(at(".gitattributes"), "crlf.txt text eol=crlf\n");
  await Deno.writeTextFile(at("plain.txt"), "plain\n");
  await Deno.writeTextFile(at("exec.sh"), "#!/bin/sh\n");
  await Deno.chmod(at("exec.sh"), 0o755);
  await Deno.writeTextFile(at("edited.txt"), "staged\n");
  await Deno.writeTextFile(at("removed.txt"), "staged, then removed\n");
  await Deno.writeTextFile(at("crlf.txt"), "a\r\nb\r\n");
  await Deno.symlink("plain.txt", at("link"));
  await gitRun(["add", "-A"], dir.path);
  const commit = await gitRun(["rev-parse", "HEAD"], dir.path);
  await gitRun(["update-index", "--add", "--cacheinfo", `160000,${commit},sub`], dir.path);
  await Deno.writeTextFile(at("edited.txt"), "edited after staging\n");
  await Deno.remove(at("removed.txt"));

  const index = new StagedIndex(dir.path);
  try {
    assert.deepEqual((await index.names()).sort(), [
      ".gitattributes",
      "crlf.txt",
      "edited.txt",
      "exec.sh",
      "link",
      "plain.txt",
      "removed.txt",
      "sub",
    ]);
    const text = (path: string) => index.textUnder(dir.path, path);
    // As after a plain `git add`: read from the work tree.
    assert.equal(await text("plain.txt"), "plain\n");
    assert.equal(await text("exec.sh"), "#!/bin/sh\n");
    assert.equal(index.gitReads, 0);
    // Otherwise git reads the index.
    assert.equal(await text("edited.txt"), "staged\n");
    assert.equal(await text("removed.txt"), "staged, then removed\n");
    assert.equal(await text("crlf.txt"), "a\nb\n");
    assert.equal(await text("link"), "plain.txt");
    assert.equal(await text("unchanged.txt"), "committed\n");
    assert.equal(index.gitReads, 5);
    assert.equal(await index.blob("sub"), null);
    assert.equal(await index.blob("nowhere.txt"), null);
  } finally {
    await index.close();
  }
});

Deno.test("StagedIndex reads a repository whose object ids are SHA-256", async () => {
  await using dir = await tempDir();
  await gitRun(["init", "-q", "--object-format=sha256"], dir.path);
  await Deno.writeTextFile(join(dir.path, "a.txt"), "sha256\n");
  await gitRun(["add", "-A"], dir.path);
  const index = new StagedIndex(dir.path);
  try {
    assert.deepEqual(await index.names(), ["a.txt"]);
    assert.equal(await index.textUnder(dir.path, "a.txt"), "sha256\n");
    assert.equal(index.gitReads, 0);
    await Deno.writeTextFile(join(dir.path, "a.txt"), "changed\n");
    assert.equal(await index.textUnder(dir.path, "a.txt"), "sha256\n");
    assert.equal(index.gitReads, 1);
  } finally {
    await index.close();
  }
});

Deno.test("StagedIndex starts no git process once closed", async () => {
  await using dir = await tempDir();
  await repo(dir.path);
  await Deno.writeTextFile(join(dir.path, "a.txt"), "staged\n");
  await gitRun(["add", "-A"], dir.path);
  await Deno.writeTextFile(join(dir.path, "a.txt"), "changed\n");
  const index = new StagedIndex(dir.path);
  // Asked, then closed before the answer: git would have to read it (the work tree changed).
  const pending = index.blob("a.txt");
  await index.close();
  assert.equal(await pending, null);
  assert.equal(index.gitReads, 0);
  const reopened = new StagedIndex(dir.path);
  try {
    assert.equal(await reopened.textUnder(dir.path, "a.txt"), "staged\n");
  } finally {
    await reopened.close();
  }
});

Deno.test("pinGitEnvironment fixes GIT_DIR and the top for git processes started elsewhere", async () => {
  await using dir = await tempDir();
  await repo(dir.path);
  const sub = join(dir.path, "apps/web");
  await Deno.mkdir(sub, { recursive: true });
  await Deno.writeTextFile(join(sub, "a.txt"), "a\n");
  await gitRun(["add", "-A"], dir.path);
  // In a process of its own: the variables it sets would reach the git processes of the test
  // files running next to this one in this process.
  const script = join(dir.path, "pin.ts");
  await Deno.writeTextFile(
    script,
    `import { pinGitEnvironment } from ${
      JSON.stringify(import.meta.resolve("../../src/core/git.ts"))
    };
import { StagedIndex } from ${JSON.stringify(import.meta.resolve("../../src/core/git_index.ts"))};
await pinGitEnvironment(Deno.args[0]);
const index = new StagedIndex(Deno.args[1]);
const names = await index.namesUnder(Deno.args[1]);
await index.close();
console.log(JSON.stringify({ dir: Deno.env.get("GIT_DIR"), tree: Deno.env.get("GIT_WORK_TREE"), names }));
`,
  );
  const env = Deno.env.toObject();
  // As git leaves it for a hook (relative here, as a user may set it).
  env.GIT_DIR = ".git";
  delete env.GIT_WORK_TREE;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script, dir.path, sub],
    cwd: dir.path,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const got = JSON.parse(new TextDecoder().decode(out.stdout));
  const top = await Deno.realPath(dir.path);
  assert.equal(got.dir, join(top, ".git"));
  assert.equal(got.tree, top);
  // A git process started in the subfolder now sees the repository as git did.
  assert.deepEqual(got.names, ["a.txt"]);
});
