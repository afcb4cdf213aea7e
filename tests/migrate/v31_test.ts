import assert from "node:assert/strict";
import { br, gitRun, readJson, tempProject } from "../helpers.ts";
import { treeHash } from "./_tree.ts";

// A features.json as BuildRunner 3.1 files exist in the wild: dependency entries with a note
// after the id, and fields br does not know, of every JSON shape.
const WILD = {
  project: "acme",
  version: "3.1.0",
  status: "in_development",
  description: "Acme",
  last_updated: "2026-10-01T09:30:00Z",
  sprint: { number: 4, goals: ["ship login"] },
  tags_index: [["auth", 2]],
  build_count: 17,
  features: [
    {
      id: "auth-7",
      name: "Login page",
      status: "complete",
      priority: "high",
      risk: null,
      effort: 3.5,
      checklist: [{ item: "form", done: true }],
    },
    {
      id: "auth-8",
      name: "Session refresh",
      status: "planned",
      priority: "medium",
      dependencies: ["auth-7 (needs the login page)", "auth-7"],
      reviewers: ["kim", { name: "lee", role: "lead" }],
      estimate: { hours: 6, confidence: 0.7 },
      flagged: true,
    },
  ],
  metrics: { velocity: 3.5 },
};

Deno.test("a 3.1 file with noted dependencies and unknown fields accepts writes and keeps every field", async (t) => {
  await using dir = await tempProject();
  const path = `${dir.path}/.buildrunner/features.json`;
  await Deno.writeTextFile(path, JSON.stringify(WILD, null, 2));

  await t.step("feature add and validate succeed", async () => {
    const add = await br(["feature", "add", "Logout", "--depends-on", "auth-8"], {
      cwd: dir.path,
    });
    assert.equal(add.code, 0, add.stderr);
    const v = await br(["validate", "--gates", "features"], { cwd: dir.path });
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });

  await t.step("every unknown field and the noted entry survive the write", async () => {
    const after = await readJson<typeof WILD>(path);
    assert.deepEqual(after.sprint, WILD.sprint);
    assert.deepEqual(after.tags_index, WILD.tags_index);
    assert.equal(after.build_count, 17);
    assert.equal(after.metrics.velocity, 3.5);
    const [a7, a8] = after.features;
    assert.equal(a7.risk, null);
    assert.equal(a7.effort, 3.5);
    assert.deepEqual(a7.checklist, WILD.features[0].checklist);
    assert.deepEqual(a8.dependencies, WILD.features[1].dependencies);
    assert.deepEqual(a8.reviewers, WILD.features[1].reviewers);
    assert.deepEqual(a8.estimate, WILD.features[1].estimate);
    assert.equal(a8.flagged, true);
    assert.equal(after.features.length, 3);
  });

  await t.step("the entry resolves to its id; the note is shown", async () => {
    const show = await br(["feature", "show", "auth-8", "--json"], { cwd: dir.path });
    assert.equal(show.code, 0, show.stderr);
    const detail = JSON.parse(show.stdout);
    assert.deepEqual(detail.dependencies[0], {
      id: "auth-7",
      status: "complete",
      note: "needs the login page",
    });
    const text = await br(["feature", "show", "auth-8"], { cwd: dir.path });
    assert.match(text.stdout, /auth-7 \(complete\) — needs the login page/);
    const done = await br(["feature", "complete", "auth-8"], { cwd: dir.path });
    assert.equal(done.code, 0, done.stderr);
    const next = await br(["feature", "next", "--json"], { cwd: dir.path });
    assert.equal(JSON.parse(next.stdout)?.id, "logout");
  });
});

Deno.test("br migrate from-v3 normalises a 3.1 file explicitly, with a plan, a backup and rollback", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/.buildrunner/features.json`;
  await Deno.writeTextFile(path, JSON.stringify(WILD, null, 2));
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "3.1 project"], dir.path);
  const before = await treeHash(dir.path);
  const beforeAll = await treeHash(dir.path, true);

  const dry = await br(["migrate", "from-v3", ".", "--dry-run"], { cwd: dir.path });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /auth-8: dependency "auth-7 \(needs the login page\)" -> "auth-7"/);
  assert.match(dry.stdout, /update \.buildrunner\/features\.json/);
  assert.equal(await treeHash(dir.path, true), beforeAll, "a dry run writes nothing");

  const res = await br(["migrate", "from-v3", "."], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const after = await readJson<typeof WILD & { features: Record<string, unknown>[] }>(path);
  assert.deepEqual(after.features[1].dependencies, ["auth-7"]);
  assert.deepEqual(after.features[1].dependency_notes, { "auth-7": "needs the login page" });
  assert.deepEqual(after.features[1].estimate, WILD.features[1].estimate);
  assert.deepEqual(after.sprint, WILD.sprint);
  assert.equal(after.features[0].description, "", "missing fields get their defaults");
  assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");
  const show = JSON.parse(
    (await br(["feature", "show", "auth-8", "--json"], { cwd: dir.path })).stdout,
  );
  assert.equal(show.dependencies[0].note, "needs the login page", "the note is still shown");

  const again = await br(["migrate", "from-v3", "."], { cwd: dir.path });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already normalised; nothing to do/);
  const back = await br(["migrate", "rollback", "."], { cwd: dir.path });
  assert.equal(back.code, 0, back.stderr);
  assert.equal(await treeHash(dir.path), before, "ignored files (.lock, br.db) included");
  assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");
});
