import assert from "node:assert/strict";
import {
  applySpecEdits,
  parseSpec,
  renderSpec,
  type SpecFeatureInput,
  validateSpec,
} from "../../src/spec/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { HAND_SPEC } from "./_fixtures.ts";

const FEATURES: SpecFeatureInput[] = [
  {
    id: "user-model",
    name: "User model",
    description: "Stores users.\nSecond line.",
    priority: "high",
    depends_on: [],
    acceptance: ["Users have an email"],
  },
  {
    id: "auth-login",
    name: "Login",
    description: "",
    priority: "critical",
    depends_on: ["user-model"],
    acceptance: ["A user can log in", "Wrong passwords are rejected"],
    files: ["src/auth/**", "tests/auth/**"],
  },
];

Deno.test("write -> parse -> write is byte-stable", async () => {
  const text = await renderSpec({
    name: "Acme",
    description: "A portal for patients.",
    users: ["Patients"],
    industry: "healthcare",
    use_case: "unknown",
    stack: ["deno"],
    features: FEATURES,
  });
  const parsed = await parseSpec(text);
  assert.deepEqual(validateSpec(parsed), []);
  assert.deepEqual(
    parsed.features.map(({ id, name, description, priority, depends_on, acceptance, files }) => ({
      id,
      name,
      description,
      priority,
      depends_on,
      acceptance,
      files,
    })),
    FEATURES.map((f) => ({ ...f, files: f.files ?? [] })),
  );
  // Re-rendering every feature block gives back the same bytes.
  const again = await applySpecEdits(parsed, { upsert: parsed.features });
  assert.equal(again, text);
  assert.equal(await applySpecEdits(await parseSpec(again), {}), text);
});

Deno.test("the writer keeps user text it does not own, byte for byte", async () => {
  const parsed = await parseSpec(HAND_SPEC);
  assert.deepEqual(validateSpec(parsed), []);
  assert.equal(await applySpecEdits(parsed, {}), HAND_SPEC);
  // Re-rendering the hand-written blocks keeps ticks, notes and everything around them.
  assert.equal(await applySpecEdits(parsed, { upsert: parsed.features }), HAND_SPEC);
  const login = parsed.features.find((f) => f.id === "auth-login")!;
  const edited = await applySpecEdits(parsed, { upsert: [{ ...login, priority: "high" }] });
  assert.equal(edited, HAND_SPEC.replace("Priority: medium", "Priority: high"));
  // Front matter edits keep the comment and unknown keys.
  const locked = await applySpecEdits(parsed, { front: { status: "confirmed" } });
  assert.equal(locked, HAND_SPEC.replace("status: draft", "status: confirmed"));
});

Deno.test("parseSpec() reads fields, checkboxes, notes and layer rules", async () => {
  const s = await parseSpec(HAND_SPEC);
  assert.equal(s.front?.name, "Acme");
  assert.deepEqual(s.front?.stack, ["deno", "postgres"]);
  assert.equal(s.front?.raw.owner, "team-a");
  const um = s.features[0];
  const lineOf = (text: string) => HAND_SPEC.split("\n").indexOf(text) + 1;
  assert.equal(um.line, lineOf("### User model {#user-model}"));
  assert.deepEqual(um.checked, ["Users have an email"]);
  assert.equal(um.notes, "Notes kept by the user.");
  assert.deepEqual(s.features[1].files, ["src/auth/**"]);
  assert.deepEqual(s.architecture_rules, [{
    from: "src/ui",
    to: "src/db",
    line: lineOf("- `src/ui -/-> src/db`"),
  }]);
});

Deno.test("appending and removing features touches only their blocks", async () => {
  const parsed = await parseSpec(HAND_SPEC);
  const added = await applySpecEdits(parsed, {
    upsert: [{
      id: "audit",
      name: "Audit log",
      description: "",
      priority: "low",
      depends_on: [],
      acceptance: ["Every login is logged"],
    }],
  });
  assert.ok(added.includes(
    "- [ ] A user can log in\n\n### Audit log {#audit}\n\nPriority: low\nDepends on: none\nAcceptance:\n- [ ] Every login is logged\n\n## Architecture",
  ));
  const removed = await applySpecEdits(await parseSpec(added), { remove: ["audit"] });
  assert.equal(removed, HAND_SPEC);
});

