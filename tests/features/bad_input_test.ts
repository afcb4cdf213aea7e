import assert from "node:assert/strict";
import { br, tempDir, tempProject } from "../helpers.ts";

const FEATURES = ".buildrunner/features.json";

async function withFile(content: string) {
  const dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/${FEATURES}`, content);
  return dir;
}

const cases: [string, string, number, RegExp][] = [
  ["corrupt JSON", '{"features": [', 3, /Cannot parse \.buildrunner\/features\.json: /],
  [
    "unknown status in the file",
    JSON.stringify({ features: [{ id: "a", name: "A", status: "done" }] }),
    3,
    /Invalid \.buildrunner\/features\.json: features\[0\]\.status \(feature "a"\): .*\(got "done"\)/,
  ],
  [
    "unknown priority in the file",
    JSON.stringify({ features: [{ id: "a", name: "A", priority: "urgent" }] }),
    3,
    /features\[0\]\.priority/,
  ],
  [
    "duplicate ids in the file",
    JSON.stringify({ features: [{ id: "a", name: "A" }, { id: "a", name: "B" }] }),
    3,
    /features\[1\]\.id.*duplicate id "a"/,
  ],
  ["features not a list", JSON.stringify({ features: {} }), 3, /features: /],
  ["feature without a name", JSON.stringify({ features: [{ id: "a" }] }), 3, /features\[0\]\.name/],
];

for (const [label, content, code, message] of cases) {
  Deno.test(`bad input: ${label} is one error line, exit ${code}, file untouched`, async () => {
    await using dir = await withFile(content);
    for (const args of [["status"], ["feature", "list", "--json"], ["feature", "add", "New one"]]) {
      const res = await br(args, { cwd: dir.path });
      assert.equal(res.code, code, `${args.join(" ")}: ${res.stderr}`);
      assert.equal(res.stdout, "");
      const lines = res.stderr.trim().split("\n");
      assert.match(lines[0], /^error: /);
      assert.match(lines[0], message);
      assert.match(lines[1], /^hint: /);
      assert.equal(lines.length, 2);
      assert.equal(await Deno.readTextFile(`${dir.path}/${FEATURES}`), content);
    }
  });
}

Deno.test("bad input: no project is exit 4 naming the folder", async () => {
  await using dir = await tempDir();
  const res = await br(["status"], { cwd: dir.path });
  assert.equal(res.code, 4);
  assert.match(res.stderr, /^error: No BuildRunner project found in ".*"/);
  assert.match(res.stderr, /hint: run "br init"/);
  const explicit = await br(["status", "--project", "nowhere"], { cwd: dir.path });
  assert.equal(explicit.code, 4);
  assert.match(explicit.stderr, /No BuildRunner project at ".*nowhere"/);
});

Deno.test("bad input: unknown command or flag is exit 2", async () => {
  await using dir = await tempProject();
  assert.equal((await br(["feature", "frobnicate"], { cwd: dir.path })).code, 2);
  assert.equal((await br(["status", "--bogus"], { cwd: dir.path })).code, 2);
  assert.equal((await br(["feature", "add"], { cwd: dir.path })).code, 2);
});

Deno.test("bad input: features.json that is not valid UTF-8 is exit 3 naming the byte, file untouched", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/${FEATURES}`;
  const text = JSON.stringify({ features: [{ id: "a", name: "caf\u00e9" }] }, null, 2);
  const bytes = new TextEncoder().encode(text);
  const at = bytes.indexOf(0xc3); // "é" is C3 A9: a lone C3 is invalid
  const broken = new Uint8Array([...bytes.subarray(0, at), 0xc3, 0x28, ...bytes.subarray(at + 2)]);
  await Deno.writeFile(path, broken);
  for (const args of [["status"], ["feature", "list", "--json"], ["feature", "add", "New one"]]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
    assert.equal(res.stdout, "");
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 2, res.stderr);
    assert.equal(
      lines[0],
      `error: Cannot read .buildrunner/features.json: it is not valid UTF-8 (byte 0xC3 at offset ${at})`,
    );
    assert.match(lines[1], /^hint: .*not changed/);
    assert.deepEqual(await Deno.readFile(path), broken);
  }
});

Deno.test("bad input: config.yaml that is not valid UTF-8 is exit 3, file untouched", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/.buildrunner/config.yaml`;
  const broken = new Uint8Array([...new TextEncoder().encode("project:\n  name: caf"), 0xe9, 10]);
  await Deno.writeFile(path, broken);
  for (const args of [["config", "list"], ["config", "set", "project.name", "x"]]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
    assert.match(
      res.stderr,
      /^error: Cannot read .*config\.yaml.*: it is not valid UTF-8 \(byte 0xE9 at offset 20\)\nhint: the file was not changed/,
    );
    assert.deepEqual(await Deno.readFile(path), broken);
  }
});

Deno.test("bad input: a UTF-8 byte order mark before features.json is accepted", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/${FEATURES}`;
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, `\uFEFF${text}`);
  const status = await br(["status", "--json"], { cwd: dir.path });
  assert.equal(status.code, 0, status.stderr);
  const add = await br(["feature", "add", "After BOM", "--id", "after-bom"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  const after = await Deno.readTextFile(path);
  assert.ok(after.includes('"after-bom"'));
  assert.ok(!after.includes("\uFEFF"), "br writes JSON without a byte order mark");
});

Deno.test("bad input: a JSON syntax error is one line without the file's text, exit 3", async () => {
  for (const content of ['\uFEFF{\n  "features": x\n}', '{\n  "features": [\n    nope\n  ]\n}\n']) {
    await using dir = await withFile(content);
    const res = await br(["feature", "list"], { cwd: dir.path });
    assert.equal(res.code, 3, res.stderr);
    const lines = res.stderr.trim().split("\n");
    assert.equal(lines.length, 2, res.stderr);
    assert.match(lines[0], /^error: Cannot parse \.buildrunner\/features\.json: Unexpected token/);
    assert.ok(!lines[0].includes("\uFEFF"), lines[0]);
    assert.ok(!lines[0].includes('"features"'), lines[0]);
    assert.equal(await Deno.readTextFile(`${dir.path}/${FEATURES}`), content);
  }
});
