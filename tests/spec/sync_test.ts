import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import { br, readJson, tempDir, tempProject } from "../helpers.ts";
import { brOk, HAND_SPEC } from "./_fixtures.ts";

interface F {
  id: string;
  name: string;
  status: string;
  priority: string;
  description: string;
  acceptance: string[];
  dependencies: string[];
  created_at: string;
}

async function features(dir: string): Promise<Map<string, F>> {
  const file = await readJson<{ features: F[] }>(`${dir}/.buildrunner/features.json`);
  return new Map(file.features.map((f) => [f.id, f]));
}

/** A project whose spec is HAND_SPEC, synced once (features created from it). */
async function syncedProject() {
  const dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, HAND_SPEC);
  await brOk(["spec", "sync"], dir.path);
  return dir;
}

const specPath = (dir: string) => `${dir}/PROJECT_SPEC.md`;
async function editSpec(dir: string, from: string, to: string) {
  const text = await Deno.readTextFile(specPath(dir));
  assert.ok(text.includes(from), `spec has no "${from}"`);
  await Deno.writeTextFile(specPath(dir), text.replace(from, to));
}

Deno.test("spec sync: the first sync creates features in spec order and stores the base", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(specPath(dir.path), HAND_SPEC);
  const events: BrEvent[] = [];
  const res = await br(["spec", "sync", "--json"], {
    cwd: dir.path,
    onProject: (p) => p.bus.on("*", (e) => void events.push(e)),
  });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.deepEqual(out.added_to_features, ["auth-login", "user-model"]);
  assert.deepEqual(out.conflicts, []);
  const file = await readJson<{ features: F[] }>(`${dir.path}/.buildrunner/features.json`);
  assert.deepEqual(file.features.map((f) => f.id), ["user-model", "auth-login"]);
  assert.deepEqual(file.features[1].dependencies, ["user-model"]);
  const base = await readJson<{ features: Record<string, unknown> }>(
    `${dir.path}/.buildrunner/spec-sync.json`,
  );
  assert.deepEqual(Object.keys(base.features), ["auth-login", "user-model"]);
  assert.equal(await Deno.readTextFile(specPath(dir.path)), HAND_SPEC, "spec untouched");
  const synced = events.find((e) => e.type === "spec.synced");
  assert.deepEqual(synced?.payload, {
    added: ["auth-login", "user-model"],
    changed: [],
    removed: [],
    problems: [],
  });
  assert.equal(events.filter((e) => e.type === "feature.added").length, 2);
  const again = await brOk(["spec", "sync"], dir.path);
  assert.match(again.stdout, /Already in sync\./);
});

Deno.test("spec sync: a spec edit updates the feature and keeps its status and history", async () => {
  await using dir = await syncedProject();
  await brOk(["feature", "start", "auth-login"], dir.path);
  const before = (await features(dir.path)).get("auth-login")!;
  await editSpec(dir.path, "Priority: medium", "Priority: critical");
  await editSpec(
    dir.path,
    "- [ ] A user can log in",
    "- [ ] A user can log in\n- [ ] Lockout after 5 tries",
  );
  const res = await brOk(["spec", "sync"], dir.path);
  assert.match(res.stdout, /features\.json\s+~ auth-login \(priority, acceptance\)/);
  const after = (await features(dir.path)).get("auth-login")!;
  assert.equal(after.priority, "critical");
  assert.deepEqual(after.acceptance, ["A user can log in", "Lockout after 5 tries"]);
  assert.equal(after.status, "in_progress");
  assert.equal(after.created_at, before.created_at);
});

