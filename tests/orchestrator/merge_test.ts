import assert from "node:assert/strict";
import { join } from "node:path";
import { exists } from "../../src/core/fs.ts";
import { recoverMerge } from "../../src/orchestrator/_merge.ts";
import { gitRun, tempDir } from "../helpers.ts";

/** A repository on master with a branch "topic" to merge, and the note's path. */
async function repo(dir: string): Promise<{ note: string; head: string; topic: string }> {
  await gitRun(["init", "-q", "-b", "master"], dir);
  await Deno.writeTextFile(join(dir, "a.txt"), "a\n");
  await gitRun(["add", "-A"], dir);
  await gitRun(["commit", "-q", "-m", "start"], dir);
  await gitRun(["checkout", "-q", "-b", "topic"], dir);
  await Deno.writeTextFile(join(dir, "b.txt"), "b\n");
  await gitRun(["add", "-A"], dir);
  await gitRun(["commit", "-q", "-m", "topic work"], dir);
  await gitRun(["checkout", "-q", "master"], dir);
  return {
    note: join(dir, ".git", "BR_MERGE"),
    head: await gitRun(["rev-parse", "HEAD"], dir),
    topic: await gitRun(["rev-parse", "topic"], dir),
  };
}

const note = (run: string, head: string, mergeHead: string, subject = "br: merge topic (T)") =>
  JSON.stringify({ run, task: `${run}/topic`, head, merge_head: mergeHead, subject }) + "\n";

const mergeHead = (dir: string) =>
  gitRun(["rev-parse", "--verify", "--quiet", "MERGE_HEAD"], dir).catch(() => null);

Deno.test("recoverMerge() aborts only the merge its note describes", async (t) => {
  await t.step("br's merge, not committed: aborted, note removed", async () => {
    await using d = await tempDir();
    const r = await repo(d.path);
    await gitRun(["merge", "--no-ff", "--no-commit", "-m", "br: merge topic (T)", "topic"], d.path);
    await Deno.writeTextFile(r.note, note("run-1", r.head, r.topic));
    assert.deepEqual(await recoverMerge(d.path, "run-1", "run-1/topic"), {
      kind: "settled",
      task: "run-1/topic",
      outcome: "aborted",
    });
    assert.equal(await mergeHead(d.path), null);
    assert.equal(await gitRun(["rev-parse", "HEAD"], d.path), r.head);
    assert.equal(await gitRun(["status", "--porcelain"], d.path), "");
  });

  await t.step(
    "a merge of another run, task or commit, or with git's message: left alone",
    async () => {
      await using d = await tempDir();
      const r = await repo(d.path);
      await gitRun(["merge", "--no-ff", "--no-commit", "topic"], d.path);
      const cases: [string, string | undefined][] = [
        [note("run-0", r.head, r.topic, "Merge branch 'topic'"), undefined],
        [note("run-1", r.head, r.topic, "Merge branch 'topic'"), "run-1/other"],
        [note("run-1", r.head, r.head, "Merge branch 'topic'"), undefined],
        [note("run-1", r.head, r.topic), undefined],
      ];
      for (const [text, task] of cases) {
        await Deno.writeTextFile(r.note, text);
        assert.deepEqual(await recoverMerge(d.path, "run-1", task), {
          kind: "foreign",
          operation: "merge",
        });
        assert.equal(await mergeHead(d.path), r.topic);
        assert.equal(await Deno.readTextFile(r.note), text);
      }
    },
  );

  await t.step(
    "a note that is not br's (bad bytes, a link): the merge left alone, nothing rewritten",
    async () => {
      await using d = await tempDir();
      const r = await repo(d.path);
      await gitRun(
        ["merge", "--no-ff", "--no-commit", "-m", "br: merge topic (T)", "topic"],
        d.path,
      );
      const bad = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
      await Deno.writeFile(r.note, bad);
      assert.equal((await recoverMerge(d.path, "run-1")).kind, "foreign");
      assert.deepEqual(await Deno.readFile(r.note), bad);
      await Deno.remove(r.note);
      const real = join(d.path, "elsewhere.json");
      await Deno.writeTextFile(real, note("run-1", r.head, r.topic));
      await Deno.symlink(real, r.note);
      assert.equal((await recoverMerge(d.path, "run-1")).kind, "foreign");
      assert.equal(await mergeHead(d.path), r.topic);
    },
  );

  await t.step("no merge in progress: the run's stale note goes, another run's stays", async () => {
    await using d = await tempDir();
    const r = await repo(d.path);
    await Deno.writeTextFile(r.note, note("run-0", r.head, r.topic));
    assert.deepEqual(await recoverMerge(d.path, "run-1"), { kind: "clean" });
    assert.ok(await exists(r.note));
    await Deno.writeTextFile(r.note, note("run-1", r.head, r.topic));
    assert.deepEqual(await recoverMerge(d.path, "run-1"), { kind: "clean" });
    assert.equal(await exists(r.note), false);
  });

  await t.step("a rebase in progress is reported as such", async () => {
    await using d = await tempDir();
    await repo(d.path);
    await Deno.writeTextFile(join(d.path, "b.txt"), "other b\n");
    await gitRun(["add", "-A"], d.path);
    await gitRun(["commit", "-q", "-m", "master b"], d.path);
    await gitRun(["rebase", "topic"], d.path).catch(() => {});
    assert.deepEqual(await recoverMerge(d.path, "run-1"), { kind: "foreign", operation: "rebase" });
  });
});
