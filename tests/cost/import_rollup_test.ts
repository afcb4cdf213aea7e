import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import type { Project } from "../../src/core/project.ts";
import { importUsage } from "../../src/cost/mod.ts";
import { ImportThread } from "../../src/cost/_import_parallel.ts";
import { costSummary, ledgerCostSummary, SUMMARY_BY } from "../../src/cost/summary.ts";
import { tempProject } from "../helpers.ts";
import { storeEnv } from "../postgres.ts";
import { appendLog, ccLine, ccUser, cxCount, cxMeta, cxTurn, join, writeLog } from "./_logs.ts";

/** The summaries from the rollup equal those summed from the ledger's rows, by every key. */
async function assertRollup(project: Project): Promise<void> {
  for (const by of SUMMARY_BY) {
    const options = { by, timezone: "UTC" };
    assert.deepEqual(
      await costSummary(project, options),
      await ledgerCostSummary(project, options),
      by,
    );
  }
}

const MODELS = ["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"];

/**
 * Session `s` of `n` responses from `start` (seconds past 2026-11-01), each a user line and
 * the response over two lines (the first with a partial output count); a response's output
 * is `output(i)`.
 */
function session(s: number, n: number, output: (i: number) => number, from = 0): string[] {
  const lines: string[] = [];
  for (let i = from; i < from + n; i++) {
    const time = new Date(Date.UTC(2026, 10, 1, s, 0, i * 7)).toISOString();
    const base = {
      id: `msg_${s}_${i}`,
      model: MODELS[(s + i) % 2],
      time,
      input: 10 + (i % 9),
      write5m: i % 4 === 0 ? 300 : 0,
      read: 1000 * (i % 5),
      cwd: `/work/p${s % 3}`,
    };
    lines.push(
      ccUser(time),
      ccLine({ ...base, output: 1 }),
      ccLine({ ...base, output: output(i) }),
    );
  }
  return lines;
}

