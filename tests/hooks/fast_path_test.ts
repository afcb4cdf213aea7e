import assert from "node:assert/strict";
import { moduleGraph } from "../helpers.ts";

/** Modules loaded at start-up by `entry`: static imports only (dynamic ones load on demand). */
const staticGraph = (entry: string) => moduleGraph(new URL(entry, import.meta.url));

Deno.test("the hook runner never loads the TypeScript compiler, the analyzers or the registry at start-up", async () => {
  const graph = await staticGraph("../../src/cli/commands/hooks_run.ts");
  const loaded = [...graph];
  assert.ok(loaded.some((m) => m.endsWith("/src/hooks/run.ts")), "the graph was read");
  assert.ok(loaded.some((m) => m.endsWith("/src/quality/governance.ts")));
  for (
    const heavy of [
      "typescript@",
      "acorn",
      "@lezer/",
      "/src/quality/_ts.ts",
      "/src/quality/_estree.ts",
      "/src/quality/_py.ts",
      "/src/quality/_analysis.ts",
      "/src/quality/gaps.ts",
      // Loaded only for a commit that stages features.json.
      "/src/features/registry.ts",
      "/src/features/status_render.ts",
      // Installing hooks (and the check for displaced hooks after a config change) only.
      "/src/hooks/install.ts",
    ]
  ) {
    assert.equal(loaded.some((m) => m.includes(heavy)), false, `${heavy} is loaded by the hooks`);
  }
  // The gaps command does load the analyzers (lazily), so the check above can tell.
  const gaps = await staticGraph("../../src/quality/gaps.ts");
  assert.ok([...gaps].some((m) => m.endsWith("/src/quality/_analysis.ts")));
});

Deno.test("the analyzers load each parser only for a tree with files of its language", async () => {
  const analysis = [...await staticGraph("../../src/quality/_analysis.ts")];
  for (
    const parser of [
      "typescript@",
      "acorn",
      "@lezer/",
      "/src/quality/_ts.ts",
      "/src/quality/_estree.ts",
      "/src/quality/_py.ts",
    ]
  ) {
    assert.equal(analysis.some((m) => m.includes(parser)), false, `${parser} is loaded eagerly`);
  }
  const py = [...await staticGraph("../../src/quality/_py.ts")];
  assert.ok(py.some((m) => m.includes("@lezer/python@")), "the Python parser was read");
  assert.equal(py.some((m) => m.includes("typescript@")), false);
});

Deno.test("br's entry point loads neither the parser nor the command tree at start-up", async () => {
  const entry = [...await staticGraph("../../main.ts")];
  assert.ok(entry.some((m) => m.endsWith("/src/cli/app.ts")), "the graph was read");
  for (const tree of ["@stricli/", "/src/cli/tree.ts", "/src/cli/commands/"]) {
    assert.equal(entry.some((m) => m.includes(tree)), false, `${tree} is loaded at start-up`);
  }
  // Nor do the runners a plain line loads (src/cli/app.ts).
  for (const runner of ["hooks_run.ts", "project_run.ts", "quality_run.ts"]) {
    const graph = [...await staticGraph(`../../src/cli/commands/${runner}`)];
    assert.ok(graph.length > 5, `${runner}: the graph was read`);
    assert.equal(graph.some((m) => m.includes("@stricli/")), false, `${runner} loads the parser`);
  }
  // The command tree does load the parser, so the check above can tell.
  const tree = await staticGraph("../../src/cli/tree.ts");
  assert.ok([...tree].some((m) => m.includes("@stricli/core")));
});
