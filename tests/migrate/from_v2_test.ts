import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, readJson, tempDir } from "../helpers.ts";
import { BR2_SAMPLES, br2Sample, treeHash } from "./_tree.ts";

type Features = {
  project: string;
  description: string;
  features: {
    id: string;
    name: string;
    status: string;
    priority: string;
    dependencies: string[];
    tags: string[];
    buildrunner2?: unknown;
  }[];
};

for (const sample of BR2_SAMPLES) {
  Deno.test(`br migrate from-v2 migrates the sample "${sample}" into a project every br command accepts`, async () => {
    await using dir = await br2Sample(sample);
    await using home = await tempDir();
    const env = { BR_HOME: home.path };
    const run = (args: string[]) => br(args, { cwd: dir.path, env });
    const res = await run(["migrate", "from-v2", dir.path, "--json"]);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.dry_run, false);
    assert.equal(out.tag, "br-migrate-v2");

    const status = await run(["status", "--json"]);
    assert.equal(status.code, 0, status.stderr);
    const spec = await run(["spec", "validate"]);
    assert.ok(spec.code === 0 || spec.code === 10, spec.stderr);
    assert.doesNotMatch(spec.stdout + spec.stderr, /Cannot parse|Invalid|error:/);
    assert.doesNotMatch(spec.stdout, /missing section|invalid_|duplicate|unknown/);
    const gov = await run(["governance", "verify"]);
    assert.equal(gov.code, 0, gov.stdout + gov.stderr);
    const list = await run(["feature", "list", "--json"]);
    assert.equal(list.code, 0, list.stderr);

    // Committed and tagged, nothing left over.
    assert.equal(await gitRun(["status", "--porcelain"], dir.path), "");
    const tagged = await gitRun(["rev-parse", "br-migrate-v2^{commit}"], dir.path);
    assert.equal(tagged, await gitRun(["rev-parse", "HEAD"], dir.path));
    assert.equal(out.commit, tagged);
  });
}

Deno.test("br migrate from-v2 maps HRPO features, build-plan steps and next-version items to v3 features", async () => {
  await using dir = await br2Sample("clinic-portal");
  await using home = await tempDir();
  const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env: { BR_HOME: home.path } });
  assert.equal(res.code, 0, res.stderr);
  const file = await readJson<Features>(join(dir.path, ".buildrunner/features.json"));
  const byId = new Map(file.features.map((f) => [f.id, f]));
  assert.equal(file.project, "Clinic Portal");
  assert.equal(
    file.description,
    "Clinic Portal lets patients book visits and see lab results online",
  );
  // HRPO features: strings planned, objects with their status and priority.
  assert.equal(byId.get("online-appointment-booking")?.status, "planned");
  assert.equal(byId.get("lab-results-viewer")?.status, "in_progress");
  assert.equal(byId.get("lab-results-viewer")?.priority, "high");
  assert.equal(byId.get("staff-calendar")?.status, "complete");
  assert.equal(byId.get("staff-calendar")?.priority, "critical");
  // Steps: done -> complete, others planned, each on the previous step of its phase.
  assert.equal(byId.get("step-1.1")?.status, "complete");
  assert.deepEqual(byId.get("step-1.1")?.dependencies, []);
  assert.deepEqual(byId.get("step-1.2")?.dependencies, ["step-1.1"]);
  assert.equal(byId.get("step-2.2")?.status, "planned");
  assert.deepEqual(byId.get("step-2.3")?.dependencies, ["step-2.2"]);
  assert.deepEqual(byId.get("step-3.1")?.dependencies, [], "a new phase starts fresh");
  // Next version: planned, low.
  assert.equal(byId.get("video-visits")?.status, "planned");
  assert.equal(byId.get("video-visits")?.priority, "low");
  assert.equal(file.features.length, 12);

  const spec = await Deno.readTextFile(join(dir.path, "PROJECT_SPEC.md"));
  assert.match(spec, /## Overview\n\nClinic Portal lets patients book visits/);
  assert.match(spec, /Fewer phone calls for the front desk/);
  assert.match(spec, /## Users\n\n- Patients of small outpatient clinics/);
  const gov = await Deno.readTextFile(join(dir.path, ".buildrunner/governance.yaml"));
  assert.match(gov, /buildrunner2:/);
  assert.match(gov, /auto_completion_stamp: true/);
  assert.match(gov, /order:\n\s+- alpha\n\s+- beta\n\s+- GA/);
  assert.match(gov, /feature: minor/);
  const record = await readJson<Record<string, unknown>>(
    join(dir.path, ".buildrunner/migration.json"),
  );
  assert.equal(record.from, "buildrunner2");
  assert.deepEqual((record.buildrunner2 as Record<string, unknown>).supabase, {
    project_ref: "abcd1234",
    url_env: "SUPABASE_URL",
    key_env: "SUPABASE_ANON_KEY",
  });
});

