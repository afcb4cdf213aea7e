import assert from "node:assert/strict";
import { type Edge, findCycles } from "../../src/quality/_analysis.ts";

const e = (from: string, to: string): Edge => ({ from, to, line: 1, type_only: false });

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
