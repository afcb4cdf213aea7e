import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, tempProject } from "../helpers.ts";
import { contentHash } from "../../src/core/read_once.ts";
import { openProject } from "../../src/core/project.ts";
import { type Analysis, analysisReads, analyzeTree } from "../../src/quality/_analysis.ts";
import { newSecurityFindings } from "../../src/quality/_security.ts";
import {
  analysisCacheLocation,
  ANALYZER_VERSION,
  FACTS_CODEC,
  factsKey,
} from "../../src/quality/_analysis_cache.ts";

const CACHE = ".buildrunner/cache/analysis.json";

async function lowGaps(cwd: string): Promise<string[]> {
  const r = await br(["gaps", "analyze", "--json"], { cwd });
  assert.ok(r.code === 0 || r.code === 10, r.stderr);
  return (JSON.parse(r.stdout).gaps as { kind: string; file: string | null; line: number }[])
    .filter((g) => g.kind === "todo").map((g) => `${g.file}:${g.line}`).sort();
}

Deno.test("the facts cache: a warm run equals a cold one, and a changed file is analyzed again", async () => {
  await using dir = await tempProject("ac1");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), "// TODO: a\nexport const a = 1;\n");
  await Deno.writeTextFile(join(dir.path, "src/b.ts"), "export const b = 2;\n");
  const cold = await lowGaps(dir.path);
  assert.deepEqual(cold, ["src/a.ts:1"]);
  const cache = join(dir.path, CACHE);
  const first = await Deno.readTextFile(cache);
  assert.match(first, /^[0-9a-f]{64}\n\{/);
  // The cache folder ignores itself.
  assert.equal(
    await Deno.readTextFile(join(dir.path, ".buildrunner/cache/.gitignore")).then((t) =>
      t.includes("*")
    ),
    true,
  );
  await gitRun(["add", "-A"], dir.path);
  assert.equal(await gitRun(["ls-files", ".buildrunner/cache"], dir.path), "");

  assert.deepEqual(await lowGaps(dir.path), cold);
  assert.equal(await Deno.readTextFile(cache), first); // nothing changed: not rewritten

  await Deno.writeTextFile(join(dir.path, "src/b.ts"), "export const b = 2;\n// FIXME: b\n");
  assert.deepEqual(await lowGaps(dir.path), ["src/a.ts:1", "src/b.ts:2"]);
  // Removing the marker is seen too (the entry of the old content is not used).
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), "export const a = 1;\n");
  assert.deepEqual(await lowGaps(dir.path), ["src/b.ts:2"]);
});

Deno.test("a planted or edited cache file cannot hide a TODO", async () => {
  await using dir = await tempProject("ac2");
  await Deno.mkdir(join(dir.path, "src"));
  const text = "// TODO: hidden?\nexport const a = 1;\n";
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), text);
  assert.deepEqual(await lowGaps(dir.path), ["src/a.ts:1"]);
  const cache = join(dir.path, CACHE);
  const [mac, body] = (await Deno.readTextFile(cache)).split("\n");
  const parsed = JSON.parse(body);
  const key = factsKey("src/a.ts", "ts", await contentHash(new TextEncoder().encode(text)));
  const MARKERS = 7; // (the place of the markers in a stored entry, FACTS_CODEC)
  assert.equal(parsed.entries[key][MARKERS].length, 1);

  // The entry for exactly this content, edited to hold no marker; the old signature kept.
  parsed.entries[key][MARKERS] = [];
  await Deno.writeTextFile(cache, `${mac}\n${JSON.stringify(parsed)}`);
  assert.deepEqual(await lowGaps(dir.path), ["src/a.ts:1"]);

  // A cache file signed with another key (another machine, or committed): ignored too.
  parsed.entries[key][MARKERS] = [];
  await Deno.writeTextFile(cache, `${"0".repeat(64)}\n${JSON.stringify(parsed)}`);
  assert.deepEqual(await lowGaps(dir.path), ["src/a.ts:1"]);
  assert.equal(parsed.analyzer, ANALYZER_VERSION);
});

