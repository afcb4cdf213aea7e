import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import type { Project } from "../../src/core/project.ts";
import { specChecksum } from "../../src/spec/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { brOk, HAND_SPEC } from "./_fixtures.ts";

Deno.test("spec confirm, lock and unlock move the status and emit events", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/PROJECT_SPEC.md`;
  await Deno.writeTextFile(path, HAND_SPEC);
  const events: BrEvent[] = [];
  const opts = {
    cwd: dir.path,
    onProject: (p: Project) => void p.bus.on("*", (e) => void events.push(e)),
  };
  const confirm = await br(["spec", "confirm", "--json"], opts);
  assert.equal(confirm.code, 0, confirm.stderr);
  assert.deepEqual(JSON.parse(confirm.stdout), {
    from: "draft",
    to: "confirmed",
    lock: null,
    changed: true,
  });
  assert.equal(
    await Deno.readTextFile(path),
    HAND_SPEC.replace("status: draft", "status: confirmed"),
  );
  const lock = await br(["spec", "lock", "--json"], opts);
  assert.equal(lock.code, 0, lock.stderr);
  const locked = await Deno.readTextFile(path);
  const sum = JSON.parse(lock.stdout).lock;
  assert.match(sum, /^sha256:[0-9a-f]{64}$/);
  assert.equal(sum, specChecksum(locked));
  assert.equal(
    locked,
    HAND_SPEC.replace("status: draft", "status: locked").replace(
      "owner: team-a\n",
      `owner: team-a\nlock: ${sum}\n`,
    ),
  );
  const valid = await brOk(["spec", "validate"], dir.path);
  assert.match(valid.stdout, /is valid \(status locked, locked, 2 features\)/);
  // Locking again changes nothing.
  assert.match((await brOk(["spec", "lock"], dir.path)).stdout, /Nothing to do/);
  const unlock = await br(["spec", "unlock"], opts);
  assert.equal(unlock.code, 0);
  assert.equal(
    await Deno.readTextFile(path),
    HAND_SPEC.replace("status: draft", "status: confirmed"),
  );
  assert.deepEqual(
    events.map((e) => e.type).filter((t) => t.startsWith("spec.")),
    ["spec.validated", "spec.locked", "spec.unlocked"],
  );
});

Deno.test("a locked spec edited by hand: validate exits 10 naming it, writers exit 5", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/PROJECT_SPEC.md`;
  await Deno.writeTextFile(path, HAND_SPEC);
  await brOk(["spec", "sync"], dir.path);
  await brOk(["spec", "lock"], dir.path);
  // Spec -> features still works on a locked, intact spec; features -> spec is refused.
  await brOk(["feature", "add", "New thing", "--acceptance", "works"], dir.path);
  let res = await br(["spec", "sync"], { cwd: dir.path });
  assert.equal(res.code, 5);
  assert.match(
    res.stderr,
    /error: Cannot write feature changes into the spec: PROJECT_SPEC\.md is locked/,
  );
  assert.match(res.stderr, /hint: run "br spec unlock" first/);
  await brOk(["feature", "remove", "new-thing"], dir.path);

  const edited = (await Deno.readTextFile(path)).replace("Calm colors.", "Loud colors.");
  await Deno.writeTextFile(path, edited);
  res = await br(["spec", "validate"], { cwd: dir.path });
  assert.equal(res.code, 10);
  assert.match(
    res.stdout,
    /PROJECT_SPEC\.md:\d+: the spec was edited after it was locked \(checksum mismatch\)/,
  );
  for (const args of [["spec", "sync"], ["spec", "confirm"], ["spec", "lock"]]) {
    res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 5, `${args.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, /locked and was edited by hand after locking/);
  }
  res = await br([
    "spec",
    "wizard",
    "--force",
    "--name",
    "X",
    "--description",
    "Y",
    "--feature",
    "A: b",
  ], { cwd: dir.path });
  assert.equal(res.code, 5);
  assert.equal(await Deno.readTextFile(path), edited, "nothing written");
  // Unlocking accepts the edits.
  await brOk(["spec", "unlock"], dir.path);
  await brOk(["spec", "validate"], dir.path);
});

Deno.test("spec confirm refuses a spec with problems (exit 10)", async () => {
  await using dir = await tempProject();
  const path = `${dir.path}/PROJECT_SPEC.md`;
  const bad = HAND_SPEC.replace("- [ ] A user can log in\n", "");
  await Deno.writeTextFile(path, bad);
  const res = await br(["spec", "confirm"], { cwd: dir.path });
  assert.equal(res.code, 10);
  assert.match(res.stderr, /feature "auth-login" has no acceptance criteria/);
  assert.equal(await Deno.readTextFile(path), bad);
});
