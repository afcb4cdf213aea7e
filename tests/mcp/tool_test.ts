import assert from "node:assert/strict";
import { allTools, selectTools } from "../../src/mcp/catalog.ts";
import { confineGlob, confinePath, paginate } from "../../src/mcp/tool.ts";
import { tempDir } from "../helpers.ts";

Deno.test("confinePath() keeps paths inside the root, also through links", async () => {
  await using root = await tempDir();
  await using outside = await tempDir();
  await Deno.mkdir(`${root.path}/src`);
  await Deno.symlink(outside.path, `${root.path}/escape`);
  assert.equal(await confinePath(root.path, "src", "cwd"), `${root.path}/src`);
  assert.equal(await confinePath(root.path, ".", "cwd"), root.path);
  assert.equal(
    await confinePath(root.path, "src/new/file.ts", "out"),
    `${root.path}/src/new/file.ts`,
  );
  assert.equal(await confinePath(root.path, `${root.path}/src`, "cwd"), `${root.path}/src`);
  for (const bad of ["..", "../x", "/etc", "src/../../x", "escape", "escape/new/deeper", "a\0b"]) {
    await assert.rejects(
      () => confinePath(root.path, bad, "cwd"),
      (err: Error) => /outside the project/.test(err.message) && err.message.includes('"cwd"'),
      bad,
    );
  }
});

Deno.test("confineGlob() accepts relative globs only", () => {
  assert.equal(confineGlob("src/**/*.ts", "files[0]"), "src/**/*.ts");
  assert.equal(confineGlob("a/../b/*", "files[0]"), "a/../b/*");
  for (const bad of ["/src/**", "../x/**", "C:\\x", "a/../../b"]) {
    assert.throws(() => confineGlob(bad, "files[1]"), /outside the project/, bad);
  }
});

Deno.test("paginate() walks every item once and refuses a foreign cursor", () => {
  const items = Array.from({ length: 7 }, (_, i) => i);
  const seen: number[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = paginate(items, 3, cursor);
    assert.equal(page.total, 7);
    seen.push(...page.items);
    cursor = page.next_cursor ?? undefined;
    pages++;
  } while (cursor);
  assert.deepEqual(seen, items);
  assert.equal(pages, 3);
  assert.deepEqual(paginate([], 3), { items: [], next_cursor: null, total: 0 });
  assert.throws(() => paginate(items, 3, "not-ours"), /Invalid cursor/);
});

Deno.test("selectTools() reads BR_MCP_TOOLS", () => {
  const names = (spec?: string) => selectTools(spec).tools.map((t) => t.name);
  const defaults = allTools().filter((t) => t.set === "default").map((t) => t.name);
  assert.deepEqual(names(undefined), defaults);
  assert.deepEqual(names(""), defaults);
  assert.deepEqual(names("default"), defaults);
  assert.deepEqual(names("all"), allTools().map((t) => t.name));
  for (const n of defaults) assert.ok(names("standard").includes(n));
  assert.deepEqual(names("br_get_feature, br_status"), ["br_status", "br_get_feature"]);
  assert.deepEqual(selectTools("br_status,bogus").unknown, ["bogus"]);
  assert.throws(() => selectTools("bogus"), /names no tool/);
});

Deno.test("every tool has a br_ snake_case name, a description and read-only hint", () => {
  const seen = new Set<string>();
  for (const tool of allTools()) {
    assert.match(tool.name, /^br_[a-z][a-z_]*$/);
    assert.ok(!seen.has(tool.name), `${tool.name} is unique`);
    seen.add(tool.name);
    assert.ok(tool.description.length > 20, tool.name);
    assert.equal(typeof tool.annotations.readOnlyHint, "boolean");
  }
});
