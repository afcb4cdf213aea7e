import assert from "node:assert/strict";
import { compareText } from "../../src/core/text.ts";

Deno.test("compareText() orders by UTF-16 code units, as sort() does without a comparator", () => {
  const names = ["src/b.ts", "src/a_b.ts", "src/B.ts", "src/a-b.ts", "src/a.ts", "é", "z"];
  assert.deepEqual([...names].sort(compareText), [...names].sort());
  assert.deepEqual([...names].sort(compareText), [
    "src/B.ts",
    "src/a-b.ts",
    "src/a.ts",
    "src/a_b.ts",
    "src/b.ts",
    "z",
    "é",
  ]);
  assert.equal(compareText("x", "x"), 0);
});
