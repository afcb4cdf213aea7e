import assert from "node:assert/strict";
import { br, readJson, tempProject } from "../helpers.ts";

// A features.json as BuildRunner 3.1 writes it: week/build fields, an extra top-level key,
// per-feature fields this version does not know, and fields it leaves out.
const V31 = {
  project: "acme-portal",
  version: "1.0.0",
  status: "in_development",
  description: "Patient portal",
  last_updated: "2026-10-01T09:30:00Z",
  repository: { url: "https://example.com/acme.git", default_branch: "main" },
  features: [
    {
      id: "auth-login",
      name: "Login",
      description: "Email login",
      status: "in_progress",
      priority: "high",
      version: "1.0.0",
      dependencies: ["user-model"],
      acceptance: ["A user can log in with email"],
      week: 2,
      build: "1A",
      estimated_hours: 6,
      notes: { reviewer: "kim" },
    },
    {
      id: "user-model",
      name: "User model",
      status: "complete",
      priority: "critical",
      week: 1,
      build: "1A",
      completed_at: "2026-09-20T10:00:00Z",
    },
  ],
  metrics: { features_complete: 1, velocity: 3.5 },
};

Deno.test("a BuildRunner 3.1 features.json loads, lists and round-trips without losing fields", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/.buildrunner/features.json`;
  await Deno.writeTextFile(path, JSON.stringify(V31, null, 2));

  const list = await br(["feature", "list", "--json"], { cwd: dir.path });
  assert.equal(list.code, 0, list.stderr);
  const features = JSON.parse(list.stdout);
  assert.deepEqual(features.map((f: { id: string }) => f.id), ["auth-login", "user-model"]);
  assert.equal(features[0].estimated_hours, 6);
  assert.deepEqual(features[0].notes, { reviewer: "kim" });
  assert.equal(features[1].description, "", "missing fields take defaults");
  assert.deepEqual(features[1].dependencies, []);

  const status = JSON.parse((await br(["status", "--json"], { cwd: dir.path })).stdout);
  assert.equal(status.metrics.completion_percentage, 50);
  assert.equal(status.last_updated, "2026-10-01T09:30:00Z");

  // A write keeps every unknown field, project-level and per feature.
  const res = await br(["feature", "update", "auth-login", "--priority", "critical"], {
    cwd: dir.path,
  });
  assert.equal(res.code, 0, res.stderr);
  const after = await readJson<typeof V31 & { metrics: Record<string, unknown> }>(path);
  assert.deepEqual(after.repository, V31.repository);
  assert.equal(after.features[0].estimated_hours, 6);
  assert.deepEqual(after.features[0].notes, { reviewer: "kim" });
  assert.equal(after.features[0].week, 2);
  assert.equal(after.features[0].build, "1A");
  assert.equal(after.features[0].priority, "critical");
  assert.equal(after.features[1].completed_at, "2026-09-20T10:00:00Z");
  assert.equal(after.metrics.velocity, 3.5, "unknown metrics survive");
  assert.equal(after.metrics.features_complete, 1);
  assert.equal(after.metrics.completion_percentage, 50);
});
