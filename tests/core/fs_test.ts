import assert from "node:assert/strict";
import { join } from "node:path";
import {
  existsIn,
  existsSync,
  readOwnTextOrNull,
  readTextOrNull,
  writeFileAtomic,
  writeIfChanged,
} from "../../src/core/fs.ts";
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

Deno.test("existsIn() answers as existsSync() for files, folders, links and missing paths", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  await Deno.mkdir(join(d, "sub", "deeper"), { recursive: true });
  await Deno.writeTextFile(join(d, "sub", "file.txt"), "x");
  await Deno.symlink(join(d, "sub"), join(d, "linked"));
  await Deno.symlink(join(d, "gone"), join(d, "dangling"));
  const cases: string[][] = [
    [],
    ["sub"],
    ["sub", "file.txt"],
    ["sub", "deeper"],
    ["sub", "nope.txt"],
    ["nope", "file.txt"],
    ["nope"],
    ["linked", "file.txt"],
    ["linked", "nope.txt"],
    ["dangling"],
    ["dangling", "file.txt"],
    ["SUB", "file.txt"],
  ];
  for (const names of cases) {
    assert.equal(existsIn(d, ...names), existsSync(join(d, ...names)), names.join("/"));
  }
  assert.equal(existsIn(d, "sub", "file.txt"), true);
  assert.equal(existsIn(d, "sub", "nope.txt"), false);
  assert.equal(existsIn(d, "dangling"), true, "a link is an entry, followed or not");
  // Through a file: the same error as a stat.
  assert.throws(() => existsSync(join(d, "sub", "file.txt", "x")));
  assert.throws(() => existsIn(d, "sub", "file.txt", "x"));
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

Deno.test("writeFileAtomic() never replaces a link with a regular file", async (t) => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  const root = join(dir.path, "project");
  await Deno.mkdir(join(root, "data"), { recursive: true });
  const target = join(root, "data", "real.json");
  const link = join(root, "features.json");
  await Deno.writeTextFile(target, "old");
  await Deno.symlink("data/real.json", link);
  const isInvalid = (pattern: RegExp) => (err: unknown) =>
    err instanceof BrError && err.code === "invalid_data" && pattern.test(err.message);

  await t.step("without linksWithin: refused, nothing changed", async () => {
    await assert.rejects(() => writeFileAtomic(link, "new"), isInvalid(/is a symbolic link$/));
    assert.equal(await Deno.readTextFile(target), "old");
    assert.ok((await Deno.lstat(link)).isSymlink);
  });

  await t.step("a target inside the folder: written through, atomically beside it", async () => {
    await writeFileAtomic(link, "new", { linksWithin: root });
    assert.ok((await Deno.lstat(link)).isSymlink);
    assert.equal(await Deno.readTextFile(target), "new");
    const names = [...Deno.readDirSync(join(root, "data"))].map((e) => e.name);
    assert.deepEqual(names, ["real.json"], "no temp file left");
  });

  await t.step("a target outside the folder: refused, target untouched", async () => {
    const victim = join(outside.path, "victim");
    await Deno.writeTextFile(victim, "precious");
    const bad = join(root, "bad.json");
    await Deno.symlink(victim, bad);
    await assert.rejects(
      () => writeFileAtomic(bad, "x", { linksWithin: root }),
      isInvalid(/links to ".*victim", outside the project$/),
    );
    assert.equal(await Deno.readTextFile(victim), "precious");
  });

  await t.step("a folder on the way that links outside: refused", async () => {
    await Deno.symlink(outside.path, join(root, "out"));
    await assert.rejects(
      () => writeFileAtomic(join(root, "out", "new", "file.txt"), "x", { linksWithin: root }),
      isInvalid(/outside the project$/),
    );
    await assert.rejects(() => Deno.lstat(join(outside.path, "new")), Deno.errors.NotFound);
  });

  await t.step("a dangling link: refused", async () => {
    const dangling = join(root, "dangling.json");
    await Deno.symlink("data/missing.json", dangling);
    await assert.rejects(
      () => writeFileAtomic(dangling, "x", { linksWithin: root }),
      isInvalid(/links to a missing file$/),
    );
  });
});

Deno.test("writeFileAtomic() names its temp file .<name>.br-<pid>-<random>.tmp and removes it after a failure", async () => {
  await using dir = await tempDir();
  // A target that is a non-empty folder: the rename fails, and the error names the temp file.
  const path = join(dir.path, "STATUS.md");
  await Deno.mkdir(path);
  await Deno.writeTextFile(join(path, "keep"), "x");
  await assert.rejects(
    () => writeFileAtomic(path, "data"),
    (err: unknown) =>
      err instanceof BrError && err.code === "storage" &&
      new RegExp(`/\\.STATUS\\.md\\.br-${Deno.pid}-[0-9a-z]+\\.tmp'`).test(err.message),
  );
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["STATUS.md"]);
});

Deno.test("readOwnTextOrNull() refuses invalid UTF-8 and keeps a byte order mark", async () => {
  await using dir = await tempDir();
  const path = join(dir.path, "own.json");
  assert.equal(await readOwnTextOrNull(path), null);
  await Deno.writeFile(path, new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]));
  assert.equal(await readOwnTextOrNull(path), "\uFEFF{}");
  for (
    const [bytes, at, byte] of [
      [[0x61, 0xff], 1, "FF"],
      [[0x61, 0xe2, 0x82], 1, "E2"], // cut short
      [[0xed, 0xa0, 0x80], 0, "ED"], // a surrogate
      [[0x61, 0xc0, 0xaf], 1, "C0"], // overlong
    ] as const
  ) {
    await Deno.writeFile(path, new Uint8Array(bytes));
    await assert.rejects(
      () => readOwnTextOrNull(path, "own.json"),
      (err: unknown) =>
        err instanceof BrError && err.code === "invalid_data" &&
        err.message ===
          `Cannot read own.json: it is not valid UTF-8 (byte 0x${byte} at offset ${at})`,
    );
    assert.deepEqual(await Deno.readFile(path), new Uint8Array(bytes));
  }
});
