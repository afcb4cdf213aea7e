import assert from "node:assert/strict";
import picomatch from "picomatch";
import { globsOverlap, globToRegExp, matchesAny } from "../../src/core/glob.ts";

/** Patterns br's glob must match exactly as picomatch (`dot: true`) does. */
const PATTERNS = [
  "src/a.ts",
  "src/*.ts",
  "src/*.{ts,js}",
  "src/{a,b}/x.ts",
  "src/{a,b/{c,d}}/*.ts",
  "src/a{,.test}.ts",
  "src/**",
  "src/**/*.ts",
  "**/*.ts",
  "**/x",
  "**/x/**",
  "src/**/x/*.ts",
  "src/*/x.ts",
  "src/*",
  "*",
  "*.md",
  "**",
  "src/?.ts",
  "src/??.ts",
  "src/[ab].ts",
  "src/[a-c]*.ts",
  "src/[^a].ts",
  "src/[]].ts",
  "src/[.]*",
  "src/\\*.ts",
  "src/a\\[b].ts",
  "src/**.ts",
  "src/a**b/c.ts",
  "src/**/**/x.ts",
  "a/**/b/**/c",
  ".env*",
  "**/.env",
  "feature/*",
  "release/v[0-9]*",
  "src/日本/*.ts",
  "src/a+b.ts",
  "src/a$b^.ts",
  "docs",
  "src/auth",
  "src/{a,b}",
];

const PATHS = [
  "src/a.ts",
  "src/b.ts",
  "src/c.ts",
  "src/d.ts",
  "src/a.js",
  "src/a.test.ts",
  "src/ab.ts",
  "src/.a.ts",
  "src/*.ts",
  "src/].ts",
  "src/a[b].ts",
  "src/a/x.ts",
  "src/b/x.ts",
  "src/c/x.ts",
  "src/b/c/x.ts",
  "src/b/d/y.ts",
  "src/a/b/c.ts",
  "src/x",
  "src/x/a.ts",
  "src/deep/x/a.ts",
  "src/abb/c.ts",
  "src/ab/c.ts",
  "src/aXYb/c.ts",
  "src/x.ts",
  "src/x/x.ts",
  "src",
  "x",
  "a/x",
  "a/b/x",
  "x/y",
  "a/x/y/z",
  "a/b/c",
  "a/x/b/y/c",
  "a/bc",
  "README.md",
  "docs/README.md",
  "docs",
  "docs/a/b.md",
  "docsy",
  ".env",
  ".env.local",
  "app/.env",
  "feature/login",
  "feature/a/b",
  "release/v1.2",
  "release/x",
  "src/日本/a.ts",
  "src/a+b.ts",
  "src/a$b^.ts",
  "src/auth",
  "src/auth/login.ts",
  "src/authx.ts",
  "src/a",
  "src/b/z.md",
];

