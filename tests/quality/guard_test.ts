import assert from "node:assert/strict";
import { br, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

Deno.test("br guard check reports spec and governance architecture rules", async () => {
  await using dir = await tempProject("guard");
  const none = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(none.code, 0);
  assert.equal(JSON.parse(none.stdout).rules, 0);
  await writeTree(dir.path, {
    "PROJECT_SPEC.md":
      "# Demo\n\n## Architecture\n\n- `src/ui` -/-> `src/db`\n\n## Design\n\nx -/-> y is not here\n",
    "src/ui/page.ts":
      'import { q } from "../db/query.ts";\nimport { s } from "../service/s.ts";\nimport type { T } from "../db/types.ts";\nexport const p = [q, s] as T[];\n',
    "src/service/s.ts":
      'import { p } from "../ui/page.ts";\nimport fs from "node:fs";\nexport const s = [p, fs];\n',
    "src/db/query.ts": "export const q = 1;\n",
    "src/db/types.ts": "export type T = unknown;\n",
    "src/db/BadName.ts": "export const b = 1;\n",
    "py/app.py": "import requests.adapters\n",
  });
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    [
      "architecture:",
      "  layers: [src/ui, src/service, src/db]",
      "  forbidden_dependencies:",
      "    - {package: fs, from: src/service/**}",
      "    - {package: requests}",
      "  naming:",
      '    - {files: "src/**/*.ts", pattern: "^[a-z0-9_]+\\\\.ts$"}',
      "",
    ].join("\n"),
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const r = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(r.code, 10, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.rules, 5);
  assert.deepEqual(report.sources, ["PROJECT_SPEC.md", ".buildrunner/governance.yaml"]);
  assert.deepEqual(
    report.violations.map((v: { rule: string; file: string; line: number | null }) =>
      `${v.rule} ${v.file}:${v.line}`
    ),
    [
      "forbidden_dependency py/app.py:1",
      "naming src/db/BadName.ts:null",
      "layer src/service/s.ts:1",
      "forbidden_dependency src/service/s.ts:2",
      "forbidden_import src/ui/page.ts:1",
    ],
  );
  const text = await br(["guard", "check"], { cwd: dir.path });
  assert.match(text.stdout, /5 violations of 5 rules/);
});

Deno.test("br guard check: a private file is importable only from its folder, below it and from allow", async () => {
  await using dir = await tempProject("private");
  await writeTree(dir.path, {
    "src/a/_inner.ts": "export const i = 1;\n",
    "src/a/face.ts": 'import { i } from "./_inner.ts";\nexport const f = i;\n',
    "src/a/sub/deep.ts": 'import { i } from "../_inner.ts";\nexport const d = i;\n',
    "src/b/user.ts":
      'import { f } from "../a/face.ts";\nimport type { X } from "../a/_types.ts";\n' +
      'import { i } from "../a/_inner.ts";\nexport const u: X = [f, i];\n',
    "src/a/_types.ts": "export type X = unknown;\n",
    "tests/a_test.ts": 'import { i } from "../src/a/_inner.ts";\nexport const t = i;\n',
  });
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    'architecture:\n  private:\n    - {files: "src/**/_*.ts", allow: "tests/**"}\n',
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const r = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(r.code, 10, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.violations.map((v: { rule: string; file: string; line: number }) =>
      `${v.rule} ${v.file}:${v.line}`
    ),
    ["private src/b/user.ts:2", "private src/b/user.ts:3"],
  );
  assert.match(report.violations[1].message, /src\/a\/_inner\.ts, which is private to src\/a\//);
  // A plain glob is the same rule without an exception: the test's import is reported too.
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    'architecture:\n  private: ["src/**/_*.ts"]\n',
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const plain = JSON.parse((await br(["guard", "check", "--json"], { cwd: dir.path })).stdout);
  assert.deepEqual(
    plain.violations.map((v: { file: string }) => v.file),
    ["src/b/user.ts", "src/b/user.ts", "tests/a_test.ts"],
  );
  // A malformed rule names its field.
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    "architecture:\n  private: [{allow: tests}]\n",
  );
  const bad = await br(["governance", "update"], { cwd: dir.path });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /architecture\.private\[0\]\.files/);
});
