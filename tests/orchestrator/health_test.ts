/**
 * A parallel run leaves the project passing its own gates: a task's feature needs acceptance
 * evidence to merge as complete, and the gates in a worktree blame a task only for what it
 * adds (problems already on the base are reported, not blamed).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gitRun } from "../helpers.ts";
import { AGENT_COMMAND, json, parallelProject } from "./_setup.ts";

interface Report {
  run: { state: string };
  tasks: { feature: string; state: string; error: string | null; log: string | null }[];
}

const GATES = { BR_PARALLEL__GATES: '["gaps", "quality"]' };

Deno.test("br parallel run: a gap already on the base is reported, not blamed on the task", async () => {
  await using p = await parallelProject([{ id: "old" }, { id: "fresh" }]);
  // "old" is complete without any test naming it: a high gap, in every tree.
  assert.equal((await p.br(["feature", "complete", "old"])).code, 0);
  await gitRun(["commit", "-qam", "old done"], p.path);
  const res = await p.br(["parallel", "run", "--agent-command", AGENT_COMMAND, "--json"], GATES);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "merged");
  // The note names the pre-existing gap.
  assert.match(
    t.error!,
    /pre-existing on the base, not this task's: gate gaps: missing_evidence: Feature "old"/,
  );
  const log = await Deno.readTextFile(join(p.path, t.log!));
  assert.match(log, /br: gate gaps: FAIL: 1 high/);
  assert.match(log, /br: {3}missing_evidence: Feature "old" is marked complete/);
  assert.match(log, /br: gate quality: pass/);
});

Deno.test("br parallel run: a gap the task introduces fails it, naming the file and line", async () => {
  await using p = await parallelProject([{ id: "old" }, { id: "loop" }]);
  assert.equal((await p.br(["feature", "complete", "old"])).code, 0);
  await gitRun(["commit", "-qam", "old done"], p.path);
  const res = await p.br(
    ["parallel", "run", "--agent-command", `${AGENT_COMMAND} cycle`, "--json"],
    GATES,
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "failed");
  // Only the new problem is blamed; the old one is not in the reason.
  assert.match(t.error!, /^gate gaps: 1 new: src\/loop_a\.ts:1 import_cycle: Import cycle/);
  assert.doesNotMatch(t.error!, /missing_evidence/);
  assert.match(res.stderr, /^loop: failed: gate gaps: 1 new: src\/loop_a\.ts:1 import_cycle/m);
});

Deno.test("br parallel run: a feature with criteria but no test naming it goes to review, not complete", async () => {
  await using p = await parallelProject([{ id: "untested" }]);
  const res = await p.br([
    "parallel",
    "run",
    "--agent-command",
    `${AGENT_COMMAND} notest`,
    "--json",
  ]);
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "review");
  assert.equal(
    t.error,
    'not merged as complete: feature "untested": no test names "untested" or lies in its files (acceptance evidence is missing)',
  );
  const f = json<{ feature: { status: string } }>(
    await p.br(["feature", "show", "untested", "--json"]),
  );
  assert.equal(f.feature.status, "testing");
  // Nothing of it reached the base.
  assert.equal(await gitRun(["log", "--format=%s", "--grep", "agent: untested"], p.path), "");
  assert.match(
    await gitRun(["log", "--format=%s", "-1", "br/untested"], p.path),
    /agent: untested/,
  );
});

Deno.test("br parallel run: a feature without acceptance criteria merges with a warning in its note", async () => {
  await using p = await parallelProject([]);
  assert.equal((await p.br(["feature", "add", "bare", "--id", "bare"])).code, 0);
  await gitRun(["add", "-A"], p.path);
  await gitRun(["commit", "-qm", "bare"], p.path);
  const res = await p.br([
    "parallel",
    "run",
    "--agent-command",
    `${AGENT_COMMAND} notest`,
    "--json",
  ]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "merged");
  assert.match(t.error!, /^warning: feature "bare" has no acceptance criteria/);
});
