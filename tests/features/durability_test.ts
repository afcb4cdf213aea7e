import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { RACY_MS } from "../../src/core/cache.ts";
import { br, FIXTURES, gitRun, readJson, tempDir, tempProject } from "../helpers.ts";

const FEATURES = ".buildrunner/features.json";
const ADD = fileURLToPath(new URL("add_features.ts", `file://${FIXTURES}`));
const CHURN = fileURLToPath(new URL("churn_features.ts", `file://${FIXTURES}`));

Deno.test("16 processes adding 50 features each at once give exactly 800 features", async () => {
  await using dir = await tempProject();
  const procs = Array.from({ length: 16 }, (_, p) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ADD, dir.path, `p${p}`, "50"],
      stdout: "null",
      stderr: "piped",
    }).output());
  const results = await Promise.all(procs);
  for (const r of results) assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const file = await readJson<{ features: { id: string }[]; metrics: { features_total: number } }>(
    `${dir.path}/${FEATURES}`,
  );
  assert.equal(file.features.length, 800);
  assert.equal(new Set(file.features.map((f) => f.id)).size, 800);
  assert.equal(file.metrics.features_total, 800);
  const list = await br(["feature", "list", "--json"], { cwd: dir.path });
  assert.equal(JSON.parse(list.stdout).length, 800);
});

Deno.test("a writer killed with SIGKILL never leaves a partial features.json", async () => {
  await using dir = await tempProject();
  assert.equal((await br(["feature", "add", "Base", "--id", "base"], { cwd: dir.path })).code, 0);
  for (let round = 0; round < 8; round++) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CHURN, dir.path],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.getReader();
    await reader.read(); // "ready": at least one write done
    await new Promise((r) => setTimeout(r, 20 + round * 15));
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    const text = await Deno.readTextFile(`${dir.path}/${FEATURES}`);
    const data = JSON.parse(text); // throws on a partial file
    assert.ok(data.features.some((f: { id: string }) => f.id === "base"));
    const status = await br(["status", "--json"], { cwd: dir.path });
    assert.equal(status.code, 0, status.stderr);
  }
  // The lock of a killed writer is released by the kernel: the next write goes through.
  const after = await br(["feature", "add", "After kill"], {
    cwd: dir.path,
    env: { BR_LOCK_TIMEOUT_MS: "5000" },
  });
  assert.equal(after.code, 0, after.stderr);
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("temp files of a killed writer are ignored by git and removed on the next locked write", async () => {
  await using dir = await tempProject();
  const dead = await deadPid();
  const stale = [
    `.buildrunner/.features.json.br-${dead}-k2j4h1.tmp`,
    `.STATUS.md.br-${dead}-a0b1c2.tmp`,
    `.CLAUDE.md.br-${dead}-zz9y8x.tmp`,
  ];
  const live = `.STATUS.md.br-${Deno.pid}-q1w2e3.tmp`; // this process is alive
  const other = `.notes.br-${dead}.tmp`; // no random part: not a name br writes
  const mine = ".notes.tmp"; // the user's own
  for (const rel of [...stale, live, other, mine]) {
    await Deno.writeTextFile(`${dir.path}/${rel}`, "x");
  }
  const untracked = (await gitRun(["status", "--porcelain", "--untracked-files=all"], dir.path))
    .split("\n");
  for (const rel of [...stale, live]) assert.ok(!untracked.some((l) => l.endsWith(rel)), rel);
  assert.ok(untracked.some((l) => l.endsWith(mine)), "other temp files are not ignored");

  assert.equal((await br(["feature", "add", "Next"], { cwd: dir.path })).code, 0);
  for (const rel of stale) {
    await assert.rejects(() => Deno.lstat(`${dir.path}/${rel}`), Deno.errors.NotFound, rel);
  }
  assert.ok((await Deno.lstat(`${dir.path}/${live}`)).isFile, "a live writer's file stays");
  assert.ok((await Deno.lstat(`${dir.path}/${other}`)).isFile, "other names stay");
});

