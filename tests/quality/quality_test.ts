import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { checkQuality } from "../../src/quality/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

const complexTs = [
  "export function grade(n: number): string {", // 3
  ...Array.from({ length: 11 }, (_, i) => `  if (n === ${i}) return "g${i}";`),
  '  return "none";',
  "}",
].join("\n");

Deno.test("checkQuality() gives the known score of a small TS project", async () => {
  await using dir = await tempProject("q-ts");
  await writeTree(dir.path, {
    "README.md": "# Demo\n",
    "src/a.ts":
      `/** Adds one. */\nexport function inc(n: number): number {\n  return n + 1;\n}\n${complexTs}\n`,
    "tests/a_test.ts":
      'import { inc } from "../src/a.ts";\nif (inc(1) !== 2) throw new Error("bad");\n',
    "coverage/lcov.info": "SF:src/a.ts\nLF:4\nLH:3\nend_of_record\n",
  });
  const project = await openProject({ cwd: dir.path });
  const r = await checkQuality(project);
  await project.close();
  // structure: 2 files + 2 functions, one too complex → 75
  assert.equal(r.dimensions.structure.score, 75);
  assert.equal(r.dimensions.structure.details.complex_functions, 1);
  assert.equal(r.dimensions.security.score, 100);
  // tests: ratio 1/1 → 100; coverage 75 → (100 + 75) / 2
  assert.equal(r.dimensions.tests.score, 87.5);
  assert.equal(r.dimensions.tests.details.coverage_percent, 75);
  // docs: README 30 + 70 × 1/2
  assert.equal(r.dimensions.docs.score, 65);
  // round(0.35·75 + 0.2·100 + 0.25·87.5 + 0.2·65) = round(81.125)
  assert.equal(r.score, 81);
  assert.equal(r.passed, true);
  assert.deepEqual(r.findings.map((f) => `${f.file}:${f.line} ${f.kind}`), [
    "src/a.ts:5 complex_function",
    "src/a.ts:5 missing_doc",
  ]);
  assert.match(r.findings[0].message, /complexity 12 \(limit 10\)/);
});

Deno.test("checkQuality() gives the known score of a small Python project", async () => {
  await using dir = await tempProject("q-py");
  const longBody = Array.from({ length: 70 }, (_, i) => `    x${i} = ${i}`).join("\n");
  await writeTree(dir.path, {
    "pkg/__init__.py": "",
    "pkg/core.py": [
      "def public():",
      '    """Documented."""',
      "    return 1",
      "",
      "class Widget:",
      "    def draw(self):",
      "        return 2",
      "",
      "def _private():",
      longBody,
      "",
    ].join("\n"),
    "pkg/extra.py": "def helper(a, b):\n    return a and b or None\n",
    "tests/test_core.py":
      "from pkg.core import public\n\ndef test_public():\n    assert public() == 1\n",
    "coverage.json": JSON.stringify({ totals: { percent_covered: 50 } }),
    "app.py":
      "import sqlite3\ndef q(db, name):\n    return db.execute(f\"SELECT * FROM t WHERE name = '{name}'\")\n",
  });
  const project = await openProject({ cwd: dir.path });
  const r = await checkQuality(project, { threshold: 90 });
  await project.close();
  // 5 files + 6 functions (public, draw, _private, helper, test_public, q); _private too long
  assert.equal(r.dimensions.structure.details.files, 5);
  assert.equal(r.dimensions.structure.details.functions, 6);
  assert.equal(r.dimensions.structure.score, 90.9); // 10 of 11
  // one SQL-injection finding in app.py
  assert.equal(r.dimensions.security.details.findings, 1);
  assert.equal(r.dimensions.security.score, 75);
  // tests: 1 test file for 4 sources → ratio 0.25 → 50; coverage 50 → 50
  assert.equal(r.dimensions.tests.score, 50);
  // docs: no README; public: public (doc), Widget, helper, q → 70 × 1/4
  assert.equal(r.dimensions.docs.score, 17.5);
  // round(0.35·90.909 + 0.2·75 + 0.25·50 + 0.2·17.5) = round(62.818)
  assert.equal(r.score, 63);
  assert.equal(r.passed, false);
});

Deno.test("br quality check: text, --json and exit 10 under the threshold", async () => {
  await using dir = await tempProject("q-cli");
  await writeTree(dir.path, {
    "README.md": "# A\n",
    "src/a.ts": "/** A. */\nexport const a = 1;\n",
  });
  const ok = await br(["quality", "check"], { cwd: dir.path });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Quality score: 75\/100 \(threshold 70\) passed/);
  assert.match(ok.stdout, /structure/);
  const high = await br(["quality", "check", "--threshold", "100", "--json"], { cwd: dir.path });
  assert.equal(high.code, 10);
  const json = JSON.parse(high.stdout);
  assert.equal(json.threshold, 100);
  assert.equal(json.passed, false);
  assert.deepEqual(Object.keys(json.dimensions), ["structure", "security", "tests", "docs"]);
  const cfg = await br(["config", "set", "quality.threshold", "100"], { cwd: dir.path });
  assert.equal(cfg.code, 0, cfg.stderr);
  assert.equal((await br(["quality", "check"], { cwd: dir.path })).code, 10);
  assert.equal((await br(["quality", "check", "--threshold", "101"], { cwd: dir.path })).code, 2);
});

Deno.test("quality check --json rounds the test ratio (no float noise such as 0.33299999999999996)", async () => {
  await using dir = await tempProject("q-ratio");
  await writeTree(dir.path, {
    "src/a.ts": "export const a = 1;\n",
    "src/b.ts": "export const b = 1;\n",
    "src/c.ts": "export const c = 1;\n",
    "src/a_test.ts": "import { a } from './a.ts';\nDeno.test('a', () => void a);\n",
  });
  const res = await br(["quality", "check", "--json"], { cwd: dir.path });
  assert.doesNotMatch(res.stdout, /\d\.\d{4,}/);
  const tests = JSON.parse(res.stdout).dimensions.tests.details;
  assert.equal(tests.source_files, 3);
  assert.equal(tests.ratio, 0.333);
});
