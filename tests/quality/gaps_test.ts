import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import {
  analyzeGaps,
  countGaps,
  type Gap,
  type GapKind,
  gapsToSarif,
} from "../../src/quality/mod.ts";
import { githubSarifProblems, pathOfUri, sarifSchemaErrors } from "../sarif.ts";
import { br, tempProject } from "../helpers.ts";
import { addFeatures, writeTree } from "./_fixture.ts";

const brief = (g: Gap) =>
  `${g.severity} ${g.kind} ${g.file ?? g.feature}${g.line ? `:${g.line}` : ""}`;

Deno.test("analyzeGaps() finds the known gaps of a small TS project", async () => {
  await using dir = await tempProject("ts-demo");
  await writeTree(dir.path, {
    "package.json": JSON.stringify({ name: "ts-demo", dependencies: { react: "^19.0.0" } }),
    "src/auth/login.ts": [
      'import { helper } from "../util/a.ts";', // 1
      "/** Logs in. */", // 2
      "export function login(user: string): string {", // 3
      "  // TODO: check the password", // 4
      "  return helper(user);", // 5
      "}", // 6
      "export function logout(): void {", // 7
      '  throw new Error("not implemented");', // 8
      "}", // 9
      "",
    ].join("\n"),
    "src/util/a.ts": [
      'import { b } from "./b.js";', // 1
      "export const helper = (s: string): string => b(s);", // 2
      "",
    ].join("\n"),
    "src/util/b.ts": [
      'import { helper } from "./a.ts";', // 1
      'import type { Shape } from "./types.ts";', // 2
      "export function b(s: string): string {", // 3
      "  return s.length > 100 ? helper(s.slice(1)) : s;", // 4
      "}", // 5
      "",
    ].join("\n"),
    "src/util/types.ts": 'import { b } from "./b.ts";\nexport type Shape = ReturnType<typeof b>;\n',
    "src/ui/view.tsx": [
      'import React from "react";', // 1
      'import _ from "lodash";', // 2
      'import { readFile } from "node:fs/promises";', // 3
      'import path from "path";', // 4
      "export const noop = () => {};", // 5
      "export function ignored() {", // 6
      "  // intentionally empty", // 7
      "}", // 8
      "[1].forEach(() => {});", // 9
      "// FIXME: colors", // 10
      'const s = "// TODO inside a string is not a comment";', // 11
      "export default { React, _, readFile, path, s };", // 12
      "",
    ].join("\n"),
  });
  await addFeatures(dir.path, [
    ["Login", "--id", "auth-login", "--files", "src/auth/**", "--acceptance", "User logs in"],
    ["Billing", "--id", "billing", "--priority", "high"],
  ]);
  assert.equal((await br(["feature", "complete", "auth-login"], { cwd: dir.path })).code, 0);

  const project = await openProject({ cwd: dir.path });
  const report = await analyzeGaps(project);
  await project.close();
  assert.deepEqual(report.gaps.map(brief), [
    "high import_cycle src/util/a.ts:1",
    "high missing_evidence auth-login",
    "high stub src/auth/login.ts:8",
    "high todo src/auth/login.ts:4",
    "high undeclared_dependency src/ui/view.tsx:2",
    "medium open_feature billing",
    "medium stub src/ui/view.tsx:5",
    "low todo src/ui/view.tsx:10",
  ]);
  assert.deepEqual(report.counts, { high: 5, medium: 2, low: 1, total: 8 });
  const cycle = report.gaps.find((g) => g.kind === "import_cycle")!;
  assert.equal(cycle.message, "Import cycle: src/util/a.ts → src/util/b.ts → src/util/a.ts");
  assert.match(report.gaps.find((g) => g.kind === "undeclared_dependency")!.message, /"lodash"/);

  // Evidence: a test that names the feature id turns the high gap off.
  await writeTree(dir.path, {
    "tests/login_test.ts": 'Deno.test("auth-login: a user logs in", () => {});\n',
  });
  const again = await analyzeGaps(await openProject({ cwd: dir.path }));
  assert.equal(again.gaps.some((g) => g.kind === "missing_evidence"), false);

  const sarif = gapsToSarif(again, "0.1.0") as { version: string; runs: { results: unknown[] }[] };
  assert.equal(sarif.version, "2.1.0");
  assert.equal(sarif.runs[0].results.length, again.gaps.length);
});