// In process, and (into SQLite) read here and written on the writer thread.
for (const [mode, parallelBytes] of [["in process", undefined], ["on two threads", 0]] as const) {
  Deno.test(`an import keeps the rollup equal to the ledger (${mode}): replays with larger counts, across statements and transactions`, async (t) => {
    await using dir = await tempProject("acme");
    const projects = join(dir.path, "logs", "projects");
    // 12 sessions of 700 responses (8,400 rows: more than one transaction).
    for (let s = 0; s < 12; s++) {
      await writeLog(join(projects, `-work-p${s % 3}`, `s${s}.jsonl`), session(s, 700, (i) => i));
    }
    // Resumed sessions (read after the ones they replay) repeat earlier responses with larger
    // output counts, some of them written in the same transaction, some in an earlier one.
    await writeLog(join(projects, "-work-p0", "t0.jsonl"), [
      ...session(0, 40, (i) => i + 5, 600),
      ...session(11, 40, (i) => i + 7, 0),
      ...session(20, 50, (i) => i),
    ]);
    // A subagent replaying a parent's response without its request id, and one of its own.
    await writeLog(join(projects, "-work-p0", "s0", "subagents", "agent-a.jsonl"), [
      ccLine({
        id: "msg_0_3",
        req: null,
        sidechain: true,
        model: MODELS[0],
        time: "2026-11-01T00:00:21.000Z",
        input: 99,
        output: 99,
      }),
      ccLine({
        id: "msg_sub",
        sidechain: true,
        model: MODELS[1],
        time: "2026-11-01T00:01:00.000Z",
        input: 5,
        output: 6,
      }),
    ]);
    const codex = join(dir.path, "logs", "sessions", "2026", "11", "01");
    const rollout = join(
      codex,
      "rollout-2026-11-01T00-00-00-0b7a7f5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b.jsonl",
    );
    await writeLog(rollout, [
      cxMeta(
        "0b7a7f5e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        "/work/p1",
        "main",
        "2026-11-01T00:00:00.000Z",
      ),
      cxTurn("gpt-5-codex", "/work/p1", "2026-11-01T00:00:01.000Z"),
      cxCount("2026-11-01T00:00:02.000Z", { input: 1000, cached: 400, output: 50 }),
      cxCount("2026-11-01T00:15:00.000Z", { input: 3000, cached: 1400, output: 90 }),
    ]);
    const project = await openProject({ cwd: dir.path, env: { ...storeEnv(), TZ: "UTC" } });
    try {
      const dirs = [join(dir.path, "logs")];
      await t.step("first import", async () => {
        const written = ImportThread.written;
        const report = await importUsage(project, { dirs, parallelBytes });
        // On SQLite, the writer thread wrote it when asked to (PostgreSQL: always in process).
        const threaded = parallelBytes === 0 && (await project.store()).backend === "sqlite";
        assert.equal(ImportThread.written - written, threaded ? 1 : 0);
        assert.equal(report.added, 12 * 700 + 50 + 1 + 2);
        await assertRollup(project);
        const store = await project.store();
        // The replays' larger counts were kept.
        const row = await store.get<{ o: number }>(
          "SELECT output_tokens AS o FROM cost_ledger WHERE key = 'cc:msg_0_620:req_msg_0_620'",
        );
        assert.equal(row?.o, 625);
      });
      await t.step("a re-import adds nothing and changes no sum", async () => {
        const before = await costSummary(project, { by: "model", timezone: "UTC" });
        assert.equal((await importUsage(project, { dirs, parallelBytes })).added, 0);
        assert.deepEqual(await costSummary(project, { by: "model", timezone: "UTC" }), before);
        await assertRollup(project);
      });
      await t.step(
        "appended lines: new rows, replayed with larger counts in the same import",
        async () => {
          // New rows of s1 in a quarter hour that already has rows of s1, then a resumed session
          // (read after s1) repeating some of them with larger counts: a row updated in the
          // transaction that inserted it, in a group already in the rollup.
          // (200 of them, so that the replays are written in statements of their own.)
          await appendLog(join(projects, "-work-p1", "s1.jsonl"), session(1, 200, (i) => i, 700));
          await writeLog(join(projects, "-work-p1", "t1.jsonl"), [
            ...session(1, 5, (i) => i + 1000, 705),
            ...session(2, 3, (i) => i + 1000, 10),
          ]);
          await appendLog(rollout, [
            cxCount("2026-11-01T00:30:00.000Z", { input: 5000, cached: 2000, output: 120 }),
          ]);
          const report = await importUsage(project, { dirs, parallelBytes });
          assert.equal(report.added, 201);
          await assertRollup(project);
          const store = await project.store();
          const row = await store.get<{ o: number }>(
            "SELECT output_tokens AS o FROM cost_ledger WHERE key = 'cc:msg_1_706:req_msg_1_706'",
          );
          assert.equal(row?.o, 1706);
        },
      );
    } finally {
      await project.close();
    }
  });
}

Deno.test("a log below two of the folders given is read once", async () => {
  await using dir = await tempProject("acme");
  const projects = join(dir.path, "logs", "projects");
  // A line without message id or uuid has no key: read twice, it would count twice.
  const keyless = JSON.parse(ccLine({
    model: MODELS[0],
    time: "2026-11-01T10:00:00.000Z",
    input: 7,
    output: 70,
  }));
  delete keyless.uuid;
  await writeLog(join(projects, "-work-p0", "s0.jsonl"), [
    ...session(0, 3, (i) => i + 1),
    JSON.stringify(keyless),
  ]);
  const project = await openProject({ cwd: dir.path, env: { ...storeEnv(), TZ: "UTC" } });
  try {
    const report = await importUsage(project, {
      sources: ["claude-code"],
      dirs: [join(dir.path, "logs"), join(projects, "-work-p0")],
    });
    assert.equal(report.sources[0].files, 1);
    assert.equal(report.added, 4);
    const store = await project.store();
    const sum = await store.get<{ o: number }>("SELECT sum(output_tokens) AS o FROM cost_ledger");
    assert.equal(Number(sum?.o), 1 + 2 + 3 + 70);
    await assertRollup(project);
  } finally {
    await project.close();
  }
});
