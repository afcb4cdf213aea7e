import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../src/core/sha256.ts";

Deno.test("sha256Hex() equals node:crypto on edge lengths and non-ASCII text", () => {
  const inputs = ["", "abc", "é✓😀", ..."x".repeat(130).split("").map((_, i) => "y".repeat(i))];
  for (const s of inputs) {
    assert.equal(sha256Hex(s), createHash("sha256").update(s).digest("hex"), `length ${s.length}`);
  }
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
