import assert from "node:assert/strict";
import { z } from "zod";
import { defineConfigSection, loadConfig } from "../../src/core/config.ts";
import { br, tempDir, tempProject } from "../helpers.ts";

defineConfigSection(
  "sample",
  z.looseObject({
    threshold: z.number().min(0).max(100).default(70),
    paths: z.array(z.string()).default([]),
  }),
);

Deno.test("config layers: defaults < global < project < env < flags", async () => {
  await using dir = await tempDir();
  const global = `${dir.path}/global.yaml`;
  const project = `${dir.path}/project.yaml`;
  await Deno.writeTextFile(global, "sample:\n  threshold: 60\n  paths: [src]\n");
  await Deno.writeTextFile(project, "sample:\n  threshold: 75\n");
  const base = { globalFile: global, projectFile: project };
  assert.equal((await loadConfig({})).get("sample.threshold"), 70);
  const c1 = await loadConfig(base);
  assert.equal(c1.get("sample.threshold"), 75);
  assert.equal(c1.source("sample.threshold"), "project");
  assert.deepEqual(c1.get("sample.paths"), ["src"]);
  assert.equal(c1.source("sample.paths"), "global");
  const c2 = await loadConfig({ ...base, env: { BR_SAMPLE__THRESHOLD: "85", BR_PROJECT: "/x" } });
  assert.equal(c2.get("sample.threshold"), 85);
  assert.equal(c2.source("sample.threshold"), "env");
  const c3 = await loadConfig({
    ...base,
    env: { BR_SAMPLE__THRESHOLD: "85" },
    flags: { "sample.threshold": 90 },
  });
  assert.equal(c3.get("sample.threshold"), 90);
  assert.equal(c3.source("sample.threshold"), "flag");
  await assert.rejects(
    loadConfig({ ...base, env: { BR_SAMPLE__THRESHOLD: "150" } }),
    /Invalid config value sample\.threshold in environment/,
  );
  await Deno.writeTextFile(project, "sample: [\n");
  await assert.rejects(loadConfig(base), /Cannot parse ".*project\.yaml"/);
});

Deno.test("br config set/get/unset/list keep comments and validate keys", async () => {
  await using dir = await tempProject();
  const cfg = `${dir.path}/.buildrunner/config.yaml`;
  const set = await br(["config", "set", "project.test_command", "npm test"], { cwd: dir.path });
  assert.equal(set.code, 0, set.stderr);
  const text = await Deno.readTextFile(cfg);
  assert.match(text, /^# BuildRunner project settings\./, "comments are kept");
  assert.match(text, /test_command: npm test/);
  const get = await br(["config", "get", "project.test_command"], { cwd: dir.path });
  assert.equal(get.stdout, "npm test\n");
  const list = JSON.parse((await br(["config", "list", "--json"], { cwd: dir.path })).stdout);
  assert.deepEqual(list.find((e: { key: string }) => e.key === "project.test_command"), {
    key: "project.test_command",
    value: "npm test",
    source: "project",
  });
  const unknown = await br(["config", "set", "projct.name", "x"], { cwd: dir.path });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown config key "projct\.name"/);
  const bad = await br(["config", "set", "project.languages", "not-a-list"], { cwd: dir.path });
  assert.equal(bad.code, 3);
  assert.match(
    await Deno.readTextFile(cfg),
    /test_command: npm test/,
    "a bad value changes nothing",
  );
  assert.equal((await br(["config", "unset", "project.test_command"], { cwd: dir.path })).code, 0);
  const after = JSON.parse(
    (await br(["config", "get", "project.test_command", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(after, { key: "project.test_command", value: null, source: "default" });

  const g = await br(["config", "set", "project.name", "everywhere", "--global"], {
    cwd: dir.path,
  });
  assert.equal(g.code, 0, g.stderr);
  assert.match(await Deno.readTextFile(`${dir.path}/.br-home/config.yaml`), /name: everywhere/);
  const globalList = JSON.parse(
    (await br(["config", "list", "--global", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(globalList, [{ key: "project.name", value: "everywhere", source: "global" }]);
  const effective = JSON.parse(
    (await br(["config", "get", "project.name", "--json"], { cwd: dir.path })).stdout,
  );
  assert.equal(effective.source, "project", "the project file wins over the global one");
});