Deno.test("spec sync: command-line edits flow back into the spec's Features section only", async () => {
  await using dir = await syncedProject();
  await brOk(["feature", "update", "user-model", "--priority", "critical"], dir.path);
  await brOk([
    "feature",
    "add",
    "Audit log",
    "--priority",
    "low",
    "--depends-on",
    "auth-login",
    "--acceptance",
    "Every login is logged",
  ], dir.path);
  const res = await brOk(["spec", "sync"], dir.path);
  assert.match(res.stdout, /PROJECT_SPEC\.md \+ audit-log/);
  assert.match(res.stdout, /PROJECT_SPEC\.md ~ user-model \(priority\)/);
  const expected = HAND_SPEC
    .replace("Stores users.\n\nPriority: high", "Stores users.\n\nPriority: critical")
    .replace(
      "- [ ] A user can log in\n",
      "- [ ] A user can log in\n\n### Audit log {#audit-log}\n\nPriority: low\nDepends on: auth-login\nAcceptance:\n- [ ] Every login is logged\n",
    );
  assert.equal(await Deno.readTextFile(specPath(dir.path)), expected);
  assert.match((await brOk(["spec", "sync"], dir.path)).stdout, /Already in sync/);
});

Deno.test("spec sync: edits of different fields on both sides both win", async () => {
  await using dir = await syncedProject();
  await editSpec(dir.path, "Stores users.", "Stores users and their roles.");
  await brOk(["feature", "update", "user-model", "--priority", "low"], dir.path);
  const res = await brOk(["spec", "sync", "--json"], dir.path);
  const out = JSON.parse(res.stdout);
  assert.deepEqual(out.updated_in_features, [{ id: "user-model", fields: ["description"] }]);
  assert.deepEqual(out.updated_in_spec, [{ id: "user-model", fields: ["priority"] }]);
  const f = (await features(dir.path)).get("user-model")!;
  assert.equal(f.description, "Stores users and their roles.");
  assert.equal(f.priority, "low");
  const spec = await Deno.readTextFile(specPath(dir.path));
  assert.match(spec, /Stores users and their roles\.\n\nPriority: low/);
  assert.match(spec, /- \[x\] Users have an email/, "ticks survive");
  assert.match(spec, /Notes kept by the user\./, "notes survive");
});

Deno.test("spec sync: the same field changed on both sides is a conflict left alone (exit 5)", async () => {
  await using dir = await syncedProject();
  await editSpec(dir.path, "Priority: medium", "Priority: critical");
  await brOk(["feature", "update", "auth-login", "--priority", "low"], dir.path);
  const specBefore = await Deno.readTextFile(specPath(dir.path));
  const res = await br(["spec", "sync"], { cwd: dir.path });
  assert.equal(res.code, 5, res.stderr);
  assert.match(
    res.stdout,
    /conflict auth-login\.priority: changed differently in the spec and in features\.json \(spec "critical", features\.json "low"\)/,
  );
  assert.equal(await Deno.readTextFile(specPath(dir.path)), specBefore);
  assert.equal((await features(dir.path)).get("auth-login")!.priority, "low");
  // Still a conflict on the next run: the base was not moved.
  assert.equal((await br(["spec", "sync"], { cwd: dir.path })).code, 5);
  // --prefer decides it.
  const resolved = await brOk(["spec", "sync", "--prefer", "spec"], dir.path);
  assert.match(resolved.stdout, /features\.json\s+~ auth-login \(priority\)/);
  assert.equal((await features(dir.path)).get("auth-login")!.priority, "critical");
  assert.match((await brOk(["spec", "sync"], dir.path)).stdout, /Already in sync/);
});