Deno.test("br spec validate lists every problem with its line and exits 10", async () => {
  await using dir = await tempProject();
  const bad = `---
status: draft
industry: banking
---
# X

## Overview

Something.

## Features

### Login {#login}

Priority: urgent
Depends on: ghost
Acceptance:
- [ ] ok

### {#nameless}

### Login again {#login}

Depends on: b
Acceptance:

### B {#b}

Depends on: login
Acceptance:
- [ ] fine

## Overview

Twice.
`;
  await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, bad);
  const res = await br(["spec", "validate"], { cwd: dir.path });
  assert.equal(res.code, 10, res.stderr);
  const expected = [
    'PROJECT_SPEC.md: missing section "## Users"',
    'PROJECT_SPEC.md:3: unknown industry "banking"',
    'PROJECT_SPEC.md:13: feature "login" depends on unknown feature "ghost"',
    'PROJECT_SPEC.md:13: feature "login" has unknown priority "urgent"',
    "PROJECT_SPEC.md:20: a feature heading has no name",
    'PROJECT_SPEC.md:22: duplicate feature id "login" (first at line 13)',
    'PROJECT_SPEC.md:22: feature "login" has no acceptance criteria',
    'PROJECT_SPEC.md:33: duplicate section "## Overview" (first at line 7)',
  ];
  for (const line of expected) {
    assert.ok(res.stdout.includes(line), `missing: ${line}\n${res.stdout}`);
  }
  assert.match(res.stdout, /dependency cycle/);
  const json = await br(["spec", "validate", "--json"], { cwd: dir.path });
  assert.equal(json.code, 10);
  const data = JSON.parse(json.stdout);
  assert.equal(data.valid, false);
  assert.ok(data.problems.some((p: { code: string }) => p.code === "dependency_cycle"));
});

Deno.test("broken front matter is exit 3 with the line, and nothing is written", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/PROJECT_SPEC.md`;
  const broken = "---\nstatus: draft\nstack: [a, b\nindustry: x\n---\n# X\n";
  await Deno.writeTextFile(path, broken);
  for (const args of [["spec", "validate"], ["spec", "sync"], ["spec", "lock"]]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, /^error: PROJECT_SPEC\.md:\d+: broken front matter/);
  }
  assert.equal(await Deno.readTextFile(path), broken);
  // One place, in the file's lines (the YAML parser counts from the first line after ---).
  await Deno.writeTextFile(path, "---\nname: Acme\nstatus: [draft\n---\n# Acme\n");
  const one = await br(["spec", "validate"], { cwd: dir.path });
  assert.match(one.stderr, /^error: PROJECT_SPEC\.md:3: broken front matter: [^\n]*\n/);
  assert.doesNotMatch(one.stderr, /at line/);
  assert.doesNotMatch(one.stderr.split("\n")[0], /:$/);
  await Deno.writeTextFile(path, "---\nstatus: draft\n# no end\n");
  const res = await br(["spec", "validate"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(res.stderr, /PROJECT_SPEC\.md:1: front matter is not closed/);
});

Deno.test("br spec validate without a spec is exit 4 with a hint", async () => {
  await using dir = await tempProject();
  const res = await br(["spec", "validate"], { cwd: dir.path });
  assert.equal(res.code, 4);
  assert.match(res.stderr, /hint: run "br spec wizard"/);
});

Deno.test("applySpecEdits() at the end of the file and without a Features section", async () => {
  const base =
    `---\nstatus: draft\n---\n# T\n\n## Overview\n\nx\n\n## Users\n\n- u\n\n## Features\n\n### A {#a}\n\nPriority: high\nDepends on: none\nAcceptance:\n- [ ] one\n`;
  const p = await parseSpec(base);
  const nf = {
    id: "b",
    name: "B",
    description: "",
    priority: "low",
    depends_on: ["a"],
    acceptance: ["two"],
  };
  const added = await applySpecEdits(p, { upsert: [nf] });
  assert.equal(
    added,
    base + `\n### B {#b}\n\nPriority: low\nDepends on: a\nAcceptance:\n- [ ] two\n`,
  );
  const p2 = await parseSpec(added);
  assert.equal(await applySpecEdits(p2, { remove: ["b"] }), base);
  assert.equal(await applySpecEdits(p2, { upsert: p2.features }), added);
  const rep = await applySpecEdits(p, { upsert: [{ ...p.features[0], priority: "low" }] });
  assert.equal(rep, base.replace("Priority: high", "Priority: low"));
  // both replace the last block and append
  const both = await applySpecEdits(p, { upsert: [{ ...p.features[0], priority: "low" }, nf] });
  assert.equal(both, added.replace("Priority: high", "Priority: low"));
  // No Features section at all
  const nofeat = `---\nstatus: draft\n---\n# T\n\n## Overview\n\nx\n`;
  const r = await applySpecEdits(await parseSpec(nofeat), { upsert: [nf] });
  assert.equal(
    r,
    nofeat +
      `\n## Features\n\n### B {#b}\n\nPriority: low\nDepends on: a\nAcceptance:\n- [ ] two\n`,
  );
});
