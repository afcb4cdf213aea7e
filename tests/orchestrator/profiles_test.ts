import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../src/core/fs.ts";
import { brProcess, gitRun } from "../helpers.ts";
import { AGENT, AGENT_COMMAND, json, parallelProject } from "./_setup.ts";

interface Task {
  feature: string;
  state: string;
  error: string | null;
  branch: string;
  worktree: string;
  cost_usd: number | null;
  tokens: { input: number; output: number; cache_creation: number; cache_read: number };
  log: string | null;
}
interface Report {
  run: { id: string; state: string; cost_usd: number | null; agent: string };
  tasks: Task[];
}

Deno.test("br parallel run --agent claude: real arguments, usage read from the result JSON", async () => {
  await using p = await parallelProject([{ id: "login" }]);
  const res = await p.br(["parallel", "run", "--agent", "claude", "--json"]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.equal(rep.run.agent, "claude");
  const t = rep.tasks[0];
  assert.equal(t.state, "merged");
  assert.equal(t.cost_usd, 0.0123);
  assert.deepEqual(t.tokens, { input: 120, output: 450, cache_creation: 2000, cache_read: 15000 });
  assert.equal(rep.run.cost_usd, 0.0123);
  // The prompt reached the agent as the -p argument (short prompt).
  assert.match(await Deno.readTextFile(join(p.path, "src", "login.txt")), /# Feature login: login/);
  const log = await Deno.readTextFile(join(p.path, t.log!));
  assert.match(log, /"type":"result"/);
  // The prompt is the handoff package plus the worktree rules.
  const prompt = await Deno.readTextFile(join(p.path, t.log!, "..", "prompt.md"));
  assert.match(prompt, /^# Feature login: login\n/);
  assert.match(prompt, /## Acceptance criteria/);
  assert.match(prompt, /on branch `br\/login`/);
  assert.match(prompt, /Do not edit files under `\.buildrunner\/`/);
  // The agent's own figures are in the cost ledger, against the feature.
  const cost = await p.br(["cost", "summary", "--by", "feature", "--json"]);
  assert.equal(cost.code, 0, cost.stderr);
  const rows = json<{ rows: { key: string; cost_usd: number; input_tokens: number }[] }>(cost).rows;
  assert.deepEqual(rows.map((r) => [r.key, r.cost_usd, r.input_tokens]), [["login", 0.0123, 120]]);
});

Deno.test("br parallel run --agent codex: a long prompt goes through stdin, usage from turn.completed", async () => {
  await using p = await parallelProject([{ id: "search" }]);
  const res = await p.br(["parallel", "run", "--agent", "codex", "--json"], {
    BR_PARALLEL__PROMPT_ARG_MAX: "10",
    BR_PARALLEL__MODEL: "gpt-5-codex",
  });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "merged");
  // Two turns: input 24763 + 1000 of which 24448 cached; output 122 + 78.
  assert.deepEqual(t.tokens, { input: 1315, output: 200, cache_creation: 0, cache_read: 24448 });
  // Codex reports no USD: priced from the catalog for the configured model.
  assert.equal(t.cost_usd, 0.0067);
  assert.match(
    await Deno.readTextFile(join(p.path, "src", "search.txt")),
    /# Feature search: search/,
  );
});

Deno.test("br parallel run --agent aider: work left uncommitted is committed by br", async () => {
  await using p = await parallelProject([{ id: "profile-page" }]);
  const res = await p.br(["parallel", "run", "--agent", "aider", "--json"], {
    BR_PARALLEL__PROMPT_ARG_MAX: "10",
  });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.equal(json<Report>(res).tasks[0].state, "merged");
  const subjects = await gitRun(["log", "--format=%s"], p.path);
  assert.match(subjects, /br: work of aider on profile-page/);
});

Deno.test("br parallel run: a task branch that edits .buildrunner/ is rejected", async () => {
  await using p = await parallelProject([{ id: "sneaky" }]);
  const res = await p.br(
    ["parallel", "run", "--agent-command", `${AGENT_COMMAND} brfiles`, "--json"],
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "failed");
  assert.match(t.error!, /buildrunner-files: the task branch edits \.buildrunner\/features\.json/);
  // br commits the status change itself, on the base, once the run ends.
  assert.equal(
    await gitRun(["log", "--format=%B", "-1"], p.path),
    `br: parallel run ${json<Report>(res).run.id}\n\nsneaky: failed`,
  );
});

Deno.test("br parallel run: the project's test command runs in the worktree and gates the merge", async () => {
  await using p = await parallelProject([{ id: "good" }, { id: "bad" }]);
  await p.br(["config", "set", "project.test_command", 'test "$(basename "$PWD")" != bad']);
  await gitRun(["commit", "-qam", "test command"], p.path);
  const res = await p.br(["parallel", "run", "--agent-command", AGENT_COMMAND, "--json"]);
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(
    rep.tasks.map((t) => [t.feature, t.state]),
    [["bad", "failed"], ["good", "merged"]],
    JSON.stringify(rep.tasks.map((t) => t.error)),
  );
  assert.match(rep.tasks[0].error!, /^tests: ".*" failed with exit 1$/);
});

Deno.test("br parallel run --no-merge leaves branches for review; cleanup removes the worktrees", async () => {
  await using p = await parallelProject([{ id: "draft" }]);
  const head = await gitRun(["rev-parse", "HEAD"], p.path);
  const res = await p.br([
    "parallel",
    "run",
    "--no-merge",
    "--agent-command",
    AGENT_COMMAND,
    "--json",
  ]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "review");
  assert.equal(await gitRun(["rev-parse", "HEAD~1"], p.path), head, "only the status commit");
  // The status commit: features.json and the STATUS.md every change of it rewrites.
  assert.equal(
    await gitRun(["show", "--name-only", "--format=", "HEAD"], p.path),
    ".buildrunner/features.json\nSTATUS.md",
  );
  assert.ok(await exists(join(p.path, t.worktree)));
  const clean = await p.br(["parallel", "cleanup", "--json"]);
  assert.equal(clean.code, 0, clean.stderr + clean.stdout);
  assert.deepEqual(json(clean), {
    removed: [".buildrunner/worktrees/draft"],
    branches_deleted: [],
    kept: [],
  });
  // The unmerged branch keeps the work.
  assert.match(await gitRun(["log", "--format=%s", "-1", "br/draft"], p.path), /agent: draft/);
});

Deno.test("br parallel stop: a live run stops its agents and cancels the rest", async () => {
  await using p = await parallelProject([{ id: "h1" }, { id: "h2" }]);
  const running = p.br(
    ["parallel", "run", "--workers", "1", "--agent-command", `${AGENT_COMMAND} hang`, "--json"],
  );
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const st = json<Report>(await p.br(["parallel", "status", "--json"]));
    if (st.tasks.some((t) => t.state === "running" && (t as { pid?: number }).pid)) break;
  }
  const stop = await p.br(["parallel", "stop", "--json"]);
  assert.equal(stop.code, 0, stop.stderr + stop.stdout);
  assert.equal(json<{ state: string }>(stop).state, "stopped");
  const res = await running;
  const rep = json<Report>(res);
  assert.equal(rep.run.state, "stopped");
  assert.deepEqual(rep.tasks.map((t) => t.state), ["cancelled", "cancelled"]);
});

Deno.test("br parallel (subprocess): list and status are empty before any run; bad flags exit 2", async () => {
  await using p = await parallelProject([]);
  const list = await brProcess(["parallel", "list", "--json"], { cwd: p.path });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), []);
  const status = await brProcess(["parallel", "status", "--json"], { cwd: p.path });
  assert.deepEqual(JSON.parse(status.stdout), { run: null, tasks: [], workers: [], claims: [] });
  const bad = await brProcess(["parallel", "run", "--agent-command", "x | y"], { cwd: p.path });
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: Cannot split the agent command "x \| y": unquoted shell operator "\|"/,
  );
  const none = await brProcess(["parallel", "run", "--agent", "nope"], { cwd: p.path });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Unknown agent profile "nope"/);
});

