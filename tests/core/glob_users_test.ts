/**
 * Every user of globs reads a pattern the same way (src/core/glob.ts): feature files in
 * routing, worktree includes in parallel runs, file claims, and gaps.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { declaredFiles } from "../../src/routing/_files.ts";
import { copyIncluded } from "../../src/orchestrator/_worktree.ts";
import { claimOverlap } from "../../src/orchestrator/_claims.ts";
import { globToRegExp } from "../../src/core/glob.ts";
import { gitRun, tempDir } from "../helpers.ts";

async function write(root: string, rel: string, text = "x\n"): Promise<void> {
  await Deno.mkdir(join(root, rel, ".."), { recursive: true });
  await Deno.writeTextFile(join(root, rel), text);
}

Deno.test("routing counts the files of braces and sets like the glob does", async () => {
  await using dir = await tempDir();
  for (const f of ["src/a.ts", "src/b.js", "src/c.py", "src/sub/d.ts", "lib/x.ts", "lib/y.ts"]) {
    await write(dir.path, f);
  }
  const count = async (patterns: string[]) => (await declaredFiles(dir.path, patterns)).count;
  assert.equal(await count(["src/*.{ts,js}"]), 2);
  assert.equal(await count(["lib/[x].ts"]), 1);
  assert.equal(await count(["src"]), 4);
  assert.equal(await count(["src/"]), 4);
  assert.equal(await count(["src/**/*.ts"]), 2);
});

Deno.test("worktree includes use the glob's braces and sets, and ** spans folders only whole", async () => {
  await using main = await tempDir();
  await using wt = await tempDir();
  await gitRun(["init", "-q"], main.path);
  await write(main.path, ".gitignore", ".env*\nconf/\n");
  for (const f of [".env.local", ".env.dev", ".env.prod", "conf/a/secret.json"]) {
    await write(main.path, f);
  }
  const copied = await copyIncluded(main.path, wt.path, [".env.{local,dev}", "conf/**"]);
  assert.deepEqual(copied, [".env.dev", ".env.local", "conf"]);
  const sets = await copyIncluded(main.path, wt.path, [".env.[p]*"]);
  assert.deepEqual(sets, [".env.prod"]);
});

Deno.test("claims read sets and **/x as the glob matches them", () => {
  assert.deepEqual(claimOverlap(["src/[ab].ts"], ["src/b.ts"]), ["src/[ab].ts", "src/b.ts"]);
  assert.equal(claimOverlap(["src/[ab].ts"], ["src/c.ts"]), null);
  // `**/x` names x at any depth, not what is below it, for claims as for the matcher.
  assert.equal(globToRegExp("**/x").test("x/y.ts"), false);
  assert.equal(claimOverlap(["**/x"], ["x/*.ts"]), null);
  assert.deepEqual(claimOverlap(["**/x"], ["a/*"]), ["**/x", "a/*"]);
});
