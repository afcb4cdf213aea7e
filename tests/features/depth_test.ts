/**
 * Deep dependency chains and deeply nested values in features.json: graph walks keep their
 * own stack, waves are computed in one pass, and a value nested past the documented depth is
 * refused when read (exit 3, one line, file untouched) instead of overflowing a later walk.
 */
import assert from "node:assert/strict";
import { MAX_JSON_DEPTH, nestsDeeperThan, tooDeepAt } from "../../src/core/json_depth.ts";
import { dependencyWaves, findCycle, type GraphNode } from "../../src/features/mod.ts";
import { br, brProcess, tempProject } from "../helpers.ts";

const FEATURES = ".buildrunner/features.json";
const pad = (i: number) => `f-${String(i).padStart(5, "0")}`;

/** A file of `n` features where each depends on the next one: the first is the deepest. */
function chainFile(n: number): string {
  const features = Array.from({ length: n }, (_, i) => ({
    id: pad(i),
    name: `Feature ${i}`,
    dependencies: i + 1 < n ? [pad(i + 1)] : [],
  }));
  return JSON.stringify({ project: "deep", features }, null, 2);
}

Deno.test("a 20 000-deep dependency chain: feature add, graph and validate work", async () => {
  await using dir = await tempProject();
  const n = 20_000;
  await Deno.writeTextFile(`${dir.path}/${FEATURES}`, chainFile(n));
  // a real subprocess: the call stack a user's br has
  const add = await brProcess(["feature", "add", "On top", "--depends-on", pad(0)], {
    cwd: dir.path,
  });
  assert.equal(add.code, 0, add.stderr);
  const graph = await brProcess(["feature", "graph", "--json"], { cwd: dir.path });
  assert.equal(graph.code, 0, graph.stderr);
  const { waves } = JSON.parse(graph.stdout);
  assert.equal(waves.length, n + 1);
  assert.deepEqual(waves[0], [pad(n - 1)]);
  assert.deepEqual(waves[n - 1], [pad(0)]);
  assert.deepEqual(waves[n], ["on-top"]);
  const validate = await brProcess(["validate", "--json", "--gates", "features"], {
    cwd: dir.path,
  });
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  // a cycle closed at the far end of the chain is found without recursion
  const features: GraphNode[] = JSON.parse(chainFile(n)).features.map((f: GraphNode) => ({
    ...f,
    status: "planned",
    priority: "medium",
  }));
  features[n - 1].dependencies = [pad(0)];
  const cycle = findCycle(features)!;
  assert.equal(cycle.length, n + 1);
  assert.deepEqual([cycle[0], cycle[1], cycle[n]], [pad(0), pad(1), pad(0)]);
  // and reported on one short line
  await Deno.writeTextFile(
    `${dir.path}/${FEATURES}`,
    JSON.stringify({ features: features.map((f) => ({ ...f, name: f.id })) }),
  );
  const refused = await brProcess(["feature", "add", "More"], { cwd: dir.path });
  assert.equal(refused.code, 3, refused.stderr);
  assert.equal(
    refused.stderr.split("\n")[0],
    `error: ${FEATURES}: dependency cycle ${[0, 1, 2, 3, 4].map(pad).join(" -> ")} -> ... (${
      n - 9
    } more) -> ${[n - 4, n - 3, n - 2, n - 1, 0].map(pad).join(" -> ")}`,
  );
});

