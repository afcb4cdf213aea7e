import assert from "node:assert/strict";
import { join } from "node:path";
import { br, tempDir } from "../helpers.ts";

Deno.test("br plugin new scaffolds a plugin project that bundles and passes its own test in the real host", async () => {
  await using dir = await tempDir();
  const res = await br(["plugin", "new", "greeter", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const made = JSON.parse(res.stdout);
  assert.deepEqual(made.files, ["README.md", "deno.json", "mod.ts", "mod_test.ts"]);
  assert.equal(made.sdk, new URL("../../plugin.ts", import.meta.url).href);
  const project = join(dir.path, "greeter");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "test"],
    cwd: project,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stdout) + dec.decode(out.stderr));
  assert.match(dec.decode(out.stdout), /greeter runs in br's plugin host \.\.\. .*ok/);
  // The test bundled it: one JavaScript file br can add.
  assert.match(await Deno.readTextFile(join(project, "dist", "greeter.js")), /"greeter"/);
});

Deno.test("br plugin new refuses an invalid name (exit 2) and a folder that is not empty (exit 5)", async () => {
  await using dir = await tempDir();
  const bad = await br(["plugin", "new", "Not_Valid"], { cwd: dir.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid plugin name "Not_Valid"/);
  await Deno.mkdir(join(dir.path, "taken"));
  await Deno.writeTextFile(join(dir.path, "taken", "keep.txt"), "mine");
  const taken = await br(["plugin", "new", "taken"], { cwd: dir.path });
  assert.equal(taken.code, 5);
  assert.match(taken.stderr, /it is not empty/);
  assert.deepEqual([...Deno.readDirSync(join(dir.path, "taken"))].map((e) => e.name), ["keep.txt"]);
});