Deno.test("br parallel run --max-cost: no task starts once the run has cost that much", async () => {
  await using p = await parallelProject([{ id: "f1" }, { id: "f2" }, { id: "f3" }]);
  const res = await p.br(
    ["parallel", "run", "--workers", "1", "--agent", "claude", "--max-cost", "0.02", "--json"],
  );
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(rep.tasks.map((t) => t.state), ["merged", "merged", "skipped"]);
  assert.match(rep.tasks[2].error!, /run budget reached: \$0\.0246 of \$0\.02/);
  assert.equal(rep.run.cost_usd, 0.0246);
});

Deno.test("br parallel run: ignored files of the include list are copied; commit hooks run in worktrees", async () => {
  await using p = await parallelProject([{ id: "needs-env" }, { id: "hooked" }]);
  await Deno.writeTextFile(join(p.path, ".gitignore"), ".env\n");
  await Deno.writeTextFile(join(p.path, ".env"), "TOKEN=abc\n");
  await p.br(["config", "set", "project.test_command", "grep -q TOKEN=abc .env"]);
  // A pre-commit hook (shared by every worktree) refuses commits of the "hooked" feature.
  const hook = join(p.path, ".git", "hooks", "pre-commit");
  await Deno.writeTextFile(
    hook,
    '#!/bin/sh\nif [ "$BR_FEATURE" = hooked ]; then echo "hook says no" >&2; exit 1; fi\n',
  );
  await Deno.chmod(hook, 0o755);
  await gitRun(["add", "-A"], p.path);
  await gitRun(["commit", "-qm", "env and hook", "--no-verify"], p.path);
  const res = await p.br(
    ["parallel", "run", "--workers", "2", "--agent-command", `${AGENT_COMMAND} edit`, "--json"],
  );
  const rep = json<Report>(res);
  const byId = Object.fromEntries(rep.tasks.map((t) => [t.feature, t]));
  assert.equal(byId["needs-env"].state, "merged", byId["needs-env"].error ?? "");
  assert.equal(byId.hooked.state, "failed");
  assert.match(byId.hooked.error!, /Cannot commit the agent's changes: hook says no/);
  // .env was copied, never committed.
  assert.equal(await gitRun(["ls-files", ".env"], p.path), "");
});

Deno.test("br parallel dashboard: plain lines when piped, one view with --once", async () => {
  await using p = await parallelProject([{ id: "dash" }]);
  const empty = await p.br(["parallel", "dashboard", "--once"]);
  assert.equal(empty.stdout.trim(), "No parallel run yet. Start one: br parallel run");
  await p.br(["parallel", "run", "--agent", "claude", "--json"]);
  const piped = await p.br(["parallel", "dashboard"]);
  assert.equal(piped.code, 0, piped.stderr);
  const lines = piped.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^\d{4}-\d\d-\d\dT\S+ dash\s+merged\s+1\/2\s+\S+\s+\$0\.0123$/);
  const tty = await p.br(["parallel", "dashboard", "--once"], { NO_COLOR: "1" });
  assert.match(tty.stdout, /dash\s+merged/);
});

