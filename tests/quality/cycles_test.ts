import assert from "node:assert/strict";
import { type Edge, findCycles } from "../../src/quality/_analysis.ts";
import { analyzeGaps } from "../../src/quality/mod.ts";
import { openProject } from "../../src/core/project.ts";
import { tempProject } from "../helpers.ts";

const e = (from: string, to: string): Edge => ({
  from,
  to,
  line: 1,
  type_only: false,
  dynamic: false,
});

Deno.test("findCycles() reports one path per cycle, self-imports included, and no DAG edges", () => {
  const edges = [
    e("a", "b"),
    e("b", "c"),
    e("c", "a"),
    e("c", "d"), // d is outside the cycle
    e("d", "e"),
    e("x", "y"),
    e("y", "x"),
    e("s", "s"),
  ];
  assert.deepEqual(findCycles(edges), [["a", "b", "c", "a"], ["s", "s"], ["x", "y", "x"]]);
  assert.deepEqual(findCycles([e("a", "b"), e("b", "c")]), []);
});

Deno.test("findCycles() handles a 50,000-file chain without overflowing the stack", () => {
  const n = 50_000;
  const edges = Array.from({ length: n }, (_, i) => e(`f${i}`, `f${(i + 1) % n}`));
  const [cycle] = findCycles(edges);
  assert.equal(cycle.length, n + 1);
  assert.equal(cycle[0], cycle[n]);
});

Deno.test("analyzeGaps(): a cycle closed only by import() or import type is not an import cycle", async () => {
  await using dir = await tempProject();
  const write = (p: string, s: string) => Deno.writeTextFile(`${dir.path}/${p}`, s);
  await Deno.mkdir(`${dir.path}/src`);
  await write(
    "src/app.ts",
    'import { run } from "./cmd.ts";\nexport const name = "app";\nrun();\n',
  );
  await write(
    "src/cmd.ts",
    'import type { X } from "./types.ts";\nexport async function run(): Promise<X | void> {\n  const { name } = await import("./app.ts");\n  console.log(name);\n}\n',
  );
  await write(
    "src/types.ts",
    'import { run } from "./cmd.ts";\nexport type X = ReturnType<typeof run>;\n',
  );
  await write("src/a.ts", 'import { b } from "./b.ts";\nexport const a = () => b;\n');
  await write("src/b.ts", 'import { a } from "./a.ts";\nexport const b = () => a;\n');
  const report = await analyzeGaps(await openProject({ cwd: dir.path }));
  const cycles = report.gaps.filter((g) => g.kind === "import_cycle").map((g) => g.message);
  assert.deepEqual(cycles, ["Import cycle: src/a.ts → src/b.ts → src/a.ts"]);
});