Deno.test("spec sync: removals follow the other side, but never drop started work", async () => {
  await using dir = await syncedProject();
  await brOk(["feature", "add", "Extra", "--acceptance", "x"], dir.path);
  await brOk(["feature", "add", "Started", "--acceptance", "y"], dir.path);
  await brOk(["spec", "sync"], dir.path);
  await brOk(["feature", "start", "started"], dir.path);
  let spec = await Deno.readTextFile(specPath(dir.path));
  spec = spec.replace(/### Extra \{#extra\}[\s\S]*?(?=### Started)/, "");
  spec = spec.replace(/### Started \{#started\}[\s\S]*?(?=## Architecture)/, "");
  await Deno.writeTextFile(specPath(dir.path), spec);
  const res = await br(["spec", "sync", "--json"], { cwd: dir.path });
  assert.equal(res.code, 5);
  const out = JSON.parse(res.stdout);
  assert.deepEqual(out.removed_from_features, ["extra"]);
  assert.equal(out.conflicts.length, 1);
  assert.equal(out.conflicts[0].id, "started");
  assert.match(out.conflicts[0].reason, /"in_progress" in features\.json/);
  const now = await features(dir.path);
  assert.ok(!now.has("extra"));
  assert.equal(now.get("started")!.status, "in_progress");
  // A feature removed on the command line leaves the spec.
  await brOk(["feature", "remove", "auth-login"], dir.path);
  const res2 = await br(["spec", "sync", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(res2.stdout).removed_from_spec, ["auth-login"]);
  assert.ok(!(await Deno.readTextFile(specPath(dir.path))).includes("{#auth-login}"));
});

Deno.test("spec sync --dry-run prints the plan as a diff and writes nothing", async () => {
  await using dir = await syncedProject();
  await brOk(["feature", "update", "user-model", "--priority", "low"], dir.path);
  await editSpec(dir.path, "Priority: medium", "Priority: high");
  const featuresBefore = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  const specBefore = await Deno.readTextFile(specPath(dir.path));
  const baseBefore = await Deno.readTextFile(`${dir.path}/.buildrunner/spec-sync.json`);
  const res = await brOk(["spec", "sync", "--dry-run"], dir.path);
  assert.match(res.stdout, /--- a\/PROJECT_SPEC\.md\n\+\+\+ b\/PROJECT_SPEC\.md/);
  assert.match(res.stdout, /\n-Priority: high\n\+Priority: low\n/);
  assert.match(res.stdout, /--- a\/\.buildrunner\/features\.json/);
  assert.match(res.stdout, /\n-\s+"priority": "medium",\n\+\s+"priority": "high",\n/);
  assert.match(res.stdout, /Would sync: 0 added, 2 changed/);
  assert.match(res.stdout, /Dry run: nothing was written\./);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), featuresBefore);
  assert.equal(await Deno.readTextFile(specPath(dir.path)), specBefore);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/spec-sync.json`), baseBefore);
});

Deno.test("spec sync refuses an invalid spec (exit 3) and writes nothing", async () => {
  await using dir = await syncedProject();
  await editSpec(dir.path, "Depends on: user-model", "Depends on: ghost");
  const before = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  const res = await br(["spec", "sync"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(
    res.stderr,
    /PROJECT_SPEC\.md:\d+: feature "auth-login" depends on unknown feature "ghost"/,
  );
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), before);
});

Deno.test("spec sync: the same id added on both sides with different values is a conflict", async () => {
  await using dir = await tempProject();
  await brOk([
    "feature",
    "add",
    "Login",
    "--id",
    "auth-login",
    "--priority",
    "low",
    "--acceptance",
    "A user can log in",
  ], dir.path);
  await Deno.writeTextFile(specPath(dir.path), HAND_SPEC);
  const res = await br(["spec", "sync", "--json"], { cwd: dir.path });
  assert.equal(res.code, 5, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.deepEqual(out.added_to_features, ["user-model"]);
  assert.deepEqual(out.conflicts.map((c: { field: string }) => c.field), [
    "dependencies",
    "files",
    "priority",
  ]);
  assert.match(out.conflicts[0].reason, /no earlier sync to decide/);
  assert.equal((await features(dir.path)).get("auth-login")!.priority, "low");
  const fixed = await brOk(["spec", "sync", "--prefer", "spec", "--json"], dir.path);
  assert.deepEqual(JSON.parse(fixed.stdout).updated_in_features, [{
    id: "auth-login",
    fields: ["priority", "dependencies", "files"],
  }]);
});

Deno.test("spec sync: a veto hook stops the whole sync before anything is written", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(specPath(dir.path), HAND_SPEC);
  const before = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  const res = await br(["spec", "sync"], {
    cwd: dir.path,
    onProject: (p) =>
      void p.bus.before("feature.added", (e) => `no new features (${e.payload.id})`),
  });
  assert.equal(res.code, 5);
  assert.match(res.stderr, /Refused feature\.added: no new features \(auth-login\)/);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), before);
  assert.equal(await Deno.stat(`${dir.path}/.buildrunner/spec-sync.json`).catch(() => null), null);
});

Deno.test("spec sync --prefer decides removals too: features puts it back, spec removes it", async () => {
  await using dir = await syncedProject();
  await brOk(["feature", "add", "Started", "--acceptance", "y"], dir.path);
  await brOk(["spec", "sync"], dir.path);
  await brOk(["feature", "start", "started"], dir.path);
  const full = await Deno.readTextFile(specPath(dir.path));
  const without = full.replace(/### Started \{#started\}[\s\S]*?(?=## Architecture)/, "");
  await Deno.writeTextFile(specPath(dir.path), without);
  const res = await br(["spec", "sync"], { cwd: dir.path });
  assert.equal(res.code, 5);
  // The hint names both ways out, and each works.
  assert.match(res.stdout, /--prefer features/);
  assert.match(res.stdout, /--prefer spec/);
  const back = JSON.parse(
    (await brOk(["spec", "sync", "--prefer", "features", "--json"], dir.path)).stdout,
  );
  assert.deepEqual(back.conflicts, []);
  assert.deepEqual(back.added_to_spec, ["started"]);
  assert.match(await Deno.readTextFile(specPath(dir.path)), /### Started \{#started\}/);
  assert.equal((await features(dir.path)).get("started")!.status, "in_progress");
  assert.match((await brOk(["spec", "sync"], dir.path)).stdout, /Already in sync/);

  await Deno.writeTextFile(specPath(dir.path), without);
  const gone = JSON.parse(
    (await brOk(["spec", "sync", "--prefer", "spec", "--json"], dir.path)).stdout,
  );
  assert.deepEqual(gone.conflicts, []);
  assert.deepEqual(gone.removed_from_features, ["started"]);
  assert.ok(!(await features(dir.path)).has("started"));
  assert.match((await brOk(["spec", "sync"], dir.path)).stdout, /Already in sync/);
});

/** A synced project where the next sync writes both files: a spec edit and a command-line edit. */
async function bothSidesChanged() {
  const dir = await syncedProject();
  await editSpec(dir.path, "Stores users.", "Stores users and their roles.");
  await brOk(["feature", "update", "auth-login", "--priority", "low"], dir.path);
  const snapshot = async () => ({
    features: await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`),
    spec: await Deno.readTextFile(specPath(dir.path)),
    base: await Deno.readTextFile(`${dir.path}/.buildrunner/spec-sync.json`),
  });
  return { dir, snapshot };
}

