import assert from "node:assert/strict";
import { join } from "node:path";
import { br, tempProject } from "../helpers.ts";

interface Report {
  score: number;
  passed: boolean;
  dimensions: Record<string, { score: number; weight: number; details: Record<string, unknown> }>;
  tools: { ran: { name: string; status: string; problems: number }[]; missing: string[] };
}

async function quality(cwd: string, ...extra: string[]): Promise<{ code: number; r: Report }> {
  const out = await br(["quality", "check", "--json", ...extra], { cwd });
  assert.ok(out.code === 0 || out.code === 10, out.stderr);
  return { code: out.code, r: JSON.parse(out.stdout) };
}

Deno.test("a Deno project's deno lint and deno check count in the score, under their names", async () => {
  await using dir = await tempProject("tl1");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), "/** A. */\nexport const a: number = 1;\n");
  const before = (await quality(dir.path)).r;
  assert.equal(before.dimensions.tools, undefined);
  assert.deepEqual(before.tools, { ran: [], missing: [] });

  await Deno.writeTextFile(join(dir.path, "deno.json"), "{}\n");
  const clean = (await quality(dir.path)).r;
  assert.deepEqual(clean.tools.ran.map((t) => [t.name, t.status, t.problems]), [
    ["deno lint", "passed", 0],
    ["deno check", "passed", 0],
  ]);
  assert.equal(clean.dimensions.tools.score, 100);

  // An unused variable (lint) and a type error (check).
  await Deno.writeTextFile(
    join(dir.path, "src/b.ts"),
    '/** B. */\nexport function b(): number {\n  const unused = 1;\n  const n: number = "x";\n  return n;\n}\n',
  );
  const broken = (await quality(dir.path)).r;
  const byName = Object.fromEntries(broken.tools.ran.map((t) => [t.name, t]));
  assert.equal(byName["deno lint"].status, "failed");
  assert.ok(byName["deno lint"].problems >= 1);
  assert.equal(byName["deno check"].status, "failed");
  assert.ok(byName["deno check"].problems >= 1);
  assert.ok(broken.dimensions.tools.score < 100);
  assert.equal(broken.dimensions.tools.details["deno check"], byName["deno check"].problems);
  assert.ok(broken.score < clean.score, `${broken.score} < ${clean.score}`);

  // --threshold keeps working.
  assert.equal((await quality(dir.path, "--threshold", "0")).code, 0);
  assert.equal((await quality(dir.path, "--threshold", "100")).code, 10);
  const text = await br(["quality", "check"], { cwd: dir.path });
  assert.match(text.stdout, /tools .*deno lint \d+ problems, deno check \d+ problems/);
});

Deno.test("a tool the project uses but does not have is listed as missing, never as passing", async () => {
  await using dir = await tempProject("tl2");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), "/** A. */\nexport const a = 1;\n");
  const plain = (await quality(dir.path)).r;
  await Deno.writeTextFile(
    join(dir.path, "package.json"),
    JSON.stringify({ name: "x", devDependencies: { eslint: "^9.0.0", prettier: "^3.0.0" } }),
  );
  await Deno.writeTextFile(join(dir.path, "pyproject.toml"), "[tool.ruff]\nline-length = 100\n");
  const env = { PATH: "/usr/bin:/bin" }; // no ruff there
  const out = await br(["quality", "check", "--json"], { cwd: dir.path, env });
  assert.ok(out.code === 0 || out.code === 10, out.stderr);
  const r: Report = JSON.parse(out.stdout);
  assert.deepEqual(r.tools.ran, []);
  assert.deepEqual(r.tools.missing, ["eslint", "prettier", "ruff"]);
  assert.equal(r.dimensions.tools.weight, 0);
  assert.equal(r.dimensions.tools.details.missing, "eslint, prettier, ruff");
  assert.equal(r.score, plain.score);
});

Deno.test("coverage is read from a Cobertura report", async () => {
  await using dir = await tempProject("tl3");
  await Deno.writeTextFile(
    join(dir.path, "coverage.xml"),
    '<?xml version="1.0" ?>\n<coverage version="7.4" line-rate="0.8125" branch-rate="0">\n</coverage>\n',
  );
  const r = (await quality(dir.path)).r;
  assert.equal(r.dimensions.tests.details.coverage_percent, 81.3);
  assert.equal(r.dimensions.tests.details.coverage_file, "coverage.xml");
});

Deno.test("tool results are cached by their inputs; an edited cache is not trusted", async () => {
  await using dir = await tempProject("tl4");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "deno.json"), "{}\n");
  await Deno.writeTextFile(
    join(dir.path, "src/a.ts"),
    "/** A. */\nexport function a(): number {\n  const unused = 1;\n  return 1;\n}\n",
  );
  const first = (await quality(dir.path)).r;
  const lint = () => first.tools.ran.find((t) => t.name === "deno lint")!;
  assert.equal(lint().status, "failed");
  const cache = join(dir.path, ".buildrunner/cache/tools.json");
  const [mac, body] = (await Deno.readTextFile(cache)).split("\n");
  const parsed = JSON.parse(body);
  assert.equal(Object.keys(parsed.entries).length, 2);
  assert.deepEqual((await quality(dir.path)).r.tools, first.tools);

  // The cached results claim no problems, signature kept: ignored, the tools run again.
  for (const e of Object.values(parsed.entries) as { status: string; problems: number }[]) {
    e.status = "passed";
    e.problems = 0;
  }
  await Deno.writeTextFile(cache, `${mac}\n${JSON.stringify(parsed)}`);
  assert.deepEqual((await quality(dir.path)).r.tools, first.tools);

  // A fixed file is a new input: the tools run again and see it.
  await Deno.writeTextFile(
    join(dir.path, "src/a.ts"),
    "/** A. */\nexport function a(): number {\n  return 1;\n}\n",
  );
  const fixed = (await quality(dir.path)).r;
  assert.equal(fixed.tools.ran.find((t) => t.name === "deno lint")!.status, "passed");
});
