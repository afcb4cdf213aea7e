import assert from "node:assert/strict";
import { join } from "node:path";
import { readTextOrNull, writeFileAtomic, writeIfChanged } from "../../src/core/fs.ts";
import { BrError } from "../../src/core/errors.ts";
import { tempDir } from "../helpers.ts";

const enc = new TextEncoder();

Deno.test("writeIfChanged() with bytes leaves a file that holds them alone, and replaces any other", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "STATUS.md");
  const text = "# Status — ünïcode\n- one\n";

  assert.equal(await writeIfChanged(path, enc.encode(text)), true, "missing file: written");
  assert.equal(await Deno.readTextFile(path), text);
  const ino = (await Deno.stat(path)).ino;

  assert.equal(await writeIfChanged(path, enc.encode(text)), false, "same bytes: untouched");
  assert.equal((await Deno.stat(path)).ino, ino, "not replaced");

  // Same size, one byte different.
  const other = text.replace("one", "two");
  assert.equal(await writeIfChanged(path, enc.encode(other)), true);
  assert.equal(await Deno.readTextFile(path), other);

  // A file that is not UTF-8, of the same size: compared byte by byte.
  const bytes = enc.encode(other);
  const broken = bytes.slice();
  broken[2] = 0xff;
  await Deno.writeFile(path, broken);
  assert.equal(await writeIfChanged(path, broken), false, "the very same non-UTF-8 bytes");
  assert.equal(await writeIfChanged(path, bytes), true);
  assert.deepEqual(await Deno.readFile(path), bytes);

  // Text compares as text.
  assert.equal(await writeIfChanged(path, other), false);
  assert.equal(await writeIfChanged(path, text), true);
  assert.equal(await Deno.readTextFile(path), text);
});

Deno.test("readTextOrNull() is null for a missing file and a storage error for a folder", async () => {
  await using dir = await tempDir();
  assert.equal(await readTextOrNull(join(dir.path, "nope.txt")), null);
  await writeFileAtomic(join(dir.path, "a.txt"), "hello");
  assert.equal(await readTextOrNull(join(dir.path, "a.txt")), "hello");
  await assert.rejects(
    () => readTextOrNull(dir.path),
    (err: unknown) =>
      err instanceof BrError && err.code === "storage" && /Cannot read/.test(err.message),
  );
});
