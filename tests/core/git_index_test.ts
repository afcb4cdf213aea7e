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
    await assert.rejects(() => index.names(), /Cannot read the staged files/);
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
