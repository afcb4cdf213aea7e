import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openProject } from "../../src/core/project.ts";
import { pluginServices } from "../../src/plugins/runtime.ts";
import { FIRST_PARTY } from "../../scripts/bundle_plugins.ts";
import { readJson, tempProject } from "../helpers.ts";

const PLUGINS = fileURLToPath(new URL("../../plugins/", import.meta.url));

Deno.test("the first-party plugins import nothing but the public SDK (and their shared helpers)", async () => {
  const files: string[] = [];
  for (const folder of [...FIRST_PARTY, "_shared"]) {
    for await (const entry of Deno.readDir(join(PLUGINS, folder))) {
      if (entry.isFile && entry.name.endsWith(".ts")) files.push(join(folder, entry.name));
    }
  }
  assert.ok(files.includes("github/mod.ts") && files.includes("notion/mod.ts"));
  for (const file of files) {
    const text = await Deno.readTextFile(join(PLUGINS, file));
    for (const [, spec] of text.matchAll(/^\s*(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)) {
      const ok = spec === "@buildrunner/br/plugin" ||
        (!file.startsWith("_shared/") && spec.startsWith("../_shared/"));
      assert.ok(ok, `${file} imports "${spec}"`);
    }
  }
});

Deno.test("the feature write path of the SDK: only with features=write, only the SDK's fields", async () => {
  await using dir = await tempProject();
  const project = await openProject({ cwd: dir.path });
  try {
    const grant = { read: [], write: [], net: [], env: [], features: [] as string[] };
    const denied = pluginServices(project, "x", grant);
    await assert.rejects(denied("features.add", [{ name: "A" }]), /Requires features access/);
    const services = pluginServices(project, "x", { ...grant, features: ["write"] });
    await assert.rejects(
      services("features.add", [{ name: "A", files: ["../../etc"] }]),
      /invalid feature field "files"/,
    );
    await assert.rejects(services("features.add", [{ name: 3 }]), /invalid feature field "name"/);
    await assert.rejects(
      services("features.update", ["a", { status: "complete" }]),
      /invalid feature field "status"/,
    );
    await assert.rejects(services("features.add", ["A"]), /must be an object/);
    const added = await services("features.add", [{ name: "A", tags: ["x"], week: 2 }]);
    assert.equal((added as { id: string }).id, "a");
    await assert.rejects(services("features.add", [{ name: "A" }]), /already exists/);
    await services("features.status", ["a", "complete", null]);
    const file = await readJson<{ features: { id: string; status: string; week: number }[] }>(
      join(dir.path, ".buildrunner", "features.json"),
    );
    assert.deepEqual(file.features.map((f) => [f.id, f.status, f.week]), [["a", "complete", 2]]);
  } finally {
    await project.close();
  }
});
