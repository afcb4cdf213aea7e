import assert from "node:assert/strict";
import { join } from "node:path";
import { openProject } from "../../mod.ts";
import { loadGovernance } from "../../src/quality/mod.ts";
import { RACY_MS } from "../../src/core/cache.ts";
import { br, readJson, tempProject } from "../helpers.ts";

/** Waits until a file changed now is settled (its change time, which utime cannot move back). */
const settle = () => new Promise((r) => setTimeout(r, RACY_MS + 100));

async function project() {
  const dir = await tempProject();
  for (const name of ["Login", "Search", "Billing"]) {
    const res = await br(["feature", "add", name, "--acceptance", "works"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
  }
  const features = join(dir.path, ".buildrunner", "features.json");
  await settle();
  return { dir, features };
}

async function status(cwd: string) {
  const res = await br(["status", "--json"], { cwd });
  assert.equal(res.code, 0, res.stderr);
  return JSON.parse(res.stdout);
}

Deno.test("status cache: a warm answer equals a cold one, and git ignores the cache", async () => {
  const { dir } = await project();
  await using _ = dir;
  const cold = await status(dir.path);
  const entry = join(dir.path, ".buildrunner", "cache", "status.json");
  assert.ok((await Deno.stat(entry)).isFile, "the summary was cached");
  assert.deepEqual(await status(dir.path), cold);
  assert.equal(
    await Deno.readTextFile(join(dir.path, ".buildrunner", "cache", ".gitignore")),
    "# br's cache: derived data, never committed\n*\n",
  );
  // A damaged entry is a miss, not an error.
  await Deno.writeTextFile(entry, "garbage");
  assert.deepEqual(await status(dir.path), cold);
});

Deno.test("status cache: an edit of the same size with the old mtime is still seen", async () => {
  const { dir, features } = await project();
  await using _ = dir;
  assert.equal((await status(dir.path)).next.name, "Billing");
  assert.ok(await Deno.stat(join(dir.path, ".buildrunner", "cache", "status.json")));
  // Same size, same modification time: only the change time (and content) differ.
  const text = await Deno.readTextFile(features);
  const edited = text.replace('"name": "Billing"', '"name": "Bolling"');
  assert.notEqual(edited, text);
  const before = await Deno.stat(features);
  await Deno.writeTextFile(features, edited);
  await Deno.utime(features, before.atime!, before.mtime!);
  const after = await Deno.stat(features);
  assert.equal(after.size, before.size);
  assert.equal(after.mtime!.getTime(), before.mtime!.getTime());
  assert.equal(after.ino, before.ino);
  assert.equal((await status(dir.path)).next.name, "Bolling");
});

Deno.test("status cache: a features.json changed just now is not cached", async () => {
  await using dir = await tempProject();
  const add = await br(["feature", "add", "Login", "--acceptance", "works"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  assert.equal((await status(dir.path)).metrics.features_total, 1);
  const cached = await Deno.stat(join(dir.path, ".buildrunner", "cache", "status.json"))
    .then(() => true, () => false);
  assert.equal(cached, false);
});

Deno.test("generate: STATUS.md from the cache is byte for byte the rendered one", async () => {
  const { dir } = await project();
  await using _ = dir;
  const statusMd = join(dir.path, "STATUS.md");
  const first = await br(["generate", "--json"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const rendered = await Deno.readTextFile(statusMd);
  await Deno.remove(statusMd);
  const second = await br(["generate", "--json"], { cwd: dir.path });
  assert.equal(second.code, 0, second.stderr);
  const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)];
  assert.equal(a.changed, false, "the feature commands kept STATUS.md current");
  assert.equal(b.changed, true);
  assert.deepEqual({ ...b, changed: false }, a);
  assert.equal(await Deno.readTextFile(statusMd), rendered);
  const check = await br(["generate", "--check"], { cwd: dir.path });
  assert.equal(check.code, 0, check.stderr);
  const file = await readJson<{ features: unknown[] }>(
    join(dir.path, ".buildrunner", "features.json"),
  );
  assert.equal(file.features.length, 3);
});

Deno.test("cache: parsed config.yaml and governance.yaml follow in-place edits", async () => {
  await using dir = await tempProject();
  const config = join(dir.path, ".buildrunner", "config.yaml");
  const spool = join(dir.path, ".buildrunner", "spool");
  await Deno.writeTextFile(config, "telemetry:\n  enabled: false\n");
  await settle();
  const add = async (name: string) => {
    const res = await br(["feature", "add", name, "--acceptance", "works"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
  };
  const spooled = () =>
    [...Deno.readDirSync(spool)].filter((e) => e.name.endsWith(".jsonl")).length;
  await add("One");
  assert.equal(await Deno.stat(spool).then(() => spooled(), () => 0), 0, "telemetry is off");
  const cached = join(dir.path, ".buildrunner", "cache", "config.yaml.json");
  assert.ok((await Deno.stat(cached)).isFile, "the parsed config was cached");
  // Same size, same modification time: the change time tells.
  const before = await Deno.stat(config);
  await Deno.writeTextFile(config, "telemetry:\n  enabled: true \n");
  await Deno.utime(config, before.atime!, before.mtime!);
  await add("Two");
  assert.equal(spooled(), 1, "telemetry is on again");
  // governance.yaml (read by the hooks and the gates): a broken edit is reported, not hidden
  // behind the cached rules.
  const project = await openProject({ cwd: dir.path, env: {} });
  assert.equal((await loadGovernance(project))?.policy, "strict");
  assert.ok(await Deno.stat(join(dir.path, ".buildrunner", "cache", "governance.json")));
  const gov = join(dir.path, ".buildrunner", "governance.yaml");
  await Deno.writeTextFile(gov, "policy: [unclosed\n", { append: true });
  await assert.rejects(() => loadGovernance(project), /governance\.yaml/);
  await project.close();
});
