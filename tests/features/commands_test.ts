import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import { br, fixedClock, readJson, tempProject } from "../helpers.ts";

const FEATURES = ".buildrunner/features.json";

async function seed(cwd: string) {
  const clock = fixedClock();
  const run = (args: string[]) => br(args, { cwd, clock });
  for (
    const args of [
      ["feature", "add", "User model", "--priority", "high", "--acceptance", "Users have an email"],
      [
        "feature",
        "add",
        "Login",
        "--depends-on",
        "user-model",
        "--acceptance",
        "A user can log in",
        "--files",
        "src/auth/**",
      ],
      [
        "feature",
        "add",
        "Billing",
        "--priority",
        "critical",
        "--tag",
        "money",
        "--week",
        "3",
        "--build",
        "2A",
      ],
      ["feature", "add", "Reports", "--priority", "low", "--depends-on", "login,billing"],
    ]
  ) {
    const res = await run(args);
    assert.equal(res.code, 0, res.stderr);
  }
  return run;
}

Deno.test("feature commands: add, show, update, start, complete, block, unblock, remove", async (t) => {
  await using dir = await tempProject();
  const events: BrEvent[] = [];
  const clock = fixedClock();
  const run = (args: string[]) =>
    br(args, {
      cwd: dir.path,
      clock,
      onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
    });
  await seed(dir.path);

  await t.step(
    "show --json: the stored object, its dependencies' states, its dependents",
    async () => {
      const res = await run(["feature", "show", "login", "--json"]);
      assert.equal(res.code, 0);
      const shown = JSON.parse(res.stdout);
      assert.deepEqual(Object.keys(shown), [
        "feature",
        "dependencies",
        "needed_by",
        "debug_blockers",
      ]);
      const stored = (await readJson<{ features: { id: string }[] }>(`${dir.path}/${FEATURES}`))
        .features.find((f) => f.id === "login");
      assert.deepEqual(shown.feature, stored);
      assert.deepEqual(shown.dependencies, [{ id: "user-model", status: "planned" }]);
      assert.deepEqual(shown.needed_by, ["reports"]);
      const text = (await run(["feature", "show", "login"])).stdout;
      assert.match(text, /depends on: {3}user-model \(planned\)/);
      assert.match(text, /needed by: {4}reports/);
    },
  );

  await t.step("show of an unknown id is exit 4 with a hint", async () => {
    const res = await run(["feature", "show", "logn"]);
    assert.equal(res.code, 4);
    assert.match(res.stderr, /^error: Cannot find feature "logn"/);
    assert.match(res.stderr, /hint: /);
  });

  await t.step("list filters by status, priority and tag", async () => {
    const byPriority = JSON.parse(
      (await run(["feature", "list", "--priority", "critical", "--json"])).stdout,
    );
    assert.deepEqual(byPriority.map((f: { id: string }) => f.id), ["billing"]);
    const byTag = JSON.parse((await run(["feature", "list", "--tag", "money", "--json"])).stdout);
    assert.deepEqual(byTag.map((f: { id: string }) => f.id), ["billing"]);
    const none = await run(["feature", "list", "--status", "complete", "--json"]);
    assert.equal(none.stdout.trim(), "[]");
    const bad = await run(["feature", "list", "--status", "finished"]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /Unknown status "finished"/);
  });

  await t.step("complete with open dependencies is refused (5), --force is recorded", async () => {
    const refused = await run(["feature", "complete", "login"]);
    assert.equal(refused.code, 5);
    assert.match(refused.stderr, /dependencies not complete: user-model/);
    events.length = 0;
    const forced = await run(["feature", "complete", "login", "--force", "--json"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).status, "complete");
    const ev = events.find((e) => e.type === "feature.completed");
    assert.ok(ev);
    assert.deepEqual(
      { ...(ev.payload as object), reason: undefined },
      { id: "login", from: "planned", to: "complete", forced: true, reason: undefined },
    );
  });

  await t.step("start, block (needs reason), unblock", async () => {
    assert.equal((await run(["feature", "start", "user-model"])).code, 0);
    const noReason = await run(["feature", "block", "billing"]);
    assert.equal(noReason.code, 2);
    events.length = 0;
    const blocked = await run([
      "feature",
      "block",
      "billing",
      "--reason",
      "waiting for Stripe keys",
      "--json",
    ]);
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.equal(JSON.parse(blocked.stdout).blocked_reason, "waiting for Stripe keys");
    assert.equal(events[0].type, "feature.blocked");
    const startBlocked = await run(["feature", "start", "billing"]);
    assert.equal(startBlocked.code, 5);
    const status = JSON.parse((await run(["status", "--json"])).stdout);
    assert.deepEqual(status.blockers, [{
      id: "billing",
      name: "Billing",
      reason: "waiting for Stripe keys",
    }]);
    const unblocked = await run(["feature", "unblock", "billing", "--to", "in_progress", "--json"]);
    assert.equal(JSON.parse(unblocked.stdout).status, "in_progress");
    assert.equal(JSON.parse(unblocked.stdout).blocked_reason, null);
    const again = await run(["feature", "unblock", "billing"]);
    assert.equal(again.code, 5);
  });

  await t.step("update changes fields and emits the changed fields", async () => {
    events.length = 0;
    const res = await run([
      "feature",
      "update",
      "reports",
      "--priority",
      "high",
      "--description",
      "Monthly PDFs",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const ev = events.find((e) => e.type === "feature.updated")!;
    assert.deepEqual(ev.payload, {
      id: "reports",
      changes: {
        priority: { from: "low", to: "high" },
        description: { from: "", to: "Monthly PDFs" },
      },
    });
    const nothing = await run(["feature", "update", "reports"]);
    assert.equal(nothing.code, 2);
    const badPriority = await run(["feature", "update", "reports", "--priority", "urgent"]);
    assert.equal(badPriority.code, 3);
  });

  await t.step("a dependency cycle is rejected and the file is untouched", async () => {
    const before = await Deno.readTextFile(`${dir.path}/${FEATURES}`);
    const res = await run(["feature", "update", "user-model", "--depends-on", "reports"]);
    assert.equal(res.code, 3);
    assert.match(res.stderr, /dependency cycle/);
    assert.equal(await Deno.readTextFile(`${dir.path}/${FEATURES}`), before);
  });

  await t.step("unknown dependency and duplicate id are refused", async () => {
    const unknown = await run(["feature", "add", "Search", "--depends-on", "nope"]);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /unknown feature "nope"/);
    const dup = await run(["feature", "add", "Login"]);
    assert.equal(dup.code, 5);
    assert.match(dup.stderr, /already exists/);
    const badId = await run(["feature", "add", "X", "--id", "a..b"]);
    assert.equal(badId.code, 3);
    const lockId = await run(["feature", "add", "X", "--id", "x.lock"]);
    assert.equal(lockId.code, 3);
  });

  await t.step(
    "remove refuses while others depend on it; --force drops the dependency",
    async () => {
      const refused = await run(["feature", "remove", "billing"]);
      assert.equal(refused.code, 5);
      const forced = await run(["feature", "remove", "billing", "--force"]);
      assert.equal(forced.code, 0, forced.stderr);
      const reports = JSON.parse((await run(["feature", "show", "reports", "--json"])).stdout);
      assert.deepEqual(reports.feature.dependencies, ["login"]);
    },
  );
});

Deno.test("feature next picks ready, highest priority, fewest waiting dependents, then id", async () => {
  await using dir = await tempProject();
  const run = await seed(dir.path);
  // ready: user-model (high), billing (critical) -> billing first
  assert.equal(JSON.parse((await run(["feature", "next", "--json"])).stdout).id, "billing");
  await run(["feature", "start", "billing"]);
  assert.equal(JSON.parse((await run(["feature", "next", "--json"])).stdout).id, "user-model");
  await run(["feature", "add", "Audit", "--priority", "high"]);
  await run(["feature", "add", "Export", "--priority", "high", "--depends-on", "audit"]);
  // audit and user-model are both high with one waiting dependent each -> id order
  assert.equal(JSON.parse((await run(["feature", "next", "--json"])).stdout).id, "audit");
  await run(["feature", "add", "Zeta", "--priority", "high"]);
  // zeta has no waiting dependents -> before audit and user-model
  assert.equal(JSON.parse((await run(["feature", "next", "--json"])).stdout).id, "zeta");
  for (const id of ["zeta", "audit", "user-model", "export"]) await run(["feature", "start", id]);
  const none = await run(["feature", "next", "--json"]);
  assert.equal(none.code, 0);
  assert.equal(none.stdout.trim(), "null");
});

Deno.test("feature graph --json gives dependency waves", async () => {
  await using dir = await tempProject();
  const run = await seed(dir.path);
  const res = await run(["feature", "graph", "--json"]);
  assert.deepEqual(JSON.parse(res.stdout), {
    waves: [["billing", "user-model"], ["login"], ["reports"]],
  });
  await run(["feature", "complete", "billing"]);
  const open = JSON.parse((await run(["feature", "graph", "--open", "--json"])).stdout);
  assert.deepEqual(open.waves, [["user-model"], ["login"], ["reports"]]);
  const text = await run(["feature", "graph"]);
  assert.match(text.stdout, /Wave 1\n {2}billing \(complete\)/);
});

Deno.test("status --json has the fixed shape", async () => {
  await using dir = await tempProject("acme");
  const run = await seed(dir.path);
  await run(["feature", "complete", "billing"]);
  await run(["feature", "start", "user-model"]);
  await run(["feature", "update", "login", "--status", "testing", "--force"]);
  await run(["feature", "block", "reports", "--reason", "needs design"]);
  const res = await run(["status", "--json"]);
  assert.equal(res.code, 0);
  const s = JSON.parse(res.stdout);
  assert.deepEqual(Object.keys(s), [
    "project",
    "version",
    "status",
    "last_updated",
    "metrics",
    "blockers",
    "next",
    "debug_blockers",
  ]);
  assert.equal(s.project, "acme");
  assert.deepEqual(s.metrics, {
    features_total: 4,
    features_complete: 1,
    features_in_progress: 1,
    features_testing: 1,
    features_planned: 0,
    features_blocked: 1,
    features_parked: 0,
    completion_percentage: 25,
  });
  assert.deepEqual(s.blockers, [{ id: "reports", name: "Reports", reason: "needs design" }]);
  assert.equal(s.next, null);
  const text = await run(["status"]);
  assert.match(text.stdout, /25% complete/);
  assert.match(text.stdout, /reports — needs design/);
  const file = await readJson<{ metrics: Record<string, number> }>(`${dir.path}/${FEATURES}`);
  assert.equal(file.metrics.completion_percentage, 25);
});

Deno.test("generate writes a deterministic STATUS.md with every section", async () => {
  await using dir = await tempProject("acme");
  const run = await seed(dir.path);
  await run(["feature", "block", "reports", "--reason", "needs design"]);
  const first = await run(["generate", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const md = await Deno.readTextFile(`${dir.path}/STATUS.md`);
  for (const section of ["In progress", "Testing", "Blocked", "Planned", "Complete"]) {
    assert.match(md, new RegExp(`^## ${section} \\(\\d+\\)$`, "m"));
  }
  assert.match(md, /^# acme — Status$/m);
  assert.match(
    md,
    /### Login \(`login`\)\n\n- Priority: medium\n- Depends on: `user-model` \(planned\)/,
  );
  assert.match(md, /- \[ \] A user can log in/);
  assert.match(md, /Blocked: needs design/);
  assert.match(md, /Updated:\*\* 2026-11-25 12:00 UTC/);
  const again = JSON.parse((await br(["generate", "--json"], { cwd: dir.path })).stdout);
  assert.equal(again.changed, false);
  assert.equal(await Deno.readTextFile(`${dir.path}/STATUS.md`), md);
  const check = await br(["generate", "--check"], { cwd: dir.path });
  assert.equal(check.code, 0);
  await run(["feature", "start", "billing"]);
  assert.equal((await br(["generate", "--check"], { cwd: dir.path })).code, 0);
  // features.json edited by hand: STATUS.md is stale until "br generate".
  const path = `${dir.path}/${FEATURES}`;
  await Deno.writeTextFile(
    path,
    (await Deno.readTextFile(path)).replace('"name": "Billing"', '"name": "Invoices"'),
  );
  const stale = await br(["generate", "--check", "--json"], { cwd: dir.path });
  assert.equal(stale.code, 10);
  assert.deepEqual(JSON.parse(stale.stdout), { path: "STATUS.md", up_to_date: false });
});

Deno.test("every change of features.json rewrites STATUS.md (CLI, library, spec sync)", async (t) => {
  await using dir = await tempProject();
  const cwd = dir.path;
  const upToDate = async (what: string) => {
    const res = await br(["generate", "--check"], { cwd });
    assert.equal(res.code, 0, `after ${what}: ${res.stdout}${res.stderr}`);
  };
  await t.step("br feature ...", async () => {
    for (
      const args of [
        ["feature", "add", "Login", "--acceptance", "A user can log in"],
        ["feature", "add", "Profile", "--depends-on", "login"],
        ["feature", "update", "login", "--priority", "high"],
        ["feature", "start", "login"],
        ["feature", "block", "profile", "--reason", "waiting for design"],
        ["feature", "unblock", "profile"],
        ["feature", "complete", "login", "--force"],
        ["feature", "remove", "profile"],
      ]
    ) {
      const res = await br(args, { cwd });
      assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
      await upToDate(args.slice(0, 2).join(" "));
    }
    assert.match(await Deno.readTextFile(`${cwd}/STATUS.md`), /login/);
  });
  await t.step("the library (what MCP tools call)", async () => {
    const { openProject } = await import("../../src/core/project.ts");
    const { addFeature, setFeatureStatus } = await import("../../src/features/mod.ts");
    const project = await openProject({ cwd });
    try {
      await addFeature(project, { name: "Search" });
      await upToDate("addFeature()");
      await setFeatureStatus(project, "search", "in_progress");
      await upToDate("setFeatureStatus()");
    } finally {
      await project.close();
    }
  });
  await t.step("br spec wizard --sync", async () => {
    const res = await br([
      "spec",
      "wizard",
      "--name",
      "Demo",
      "--description",
      "A tool",
      "--user",
      "Admins",
      "--feature",
      "Export: a CSV file is written",
      "--sync",
    ], { cwd });
    assert.equal(res.code, 0, res.stderr);
    await upToDate("spec sync");
    assert.match(await Deno.readTextFile(`${cwd}/STATUS.md`), /export/i);
  });
});
