import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gitBlobId, sha256Hex } from "../../src/core/hash.ts";
import { tempDir } from "../helpers.ts";

// Every length around the 64-byte block and its 56-byte padding limit, and longer ones.
const LENGTHS = [...Array(140).keys(), 1000, 4095, 4096, 65_536];

Deno.test("sha256Hex() equals node:crypto on edge lengths, non-ASCII text and bytes", () => {
  const texts = ["", "abc", "é✓😀", ...LENGTHS.map((n) => "y".repeat(n))];
  for (const s of texts) {
    assert.equal(sha256Hex(s), createHash("sha256").update(s).digest("hex"), `${s.length}`);
  }
  assert.equal(
    sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  for (const n of LENGTHS) {
    const bytes = crypto.getRandomValues(new Uint8Array(n));
    assert.equal(sha256Hex(bytes), createHash("sha256").update(bytes).digest("hex"), `${n}`);
  }
});

Deno.test("gitBlobId() is the id git hash-object gives, with SHA-1 and SHA-256 ids", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/blob`;
  const git = async (args: string[]) => {
    const out = await new Deno.Command("git", { args, cwd: dir.path, stdout: "piped" }).output();
    assert.equal(out.code, 0, args.join(" "));
    return new TextDecoder().decode(out.stdout).trim();
  };
  for (const content of ["", "hello\n", "x".repeat(100_000), "é\0binary\r\n"]) {
    const bytes = new TextEncoder().encode(content);
    await Deno.writeFile(file, bytes);
    for (const format of ["sha1", "sha256"] as const) {
      await Deno.remove(`${dir.path}/.git`, { recursive: true }).catch(() => {});
      await git(["init", "-q", `--object-format=${format}`]);
      const id = await git(["hash-object", "--no-filters", "blob"]);
      assert.equal(id.length, format === "sha1" ? 40 : 64);
      assert.equal(await gitBlobId(bytes, format === "sha1" ? 40 : 64), id, `${content.length}`);
    }
  }
});
