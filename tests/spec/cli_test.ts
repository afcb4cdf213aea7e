import assert from "node:assert/strict";
import { brProcess, tempProject } from "../helpers.ts";
import { brOk, HAND_SPEC } from "./_fixtures.ts";

Deno.test("smoke: spec show, context and handoff as real subprocesses", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, HAND_SPEC);
  await brOk(["spec", "sync"], dir.path);
  const show = await brProcess(["spec", "show", "--json"], { cwd: dir.path });
  assert.equal(show.code, 0, show.stderr);
  const spec = JSON.parse(show.stdout);
  assert.equal(spec.status, "draft");
  assert.equal(spec.front_matter.owner, "team-a");
  assert.deepEqual(spec.features.map((f: { id: string }) => f.id), ["user-model", "auth-login"]);
  assert.deepEqual(spec.sections.map((s: { title: string }) => s.title), [
    "Overview",
    "Users",
    "Features",
    "Architecture",
    "Design",
    "Non-functional",
    "Out of scope",
  ]);
  const context = await brProcess(["context"], { cwd: dir.path });
  assert.equal(context.code, 0, context.stderr);
  assert.equal(context.stdout, "created   AGENTS.md\ncreated   CLAUDE.md\n");
  const handoff = await brProcess(["handoff", "auth-login"], { cwd: dir.path });
  assert.equal(handoff.code, 0, handoff.stderr);
  assert.match(handoff.stdout, /^# Feature auth-login: Login\n/);
});