Deno.test("analyzeGaps() finds the known gaps of a small Python project", async () => {
  await using dir = await tempProject("py-demo");
  await writeTree(dir.path, {
    "requirements.txt": "PyYAML>=6\nrequests[socks]==2.32.0 ; python_version > '3.8'\n",
    "pyproject.toml": '[project]\nname = "demo"\ndependencies = [\n  "httpx>=0.27",\n]\n',
    "app/__init__.py": "",
    "app/models.py": [
      "import os, sys", // 1
      "import yaml", // 2
      "from .services import run", // 3
      "", // 4
      "def load(path):", // 5
      '    """Loads it."""', // 6
      "    pass", // 7
      "", // 8
      "class Base:", // 9
      "    @abstractmethod", // 10
      "    def area(self):", // 11
      "        raise NotImplementedError", // 12
      "", // 13
      "def save(x):", // 14
      '    s = "# TODO not a comment"', // 15
      "    raise NotImplementedError(s)", // 16
      "",
    ].join("\n"),
    "app/services.py": [
      "from . import models  # HACK: late import", // 1
      "import requests, httpx", // 2
      "import numpy as np", // 3
      "from app.util import helper", // 4
      "def run():", // 5
      "    return models.load('x')", // 6
      "",
    ].join("\n"),
    "app/util.py": "def helper(): ...\n",
  });
  const project = await openProject({ cwd: dir.path });
  const report = await analyzeGaps(project);
  await project.close();
  assert.deepEqual(report.gaps.map(brief), [
    "high import_cycle app/models.py:3",
    "high undeclared_dependency app/services.py:3",
    "medium stub app/models.py:5",
    "medium stub app/models.py:16",
    "medium stub app/util.py:1",
    "low todo app/services.py:1",
  ]);
  assert.match(report.gaps[1].message, /"numpy"/);
});

Deno.test("br gaps analyze: exit 10 with high gaps, --json, --format sarif, --output", async () => {
  await using dir = await tempProject("cli");
  await writeTree(dir.path, { "src/a.ts": 'import x from "left-pad";\nexport default x;\n' });
  const text = await br(["gaps", "analyze"], { cwd: dir.path });
  assert.equal(text.code, 10);
  assert.match(text.stdout, /HIGH\s+undeclared_dependency\s+src\/a\.ts:1/);
  assert.match(text.stdout, /1 high, 0 medium, 0 low gaps in 1 source files/);
  const json = await br(["gaps", "analyze", "--json"], { cwd: dir.path });
  assert.equal(JSON.parse(json.stdout).counts.high, 1);
  const out = await br(["gaps", "analyze", "--format", "sarif", "--output", "gaps.sarif"], {
    cwd: dir.path,
  });
  assert.equal(out.code, 10);
  const sarif = JSON.parse(await Deno.readTextFile(`${dir.path}/gaps.sarif`));
  assert.equal(sarif.runs[0].results[0].ruleId, "undeclared_dependency");
  assert.equal(sarif.runs[0].results[0].level, "error");
  await Deno.writeTextFile(`${dir.path}/package.json`, '{"dependencies":{"left-pad":"1"}}');
  assert.equal((await br(["gaps", "analyze"], { cwd: dir.path })).code, 0);
  const bad = await br(["gaps", "analyze", "--format", "xml"], { cwd: dir.path });
  assert.equal(bad.code, 2);
});

