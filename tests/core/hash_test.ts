import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha256Hex } from "../../src/core/hash.ts";

Deno.test("sha256Hex() is SHA-256 of the UTF-8 bytes, as hex", async () => {
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  for (const s of ["", "ключ ✓ 🔑", "x".repeat(55), "x".repeat(64), "rules:\n  a: 1\n"]) {
    assert.equal(await sha256Hex(s), createHash("sha256").update(s).digest("hex"), s);
  }
});
