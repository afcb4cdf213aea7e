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
