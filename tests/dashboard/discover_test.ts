import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, tempDir } from "../helpers.ts";
import { decideHealth, type ProjectSnapshot } from "../../src/dashboard/mod.ts";
import { openProject } from "../../src/core/project.ts";
import { recordUsage } from "../../src/cost/record.ts";
import { storeEnv } from "../postgres.ts";

/** A minimal BuildRunner project: `.buildrunner/features.json` with the given features. */
async function project(
  dir: string,
  name: string,
  features: { id: string; status: string; blocked_reason?: string }[] = [],
): Promise<void> {
  await Deno.mkdir(join(dir, ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(
    join(dir, ".buildrunner", "features.json"),
    JSON.stringify({
      project: name,
      features: features.map((f) => ({ name: f.id, ...f })),
    }),
  );
}

interface Row {
  name: string;
  path: string;
  health: string;
  health_rule: string;
  completion_percentage: number;
  counts: Record<string, number>;
  blocked: { id: string; reason: string | null }[];
  error: string | null;
}

Deno.test("br dashboard finds 30 projects at several depths and skips decoys", async (t) => {
  await using tmp = await tempDir();
  const root = join(tmp.path, "code");
  const expected: string[] = [];
  for (let i = 0; i < 30; i++) {
    // depth 1, 2 and 3 below the root
    const rel = i % 3 === 0
      ? `p${i}`
      : i % 3 === 1
      ? `team${i % 4}/p${i}`
      : `org/team${i % 5}/p${i}`;
    await project(join(root, rel), `p${i}`, [
      { id: "a", status: "complete" },
      { id: "b", status: i % 2 ? "planned" : "in_progress" },
    ]);
    expected.push(`p${i}`);
  }
  // Decoys: a project inside node_modules and vendor, one in br's task worktrees, one deeper
  // than --depth, and a linked git worktree of a real project.
  await project(join(root, "node_modules", "dep"), "decoy-node-modules");
  await project(join(root, "p0", "vendor", "lib"), "decoy-vendor");
  await project(join(root, "p0", ".buildrunner", "worktrees", "task"), "decoy-task-worktree");
  await project(join(root, "org", "a", "b", "c", "deep"), "decoy-too-deep");
  const repo = join(root, "repo");
  await project(repo, "repo");
  expected.push("repo");
  await gitRun(["init", "-q", "-b", "main"], repo);
  await gitRun(["add", "-A"], repo);
  await gitRun(["commit", "-qm", "init"], repo);
  await gitRun(["worktree", "add", "-q", join(root, "repo-wt"), "-b", "wt"], repo);
  assert.ok((await Deno.stat(join(root, "repo-wt", ".buildrunner", "features.json"))).isFile);
  // A project whose features.json is broken: a row with its error, never a crash.
  await Deno.mkdir(join(root, "broken", ".buildrunner"), { recursive: true });
  await Deno.writeTextFile(join(root, "broken", ".buildrunner", "features.json"), "{nope");
  expected.push("broken");
  // Listed by mani.yaml (deeper than --depth) and by gita: found too.
  await project(join(tmp.path, "elsewhere", "x", "y", "z", "mani-listed"), "mani-listed");
  await Deno.writeTextFile(
    join(root, "mani.yaml"),
    "projects:\n  listed:\n    path: ../elsewhere/x/y/z/mani-listed\n",
  );
  expected.push("mani-listed");
  const gitaRepo = join(tmp.path, "gita-repos", "g");
  await project(gitaRepo, "gita-listed");
  const xdg = join(tmp.path, "xdg");
  await Deno.mkdir(join(xdg, "gita"), { recursive: true });
  await Deno.writeTextFile(join(xdg, "gita", "repos.csv"), `${gitaRepo},g,,\n`);
  expected.push("gita-listed");

  const env = { XDG_CONFIG_HOME: xdg, BR_HOME: join(tmp.path, "home") };
  const res = await br(["dashboard", "--roots", root, "--depth", "3", "--json"], {
    cwd: tmp.path,
    env,
  });
  assert.equal(res.code, 0, res.stderr);
  const rows = (JSON.parse(res.stdout) as { projects: Row[] }).projects;

  await t.step("every project once, no decoy", () => {
    assert.deepEqual(rows.map((r) => r.name).sort(), [...expected].sort());
  });

  await t.step("the broken project is an error row", () => {
    const broken = rows.find((r) => r.name === "broken")!;
    assert.match(broken.error ?? "", /Cannot parse \.buildrunner\/features\.json/);
    assert.equal(broken.health, "critical");
    assert.match(broken.health_rule, /^unreadable: /);
  });

  await t.step("counts and completion come from features.json", () => {
    const p1 = rows.find((r) => r.name === "p1")!;
    assert.equal(p1.completion_percentage, 50);
    assert.equal(p1.counts.planned, 1);
    assert.equal(p1.error, null);
    assert.equal(p1.health, "healthy");
  });

  await t.step("reading created no br.db", async () => {
    for (const r of rows) {
      await assert.rejects(Deno.stat(join(r.path, ".buildrunner", "br.db")), Deno.errors.NotFound);
    }
  });

  await t.step("the roots are remembered in the global config", async () => {
    const again = await br(["dashboard", "--json"], { cwd: tmp.path, env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(again.stdout) as { projects: Row[] }).projects.length, rows.length);
    assert.match(await Deno.readTextFile(join(tmp.path, "home", "config.yaml")), /roots:/);
  });

  await t.step("the text views name the projects and the rules", async () => {
    const overview = await br(["dashboard"], { cwd: tmp.path, env });
    assert.equal(overview.code, 0, overview.stderr);
    assert.match(overview.stdout, /^PROJECT\s+HEALTH/m);
    assert.match(overview.stdout, /^broken: unreadable: /m);
    const alerts = await br(["dashboard", "--view", "alerts"], { cwd: tmp.path, env });
    assert.match(alerts.stdout, /critical\s+broken\s+unreadable/);
    assert.doesNotMatch(alerts.stdout, /\bp1\b/);
  });
});

Deno.test("br dashboard reports blocked features with their reasons", async () => {
  await using tmp = await tempDir();
  await project(join(tmp.path, "app"), "app", [
    { id: "login", status: "blocked", blocked_reason: "waiting on the API" },
    { id: "home", status: "complete" },
  ]);
  const res = await br(["dashboard", "--roots", tmp.path, "--json"], { cwd: tmp.path });
  assert.equal(res.code, 0, res.stderr);
  const [row] = (JSON.parse(res.stdout) as { projects: Row[] }).projects;
  assert.deepEqual(row.blocked.map((b) => [b.id, b.reason]), [["login", "waiting on the API"]]);
  assert.equal(row.health, "warning");
  assert.equal(row.health_rule, "blocked_features: 1 blocked");
});

Deno.test("br dashboard --roots names a missing folder", async () => {
  await using tmp = await tempDir();
  const res = await br(["dashboard", "--roots", join(tmp.path, "nope")], { cwd: tmp.path });
  assert.equal(res.code, 4);
  assert.match(res.stderr, /Cannot find folder ".*nope" \(from --roots\)/);
});

function snap(over: Partial<ProjectSnapshot>): Omit<ProjectSnapshot, "health" | "health_rule"> {
  return {
    name: "p",
    path: "/p",
    completion_percentage: 0,
    counts: { total: 0, planned: 0, in_progress: 0, testing: 0, blocked: 0, complete: 0 },
    blocked: [],
    gates: [],
    findings: null,
    cost_today_usd: 0,
    cost_week_usd: 0,
    budget: { level: "ok", alerts: [] },
    workers: { run: null, state: null, busy: 0, total: 0 },
    last_activity: null,
    error: null,
    ...over,
  };
}

Deno.test("decideHealth() applies the first matching rule", async (t) => {
  const failedGate = { gate: "quality", passed: false, time: "t", counts: {} };
  const stop = { name: "daily", level: "stop", spent_usd: 12, limit_usd: 10 };
  const warnB = { name: "weekly", level: "warn", spent_usd: 8, limit_usd: 10 };
  const blocked = { total: 1, planned: 0, in_progress: 0, testing: 0, blocked: 1, complete: 0 };
  const cases: [string, Partial<ProjectSnapshot>, string, RegExp][] = [
    [
      "unreadable beats all",
      { error: "boom", findings: { secrets: 1, total: 1 } },
      "critical",
      /^unreadable: boom$/,
    ],
    [
      "secrets",
      { findings: { secrets: 2, total: 3 }, gates: [failedGate] },
      "critical",
      /^secret_findings: 2 /,
    ],
    [
      "budget stop",
      { budget: { level: "stop", alerts: [stop] }, gates: [failedGate] },
      "critical",
      /^budget_stop: budget "daily" spent \$12\.00 of \$10\.00$/,
    ],
    [
      "failed gate",
      { gates: [failedGate], budget: { level: "warn", alerts: [warnB] } },
      "warning",
      /^gate_failed: last quality gate failed$/,
    ],
    [
      "budget warn",
      { budget: { level: "warn", alerts: [warnB] }, counts: blocked },
      "warning",
      /^budget_warn: /,
    ],
    [
      "interrupted run",
      { workers: { run: "r1", state: "interrupted", busy: 0, total: 2 }, counts: blocked },
      "warning",
      /^parallel_interrupted: run r1 /,
    ],
    ["blocked", { counts: blocked }, "warning", /^blocked_features: 1 blocked$/],
    ["clear", { findings: { secrets: 0, total: 0 } }, "healthy", /^all_clear/],
  ];
  for (const [name, over, health, rule] of cases) {
    await t.step(name, () => {
      const got = decideHealth(snap(over));
      assert.equal(got.health, health);
      assert.match(got.rule, rule);
    });
  }
});

Deno.test("br dashboard reads gates, secret findings, cost and budgets from the store", async () => {
  await using tmp = await tempDir();
  const dir = join(tmp.path, "app");
  await Deno.mkdir(dir);
  const env = { ...storeEnv(), BR_HOME: join(tmp.path, "home"), TZ: "UTC" };
  assert.equal((await br(["init", "--name", "app"], { cwd: dir, env })).code, 0);
  // A secret (a made-up AWS access key id, built from parts) found by the security gate;
  // AWS's documented example key is a known sample the scanner does not report.
  await Deno.writeTextFile(
    join(dir, "keys.ts"),
    `export const k = "${"AKIA" + "QH7ZK3MX2W5RT4NB"}";\n`,
  );
  await gitRun(["add", "-A"], dir);
  const gates = await br(["validate"], { cwd: dir, env });
  assert.equal(gates.code, 10, gates.stderr);
  assert.equal((await br(["cost", "budget", "set", "daily", "5"], { cwd: dir, env })).code, 0);
  const project = await openProject({ cwd: dir, env });
  await recordUsage(project, {
    source: "test",
    model: "claude-sonnet-4-5",
    cost_usd: 6.5,
    time: new Date(),
  });
  await project.close();

  const res = await br(["dashboard", "--roots", tmp.path, "--json"], { cwd: tmp.path, env });
  assert.equal(res.code, 0, res.stderr);
  const [row] = JSON.parse(res.stdout).projects;
  assert.equal(row.findings.secrets, 1);
  assert.equal(row.gates.find((g: { gate: string }) => g.gate === "security").passed, false);
  assert.equal(row.cost_today_usd, 6.5);
  assert.equal(row.cost_week_usd, 6.5);
  assert.equal(row.budget.level, "stop");
  // Secrets outrank the spent budget.
  assert.equal(row.health, "critical");
  assert.equal(row.health_rule, "secret_findings: 1 open secret finding(s)");
  assert.doesNotMatch(res.stdout, /AKIAIOSFODNN7EXAMPLE/);
});
