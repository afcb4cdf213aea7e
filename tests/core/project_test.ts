import assert from "node:assert/strict";
import { join } from "node:path";
import { findProjectRoot } from "../../src/core/project.ts";
import { selfCommand } from "../../src/core/self.ts";
import { br, gitRun, MAIN_TS, tempProject } from "../helpers.ts";

Deno.test("project discovery walks up, honours --project and BR_PROJECT", async () => {
  await using dir = await tempProject("walk");
  const deep = join(dir.path, "a", "b", "c");
  await Deno.mkdir(deep, { recursive: true });
  assert.equal(findProjectRoot(deep), dir.path);
  const fromDeep = JSON.parse((await br(["status", "--json"], { cwd: deep })).stdout);
  assert.equal(fromDeep.project, "walk");
  const viaEnv = await br(["status", "--json"], { cwd: "/", env: { BR_PROJECT: dir.path } });
  assert.equal(JSON.parse(viaEnv.stdout).project, "walk");
  const viaFlag = await br(["status", "--json", "--project", dir.path], { cwd: "/" });
  assert.equal(JSON.parse(viaFlag.stdout).project, "walk");
});

Deno.test("inside a task worktree the project is the main checkout", async () => {
  await using dir = await tempProject("main");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-qm", "init"], dir.path);
  const wt = join(dir.path, ".buildrunner", "worktrees", "login");
  await gitRun(["worktree", "add", "-q", "-b", "br/login", wt], dir.path);
  assert.equal(findProjectRoot(join(wt, ".buildrunner")), dir.path);
  const res = await br(["feature", "add", "From worktree"], { cwd: wt });
  assert.equal(res.code, 0, res.stderr);
  const main = JSON.parse(await Deno.readTextFile(join(dir.path, ".buildrunner/features.json")));
  assert.equal(main.features.length, 1, "written to the main checkout");
  const inWt = JSON.parse(await Deno.readTextFile(join(wt, ".buildrunner/features.json")));
  assert.equal(inWt.features.length, 0, "the worktree copy is untouched");

  // A worktree made by hand elsewhere is an ordinary checkout with its own .buildrunner/.
  const other = `${dir.path}-side`;
  await gitRun(["worktree", "add", "-q", "-b", "side", other], dir.path);
  try {
    assert.equal(findProjectRoot(other), other);
  } finally {
    await Deno.remove(other, { recursive: true });
  }
});

Deno.test("selfCommand: BR_BIN wins, else deno run with the binary's permissions on main.ts", () => {
  assert.deepEqual(selfCommand({ BR_BIN: "/usr/local/bin/br" }), ["/usr/local/bin/br"]);
  const cmd = selfCommand({});
  assert.equal(cmd[0], Deno.execPath());
  assert.equal(cmd[1], "run");
  assert.ok(cmd.includes("--allow-all"));
  assert.equal(cmd[cmd.length - 1], MAIN_TS);
});

Deno.test("configMentions() tells whether any layer of the configuration can set a section", async () => {
  await using dir = await tempProject();
  const { createProject } = await import("../../src/core/project.ts");
  const home = join(dir.path, "home");
  await Deno.mkdir(home);
  const open = (env: Record<string, string>, configFlags?: Record<string, unknown>) =>
    createProject(dir.path, { env: { BR_HOME: home, ...env }, configFlags });
  // br init's config.yaml mentions neither section.
  assert.equal(open({}).configMentions("telemetry"), false);
  assert.equal(open({ BR_TELEMETRY__ENABLED: "false" }).configMentions("telemetry"), true);
  assert.equal(open({ BR_SECURITY__SQL: "false" }).configMentions("telemetry"), false);
  assert.equal(open({}, { "telemetry.enabled": false }).configMentions("telemetry"), true);
  assert.equal(open({}, { "security.sql": false }).configMentions("telemetry"), false);
  await Deno.writeTextFile(join(home, "config.yaml"), "telemetry:\n  enabled: false\n");
  assert.equal(open({}).configMentions("telemetry"), true);
  await Deno.remove(join(home, "config.yaml"));
  const config = join(dir.path, ".buildrunner", "config.yaml");
  await Deno.writeTextFile(config, (await Deno.readTextFile(config)) + "security:\n  sql: false\n");
  assert.equal(open({}).configMentions("security"), true);
  assert.equal(open({}).configMentions("telemetry"), false);
  // A config "file" that cannot be read (here a folder) may set anything: the configuration
  // loads, and reports it.
  await Deno.mkdir(join(home, "config.yaml"));
  assert.equal(open({}).configMentions("telemetry"), true);
});