Deno.test("br gaps analyze --output FILE.md and --format markdown write Markdown: a table per severity", async () => {
  await using dir = await tempProject("md");
  await writeTree(dir.path, {
    "src/a.ts": 'import x from "left-pad";\nexport default x;\n',
    "src/b.ts": "// TODO: handle a | pipe\nexport const b = 1;\n",
  });
  const res = await br(["gaps", "analyze", "--output", "gaps.md"], {
    cwd: dir.path,
    tty: true,
    env: { NO_COLOR: "" },
  });
  assert.equal(res.code, 10, res.stderr);
  assert.match(res.stdout, /^Wrote gaps\.md: 1 high, /);
  const md = await Deno.readTextFile(`${dir.path}/gaps.md`);
  assert.ok(!md.includes("\x1b["), "no terminal colors in a file");
  assert.match(md, /^# Gap analysis\n\n1 high, \d+ medium, \d+ low gaps in 2 source files\n/);
  for (const s of ["High", "Medium", "Low"]) {
    assert.match(md, new RegExp(`^## ${s} \\(\\d+\\)$`, "m"));
  }
  assert.match(
    md,
    /## High \(1\)\n\n\| Kind \| Where \| Feature \| Message \|\n\| --- \| --- \| --- \| --- \|\n\| undeclared_dependency \| `src\/a\.ts:1` \| {2}\| .*left-pad.* \|\n/,
  );
  const todo = md.split("\n").find((l) => l.includes("src/b.ts:1"));
  assert.ok(todo, md);
  assert.match(todo, /pipe/);
  assert.equal(todo.replaceAll("\\|", "").split("|").length, 6, `one row of 4 cells: ${todo}`);
  // --format markdown prints the same document; an explicit --format wins over the extension.
  const printed = await br(["gaps", "analyze", "--format", "markdown"], { cwd: dir.path });
  assert.equal(printed.code, 10);
  assert.equal(printed.stdout, md);
  // Text in a file: no terminal colors, also when stdout is a terminal.
  await br(["gaps", "analyze", "--format", "text", "--output", "plain.md"], {
    cwd: dir.path,
    tty: true,
    env: { NO_COLOR: "" },
  });
  const plain = await Deno.readTextFile(`${dir.path}/plain.md`);
  assert.match(plain, /^HIGH\s+undeclared_dependency/);
  assert.ok(!plain.includes("\x1b["), "no terminal colors in a file");
});

Deno.test("gap SARIF is what GitHub code scanning takes: encoded URIs, fingerprints, rule help", () => {
  const gap = (kind: GapKind, file: string | null, line: number | null, message: string): Gap => ({
    severity: "medium",
    kind,
    message,
    file,
    line,
    feature: null,
  });
  const files = ["src/my dir/ünï [1].ts", "src/a#b?c%d.ts", "lib/x.py"];
  const gaps = [
    gap("todo", files[0], 3, "TODO: split this"),
    gap("todo", files[0], 9, "TODO: split this"),
    gap("stub", files[1], 1, "Stub: run()"),
    gap("parse_error", files[2], 2, "Cannot parse"),
    gap("open_feature", null, null, 'Feature "login" is not done'),
  ];
  const sarif = gapsToSarif({ gaps, counts: countGaps(gaps), files_analyzed: 3 }, "0.1.0");
  assert.deepEqual(sarifSchemaErrors(sarif), []);
  assert.deepEqual(githubSarifProblems(sarif), []);
  // deno-lint-ignore no-explicit-any
  const results = (sarif as any).runs[0].results;
  const uris = results.map((
    r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] },
  ) => r.locations[0].physicalLocation.artifactLocation.uri);
  assert.equal(uris[0], "src/my%20dir/%C3%BCn%C3%AF%20%5B1%5D.ts");
  assert.deepEqual(uris.map(pathOfUri), [
    files[0],
    files[0],
    files[1],
    files[2],
    ".buildrunner/features.json",
  ]);
  const fps = results.map((r: { partialFingerprints: Record<string, string> }) =>
    r.partialFingerprints["br-gaps/v1"]
  );
  assert.equal(new Set(fps).size, fps.length, "a repeated gap gets its own fingerprint");
  // a gap that moves to another line keeps its fingerprint
  const moved = gapsToSarif({
    gaps: [gap("todo", files[0], 40, "TODO: split this")],
    counts: countGaps([]),
    files_analyzed: 1,
  }, "0.1.0");
  // deno-lint-ignore no-explicit-any
  assert.equal((moved as any).runs[0].results[0].partialFingerprints["br-gaps/v1"], fps[0]);
  // the checks are not empty: the gap SARIF of before (raw URI, no fingerprint, no help) fails
  assert.notDeepEqual(
    githubSarifProblems({
      runs: [{
        tool: { driver: { rules: [{ id: "todo", shortDescription: { text: "todo" } }] } },
        results: [{ locations: [{ physicalLocation: { artifactLocation: { uri: files[0] } } }] }],
      }],
    }),
    [],
  );
});

Deno.test("the list of Node built-ins holds every name of node:module's builtinModules", async () => {
  const { builtinModules } = await import("node:module");
  const { NODE_BUILTINS, jsPackage } = await import("../../src/quality/_manifests.ts");
  const missing = builtinModules.map((m) => m.replace(/^node:/, "")).filter((m) =>
    !NODE_BUILTINS.has(m)
  );
  assert.deepEqual(missing, []);
  assert.equal(jsPackage("fs/promises"), null);
  assert.equal(jsPackage("zod/v4"), "zod");
});
