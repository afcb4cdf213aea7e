/** The three-way merge of `br spec sync`, planned without a project, a file or a lock. */
import assert from "node:assert/strict";
import { emptyFeaturesFile, type Feature, type FeaturesFile } from "../../src/features/mod.ts";
import { planSync, type SyncInput } from "../../src/spec/sync.ts";
import type { SyncBase } from "../../src/spec/sync_base.ts";
import type { SpecFeature } from "../../src/spec/types.ts";

const NOW = "2026-02-01T00:00:00.000Z";
const THEN = "2026-01-01T00:00:00.000Z";

function specFeature(id: string, over: Partial<SpecFeature> = {}): SpecFeature {
  return {
    id,
    name: id.toUpperCase(),
    description: "",
    priority: "medium",
    depends_on: [],
    acceptance: [],
    checked: [],
    files: [],
    notes: "",
    line: 1,
    explicit_id: true,
    ...over,
  };
}

function feature(id: string, over: Partial<Feature> = {}): Feature {
  return {
    id,
    name: id.toUpperCase(),
    description: "",
    status: "planned",
    priority: "medium",
    version: "1.0.0",
    dependencies: [],
    acceptance: [],
    files: [],
    tags: [],
    owner: null,
    week: null,
    build: null,
    blocked_reason: null,
    created_at: THEN,
    updated_at: THEN,
    completed_at: null,
    ...over,
  };
}

function fileOf(...features: Feature[]): FeaturesFile {
  return { ...emptyFeaturesFile("p", new Date(THEN)), features };
}

/** The base after a sync where both sides held `ids` with default values. */
function baseOf(...ids: string[]): SyncBase {
  const features: SyncBase["features"] = {};
  for (const id of ids) {
    features[id] = {
      name: id.toUpperCase(),
      description: "",
      priority: "medium",
      dependencies: [],
      acceptance: [],
      files: [],
    };
  }
  return { version: 1, synced_at: THEN, features };
}

function input(over: Partial<SyncInput>): SyncInput {
  return { spec: [], file: fileOf(), base: baseOf(), now: NOW, options: {}, ...over };
}

Deno.test("planSync: a feature new in the spec is added to features.json, in spec order", () => {
  const plan = planSync(input({ spec: [specFeature("b"), specFeature("a")] }));
  assert.deepEqual(plan.result.added_to_features, ["a", "b"]);
  assert.deepEqual(plan.features?.map((f) => f.id), ["b", "a"]);
  assert.equal(plan.features?.[0].created_at, NOW);
  assert.equal(plan.specEdits, null);
  assert.deepEqual(plan.events.map((e) => [e.type, e.payload.id]), [
    ["feature.added", "a"],
    ["feature.added", "b"],
  ]);
  assert.deepEqual(Object.keys(plan.base.features).sort(), ["a", "b"]);
});

Deno.test("planSync: edits of different fields on both sides cross over; the input is not changed", () => {
  const file = fileOf(feature("a", { priority: "low" }));
  const before = structuredClone(file);
  const plan = planSync(input({
    spec: [specFeature("a", { description: "Edited in the spec" })],
    file,
    base: baseOf("a"),
  }));
  assert.deepEqual(file, before);
  assert.deepEqual(plan.result.updated_in_features, [{ id: "a", fields: ["description"] }]);
  assert.deepEqual(plan.result.updated_in_spec, [{ id: "a", fields: ["priority"] }]);
  assert.equal(plan.features?.[0].description, "Edited in the spec");
  assert.equal(plan.features?.[0].updated_at, NOW);
  assert.equal(plan.specEdits?.upsert[0].priority, "low");
  assert.deepEqual(plan.result.conflicts, []);
});

Deno.test("planSync: the same field changed differently is a conflict; prefer decides it", () => {
  const args = {
    spec: [specFeature("a", { priority: "high" })],
    file: fileOf(feature("a", { priority: "low" })),
    base: baseOf("a"),
  };
  const plan = planSync(input(args));
  assert.deepEqual(plan.result.conflicts.map((c) => [c.id, c.field, c.spec, c.features]), [
    ["a", "priority", "high", "low"],
  ]);
  assert.equal(plan.features, null);
  assert.equal(plan.specEdits, null);
  assert.equal(plan.base.features.a.priority, "medium", "the base keeps the last agreed value");
  const spec = planSync(input({ ...args, options: { prefer: "spec" } }));
  assert.equal(spec.features?.[0].priority, "high");
  assert.deepEqual(spec.result.conflicts, []);
});

Deno.test("planSync: a feature gone from the spec leaves features.json only while planned", () => {
  const planned = planSync(input({ file: fileOf(feature("a")), base: baseOf("a") }));
  assert.deepEqual(planned.result.removed_from_features, ["a"]);
  assert.deepEqual(planned.features, []);
  assert.deepEqual(planned.events.map((e) => e.type), ["feature.removed"]);
  const started = planSync(input({
    file: fileOf(feature("a", { status: "in_progress" })),
    base: baseOf("a"),
  }));
  assert.deepEqual(started.result.removed_from_features, []);
  assert.match(started.result.conflicts[0].reason, /"in_progress" in features\.json/);
  assert.equal(started.features, null);
});

Deno.test("planSync: a result with a dependency cycle throws invalid_data", () => {
  assert.throws(
    () =>
      planSync(input({
        spec: [specFeature("a", { depends_on: ["b"] }), specFeature("b", { depends_on: ["a"] })],
      })),
    (err: Error & { code?: string }) => err.code === "invalid_data" && /cycle/i.test(err.message),
  );
});
