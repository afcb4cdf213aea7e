/**
 * Scans on worker threads report exactly what a scan on the main thread reports.
 */
import assert from "node:assert/strict";
import { scanTree } from "../../src/security/_parallel.ts";
import { builtinSecretRules, compileSecretRules } from "../../src/security/mod.ts";
import type { ScanSkipped } from "../../src/security/mod.ts";
import { br, tempDir, tempProject } from "../helpers.ts";
import { SAMPLES } from "./samples.ts";

const FILLER = {
  ts: (i: number) => `export function f${i}(x: number): number {\n  return x * ${i};\n}\n`,
  py: (i: number) => `def g_${i}(values):\n    return [v + ${i} for v in values]\n`,
  md: (i: number) => `Part ${i} explains the token budget and the key idea.\n\n`,
} as const;

/**
 * A tree of `files` files of about `bytes` each with every sample (hits and near misses),
 * SQL injections, inline allows, a binary and a too large file, and a vendored folder.
 */
async function writeTree(root: string, files: number, bytes: number): Promise<void> {
  const samples = Object.values(SAMPLES);
  const exts = Object.keys(FILLER) as (keyof typeof FILLER)[];
  for (let f = 0; f < files; f++) {
    const ext = exts[f % exts.length];
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const part = i % 40 === 7
        ? `${samples[(f + i) % samples.length].hit}\n`
        : i % 40 === 23
        ? `${samples[(f * 3 + i) % samples.length].miss}\n`
        : i % 97 === 50 && ext === "ts"
        ? `db.query(\`SELECT * FROM t WHERE id = \${id${i}}\`);\n`
        : i % 97 === 50 && ext === "py"
        ? `cursor.execute(f"SELECT * FROM t WHERE id = {id_${i}}")\n`
        : i % 211 === 3
        ? `${samples[i % samples.length].hit} // br:allow\n`
        : FILLER[ext](i);
      parts.push(part);
      size += part.length;
    }
    const dir = `${root}/pkg${f % 7}/sub${f % 3}`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/file${f}.${ext}`, parts.join(""));
  }
  await Deno.writeFile(`${root}/pkg0/blob.bin`, new Uint8Array([1, 0, 2, 3]));
  await Deno.writeTextFile(`${root}/pkg1/huge.md`, `${SAMPLES["github-token"].hit}\n`.repeat(5000));
  await Deno.mkdir(`${root}/node_modules/x`, { recursive: true });
  await Deno.writeTextFile(`${root}/node_modules/x/a.ts`, `${SAMPLES["github-token"].hit}\n`);
}

Deno.test("a scan on worker threads finds exactly what a scan on one thread finds", async (t) => {
  await using dir = await tempDir();
  await writeTree(dir.path, 120, 12_000);
  const settings = { rules: builtinSecretRules(), sql: true, maxBytes: 60_000 };
  const scan = async (threads: number, options: Record<string, unknown> = {}) => {
    const skipped: ScanSkipped = { binary: 0, large: 0, vendored: 0 };
    const res = await scanTree(dir.path, [dir.path], settings, skipped, { threads, ...options });
    const key = (f: { file: string; line: number; column: number; rule: string }) =>
      `${f.file}\0${String(f.line).padStart(9)}\0${String(f.column).padStart(9)}\0${f.rule}`;
    res.findings.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return { ...res, skipped };
  };
  const one = await scan(1);
  assert.equal(one.workers, 0);
  assert.equal(one.filesScanned, 120);
  assert.deepEqual(one.skipped, { binary: 1, large: 1, vendored: 1 });
  const kinds = new Set(one.findings.map((f) => f.rule));
  assert.ok(kinds.has("sql-injection"));
  assert.ok(kinds.size >= Object.keys(SAMPLES).length, [...kinds].join(" "));

  await t.step("every file on workers", async () => {
    const many = await scan(3, { parallelFromBytes: 0, mainThreadScans: false });
    assert.ok(many.workers >= 1, "the workers scanned nothing");
    assert.deepEqual(many.findings, one.findings);
    assert.equal(many.filesScanned, one.filesScanned);
    assert.deepEqual(many.skipped, one.skipped);
  });

  await t.step("the main thread first, then workers", async () => {
    const mixed = await scan(2, { parallelFromBytes: 200_000 });
    assert.deepEqual(mixed.findings, one.findings);
    assert.equal(mixed.filesScanned, one.filesScanned);
    assert.deepEqual(mixed.skipped, one.skipped);
  });

  await t.step("user rules and allowlists reach the workers", async () => {
    const rules = compileSecretRules(
      [
        { id: "filler-fn", regex: "function (f\\d+7)\\(", keywords: ["function"] },
        { id: "no-kw", regex: "return x \\* (\\d+1);" },
      ],
      [{ paths: ["^pkg3/"] }, { regexes: ["^f1"] }],
    );
    const skipped = () => ({ binary: 0, large: 0, vendored: 0 });
    const s = { rules, sql: false, maxBytes: 60_000 };
    const a = await scanTree(dir.path, [dir.path], s, skipped(), { threads: 1 });
    const b = await scanTree(dir.path, [dir.path], s, skipped(), {
      threads: 2,
      parallelFromBytes: 0,
      mainThreadScans: false,
    });
    assert.ok(b.workers >= 1);
    const order = (x: typeof a) =>
      x.findings.map((f) => `${f.file}:${f.line} ${f.fingerprint}`).sort();
    assert.ok(a.findings.length > 10);
    assert.ok(!a.findings.some((f) => f.file.startsWith("pkg3/")));
    assert.deepEqual(order(b), order(a));
  });
});

Deno.test("br security scan prints the same report with security.threads 1 and 3", async () => {
  await using dir = await tempProject();
  // over the size from which a scan starts workers
  await writeTree(dir.path, 200, 50_000);
  const outputs: string[] = [];
  for (const threads of ["1", "3"]) {
    for (const format of ["json", "sarif", "text"]) {
      const res = await br(["security", "scan", "--format", format], {
        cwd: dir.path,
        env: { BR_SECURITY__THREADS: threads, BR_SECURITY__MAX_FILE_BYTES: "60000" },
      });
      assert.equal(res.code, 10, res.stderr);
      outputs.push(res.stdout);
    }
  }
  assert.ok(JSON.parse(outputs[0]).findings.length > 100);
  assert.deepEqual(outputs.slice(3), outputs.slice(0, 3));
});
