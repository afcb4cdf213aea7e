import assert from "node:assert/strict";
import { br, readJson, tempProject } from "../helpers.ts";

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
