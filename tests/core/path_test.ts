import assert from "node:assert/strict";
import posix from "node:path/posix";
import win32 from "node:path/win32";
import { fileURLToPath } from "node:url";
import { pathFunctions } from "../../src/core/path.ts";

const POSIX_PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "/a",
  "/a/",
  "/a/b/c",
  "a/b/../c",
  "/a/./b//c/",
  "../../x",
  "/..",
  "/a/../..",
  "a/../..",
  "/work/main/.buildrunner/features.json",
  ".a",
  "a/.b/",
  "a..b/c.",
  "./a",
  "a/.",
  "a/./",
  "..a/b",
  "a/b/..",
  "a/b/../",
  "/.../x",
];
const WIN_PATHS = [
  ...POSIX_PATHS,
  "C:",
  "C:\\",
  "C:/",
  "C:\\a\\b",
  "C:/a/b/",
  "c:\\a\\..\\..\\b",
  "C:a\\b",
  "\\a\\b",
  "\\\\server\\share",
  "\\\\server\\share\\",
  "\\\\server\\share\\x\\..\\y",
  "D:\\proj\\.buildrunner\\features.json",
];

for (
  const [name, ours, node, paths, cwd] of [
    ["posix", pathFunctions(false, () => "/home/u/proj"), posix, POSIX_PATHS, "/home/u/proj"],
    [
      "win32",
      pathFunctions(true, () => "C:\\Users\\u\\proj"),
      win32,
      WIN_PATHS,
      "C:\\Users\\u\\proj",
    ],
  ] as const
) {
  Deno.test(`core/path (${name}) agrees with node:path`, () => {
    const nodeResolve = (...p: string[]) => node.resolve(cwd, ...p);
    for (const p of paths) {
      assert.equal(ours.normalize(p), node.normalize(p), `normalize(${JSON.stringify(p)})`);
      assert.equal(ours.dirname(p), node.dirname(p), `dirname(${JSON.stringify(p)})`);
      assert.equal(ours.basename(p), node.basename(p), `basename(${JSON.stringify(p)})`);
      assert.equal(ours.isAbsolute(p), node.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
      // Drive-relative Windows paths ("C:x") resolve against a per-drive working directory
      // that only cmd.exe keeps; br never builds them.
      const driveRelative = name === "win32" && /^[A-Za-z]:(?![\\/])/.test(p);
      if (!driveRelative) {
        assert.equal(ours.resolve(p), nodeResolve(p), `resolve(${JSON.stringify(p)})`);
      }
      for (const q of ["x", "../y", "", "/z", ".buildrunner/features.json"]) {
        assert.equal(ours.join(p, q), node.join(p, q), `join(${JSON.stringify([p, q])})`);
        if (driveRelative) continue;
        assert.equal(
          ours.relative(p, q),
          node.relative(nodeResolve(p), nodeResolve(q)),
          `relative(${JSON.stringify([p, q])})`,
        );
      }
    }
    assert.equal(ours.sep, node.sep);
  });
}

Deno.test("core/path fromFileUrl agrees with node:url (POSIX) and maps Windows URLs", () => {
  const posixPaths = pathFunctions(false, () => "/");
  for (
    const url of [
      "file:///work/main/main.ts",
      "file:///a%20b/%C3%A9t%C3%A9.ts",
      "file:///x/100%25/y",
      "file:///tmp/deno-compile-br/main.ts",
    ]
  ) {
    assert.equal(posixPaths.fromFileUrl(url), fileURLToPath(url), url);
    assert.equal(posixPaths.fromFileUrl(new URL(url)), fileURLToPath(url), url);
  }
  const win = pathFunctions(true, () => "C:\\");
  assert.equal(win.fromFileUrl("file:///C:/Users/u/br/main.ts"), "C:\\Users\\u\\br\\main.ts");
  assert.equal(win.fromFileUrl("file://server/share/a%20b.ts"), "\\\\server\\share\\a b.ts");
  assert.throws(() => win.fromFileUrl("https://example.com/x"), /Not a file URL/);
});

Deno.test("core/path normalize agrees with node:path on random paths", () => {
  const segments = ["a", "b", ".", "..", "", ".x", "x.", "...", "..y"];
  const posixPath = pathFunctions(false, () => "/home/u/proj");
  const winPath = pathFunctions(true, () => "C:\\Users\\u\\proj");
  for (let i = 0; i < 5000; i++) {
    const n = 1 + Math.floor(Math.random() * 6);
    const parts = Array.from({ length: n }, () => segments[Math.floor(Math.random() * 9)]);
    const p = (Math.random() < 0.5 ? "/" : "") + parts.join("/");
    assert.equal(posixPath.normalize(p), posix.normalize(p), JSON.stringify(p));
    assert.equal(posixPath.join(p, "x"), posix.join(p, "x"), JSON.stringify(p));
    // (As a Windows path, a leading "//" is a UNC name, which br never builds.)
    if (p.startsWith("//")) continue;
    const w = p.replaceAll("/", Math.random() < 0.5 ? "\\" : "/");
    assert.equal(winPath.normalize(w), win32.normalize(w), JSON.stringify(w));
  }
});
