// Task Master both ways, against files written by the real task-master-ai CLI (installed with
// npm into a temp folder once for this file; manual task creation needs no AI key).
import assert from "node:assert/strict";
import { join } from "node:path";
import { br, readJson, tempDir, tempProject } from "../helpers.ts";

const TM_VERSION = "0.43.1";
let installed: Promise<string | null> | null = null;

/** The task-master binary, or null (with a printed line) when npm cannot install it. */
function taskMaster(): Promise<string | null> {
  return installed ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "br-tm-npm-" });
    addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    const out = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--silent", `task-master-ai@${TM_VERSION}`],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output().catch(() => null);
    if (!out?.success) {
      console.log(`skipped: cannot install task-master-ai with npm`);
      return null;
    }
    return join(dir, "node_modules", ".bin", "task-master");
  })();
}

async function tm(bin: string, cwd: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(bin, {
    args,
    cwd,
    env: { NO_COLOR: "1", CI: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success || /❌|Error:/.test(text)) {
    throw new Error(`task-master ${args.join(" ")}: ${text}`);
  }
}

const TASKS = ".taskmaster/tasks/tasks.json";

/**
 * A project whose tasks.json the CLI wrote: tags, subtasks (one on its sibling), every status,
 * and a custom field added by hand as other tools do.
 */
async function tmProject(bin: string) {
  const dir = await tempProject("tm");
  const cwd = dir.path;
  await Deno.mkdir(join(cwd, ".taskmaster/tasks"), { recursive: true });
  await Deno.writeTextFile(join(cwd, TASKS), '{"master":{"tasks":[],"metadata":{}}}\n');
  const t = (...args: string[]) => tm(bin, cwd, ...args);
  await t(
    "add-task",
    "--title",
    "Login page",
    "--description",
    "Email login",
    "--details",
    "Use the form",
    "--priority",
    "high",
  );
  await t(
    "add-task",
    "--title",
    "Session refresh",
    "--description",
    "Refresh tokens",
    "--dependencies",
    "1",
  );
  await t("add-task", "--title", "Audit log", "--description", "Who did what");
  await t("add-task", "--title", "Export", "--description", "CSV export", "--priority", "low");
  await t("add-task", "--title", "Import", "--description", "CSV import");
  await t("add-subtask", "--parent", "1", "--title", "Form", "--description", "The form");
  await t(
    "add-subtask",
    "--parent",
    "1",
    "--title",
    "Submit",
    "--description",
    "Send it",
    "--dependencies",
    "1.1",
  );
  await t("set-status", "--id", "1.1", "--status", "done");
  await t("set-status", "--id", "1", "--status", "done");
  await t("set-status", "--id", "2", "--status", "deferred");
  await t("set-status", "--id", "3", "--status", "cancelled");
  await t("set-status", "--id", "4", "--status", "review");
  await t("set-status", "--id", "5", "--status", "blocked");
  await t("add-tag", "feature-x");
  await t("add-task", "--tag", "feature-x", "--title", "Dark mode", "--description", "Theme");
  await t("use-tag", "feature-x");
  await t("set-status", "--id", "1", "--status", "in-progress");
  await t("use-tag", "master");
  const path = join(cwd, TASKS);
  const data = await readJson<Record<string, { tasks: Record<string, unknown>[] }>>(path);
  data.master.tasks[0].estimate = { hours: 3, confidence: 0.5 };
  data.master.tasks[0].labels = ["ui", 7, null];
  await Deno.writeTextFile(path, JSON.stringify(data, null, 2));
  return dir;
}

type F = {
  id: string;
  status: string;
  priority: string;
  dependencies: string[];
  parent?: string;
  parked?: string;
};

Deno.test("Task Master import and export", async (t) => {
  const bin = await taskMaster();
  if (!bin) return;
  await using dir = await tmProject(bin);
  const cwd = dir.path;
  const original = await readJson(join(cwd, TASKS));
  const run = (...args: string[]) => br(args, { cwd });
  const features = async () =>
    new Map(
      (JSON.parse((await run("feature", "list", "--json")).stdout) as F[]).map((f) => [f.id, f]),
    );

  await t.step("import maps every status, subtask and tag", async () => {
    const res = await run("import", "taskmaster", "--json");
    assert.equal(res.code, 0, res.stderr);
    const f = await features();
    assert.equal(f.get("tm-1")?.status, "complete");
    assert.equal(f.get("tm-1")?.priority, "high");
    assert.equal(f.get("tm-2")?.status, "planned");
    assert.equal(f.get("tm-2")?.parked, "deferred");
    assert.equal(f.get("tm-3")?.parked, "cancelled");
    assert.equal(f.get("tm-4")?.status, "testing");
    assert.equal(f.get("tm-5")?.status, "blocked");
    assert.equal(f.get("tm-feature-x-1")?.status, "in_progress");
    // A subtask is a feature of its own, linked to its parent and its sibling.
    assert.equal(f.get("tm-1.1")?.status, "complete");
    assert.equal(f.get("tm-1.2")?.status, "planned", "a done parent keeps a pending subtask");
    assert.equal(f.get("tm-1.2")?.parent, "tm-1");
    assert.deepEqual(f.get("tm-1.2")?.dependencies, ["tm-1.1"]);
    assert.deepEqual(f.get("tm-2")?.dependencies, ["tm-1"]);
  });

  await t.step("a deferred or cancelled task is never next and is not open work", async () => {
    const next = JSON.parse((await run("feature", "next", "--json")).stdout);
    assert.equal(next.id, "tm-1.2");
    const status = JSON.parse((await run("status", "--json")).stdout);
    // 8 features, 2 parked: tm-1 and tm-1.1 complete of the 6 others.
    assert.equal(status.metrics.features_total, 8);
    assert.equal(status.metrics.features_parked, 2);
    assert.equal(status.metrics.completion_percentage, 33);
  });

  await t.step("a round trip gives back the same JSON values", async () => {
    const res = await run("export", "taskmaster", "out.json", "--json");
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await readJson(join(cwd, "out.json")), original);
  });

  await t.step("re-import is idempotent", async () => {
    const before = await Deno.readTextFile(join(cwd, ".buildrunner/features.json"));
    const res = await run("import", "taskmaster", "--json");
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual([out.added, out.updated, out.removed, out.conflicts], [[], [], [], []]);
    assert.equal(await Deno.readTextFile(join(cwd, ".buildrunner/features.json")), before);
  });

  await t.step("changes on both sides meet; a clash is a conflict, never overwritten", async () => {
    await tm(bin, cwd, "set-status", "--id", "4", "--status", "done");
    await tm(bin, cwd, "set-status", "--id", "3", "--status", "pending");
    await tm(bin, cwd, "add-task", "--title", "Reports", "--description", "Monthly");
    assert.equal((await run("feature", "update", "tm-5", "--priority", "critical")).code, 0);
    assert.equal((await run("feature", "update", "tm-3", "--name", "Audit trail")).code, 0);
    assert.equal((await run("feature", "start", "tm-3")).code, 0);
    const res = await run("import", "taskmaster", "--json");
    assert.equal(res.code, 5, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.deepEqual(out.added, ["tm-6"]);
    assert.deepEqual(out.conflicts.map((c: { id: string; field: string }) => [c.id, c.field]), [
      ["tm-3", "status"],
    ]);
    const f = await features();
    assert.equal(f.get("tm-4")?.status, "complete", "Task Master's change arrived");
    assert.equal(f.get("tm-5")?.priority, "critical", "br's change stayed");
    assert.equal(f.get("tm-3")?.status, "in_progress", "the clash kept br's value");
  });

  await t.step("export writes br's changes back (refusing a file changed since)", async () => {
    await tm(bin, cwd, "set-status", "--id", "6", "--status", "in-progress");
    const refused = await run("export", "taskmaster");
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /changed since/);
    assert.equal((await run("import", "taskmaster")).code, 5, "the tm-3 clash remains");
    const res = await run("export", "taskmaster", "--json");
    assert.equal(res.code, 0, res.stderr);
    const data = await readJson<{ master: { tasks: Record<string, unknown>[] } }>(
      join(cwd, TASKS),
    );
    const byId = new Map(data.master.tasks.map((x) => [String(x.id), x]));
    assert.equal(byId.get("5")?.priority, "critical");
    assert.equal(byId.get("3")?.title, "Audit trail");
    assert.equal(byId.get("3")?.status, "in-progress");
    assert.equal(byId.get("6")?.status, "in-progress");
    assert.deepEqual(byId.get("1")?.estimate, { hours: 3, confidence: 0.5 });
    // Task Master reads what br wrote.
    await tm(bin, cwd, "set-status", "--id", "5", "--status", "done");
  });
});

Deno.test("br import taskmaster reads the legacy layout and exports it the same way", async () => {
  await using dir = await tempProject("legacy");
  const cwd = dir.path;
  const legacy = {
    tasks: [
      { id: 1, title: "A", status: "done", dependencies: [], priority: "high", subtasks: [] },
      {
        id: 2,
        title: "B",
        status: "cancelled",
        dependencies: [1, 42],
        subtasks: [{ id: 1, title: "B1", status: "pending", dependencies: [] }, {
          id: 2,
          title: "B2",
          status: "done",
          dependencies: [1],
        }],
        custom: { any: ["shape", 1] },
      },
    ],
    meta: { projectName: "x" },
  };
  await using other = await tempDir();
  const src = join(other.path, "tasks.json");
  await Deno.writeTextFile(src, JSON.stringify(legacy));
  const res = await br(["import", "taskmaster", src, "--json"], { cwd });
  assert.equal(res.code, 0, res.stderr);
  const list = JSON.parse((await br(["feature", "list", "--json"], { cwd })).stdout) as F[];
  const b2 = list.find((f) => f.id === "tm-2.2");
  assert.deepEqual(b2?.dependencies, ["tm-2.1"], "a number is a sibling subtask");
  assert.deepEqual(list.find((f) => f.id === "tm-2")?.dependencies, ["tm-1"]);
  // The cancelled task is never next (it would be: same priority, first id) and no open work.
  const next = JSON.parse((await br(["feature", "next", "--json"], { cwd })).stdout);
  assert.equal(next.id, "tm-2.1");
  const status = JSON.parse((await br(["status", "--json"], { cwd })).stdout);
  assert.equal(status.metrics.completion_percentage, 67);
  const gaps = JSON.parse((await br(["gaps", "analyze", "--json"], { cwd })).stdout);
  const open = gaps.gaps.filter((g: { kind: string }) => g.kind === "open_feature");
  assert.deepEqual(open.map((g: { feature: string }) => g.feature), ["tm-2.1"]);
  const out = await br(["export", "taskmaster", join(other.path, "out.json")], { cwd });
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(await readJson(join(other.path, "out.json")), legacy);

  // A task removed in Task Master goes when br did not change it; one br changed stays.
  assert.equal((await br(["feature", "update", "tm-2.1", "--priority", "high"], { cwd })).code, 0);
  const trimmed = structuredClone(legacy);
  trimmed.tasks[1].subtasks = [];
  trimmed.tasks[1].dependencies = [];
  trimmed.tasks.splice(0, 1);
  await Deno.writeTextFile(src, JSON.stringify(trimmed));
  const again = await br(["import", "taskmaster", "--json"], { cwd });
  assert.equal(again.code, 5, again.stderr);
  const r = JSON.parse(again.stdout);
  assert.deepEqual(r.removed.sort(), ["tm-1", "tm-2.2"]);
  assert.deepEqual(r.conflicts.map((c: { id: string }) => c.id), ["tm-2.1"]);
  const ids = (JSON.parse((await br(["feature", "list", "--json"], { cwd })).stdout) as F[])
    .map((f) => f.id);
  assert.deepEqual(ids, ["tm-2", "tm-2.1"]);
});

Deno.test("br import taskmaster refuses a file that is not Task Master's", async () => {
  await using dir = await tempProject("bad");
  await Deno.writeTextFile(join(dir.path, "x.json"), '{"nope": 1}');
  const before = await Deno.readTextFile(join(dir.path, ".buildrunner/features.json"));
  const res = await br(["import", "taskmaster", "x.json"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.match(res.stderr, /x\.json has no "tasks" list/);
  const missing = await br(["import", "taskmaster", "none.json"], { cwd: dir.path });
  assert.equal(missing.code, 4, missing.stderr);
  assert.equal(await Deno.readTextFile(join(dir.path, ".buildrunner/features.json")), before);
});