/** picomatch, plus br's rule that a pattern without wildcards covers what is below it. */
function reference(pattern: string, path: string): boolean {
  const opts = { dot: true };
  if (picomatch(pattern, opts)(path)) return true;
  return !/[*?[\\]/.test(pattern) && picomatch(`${pattern}/**`, opts)(path);
}

Deno.test("globToRegExp matches the table of patterns exactly as picomatch does", () => {
  const wrong: string[] = [];
  for (const pattern of PATTERNS) {
    const re = globToRegExp(pattern);
    for (const path of PATHS) {
      const want = reference(pattern, path);
      if (re.test(path) !== want) wrong.push(`${pattern} vs ${path}: picomatch says ${want}`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("the table's patterns each match some path and miss some other", () => {
  for (const pattern of PATTERNS) {
    const re = globToRegExp(pattern);
    assert.ok(PATHS.some((p) => re.test(p)), `${pattern} matches nothing`);
    if (pattern !== "**") assert.ok(PATHS.some((p) => !re.test(p)), `${pattern} matches all`);
  }
});

Deno.test("br's own glob rules: folders cover what is below, ./ and trailing / are read", () => {
  const yes: [string, string][] = [
    ["src/auth", "src/auth/login.ts"],
    ["src/auth/", "src/auth/login.ts"],
    ["./src/*.ts", "src/a.ts"],
    ["  src/*.ts ", "src/a.ts"],
    ["src/{auth,*.md}", "src/auth/x.ts"], // the plain alternative covers below
    ["src/{auth,*.md}", "src/a.md"],
    // Where picomatch differs: `[!a]` is a negated set as in POSIX shells and .gitignore
    // (picomatch 4 reads it as "! or a"), parentheses are plain characters (picomatch reads
    // extglob groups), `?` and sets match one character even outside the BMP (picomatch counts
    // UTF-16 units).
    ["src/[!a].ts", "src/b.ts"],
    ["src/(x).ts", "src/(x).ts"],
    ["src/?.ts", "src/🎉.ts"],
    ["src/🎉?.ts", "src/🎉a.ts"],
    ["src/[🎉x].ts", "src/🎉.ts"],
  ];
  const no: [string, string][] = [
    ["src/auth", "src/authx.ts"],
    ["src/*.ts", "src/a.ts/b"], // a pattern with wildcards does not
    ["src/{auth,*.md}", "src/a.md/b"],
    ["feature/*", "feature/a/b"],
    ["src/*", "src"],
    ["src/[!a].ts", "src/a.ts"],
    ["src/(x).ts", "src/x.ts"],
    ["src/??.ts", "src/🎉.ts"],
    ["", "src/a.ts"], // a blank pattern matches nothing
    ["  ", ""],
    ["{,}", "a"],
  ];
  for (const [g, p] of yes) assert.equal(globToRegExp(g).test(p), true, `${g} vs ${p}`);
  for (const [g, p] of no) assert.equal(globToRegExp(g).test(p), false, `${g} vs ${p}`);
  assert.equal(matchesAny("src/a.ts", ["docs/**", "src/*.{ts,js}"]), true);
  assert.equal(matchesAny("src/a.ts", []), false);
});

Deno.test("globsOverlap decides whether two globs share a path", () => {
  const yes: [string, string][] = [
    ["src/auth/**", "src/auth/login.ts"],
    ["src/**", "src/a/b/c.ts"],
    ["src/*.ts", "src/index.ts"],
    ["src/*.{ts,js}", "src/a.ts"],
    ["src/auth", "src/auth/x.ts"],
    ["src/auth/", "src/auth/x.ts"],
    ["**/*.test.ts", "src/a/b.test.ts"],
    ["src/{a,b}/x.ts", "src/b/*.ts"],
    ["src/[a-c]*.ts", "src/b?.ts"],
    ["src/[ab].ts", "src/b.ts"],
    ["src/[ab].ts", "src/[!a].ts"],
    ["src/[!a].ts", "src/[!b].ts"],
    ["**/x", "x"],
    ["**/x", "a/b/x"],
    ["*.md", "README.md"],
    ["a/**/c", "a/b/**"],
    ["src/*", "src/?"],
  ];
  const no: [string, string][] = [
    ["src/auth/**", "src/billing/**"],
    ["src/*.ts", "src/a/index.ts"],
    ["src/*.ts", "src/*.js"],
    ["docs/**", "src/**"],
    ["src/[a-c]*.ts", "src/d*.ts"],
    ["src/[ab].ts", "src/c.ts"],
    ["src/[ab].ts", "src/[!ab].ts"],
    ["src/[a-c].ts", "src/[!a-c].ts"],
    ["src/{a,b}/x.ts", "src/c/x.ts"],
    ["**/x", "x/*.ts"], // a pattern with wildcards does not cover what is below it
    ["**/x", "a/*.ts"],
    ["src/*.ts", "src/a.ts/b"],
    ["src/*.md", "src/*/*.md"],
    ["", "**"],
  ];
  for (const [a, b] of yes) {
    assert.equal(globsOverlap(a, b), true, `${a} vs ${b}`);
    assert.equal(globsOverlap(b, a), true, `${b} vs ${a}`);
  }
  for (const [a, b] of no) {
    assert.equal(globsOverlap(a, b), false, `${a} vs ${b}`);
    assert.equal(globsOverlap(b, a), false, `${b} vs ${a}`);
  }
});

Deno.test("globsOverlap agrees with the matcher: a path both match means overlap", () => {
  // Every pair of the table with a common path in PATHS must be reported as overlapping, and
  // every pair reported as disjoint has no common path.
  const missed: string[] = [];
  for (const a of PATTERNS) {
    const ra = globToRegExp(a);
    for (const b of PATTERNS) {
      const rb = globToRegExp(b);
      const witness = PATHS.find((p) => ra.test(p) && rb.test(p));
      if (witness && !globsOverlap(a, b)) missed.push(`${a} vs ${b} (both match ${witness})`);
    }
  }
  assert.deepEqual(missed, []);
});
