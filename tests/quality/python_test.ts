import assert from "node:assert/strict";
import { br, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

interface GapJson {
  severity: string;
  kind: string;
  message: string;
  file: string | null;
  line: number | null;
}

async function gapsOf(cwd: string): Promise<{ code: number; gaps: GapJson[] }> {
  const r = await br(["gaps", "analyze", "--json"], { cwd });
  assert.ok(r.code === 0 || r.code === 10, r.stderr);
  return { code: r.code, gaps: JSON.parse(r.stdout).gaps };
}

const brief = (g: GapJson) => `${g.severity} ${g.kind} ${g.file}${g.line ? `:${g.line}` : ""}`;

Deno.test("br gaps analyze (Python): code inside strings and comments is not code", async () => {
  await using dir = await tempProject("py-strings");
  await writeTree(dir.path, {
    "requirements.txt": "requests\n",
    "pkg/__init__.py": "",
    "pkg/text.py": [
      '"""Module doc.', // 1
      "", // 2
      "import numpy", // 3
      "def fake():", // 4
      "    pass", // 5
      '"""', // 6
      "import requests", // 7
      "SQL = '''", // 8
      "from pandas import DataFrame", // 9
      "raise NotImplementedError", // 10
      "'''", // 11
      "# import scipy", // 12
      'x = "import torch"  # TODO: a real marker', // 13
      "y = f\"{'# FIXME not a comment'} {x!r:>{10}}\"", // 14
      'z = rb"\\"import lxml\\""', // 15
      "", // 16
      "def real():", // 17
      '    s = """', // 18
      "    pass", // 19
      '    """', // 20
      "    return s  # pass", // 21
      "", // 22
      "def only_pass():", // 23
      "    # HACK: nothing yet", // 24
      "    pass", // 25
      "",
    ].join("\n"),
  });
  const { code, gaps } = await gapsOf(dir.path);
  assert.equal(code, 0); // no high gap: numpy, pandas, scipy, torch, lxml are not imports
  assert.deepEqual(gaps.map(brief), [
    "medium stub pkg/text.py:23",
    "low todo pkg/text.py:13",
    "low todo pkg/text.py:24",
  ]);
  assert.equal(gaps[0].message, 'Stub "only_pass": body is only "pass"');
  assert.equal(gaps[1].message, "TODO: a real marker");
});

Deno.test("br gaps analyze (Python): decorators, async def, nested classes, Protocol, TYPE_CHECKING and lazy imports", async () => {
  await using dir = await tempProject("py-tricky");
  await writeTree(dir.path, {
    "app/__init__.py": "",
    "app/a.py": [
      "from __future__ import annotations", // 1
      "from typing import TYPE_CHECKING, Protocol", // 2
      "import abc", // 3
      "from app import b", // 4
      "", // 5
      "if TYPE_CHECKING:", // 6
      "    from app.c import Helper  # erased at run time: no cycle through c", // 7
      "else:", // 8
      "    import json", // 9
      "", // 10
      "", // 11
      "class Repo(Protocol):", // 12
      "    def get(self, key: str) -> str: ...", // 13
      "", // 14
      "", // 15
      "class Base(abc.ABC):", // 16
      "    @abc.abstractmethod", // 17
      "    def run(self):", // 18
      "        raise NotImplementedError", // 19
      "", // 20
      "    class Meta:", // 21
      "        @staticmethod", // 22
      "        def describe():", // 23
      '            """Only a docstring."""', // 24
      "", // 25
      "", // 26
      '@route("/x",', // 27
      '       methods=["GET"])', // 28
      "async def handler(request):", // 29
      '    """Handles it."""', // 30
      "    ...", // 31
      "", // 32
      "", // 33
      "def todo(mode):", // 34
      "    if mode:", // 35
      '        raise ValueError("mode %s is not implemented yet" % mode)', // 36
      "    return b.lazy()", // 37
      "",
    ].join("\n"),
    "app/b.py": [
      "def lazy():", // 1
      "    from app.c import helper  # runs on call: no load-order cycle", // 2
      "    return helper()", // 3
      "",
    ].join("\n"),
    "app/c.py": [
      "from .b import lazy", // 1
      "from . import a", // 2
      "", // 3
      "class Helper:", // 4
      "    pass", // 5
      "", // 6
      "def helper():", // 7
      "    return lazy", // 8
      "",
    ].join("\n"),
    "app/d.py": "from . import e\n",
    "app/e.py": "import app.d\n",
  });
  const { code, gaps } = await gapsOf(dir.path);
  assert.equal(code, 10);
  // Cycles: d ↔ e is real; a → c (TYPE_CHECKING) and b → c (inside a function) close none,
  // while c → a → b is a plain chain.
  assert.deepEqual(gaps.map(brief), [
    "high import_cycle app/d.py:1",
    "medium stub app/a.py:23",
    "medium stub app/a.py:29",
    "medium stub app/a.py:36",
  ]);
  assert.equal(gaps[0].message, "Import cycle: app/d.py → app/e.py → app/d.py");
  assert.equal(gaps[1].message, 'Stub "describe": body is only a docstring');
  assert.equal(gaps[2].message, 'Stub "handler": body is only "..."');
  assert.equal(gaps[3].message, 'Stub "todo": raises "not implemented"');

  // The TYPE_CHECKING import is type-only, so an architecture rule does not count it either;
  // b → c inside a function still runs, so it still breaks one.
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    "architecture:\n  forbidden:\n    - {from: app/a.py, to: app/c.py}\n" +
      "    - {from: app/b.py, to: app/c.py}\n",
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const guard = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(guard.code, 10, guard.stderr);
  const violations = JSON.parse(guard.stdout).violations as { file: string; line: number }[];
  assert.deepEqual(violations.map((v) => `${v.file}:${v.line}`), ["app/b.py:2"]);
});

Deno.test("br gaps analyze (Python): a syntax error is a parse_error gap, valid modern syntax is not", async () => {
  await using dir = await tempProject("py-syntax");
  const many = Array.from({ length: 700 }, (_, i) => `X${i} = ${i}\n\n# c${i}\n`).join("");
  await writeTree(dir.path, {
    "requirements.txt": "",
    "bad.py": [
      "import os", // 1
      "def broken(:", // 2
      "    pass", // 3
      "", // 4
      "import yaml", // 5
      "",
    ].join("\n"),
    "modern.py": [
      "import contextlib", // 1
      "from typing import Generic, TypeVarTuple", // 2
      "Ts = TypeVarTuple('Ts')", // 3
      "", // 4
      "@contextlib.contextmanager", // 5
      "def managed():", // 6
      "    yield", // 7
      "", // 8
      "def compute(cmd, pairs, ctx):", // 9
      "    half = 24. / 2", // 10
      "    with (open('a') as f, open('b') as g):", // 11
      "        pass", // 12
      "    with ctx as (first, second):", // 13
      "        print(first, second)", // 14
      "    match cmd:", // 15
      "        case Point(x=0) | [1, *_]:", // 16
      "            return half", // 17
      "        case ast.BinOp():", // 18
      "            return 0", // 19
      "    rest = [r for k, *r in pairs]", // 20
      "    type Pair[T] = tuple[T, T]", // 21
      "    return (lambda a, /, b: a)(rest, f\"{'x'!r:>{10}}\")", // 22
      "\f", // 23
      "class Box(Generic[*Ts]):", // 24
      "    async def open(self):", // 25
      "        async with self.lock:", // 26
      "            return [x async for x in self]", // 27
      "",
    ].join("\n"),
    // Hundreds of statements between blank and comment lines, then an import.
    "constants.py": `${many}import attr\n`,
  });
  const { gaps } = await gapsOf(dir.path);
  assert.deepEqual(gaps.map(brief), [
    "high undeclared_dependency bad.py:5",
    "high undeclared_dependency constants.py:2101",
    "medium parse_error bad.py",
    "medium stub bad.py:2", // the tree around the error is still read
  ]);
  assert.equal(gaps[2].message, "Cannot parse: invalid Python syntax at line 2, column 12");
});

Deno.test("br quality check (Python): length and complexity per function, nested functions apart", async () => {
  await using dir = await tempProject("py-quality");
  await writeTree(dir.path, {
    "README.md": "# Demo\n",
    "pkg/__init__.py": "",
    "pkg/logic.py": [
      '"""Logic."""', // 1
      "", // 2
      "", // 3
      "def outer(x):", // 4: 1 + if + and + for + if = 5
      '    """Decides."""', // 5
      "    def inner(y):", // 6: 1 + if + or = 3
      "        if y or x:", // 7
      "            return 1", // 8
      "        return 2", // 9
      "    if x and x > 1:", // 10
      "        return [i for i in range(x) if i]", // 11
      '    text = """', // 12
      "    if a or b: while c: for d in e: pass", // 13
      '    """', // 14
      "    # if and or while for", // 15
      "    return inner(x), text", // 16
      "    # a trailing comment is not part of the function", // 17
      "", // 18
      "", // 19
      "def decide(event):", // 20: 1 + case × 3 + if (guard) = 5
      '    """Decides by event."""', // 21
      "    match event:", // 22
      '        case {"kind": "a"} if event.get("ok"):', // 23
      "            return 1", // 24
      '        case {"kind": "b"}:', // 25
      "            return 2", // 26
      "        case _:", // 27
      "            return 3", // 28
      "", // 29
      "", // 30
      "class Service:", // 31
      '    """A service."""', // 32
      "", // 33
      "    @property", // 34
      "    def name(self):", // 35: 1 + try/except × 2 = 3
      "        try:", // 36
      "            return self._name", // 37
      "        except AttributeError:", // 38
      '            return ""', // 39
      "        except KeyError:", // 40
      "            return None", // 41
      "",
    ].join("\n"),
    "tests/test_logic.py":
      "from pkg.logic import outer\n\ndef test_outer():\n    assert outer(1)\n",
  });
  for (const [key, value] of [["max_complexity", "2"], ["max_function_lines", "12"]]) {
    const r = await br(["config", "set", `quality.${key}`, value], { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
  }
  const r = await br(["quality", "check", "--json"], { cwd: dir.path });
  const report = JSON.parse(r.stdout);
  assert.deepEqual(
    report.findings.map((f: { file: string; line: number; message: string }) =>
      `${f.file}:${f.line} ${f.message}`
    ),
    [
      'pkg/logic.py:4 "outer" has cyclomatic complexity 5 (limit 2)',
      'pkg/logic.py:4 "outer" has 13 lines (limit 12)',
      'pkg/logic.py:6 "inner" has cyclomatic complexity 3 (limit 2)',
      'pkg/logic.py:20 "decide" has cyclomatic complexity 5 (limit 2)',
      'pkg/logic.py:35 "name" has cyclomatic complexity 3 (limit 2)',
    ],
  );
  // 3 files + 5 functions (outer, inner, decide, name, test_outer); 4 functions fail.
  assert.equal(report.dimensions.structure.details.functions, 5);
  assert.equal(report.dimensions.structure.score, 50);
  // Public: outer, decide, Service (all with docstrings).
  assert.equal(report.dimensions.docs.score, 100);
});
