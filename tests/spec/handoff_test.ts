import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { buildHandoff, renderHandoff } from "../../src/spec/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { brOk, HAND_SPEC } from "./_fixtures.ts";

Deno.test("buildHandoff() gathers the feature, its dependencies, files, spec excerpt and commands", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, HAND_SPEC);
  await brOk(["spec", "sync"], dir.path);
  await brOk(["config", "set", "spec.verify_commands", '["deno lint"]'], dir.path);
  await brOk(["config", "set", "project.test_command", "deno task test"], dir.path);
  const project = await openProject({ cwd: dir.path, env: { HOME: dir.path } });
  const h = await buildHandoff(project, "auth-login");
  await project.close();
  assert.equal(h.project.name, "Acme");
  assert.equal(h.project.summary, "A dashboard where clinic staff see today's patients.");
  assert.equal(h.feature.id, "auth-login");
  assert.deepEqual(h.feature.acceptance, ["A user can log in"]);
  assert.deepEqual(h.feature.files, ["src/auth/**"]);
  assert.deepEqual(h.dependencies, [{ id: "user-model", name: "User model", status: "planned" }]);
  assert.equal(h.ready, false);
  assert.deepEqual(h.dependents, []);
  assert.equal(
    h.spec_source,
    "PROJECT_SPEC.md:" + (HAND_SPEC.split("\n").indexOf("### Login {#auth-login}") + 1),
  );
  assert.ok(h.spec_excerpt?.startsWith("### Login {#auth-login}\n\nPriority: medium"));
  assert.deepEqual(h.architecture_rules, [{ from: "src/ui", to: "src/db" }]);
  assert.deepEqual(h.commands, ["deno task test", "deno lint"]);
  const prompt = renderHandoff(h);
  for (
    const want of [
      "# Feature auth-login: Login",
      "## Acceptance criteria\n\n- [ ] A user can log in",
      "- `user-model` User model: planned",
      "Some dependencies are not complete",
      "- `src/auth/**`",
      "- `src/ui` must not import from `src/db`",
      "## Spec excerpt (PROJECT_SPEC.md:",
      "## Verify\n\n- `deno task test`\n- `deno lint`",
    ]
  ) assert.ok(prompt.includes(want), `missing ${want}\n${prompt}`);
});

Deno.test("br handoff works without a spec, prints JSON, and exits 4 for an unknown id", async () => {
  await using dir = await tempProject();
  await brOk(["feature", "add", "Solo", "--acceptance", "It works"], dir.path);
  const res = await brOk(["handoff", "solo", "--json"], dir.path);
  const h = JSON.parse(res.stdout);
  assert.equal(h.spec_excerpt, null);
  assert.equal(h.ready, true);
  assert.deepEqual(h.commands, []);
  const text = await brOk(["handoff", "solo"], dir.path);
  assert.match(text.stdout, /no verify command configured/);
  const missing = await br(["handoff", "nope"], { cwd: dir.path });
  assert.equal(missing.code, 4);
  assert.match(missing.stderr, /Cannot find feature "nope"/);
});