Deno.test("br migrate from-v2 --dry-run prints the plan and writes nothing at all", async () => {
  await using dir = await br2Sample("clinic-portal");
  await using home = await tempDir();
  const before = await treeHash(dir.path, true);
  const res = await br(["migrate", "from-v2", ".", "--dry-run"], {
    cwd: dir.path,
    env: { BR_HOME: home.path },
  });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /dry run, nothing written/);
  assert.match(res.stdout, /step-2\.3 +planned\/medium +Cancellation policy/);
  assert.match(res.stdout, /create \.buildrunner\/features\.json/);
  assert.match(res.stdout, /commit and tag "br-migrate-v2"/);
  const json = await br(["migrate", "from-v2", ".", "--dry-run", "--json"], {
    cwd: dir.path,
    env: { BR_HOME: home.path },
  });
  assert.equal(JSON.parse(json.stdout).plan.features.length, 12);
  assert.equal(await treeHash(dir.path, true), before);
});

Deno.test("br migrate rollback restores every byte and ref, ignored files included", async (t) => {
  for (const git of [true, false]) {
    await t.step(git ? "in a git repository" : "outside git", async () => {
      await using dir = await br2Sample("clinic-portal", git);
      await using home = await tempDir();
      const env = { BR_HOME: home.path };
      const before = await treeHash(dir.path);
      assert.equal((await br(["migrate", "from-v2", "."], { cwd: dir.path, env })).code, 0);
      // Commands after the migration create ignored state (store, cache, lock).
      assert.equal((await br(["status"], { cwd: dir.path, env })).code, 0);
      assert.equal((await br(["feature", "start", "step-2.2"], { cwd: dir.path, env })).code, 0);
      const st = await br(["migrate", "status", ".", "--json"], { cwd: dir.path, env });
      assert.equal(JSON.parse(st.stdout).can_roll_back, true);
      const res = await br(["migrate", "rollback", "."], { cwd: dir.path, env });
      assert.equal(res.code, 0, res.stderr);
      assert.equal(await treeHash(dir.path), before);
      if (git) {
        assert.equal(await gitRun(["status", "--porcelain", "--ignored"], dir.path), "");
      }
      const after = await br(["migrate", "status", ".", "--json"], { cwd: dir.path, env });
      assert.equal(JSON.parse(after.stdout).migrated, false);
    });
  }
});

Deno.test("br migrate rollback refuses (exit 5) once commits were made after the migration", async () => {
  await using dir = await br2Sample("minimal-cli");
  await using home = await tempDir();
  const env = { BR_HOME: home.path };
  assert.equal((await br(["migrate", "from-v2", "."], { cwd: dir.path, env })).code, 0);
  await Deno.writeTextFile(join(dir.path, "notes.txt"), "later work\n");
  await gitRun(["add", "notes.txt"], dir.path);
  await gitRun(["commit", "--quiet", "-m", "later work"], dir.path);
  const before = await treeHash(dir.path);
  const res = await br(["migrate", "rollback", "."], { cwd: dir.path, env });
  assert.equal(res.code, 5, res.stderr);
  assert.match(res.stderr, /1 commit was made after the migration commit/);
  assert.equal(await treeHash(dir.path), before);
  const st = await br(["migrate", "status", ".", "--json"], { cwd: dir.path, env });
  assert.equal(JSON.parse(st.stdout).can_roll_back, false);
});

