/** Merges a reviewer can follow: the merge commit's trailers and `br parallel report`. */
import assert from "node:assert/strict";
import { gitRun } from "../helpers.ts";
import { AGENT_COMMAND, json, parallelProject } from "./_setup.ts";

interface TaskReport {
  feature: string;
  outcome: string;
  duration_ms: number | null;
  attempts: number;
  cost_usd: number | null;
  tokens: Record<string, number>;
  gates: string[];
  merge_commit: string | null;
  note: string | null;
}

Deno.test("br parallel run: each merge commit names the feature, agent, attempts, gates, tokens and cost", async () => {
  await using p = await parallelProject([{ id: "login" }]);
  const res = await p.br(["parallel", "run", "--agent", "claude", "--json"], {
    BR_PARALLEL__MERGE: "no-ff",
    BR_PARALLEL__GATES: '["gaps"]',
  });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const commit = json<{ tasks: { merge_commit: string }[] }>(res).tasks[0].merge_commit;
  const body = await gitRun(["log", "-1", "--format=%B", commit], p.path);
  const run = json<{ run: { id: string } }>(res).run.id;
  assert.equal(
    body,
    [
      "br: merge login (login)",
      "",
      "Feature: login",
      "Agent: claude",
      "Attempts: 1 of 2",
      "Gates-Passed: buildrunner-files, gaps",
      "Tokens: 120 input, 450 output, 2,000 cache creation, 15,000 cache read",
      "Cost: $0.0123",
      `Run: ${run}`,
    ].join("\n"),
  );
});

Deno.test("br parallel report: per task outcome, duration, attempts, cost, gates and merge commit", async (t) => {
  await using p = await parallelProject([{ id: "ok" }, { id: "bad" }]);
  const res = await p.br(
    ["parallel", "run", "--retries", "0", "--agent-command", AGENT_COMMAND, "--json"],
    { FIXTURE_MODES: "ok=commit,bad=fail", BR_PARALLEL__GATES: "[]" },
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const run = json<{ run: { id: string } }>(res).run.id;
  await t.step("--json", async () => {
    const rep = await p.br(["parallel", "report", run, "--json"]);
    assert.equal(rep.code, 0, rep.stderr);
    const doc = json<{ run: { id: string; state: string }; tasks: TaskReport[] }>(rep);
    assert.equal(doc.run.id, run);
    assert.equal(doc.run.state, "failed");
    const [bad, ok] = doc.tasks;
    assert.equal(ok.feature, "ok");
    assert.equal(ok.outcome, "merged");
    assert.equal(ok.attempts, 1);
    assert.deepEqual(ok.gates, ["buildrunner-files"]);
    assert.equal(ok.merge_commit, await gitRun(["rev-parse", "HEAD~1"], p.path));
    assert.ok(typeof ok.duration_ms === "number" && ok.duration_ms >= 0);
    assert.equal(bad.outcome, "failed");
    assert.deepEqual(bad.gates, []);
    assert.equal(bad.merge_commit, null);
    assert.equal(bad.note, "agent exited with code 3");
  });
  await t.step("--format markdown", async () => {
    const md = await p.br(["parallel", "report", run, "--format", "markdown"]);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, new RegExp(`^# Parallel run ${run}\n`));
    assert.match(
      md.stdout,
      /^\| Feature \| Outcome \| Duration \| Attempts \| Cost \| Gates \| Merge commit \| Note \|$/m,
    );
    assert.match(
      md.stdout,
      /^\| ok \| merged \| \S+ \| 1 \| - \| buildrunner-files \| `[0-9a-f]{12}` \| {2}\|$/m,
    );
    assert.match(
      md.stdout,
      /^\| bad \| failed \| \S+ \| 1 \| - \| - \| - \| agent exited with code 3 \|$/m,
    );
  });
  await t.step("an unknown run or format", async () => {
    assert.equal((await p.br(["parallel", "report", "run-nope"])).code, 4);
    assert.equal((await p.br(["parallel", "report", "--format", "pdf"])).code, 2);
  });
});
