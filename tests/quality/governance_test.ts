import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import {
  commitMessageProblem,
  DEFAULT_GOVERNANCE_YAML,
  governanceChecksum,
  parseGovernance,
  sha256Hex,
  verifyGovernance,
} from "../../src/quality/mod.ts";
import { br, tempDir, tempProject } from "../helpers.ts";
import { addFeatures } from "./_fixture.ts";

Deno.test("br init writes governance.yaml with its checksum and never clobbers one", async () => {
  await using dir = await tempProject("gov");
  const gov = `${dir.path}/.buildrunner/governance.yaml`;
  assert.equal(await Deno.readTextFile(gov), DEFAULT_GOVERNANCE_YAML);
  const sum = await Deno.readTextFile(`${dir.path}/.buildrunner/governance.sha256`);
  assert.equal(sum, `${sha256Hex(DEFAULT_GOVERNANCE_YAML)}  governance.yaml\n`);
  assert.equal((await br(["governance", "verify"], { cwd: dir.path })).code, 0);

  await Deno.writeTextFile(gov, "version: 1\npolicy: warn\n");
  const again = await br(["init"], { cwd: dir.path });
  assert.equal(again.code, 0);
  assert.equal(await Deno.readTextFile(gov), "version: 1\npolicy: warn\n");

  await using fresh = await tempDir();
  await Deno.mkdir(`${fresh.path}/.buildrunner`);
  await Deno.writeTextFile(`${fresh.path}/.buildrunner/governance.yaml`, "policy: off\n");
  assert.equal((await br(["init"], { cwd: fresh.path })).code, 0);
  assert.equal(
    await Deno.readTextFile(`${fresh.path}/.buildrunner/governance.yaml`),
    "policy: off\n",
  );
});

Deno.test("br governance verify fails on an edit until update records it", async () => {
  await using dir = await tempProject("gov2");
  const gov = `${dir.path}/.buildrunner/governance.yaml`;
  await Deno.writeTextFile(gov, DEFAULT_GOVERNANCE_YAML.replace("policy: strict", "policy: warn"));
  const bad = await br(["governance", "verify"], { cwd: dir.path });
  assert.equal(bad.code, 10);
  assert.match(bad.stdout, /changed since its checksum was recorded/);
  const json = JSON.parse((await br(["governance", "verify", "--json"], { cwd: dir.path })).stdout);
  assert.equal(json.passed, false);
  assert.notEqual(json.actual, json.expected);
  const up = await br(["governance", "update"], { cwd: dir.path });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stdout, /Recorded checksum [0-9a-f]{64}/);
  assert.equal((await br(["governance", "verify"], { cwd: dir.path })).code, 0);

  await Deno.writeTextFile(gov, "policy: sometimes\n");
  const invalid = await br(["governance", "update"], { cwd: dir.path });
  assert.equal(invalid.code, 3);
  assert.match(invalid.stderr, /"policy" must be strict, warn or off/);
  const project = await openProject({ cwd: dir.path });
  const v = await verifyGovernance(project);
  assert.equal(v.passed, false);
  assert.equal(v.problems.length, 2);
});

Deno.test("governance status transitions veto feature mutations before anything is written", async () => {
  await using dir = await tempProject("gov3");
  await addFeatures(dir.path, [["Base", "--id", "base"], [
    "Login",
    "--id",
    "login",
    "--depends-on",
    "base",
  ]]);
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    [
      "policy: strict",
      "transitions:",
      "  planned: [in_progress]",
      "  in_progress: [testing]",
      "  testing: [complete, in_progress]",
      "dependencies:",
      "  require_complete_to_start: true",
      "",
    ].join("\n"),
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const before = await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`);
  const skip = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(skip.code, 5);
  assert.match(skip.stderr, /does not allow "base" to move from planned to complete/);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), before);
  const early = await br(["feature", "start", "login"], { cwd: dir.path });
  assert.equal(early.code, 5);
  assert.match(early.stderr, /dependencies of "login" to be complete first: base/);
  for (
    const args of [["start", "base"], ["update", "base", "--status", "testing"], [
      "complete",
      "base",
    ]]
  ) {
    const r = await br(["feature", ...args], { cwd: dir.path });
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
  }
  assert.equal((await br(["feature", "start", "login"], { cwd: dir.path })).code, 0);

  // warn policy: reported nowhere, blocks nothing
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/governance.yaml`,
    "policy: warn\ntransitions:\n  in_progress: [testing]\n",
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  assert.equal((await br(["feature", "complete", "login"], { cwd: dir.path })).code, 0);
});

Deno.test("commitMessageProblem() applies the pattern and length, skipping merges", async () => {
  const gov = await parseGovernance(
    'commit:\n  pattern: "^(feat|fix)(\\\\(.+\\\\))?: .+"\n  max_subject_length: 30\n',
  );
  assert.equal(commitMessageProblem(gov, "feat(auth): login\n\nbody"), null);
  assert.match(commitMessageProblem(gov, "wip stuff")!, /does not match/);
  assert.match(commitMessageProblem(gov, "fix: " + "x".repeat(40))!, /at most 30/);
  assert.equal(commitMessageProblem(gov, "Merge branch 'x'"), null);
  assert.equal(commitMessageProblem(gov, "# comment only\n"), "the commit message is empty");
  await assert.rejects(
    () => parseGovernance("commit:\n  pattern: '('\n"),
    /valid regular expression/,
  );
  await assert.rejects(
    () => parseGovernance("transitions:\n  done: [planned]\n"),
    /transitions.done/,
  );
  await assert.rejects(() => parseGovernance("gates:\n  pre_push: [lint]\n"), /gates.pre_push/);
});

Deno.test("governanceChecksum() reads CRLF line ends as LF and keeps LF checksums", () => {
  const crlf = DEFAULT_GOVERNANCE_YAML.replaceAll("\n", "\r\n");
  assert.equal(governanceChecksum(DEFAULT_GOVERNANCE_YAML), sha256Hex(DEFAULT_GOVERNANCE_YAML));
  assert.equal(governanceChecksum(crlf), sha256Hex(DEFAULT_GOVERNANCE_YAML));
  // Any other change still counts.
  assert.notEqual(governanceChecksum(crlf.replace("strict", "off")), governanceChecksum(crlf));
  assert.notEqual(
    governanceChecksum(DEFAULT_GOVERNANCE_YAML + " "),
    governanceChecksum(DEFAULT_GOVERNANCE_YAML),
  );
});

Deno.test("parseGovernance() reads gates.pre_push_require (default no-high-gaps, all features)", async () => {
  assert.deepEqual((await parseGovernance("version: 1\n")).gates.pre_push_require, {
    level: "no-high-gaps",
    scope: "all",
  });
  assert.deepEqual(
    (await parseGovernance("gates:\n  pre_push_require: complete\n")).gates.pre_push_require,
    { level: "complete", scope: "all" },
  );
  assert.deepEqual(
    (await parseGovernance("gates:\n  pre_push_require: {level: complete, scope: touched}\n"))
      .gates.pre_push_require,
    { level: "complete", scope: "touched" },
  );
  for (const bad of ["done", "{level: complete, scope: some}", "{scope: touched}", "[complete]"]) {
    await assert.rejects(
      () => parseGovernance(`gates:\n  pre_push_require: ${bad}\n`),
      /Invalid governance\.yaml: "gates\.pre_push_require(\.level|\.scope)?" must be/,
    );
  }
});
