import assert from "node:assert/strict";
import { br, tempProject } from "../helpers.ts";

Deno.test("a spec written by the wizard drives br design generate without arguments", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/answers.yaml`,
    `name: Clinic portal
description: Patients book appointments with their doctor and see lab results.
users: [patients, clinicians]
industry: healthcare
use_case: dashboard
stack: [deno]
features:
  - name: Booking
    priority: high
    acceptance: [A patient can book a slot]
`,
  );
  const wizard = await br(["spec", "wizard", "--answers", "answers.yaml"], { cwd: dir.path });
  assert.equal(wizard.code, 0, wizard.stderr);
  const res = await br(["design", "generate", "--format", "dtcg", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.industry, "healthcare");
  assert.equal(out.use_case, "dashboard");
  assert.equal(out.source.industry, "spec");
});

Deno.test("industry: unknown in the spec is not taken as a profile name", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/PROJECT_SPEC.md`,
    "---\nstatus: draft\nindustry: unknown\nuse_case: unknown\n---\n# X\n\n## Overview\n\nx\n",
  );
  const res = await br(["design", "generate", "--json"], { cwd: dir.path });
  assert.notEqual(res.code, 0);
  assert.doesNotMatch(res.stderr, /Unknown industry profile "unknown"/);
});