Deno.test("analyzeTree() with the cache gives the same facts as without", async () => {
  await using dir = await tempProject("ac3");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(
    join(dir.path, "src/x.ts"),
    'import { y } from "./y.ts";\n/** X. */\nexport function x(n: number): number {\n  if (n > 1) return y(n);\n  throw new Error("not implemented");\n}\n',
  );
  await Deno.writeTextFile(
    join(dir.path, "src/y.ts"),
    "export const y = (n: number) => n; // XXX\n",
  );
  await Deno.writeTextFile(
    join(dir.path, "tool.py"),
    "import os\n# TODO: py\ndef f():\n    pass\n",
  );
  const env = { BR_HOME: join(dir.path, ".br-home") };
  const cache = analysisCacheLocation(dir.path, env);
  assert.ok(cache);
  const plain = await analyzeTree(dir.path);
  const cold = await analyzeTree(dir.path, { cache });
  const warm = await analyzeTree(dir.path, { cache });
  assert.deepEqual(cold, plain);
  assert.deepEqual(warm, plain);
  // No .buildrunner folder (not a project tree): no cache.
  assert.equal(analysisCacheLocation(join(dir.path, "src"), env), null);
});

Deno.test("the analysis takes the files the secret scan read as they were, and reads the others", async () => {
  await using dir = await tempProject("ac4");
  const src = join(dir.path, "src");
  await Deno.mkdir(src);
  const bom = "\uFEFF// TODO: bom\n/** B. */\nexport function b(): number {\n  return 1;\n}\n";
  await Deno.writeTextFile(join(src, "bom.ts"), bom);
  // Invalid UTF-8 in a comment, and an empty stub.
  const bad = new Uint8Array([
    ...new TextEncoder().encode("// FIXME: \xff"),
    0xff,
    0xfe,
    ...new TextEncoder().encode("\nexport function s() {}\n"),
  ]);
  await Deno.writeFile(join(src, "bad.ts"), bad);
  await Deno.writeTextFile(join(src, "c.ts"), "export const c = 1;\n");
  await Deno.symlink("c.ts", join(src, "link.ts"));
  const project = await openProject({ cwd: dir.path, env: { BR_HOME: join(dir.path, ".h") } });
  const reads = analysisReads();
  await newSecurityFindings(project, dir.path, false, reads);
  // Changed after the scan: the analysis judges what the scan read.
  await Deno.writeTextFile(join(src, "c.ts"), "// TODO: later\nexport const c = 1;\n");
  const shared = await analyzeTree(dir.path, { reads });
  await Deno.writeTextFile(join(src, "c.ts"), "export const c = 1;\n");
  const fresh = await analyzeTree(dir.path);
  const files = (a: Analysis) => a.files.filter((f) => f.file !== "src/link.ts");
  assert.deepEqual(files(shared), files(fresh));
  // The symbolic link (the scan does not follow it) was read by the analysis, after the change.
  const link = shared.files.find((f) => f.file === "src/link.ts")!;
  assert.deepEqual(link.markers.map((m) => m.text), ["TODO: later"]);
  // The byte order mark and the replaced bytes read as a fresh read gives them.
  const file = (name: string) => fresh.files.find((f) => f.file === `src/${name}`)!;
  assert.deepEqual(file("bom.ts").markers.map((m) => m.line), [1]);
  assert.deepEqual(file("bom.ts").exports, [{ name: "b", line: 3, documented: true }]);
  assert.equal(file("bad.ts").stubs.length, 1);
  await project.close();
});

Deno.test("the cache stores facts packed and gives them back as the analyzers made them", async () => {
  await using dir = await tempProject("ac5");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(
    join(dir.path, "src/a.ts"),
    'import type { T } from "./t.ts";\nconst m = await import("./m.ts");\n// TODO: a\n/** F. */\nexport function f() {}\n',
  );
  await Deno.writeTextFile(
    join(dir.path, "tool.py"),
    "from . import a, b\ndef g():\n    import os\n    pass\n# FIXME: p\nclass C:\n    pass\n",
  );
  await Deno.writeTextFile(join(dir.path, "bad.py"), "def (:\n");
  const plain = await analyzeTree(dir.path);
  const facts = plain.files;
  assert.ok(facts.some((f) => f.imports.some((i) => i.submodule)));
  assert.ok(facts.some((f) => f.imports.some((i) => i.dynamic)));
  assert.ok(facts.some((f) => f.parse_error));
  for (const f of facts) {
    const back = FACTS_CODEC.unpack(JSON.parse(JSON.stringify(FACTS_CODEC.pack(f))));
    // Key for key, in the same order (what `--json` prints of them stays the same).
    assert.equal(JSON.stringify(back), JSON.stringify(f), f.file);
  }
  const cache = analysisCacheLocation(dir.path, { BR_HOME: join(dir.path, ".br-home") });
  await analyzeTree(dir.path, { cache });
  assert.deepEqual(await analyzeTree(dir.path, { cache }), plain);
});