Deno.test("br parallel run: a dirty base checkout is never merged into; the branch is kept for review", async () => {
  await using p = await parallelProject([{ id: "tidy" }]);
  await Deno.writeTextFile(join(p.path, "shared.txt"), "local edit\n");
  const res = await p.br(["parallel", "run", "--agent-command", AGENT_COMMAND, "--json"]);
  // Nothing merged: a check found problems (10), one summary line per task on stderr.
  assert.equal(res.code, 10, res.stderr + res.stdout);
  assert.match(
    res.stderr,
    /^tidy: review: not merged: the main checkout has uncommitted changes \(shared\.txt\)$/m,
  );
  assert.equal(json<Report>(res).run.state, "failed");
  const t = json<Report>(res).tasks[0];
  assert.equal(t.state, "review");
  assert.equal(t.error, "not merged: the main checkout has uncommitted changes (shared.txt)");
  assert.equal(await Deno.readTextFile(join(p.path, "shared.txt")), "local edit\n");
  assert.match(await gitRun(["log", "--format=%s", "-1", "br/tidy"], p.path), /agent: tidy/);
});

Deno.test("br parallel run --allow-partial: tasks left in review do not fail the run's exit", async () => {
  await using p = await parallelProject([{ id: "part" }]);
  await Deno.writeTextFile(join(p.path, "shared.txt"), "local edit\n");
  const res = await p.br([
    "parallel",
    "run",
    "--agent-command",
    AGENT_COMMAND,
    "--allow-partial",
    "--json",
  ]);
  assert.equal(res.code, 0, res.stderr + res.stdout);
  assert.equal(json<Report>(res).tasks[0].state, "review");
  assert.match(res.stderr, /^part: review: not merged/m);
});

Deno.test("br parallel run: br called by an agent inside its worktree works on the main checkout", async () => {
  await using p = await parallelProject([{ id: "self-aware" }]);
  const { DENO_JSON, MAIN_TS } = await import("../helpers.ts");
  const res = await p.br(["parallel", "run", "--agent-command", `${AGENT_COMMAND} br`, "--json"], {
    FIXTURE_BR: `${Deno.execPath()} run --quiet -A --config ${DENO_JSON} ${MAIN_TS}`,
  });
  assert.equal(res.code, 0, res.stderr + res.stdout);
  // The worktree's own features.json says "planned"; the main checkout's says "in_progress".
  const seen = JSON.parse(await Deno.readTextFile(join(p.path, "src", "self-aware.json")));
  assert.equal(seen.feature.status, "in_progress");
});

