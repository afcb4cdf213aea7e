import assert from "node:assert/strict";
import { exists } from "../../src/core/fs.ts";
import { br, gitRun, readJson, tempDir } from "../helpers.ts";

Deno.test("init creates the layout, runs git init, and is idempotent", async () => {
  await using dir = await tempDir();
  const first = await br(["init", "acme", "--dir", "app", "--json"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout);
  assert.equal(r.git_initialized, true);
  assert.deepEqual(r.created.sort(), [
    ".buildrunner/.gitignore",
    ".buildrunner/config.yaml",
    ".buildrunner/features.json",
    ".buildrunner/governance.sha256",
    ".buildrunner/governance.yaml",
    ".gitignore",
    "STATUS.md",
  ]);
  assert.deepEqual(r.updated, []);
  const root = `${dir.path}/app`;
  const gi = await Deno.readTextFile(`${root}/.buildrunner/.gitignore`);
  for (const entry of ["br.db", "br.db-*", "worktrees/", ".lock"]) {
    assert.ok(gi.split("\n").includes(entry), entry);
  }
  const features = await readJson<{ project: string; features: unknown[] }>(
    `${root}/.buildrunner/features.json`,
  );
  assert.equal(features.project, "acme");
  assert.deepEqual(features.features, []);
  assert.equal(await gitRun(["rev-parse", "--is-inside-work-tree"], root), "true");

  // Second run: nothing created, nothing changed, user edits kept.
  await Deno.writeTextFile(`${root}/STATUS.md`, "my own notes\n");
  await Deno.writeTextFile(
    `${root}/.buildrunner/config.yaml`,
    "# mine\nproject:\n  name: custom\n",
  );
  const second = JSON.parse(
    (await br(["init", "--dir", "app", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(second.created, []);
  assert.equal(second.git_initialized, false);
  assert.equal(await Deno.readTextFile(`${root}/STATUS.md`), "my own notes\n");

  // --force rewrites only what br owns, after a backup; config and features are kept.
  const forced = JSON.parse(
    (await br(["init", "--dir", "app", "--force", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(forced.rewritten, ["STATUS.md"]);
  assert.ok(forced.backup_dir.startsWith(".buildrunner/backups/"));
  assert.equal(await Deno.readTextFile(`${root}/${forced.backup_dir}/STATUS.md`), "my own notes\n");
  assert.match(await Deno.readTextFile(`${root}/STATUS.md`), /^# acme — Status/);
  assert.equal(
    await Deno.readTextFile(`${root}/.buildrunner/config.yaml`),
    "# mine\nproject:\n  name: custom\n",
  );
});

Deno.test("init <name> starts the project in the current folder, as BuildRunner 3.1 did", async () => {
  await using dir = await tempDir();
  const res = await br(["init", "test-project", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).root, dir.path);
  assert.equal(res.stderr, "");
  const features = await readJson<{ project: string }>(`${dir.path}/.buildrunner/features.json`);
  assert.equal(features.project, "test-project");
  assert.equal(await Deno.stat(`${dir.path}/test-project`).catch(() => null), null);
  assert.match(
    await Deno.readTextFile(`${dir.path}/.buildrunner/config.yaml`),
    /name: "test-project"/,
  );
});

Deno.test("init <name> naming an existing folder starts here and names --dir in one line", async () => {
  await using dir = await tempDir();
  await Deno.mkdir(`${dir.path}/web`);
  const res = await br(["init", "web"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(res.stderr.trimEnd().split("\n").length, 1);
  assert.match(res.stderr, /^note: "web" is the project's name; .*run "br init --dir web"/);
  assert.ok(await exists(`${dir.path}/.buildrunner/features.json`));
  assert.equal(await exists(`${dir.path}/web/.buildrunner`), false);
  // "br init ." is the current folder, named after itself.
  await using here = await tempDir();
  const dot = await br(["init", ".", "--json"], { cwd: here.path });
  assert.equal(dot.code, 0, dot.stderr);
  assert.equal(dot.stderr, "");
  const file = await readJson<{ project: string }>(`${here.path}/.buildrunner/features.json`);
  assert.equal(file.project, here.path.split("/").pop());
});

Deno.test("init --dir starts the project in that folder (created); two names are exit 2", async () => {
  await using dir = await tempDir();
  const res = await br(["init", "shop", "--dir", "sub/app", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.equal(JSON.parse(res.stdout).root, `${dir.path}/sub/app`);
  const features = await readJson<{ project: string }>(
    `${dir.path}/sub/app/.buildrunner/features.json`,
  );
  assert.equal(features.project, "shop");
  const named = await br(["init", "--name", "acme"], { cwd: dir.path });
  assert.equal(named.code, 0, named.stderr);
  assert.equal(
    (await readJson<{ project: string }>(`${dir.path}/.buildrunner/features.json`)).project,
    "acme",
  );
  const two = await br(["init", "app", "--name", "x"], { cwd: dir.path });
  assert.equal(two.code, 2);
  assert.match(two.stderr, /^error: Cannot take two project names: "app" and --name "x"\nhint: /);
  assert.equal(await exists(`${dir.path}/app`), false);
});

Deno.test("attach detects the stack, records it in config, imports Task Master tasks", async () => {
  await using dir = await tempDir();
  const root = dir.path;
  await gitRun(["init", "-q"], root);
  await Deno.mkdir(`${root}/src`);
  await Deno.writeTextFile(`${root}/src/a.ts`, "export const a = 1;\n");
  await Deno.writeTextFile(`${root}/src/b.ts`, "export const b = 1;\n");
  await Deno.writeTextFile(`${root}/tool.py`, "print(1)\n");
  await Deno.mkdir(`${root}/node_modules/x`, { recursive: true });
  await Deno.writeTextFile(`${root}/node_modules/x/i.py`, "");
  await Deno.writeTextFile(`${root}/node_modules/x/j.py`, "");
  await Deno.writeTextFile(`${root}/node_modules/x/k.py`, "");
  await Deno.writeTextFile(
    `${root}/package.json`,
    JSON.stringify({ scripts: { test: "vitest run" } }),
  );
  await Deno.writeTextFile(`${root}/pnpm-lock.yaml`, "lockfileVersion: 9\n");
  await Deno.mkdir(`${root}/.taskmaster/tasks`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/.taskmaster/tasks/tasks.json`,
    JSON.stringify({
      master: {
        tasks: [
          {
            id: 1,
            title: "Set up DB",
            status: "done",
            priority: "high",
            dependencies: [],
            subtasks: [],
          },
          {
            id: 2,
            title: "API",
            description: "REST API",
            status: "in-progress",
            dependencies: [1],
            subtasks: [{ id: 1, title: "GET /users", status: "done" }],
            testStrategy: "Integration tests pass",
          },
          { id: 3, title: "Later", status: "deferred", dependencies: [2, 99] },
        ],
      },
    }),
  );
  const before = new Set<string>();
  for await (const e of Deno.readDir(root)) before.add(e.name);

  const res = await br(["attach", "--json"], { cwd: root });
  assert.equal(res.code, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.deepEqual(r.detected, {
    languages: ["typescript", "python"],
    package_managers: ["pnpm"],
    test_command: "pnpm test",
  });
  assert.deepEqual(r.imported, { source: ".taskmaster/tasks/tasks.json", count: 4 });
  const after = new Set<string>();
  for await (const e of Deno.readDir(root)) after.add(e.name);
  assert.deepEqual([...after].filter((n) => !before.has(n)).sort(), [
    ".buildrunner",
    ".gitignore",
    "STATUS.md",
  ]);

  const cfg = JSON.parse(
    (await br(["config", "get", "project.test_command", "--json"], { cwd: root })).stdout,
  );
  assert.deepEqual(cfg, { key: "project.test_command", value: "pnpm test", source: "project" });
  const features = JSON.parse((await br(["feature", "list", "--json"], { cwd: root })).stdout);
  const api = features.find((f: { id: string }) => f.id === "tm-2");
  assert.equal(api.status, "in_progress");
  assert.deepEqual(api.dependencies, ["tm-1"]);
  assert.deepEqual(api.acceptance, ["Integration tests pass"]);
  const sub = features.find((f: { id: string }) => f.id === "tm-2.1");
  assert.equal(sub.status, "complete", "a subtask is a feature of its own");
  assert.equal(sub.parent, "tm-2");
  const later = features.find((f: { id: string }) => f.id === "tm-3");
  assert.deepEqual(later.dependencies, ["tm-2"], "a dependency on a missing task is dropped");
  assert.equal(later.parked, "deferred");

  // Attaching again changes nothing and imports nothing twice.
  const again = JSON.parse((await br(["attach", "--json"], { cwd: root })).stdout);
  assert.equal(again.imported, null);
  assert.deepEqual(again.created, []);
  assert.equal(
    JSON.parse((await br(["feature", "list", "--json"], { cwd: root })).stdout).length,
    4,
  );
});

Deno.test("attach on a missing folder is exit 4", async () => {
  await using dir = await tempDir();
  const res = await br(["attach", "nope"], { cwd: dir.path });
  assert.equal(res.code, 4);
  assert.match(res.stderr, /is not a folder/);
});

Deno.test("init --force: a backups folder planted as a link outside is refused, exit 3", async () => {
  await using dir = await tempDir();
  await using outside = await tempDir();
  assert.equal((await br(["init"], { cwd: dir.path })).code, 0);
  await Deno.writeTextFile(`${dir.path}/STATUS.md`, "my own notes\n");
  await Deno.symlink(outside.path, `${dir.path}/.buildrunner/backups`);
  const res = await br(["init", "--force"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.match(
    res.stderr,
    /^error: Cannot write ".*backups.*STATUS\.md": it links to ".*", outside the project\n/,
  );
  assert.deepEqual([...Deno.readDirSync(outside.path)], []);
  assert.equal(await Deno.readTextFile(`${dir.path}/STATUS.md`), "my own notes\n");
});
