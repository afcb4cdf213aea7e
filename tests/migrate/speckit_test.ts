import assert from "node:assert/strict";
import { join } from "node:path";
import { br, FIXTURES, tempProject } from "../helpers.ts";
import { copyTree } from "./_tree.ts";

type F = {
  id: string;
  name: string;
  status: string;
  priority: string;
  dependencies: string[];
  acceptance: string[];
  tags: string[];
  build: string | null;
};

Deno.test("br import speckit reads phases, [P], [US1], checkboxes, ids and spec.md scenarios", async (t) => {
  await using dir = await tempProject("sk");
  const cwd = dir.path;
  const feature = join(cwd, "specs", "001-photo-albums");
  await copyTree(join(FIXTURES, "speckit", "001-photo-albums"), feature);
  const tasksMd = join(feature, "tasks.md");
  const list = async () =>
    new Map(
      (JSON.parse((await br(["feature", "list", "--json"], { cwd })).stdout) as F[]).map((
        f,
      ) => [f.id, f]),
    );

  await t.step("import", async () => {
    const res = await br(["import", "speckit", "specs/001-photo-albums/tasks.md", "--json"], {
      cwd,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).added.length, 14);
    const f = await list();
    const p = "sk-001-photo-albums";
    assert.equal(f.get(`${p}-t001`)?.status, "complete");
    assert.equal(f.get(`${p}-t004`)?.status, "complete", "[X] counts as checked");
    assert.equal(f.get(`${p}-t005`)?.status, "planned");
    assert.equal(f.get(`${p}-t001`)?.build, "Phase 1: Setup (Shared Infrastructure)");
    // Sequential tasks depend on the one before; [P] tasks on none of their siblings.
    assert.deepEqual(f.get(`${p}-t002`)?.dependencies, [`${p}-t001`]);
    assert.deepEqual(f.get(`${p}-t003`)?.dependencies, []);
    assert.deepEqual(f.get(`${p}-t004`)?.dependencies, [], "a new phase starts fresh");
    assert.deepEqual(f.get(`${p}-t007`)?.dependencies, []);
    assert.deepEqual(f.get(`${p}-t009`)?.dependencies, [`${p}-t007`, `${p}-t008`]);
    assert.deepEqual(f.get(`${p}-t010`)?.dependencies, [`${p}-t009`]);
    assert.equal(
      f.get(`${p}-t010`)?.name,
      "Implement drag and drop between albums in src/ui/albums.ts",
      "a wrapped line continues the task",
    );
    assert.ok(f.get(`${p}-t009`)?.tags.includes("us1"));
    assert.equal(f.get(`${p}-t009`)?.priority, "high", "the story's P1");
    assert.equal(f.get(`${p}-t011`)?.priority, "medium", "the story's P2");
    assert.equal(f.has(`${p}-t999`), false, "a code block holds no tasks");
    // The user stories, with the acceptance scenarios of spec.md.
    const us1 = f.get(`${p}-us1`)!;
    assert.equal(us1.name, "Group photos into albums");
    assert.deepEqual(us1.acceptance, [
      "Given photos taken on two dates, When the user opens the library, Then they are grouped by date",
      "Given an album, When the user drags it onto another album, Then the albums are reordered",
    ]);
    assert.deepEqual(us1.dependencies, [`${p}-t007`, `${p}-t008`, `${p}-t009`, `${p}-t010`]);
    assert.equal(f.get(`${p}-us2`)?.acceptance.length, 1);
  });

  await t.step("re-import is idempotent", async () => {
    const before = await Deno.readTextFile(join(cwd, ".buildrunner/features.json"));
    const res = await br(["import", "speckit", tasksMd, "--json"], { cwd });
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual([out.added, out.updated, out.conflicts], [[], [], []]);
    assert.equal(await Deno.readTextFile(join(cwd, ".buildrunner/features.json")), before);
  });

  await t.step("re-import brings checkbox changes; a clash is a conflict", async () => {
    const p = "sk-001-photo-albums";
    assert.equal((await br(["feature", "start", `${p}-t006`], { cwd })).code, 0);
    const text = await Deno.readTextFile(tasksMd);
    await Deno.writeTextFile(
      tasksMd,
      text.replace("- [ ] T005", "- [x] T005").replace("- [ ] T006", "- [x] T006"),
    );
    const res = await br(["import", "speckit", tasksMd, "--json"], { cwd });
    assert.equal(res.code, 5, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual(out.updated, [{ id: `${p}-t005`, fields: ["status"] }]);
    assert.deepEqual(out.conflicts.map((c: { id: string }) => c.id), [`${p}-t006`]);
    const f = await list();
    assert.equal(f.get(`${p}-t005`)?.status, "complete");
    assert.equal(f.get(`${p}-t006`)?.status, "in_progress");
  });
});

Deno.test("br import speckit refuses a file without tasks, and a missing file", async () => {
  await using dir = await tempProject("sk");
  await Deno.writeTextFile(join(dir.path, "tasks.md"), "# Tasks\n\nnothing here\n");
  const res = await br(["import", "speckit", "tasks.md"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.match(res.stderr, /has no tasks/);
  const missing = await br(["import", "speckit", "none.md"], { cwd: dir.path });
  assert.equal(missing.code, 4, missing.stderr);
});