Deno.test("dependencyWaves() of 50 000 features puts each in the wave after its last dependency", () => {
  let seed = 7;
  const rand = (k: number) => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % k;
  const n = 50_000;
  const features: GraphNode[] = Array.from({ length: n }, (_, i) => ({
    id: `x${i}`,
    // up to three earlier features, some long jumps, some repeated, some complete
    dependencies: i === 0
      ? []
      : Array.from({ length: rand(4) }, () => `x${i - 1 - rand(Math.min(i, 20))}`),
    status: rand(10) === 0 ? "complete" : "planned",
    priority: "medium",
  }));
  for (const openOnly of [false, true]) {
    const waves = dependencyWaves(features, openOnly);
    const included = features.filter((f) => !openOnly || f.status !== "complete");
    const waveOf = new Map<string, number>();
    waves.forEach((w, k) => {
      assert.deepEqual(w, [...w].sort());
      for (const id of w) {
        assert.ok(!waveOf.has(id), `${id} twice`);
        waveOf.set(id, k);
      }
    });
    assert.equal(waveOf.size, included.length);
    for (const f of included) {
      const deps = f.dependencies.filter((d) => waveOf.has(d));
      const expected = deps.length ? Math.max(...deps.map((d) => waveOf.get(d)!)) + 1 : 0;
      assert.equal(waveOf.get(f.id), expected, f.id);
    }
  }
  features[0].dependencies = [`x${n - 1}`];
  assert.throws(() => dependencyWaves(features), /Dependency cycle x0 -> .* -> x0/);
});

Deno.test(`a features.json value nested 100 000 deep: exit 3, one line, file untouched`, async () => {
  await using dir = await tempProject();
  const depth = 100_000;
  const text = JSON.stringify({
    features: [{ id: "a", name: "A", extra: "__DEEP__" }],
  }).replace('"__DEEP__"', "[".repeat(depth) + "]".repeat(depth));
  await Deno.writeTextFile(`${dir.path}/${FEATURES}`, text);
  for (
    const args of [
      ["status"],
      ["feature", "list", "--json"],
      ["feature", "graph"],
      ["feature", "add", "New one"],
      ["feature", "complete", "a"],
    ]
  ) {
    const res = await brProcess(args, { cwd: dir.path });
    assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
    const lines = res.stderr.trim().split("\n");
    assert.equal(
      lines[0],
      `error: Invalid ${FEATURES}: the value at features[0].extra nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
    assert.match(lines[1], /^hint: /);
    assert.equal(lines.length, 2);
    assert.equal(await Deno.readTextFile(`${dir.path}/${FEATURES}`), text);
  }
  const validate = await br(["validate", "--json", "--gates", "features"], { cwd: dir.path });
  assert.equal(validate.code, 10, validate.stderr);
  assert.match(JSON.parse(validate.stdout).gates[0].summary, /nests deeper than 1000 levels/);
});

Deno.test("tooDeepAt() allows exactly MAX_JSON_DEPTH levels and names the field past it", () => {
  const nest = (levels: number): unknown => {
    let v: unknown = [];
    for (let i = 1; i < levels; i++) v = [v];
    return v;
  };
  assert.equal(nestsDeeperThan(nest(5), 5), false);
  assert.equal(nestsDeeperThan(nest(6), 5), true);
  assert.equal(nestsDeeperThan("text", 0), false);
  // the document is level 1, so a top-level value may nest MAX_JSON_DEPTH - 1 levels
  assert.equal(tooDeepAt({ features: [], extra: nest(MAX_JSON_DEPTH - 1) }), null);
  assert.equal(tooDeepAt({ features: [], extra: nest(MAX_JSON_DEPTH) }), "extra");
  // a feature's field: document, list, feature, then the value
  const feature = (levels: number) => ({ features: [{ id: "a", x: nest(levels) }] });
  assert.equal(tooDeepAt(feature(MAX_JSON_DEPTH - 3)), null);
  assert.equal(tooDeepAt(feature(MAX_JSON_DEPTH - 2)), "features[0].x");
});

Deno.test("findCycle() reports the cycle met first in id order, whatever the order of the file", () => {
  const node = (id: string, dep: string): GraphNode => ({
    id,
    dependencies: [dep],
    status: "planned",
    priority: "medium",
  });
  const pairs = [["y", "z"], ["Beta", "alpha"], ["w", "x"]];
  const features = pairs.flatMap(([a, b]) => [node(a, b), node(b, a)]);
  // Ids in the order of the user's language (a before B), not of their code units (B before a).
  assert.deepEqual(findCycle(features), ["alpha", "Beta", "alpha"]);
  assert.deepEqual(findCycle([...features].reverse()), ["alpha", "Beta", "alpha"]);
  assert.equal(findCycle(features.filter((f) => !["Beta", "x", "z"].includes(f.id))), null);
});