Deno.test("br parallel run: an agent that is not installed stops the run before any task (exit 4)", async () => {
  await using p = await parallelProject([{ id: "nobody" }]);
  const res = await p.br(["parallel", "run", "--agent", "claude", "--json"], {
    PATH: "/usr/bin:/bin",
  });
  assert.equal(res.code, 4, res.stderr + res.stdout);
  assert.match(res.stderr, /Cannot find the agent program "claude" \(profile "claude"\)/);
  assert.equal(res.stdout, "");
  // No run, no task, no worktree; the feature is still planned.
  assert.deepEqual(json(await p.br(["parallel", "list", "--json"])), []);
  assert.equal(await exists(join(p.path, ".buildrunner", "worktrees", "nobody")), false);
  const f = json<{ feature: { status: string } }>(
    await p.br(["feature", "show", "nobody", "--json"]),
  );
  assert.equal(f.feature.status, "planned");
});

Deno.test("br parallel run: the program of --agent-command and the version a profile needs are checked first", async (t) => {
  await using p = await parallelProject([{ id: "pre" }]);
  await t.step("a custom command's program", async () => {
    const res = await p.br([
      "parallel",
      "run",
      "--agent-command",
      "no-such-agent-xyz {prompt_file}",
    ]);
    assert.equal(res.code, 4, res.stderr);
    assert.match(
      res.stderr,
      /Cannot find the agent program "no-such-agent-xyz" \(profile "command"\)/,
    );
  });
  await t.step("a version older than the profile needs", async () => {
    const bin = join(p.path, "..", `${p.path.split("/").pop()}.old-bin`);
    await Deno.mkdir(bin, { recursive: true });
    await Deno.writeTextFile(join(bin, "codex"), '#!/bin/sh\necho "codex-cli 0.30.1"\n');
    await Deno.chmod(join(bin, "codex"), 0o755);
    try {
      const res = await p.br(["parallel", "run", "--agent", "codex"], {
        PATH: `${bin}:/usr/bin:/bin`,
      });
      assert.equal(res.code, 4, res.stderr);
      assert.match(res.stderr, /"codex" 0\.30\.1: profile "codex" needs 0\.44\.0 or newer/);
    } finally {
      await Deno.remove(bin, { recursive: true });
    }
  });
  assert.deepEqual(json(await p.br(["parallel", "list", "--json"])), []);
});

Deno.test("br parallel run: an agent that disappears mid-run fails its task without blocking the feature", async () => {
  await using p = await parallelProject([{ id: "first" }, { id: "second", deps: ["first"] }]);
  // Passes the pre-flight check, does the first task's work, then removes itself.
  const bin = join(p.path, "..", `${p.path.split("/").pop()}.vanish`);
  await Deno.writeTextFile(bin, `#!/bin/sh\nsh ${AGENT} commit\nrm -f "$0"\n`);
  await Deno.chmod(bin, 0o755);
  const res = await p.br(["parallel", "run", "--agent-command", bin, "--json"]);
  await Deno.remove(bin).catch(() => {});
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(rep.tasks.map((t) => [t.feature, t.state]), [
    ["first", "merged"],
    ["second", "failed"],
  ]);
  assert.match(rep.tasks[1].error!, /^Cannot start the agent/);
  const f = json<{ feature: { status: string } }>(
    await p.br(["feature", "show", "second", "--json"]),
  );
  assert.equal(f.feature.status, "planned");
});

Deno.test("br parallel run: cost budgets are checked before each task starts", async () => {
  await using p = await parallelProject([{ id: "g1" }, { id: "g2" }, { id: "g3" }]);
  const set = await p.br(["cost", "budget", "set", "total", "0.02"]);
  assert.equal(set.code, 0, set.stderr);
  const res = await p.br(["parallel", "run", "--workers", "1", "--agent", "claude", "--json"]);
  assert.equal(res.code, 10, res.stderr + res.stdout);
  const rep = json<Report>(res);
  assert.deepEqual(rep.tasks.map((t) => t.state), ["merged", "merged", "skipped"]);
  assert.match(rep.tasks[2].error!, /^budget total reached: \$0\.0246 of \$0\.02$/);
  const cost = json<{ rows: { key: string; cost_usd: number }[] }>(
    await p.br(["cost", "summary", "--by", "feature", "--json"]),
  );
  assert.deepEqual(cost.rows.map((r) => [r.key, r.cost_usd]), [["g1", 0.0123], ["g2", 0.0123]]);
});