Deno.test("br migrate from-v2 refuses and writes nothing", async (t) => {
  await using home = await tempDir();
  const env = { BR_HOME: home.path };
  await t.step("without .runner/ (exit 4)", async () => {
    await using dir = await tempDir();
    const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env });
    assert.equal(res.code, 4, res.stderr);
    assert.match(res.stderr, /Cannot find "\.runner\/"/);
    assert.deepEqual([...Deno.readDirSync(dir.path)], []);
  });
  await t.step("with a corrupt hrpo.json (exit 3)", async () => {
    await using dir = await br2Sample("clinic-portal");
    await Deno.writeTextFile(join(dir.path, ".runner/hrpo.json"), '{"features": [');
    await gitRun(["commit", "--quiet", "-am", "broken"], dir.path);
    const before = await treeHash(dir.path, true);
    const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, /Cannot parse \.runner\/hrpo\.json/);
    assert.equal(await treeHash(dir.path, true), before);
  });
  await t.step("with a field of the wrong shape (exit 3, naming it)", async () => {
    await using dir = await br2Sample("clinic-portal");
    const path = join(dir.path, ".runner/hrpo.json");
    const hrpo = await readJson<Record<string, unknown>>(path);
    (hrpo.build_plan as { phases: unknown[] }).phases[1] = { name: "x", steps: [{ done: 1 }] };
    await Deno.writeTextFile(path, JSON.stringify(hrpo));
    await gitRun(["commit", "--quiet", "-am", "broken"], dir.path);
    const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, /build_plan\.phases\[1\]\.steps\[0\]\.name/);
  });
  await t.step("with uncommitted changes (exit 5), unless --force", async () => {
    await using dir = await br2Sample("clinic-portal");
    await Deno.writeTextFile(join(dir.path, "README.md"), "changed\n");
    await gitRun(["add", "README.md"], dir.path);
    await Deno.writeTextFile(join(dir.path, "scratch.txt"), "untracked\n");
    const before = await treeHash(dir.path, true);
    const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env });
    assert.equal(res.code, 5, res.stderr);
    assert.match(res.stderr, /uncommitted changes/);
    assert.equal(await treeHash(dir.path, true), before);
    const files = await treeHash(dir.path);
    const forced = await br(["migrate", "from-v2", ".", "--force"], { cwd: dir.path, env });
    assert.equal(forced.code, 0, forced.stderr);
    // The user's own changes are not part of the migration commit, and stay as they were.
    assert.equal(
      await gitRun(["status", "--porcelain"], dir.path),
      "M  README.md\n?? scratch.txt",
    );
    const back = await br(["migrate", "rollback", "."], { cwd: dir.path, env });
    assert.equal(back.code, 0, back.stderr);
    assert.equal(await treeHash(dir.path), files);
    assert.equal(await gitRun(["diff", "--cached", "--name-only"], dir.path), "README.md");
  });
  await t.step("a project that already has v3 features (exit 5)", async () => {
    await using dir = await br2Sample("minimal-cli");
    assert.equal((await br(["init"], { cwd: dir.path, env })).code, 0);
    assert.equal((await br(["feature", "add", "Mine"], { cwd: dir.path, env })).code, 0);
    await gitRun(["add", "-A"], dir.path);
    await gitRun(["commit", "--quiet", "-m", "v3 too"], dir.path);
    const before = await treeHash(dir.path, true);
    const res = await br(["migrate", "from-v2", "."], { cwd: dir.path, env });
    assert.equal(res.code, 5, res.stderr);
    assert.match(res.stderr, /already holds 1 features/);
    assert.equal(await treeHash(dir.path, true), before);
  });
  await t.step("an already migrated project (exit 5)", async () => {
    await using dir = await br2Sample("minimal-cli");
    assert.equal((await br(["migrate", "from-v2", "."], { cwd: dir.path, env })).code, 0);
    const before = await treeHash(dir.path, true);
    const res = await br(["migrate", "from-v2", ".", "--force"], { cwd: dir.path, env });
    assert.equal(res.code, 5, res.stderr);
    assert.match(res.stderr, /already migrated/);
    assert.equal(await treeHash(dir.path, true), before);
  });
});