Deno.test("br init and attach add the temp-file rule to the root .gitignore once, keeping its lines", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/.gitignore`, "node_modules/\ndist");
  assert.equal((await br(["init"], { cwd: dir.path })).code, 0);
  const once = await Deno.readTextFile(`${dir.path}/.gitignore`);
  assert.match(once, /^node_modules\/\ndist\n# .*\n\.\*\.br-\*\.tmp\n$/);
  assert.equal((await br(["init"], { cwd: dir.path })).code, 0);
  assert.equal((await br(["attach", "."], { cwd: dir.path })).code, 0);
  assert.equal(await Deno.readTextFile(`${dir.path}/.gitignore`), once);
});

Deno.test("a symlinked features.json stays a link: br writes its target inside the project", async () => {
  await using dir = await tempProject();
  const link = `${dir.path}/${FEATURES}`;
  await Deno.mkdir(`${dir.path}/data`);
  await Deno.rename(link, `${dir.path}/data/features.json`);
  await Deno.symlink("../data/features.json", link);
  const res = await br(["feature", "add", "Through the link", "--id", "through"], {
    cwd: dir.path,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.ok((await Deno.lstat(link)).isSymlink, "still a link");
  assert.equal(await Deno.readLink(link), "../data/features.json");
  const data = await readJson<{ features: { id: string }[] }>(`${dir.path}/data/features.json`);
  assert.deepEqual(data.features.map((f) => f.id), ["through"]);
});

Deno.test("a features.json linking outside the project is refused with exit 3, target untouched", async () => {
  await using dir = await tempProject();
  await using outside = await tempDir();
  const link = `${dir.path}/${FEATURES}`;
  const victim = `${outside.path}/features.json`;
  await Deno.rename(link, victim);
  const before = await Deno.readTextFile(victim);
  await Deno.symlink(victim, link);
  const res = await br(["feature", "add", "Outside"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  const lines = res.stderr.trim().split("\n");
  assert.equal(lines.length, 2, res.stderr);
  assert.match(
    lines[0],
    /^error: Cannot write ".*\.buildrunner\/features\.json": it links to ".*features\.json", outside the project$/,
  );
  assert.match(lines[1], /^hint: /);
  assert.equal(await Deno.readTextFile(victim), before);
  assert.ok((await Deno.lstat(link)).isSymlink);
});

Deno.test("planted cache and spool links: br writes and deletes nothing in their targets", async () => {
  await using dir = await tempProject();
  await using outside = await tempDir();
  const state = `${dir.path}/.buildrunner`;
  for (const name of ["cache", "spool"]) {
    await Deno.remove(`${state}/${name}`, { recursive: true }).catch(() => {});
    await Deno.mkdir(`${outside.path}/${name}`);
    await Deno.symlink(`${outside.path}/${name}`, `${state}/${name}`);
  }
  // A file the spool would ingest and remove (a real spooled event, from another project).
  await using other = await tempProject();
  assert.equal((await br(["feature", "add", "Other"], { cwd: other.path })).code, 0);
  const spooled = [...Deno.readDirSync(`${other.path}/.buildrunner/spool`)]
    .find((e) => e.name.endsWith(".jsonl"))!.name;
  const precious = `${outside.path}/spool/${spooled}`;
  await Deno.copyFile(`${other.path}/.buildrunner/spool/${spooled}`, precious);
  const statusMd = `${outside.path}/cache/STATUS.md`;
  await Deno.writeTextFile(statusMd, "mine\n");
  await new Promise((r) => setTimeout(r, RACY_MS + 100)); // settled: its status would be cached

  for (const args of [["status"], ["feature", "add", "Login"], ["telemetry", "events", "--json"]]) {
    await br(args, { cwd: dir.path });
  }
  assert.deepEqual([...Deno.readDirSync(`${outside.path}/cache`)].map((e) => e.name), [
    "STATUS.md",
  ]);
  assert.equal(await Deno.readTextFile(statusMd), "mine\n");
  assert.deepEqual([...Deno.readDirSync(`${outside.path}/spool`)].map((e) => e.name), [spooled]);
});

Deno.test("a STATUS.md linking inside the project stays a link; its target gets the status", async () => {
  await using dir = await tempProject();
  await Deno.mkdir(`${dir.path}/docs`);
  await Deno.rename(`${dir.path}/STATUS.md`, `${dir.path}/docs/STATUS.md`);
  await Deno.symlink("docs/STATUS.md", `${dir.path}/STATUS.md`);
  assert.equal((await br(["feature", "add", "Linked status"], { cwd: dir.path })).code, 0);
  const res = await br(["generate"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.ok((await Deno.lstat(`${dir.path}/STATUS.md`)).isSymlink);
  assert.match(await Deno.readTextFile(`${dir.path}/docs/STATUS.md`), /Linked status/);
});
