import assert from "node:assert/strict";
import { br, readJson, tempProject } from "../helpers.ts";

Deno.test("feature add then list --json returns the stored objects", async () => {
  await using dir = await tempProject();
  const add = await br([
    "feature",
    "add",
    "User model",
    "--priority",
    "high",
    "--acceptance",
    "Has email",
  ], {
    cwd: dir.path,
  });
  assert.equal(add.code, 0, add.stderr);
  const list = await br(["feature", "list", "--json"], { cwd: dir.path });
  const features = JSON.parse(list.stdout);
  assert.equal(features.length, 1);
  assert.equal(features[0].id, "user-model");
  assert.equal(features[0].priority, "high");
  assert.deepEqual(features[0].acceptance, ["Has email"]);
  const file = await readJson<{ metrics: { features_planned: number } }>(
    `${dir.path}/.buildrunner/features.json`,
  );
  assert.equal(file.metrics.features_planned, 1);
});