Deno.test("spec sync writes nothing when the spec cannot be written (a link out of the project)", async () => {
  const { dir, snapshot } = await bothSidesChanged();
  await using _dir = dir;
  await using outside = await tempDir();
  await Deno.writeTextFile(`${outside.path}/spec.md`, await Deno.readTextFile(specPath(dir.path)));
  await Deno.remove(specPath(dir.path));
  await Deno.symlink(`${outside.path}/spec.md`, specPath(dir.path));
  const before = await snapshot();
  const res = await br(["spec", "sync"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.deepEqual(await snapshot(), before);
});

Deno.test("spec sync puts back what it wrote when a later write fails", async () => {
  const { dir, snapshot } = await bothSidesChanged();
  await using _dir = dir;
  await using outside = await tempDir();
  // The merge base is a link: read through, never written through.
  const base = `${dir.path}/.buildrunner/spec-sync.json`;
  await Deno.writeTextFile(`${outside.path}/base.json`, await Deno.readTextFile(base));
  await Deno.remove(base);
  await Deno.symlink(`${outside.path}/base.json`, base);
  const before = await snapshot();
  const res = await br(["spec", "sync"], { cwd: dir.path });
  assert.notEqual(res.code, 0);
  assert.match(res.stderr, /spec-sync\.json/);
  assert.deepEqual(await snapshot(), before);
});
