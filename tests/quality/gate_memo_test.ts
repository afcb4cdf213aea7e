// The gate memo (src/quality/_gate_memo.ts): a run of the gates with nothing changed gives the
// last run's report; a change of any input a gate reads makes the gates run again.
//
// Each test first proves that the memo would answer: `markMemo` rewrites the kept summaries
// to start with "MEMO" and signs the file again with the machine's key (as br does), so a run
// answered from the memo prints "MEMO". After a change, that word must be gone.
import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import { br, type BrRun, gitRun, moduleGraph, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";
// Same length as GH, no secret.
const PLAIN = "x".repeat(GH.length);

const hex = (b: ArrayBuffer) =>
  Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");

/**
 * Marks every kept report ("MEMO " before each summary of a gate run, a field `marker` of
 * "MEMO " in a gaps or quality report) and signs the memo files again with
 * `keyFile` (default: the key br uses for the project, BR_HOME of `br()`). Returns how many
 * files it marked.
 */
async function markMemo(root: string, keyFile = `${root}/.br-home/analysis.key`): Promise<number> {
  const dir = `${root}/.buildrunner/cache`;
  const raw = keyFile === "random"
    ? crypto.getRandomValues(new Uint8Array(32))
    : Deno.readFileSync(keyFile);
  const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  let n = 0;
  for (const e of Deno.readDirSync(dir)) {
    const kind = /^(gates|gaps|quality)-[0-9a-f]+\.json$/.exec(e.name)?.[1];
    if (!kind) continue;
    const text = Deno.readTextFileSync(`${dir}/${e.name}`);
    const body = JSON.parse(text.slice(text.indexOf("\n") + 1));
    for (const { value } of Object.values(body.entries) as { value: Record<string, unknown> }[]) {
      if (kind === "gates") {
        for (const g of value.gates as { summary: string }[]) g.summary = `MEMO ${g.summary}`;
      } else value.marker = "MEMO "; // (the reports print every field)
    }
    const json = JSON.stringify(body);
    const mac = hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(json)));
    Deno.writeTextFileSync(`${dir}/${e.name}`, `${mac}\n${json}`);
    n++;
  }
  return n;
}

interface Report {
  passed: boolean;
  gates: { gate: string; passed: boolean; summary: string; counts: Record<string, number> }[];
}

async function validate(cwd: string, args: string[] = []): Promise<BrRun & { report: Report }> {
  const r = await br(["validate", "--json", ...args], { cwd });
  assert.ok(r.code === 0 || r.code === 10, r.stdout + r.stderr);
  return { ...r, report: JSON.parse(r.stdout) };
}

const fromMemo = (r: BrRun) => r.stdout.includes("MEMO ");

async function repo(files: Record<string, string>) {
  const dir = await tempProject("memo");
  await writeTree(dir.path, { "README.md": "# M\n", ...files });
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  return dir;
}

/**
 * Runs `args` once (the memo is made), proves a second run would be answered from it, applies
 * `change`, and returns the run after it (which must not be answered from the memo).
 */
async function afterChange(
  cwd: string,
  args: string[],
  change: () => Promise<void> | void,
): Promise<{ before: Report; after: Report }> {
  const first = await validate(cwd, args);
  assert.ok((await markMemo(cwd)) > 0, "no memo was written");
  const again = await validate(cwd, args);
  assert.ok(fromMemo(again), "nothing changed, yet the memo did not answer");
  await change();
  const after = await validate(cwd, args);
  assert.equal(fromMemo(after), false, `the memo answered after the change: ${after.stdout}`);
  return { before: first.report, after: after.report };
}

const gate = (r: Report, name: string) => r.gates.find((g) => g.gate === name)!;

Deno.test("gate memo: a run with nothing changed gives the same report and the same events", async () => {
  await using dir = await repo({
    "src/a.ts": "/** A. */\nexport const a = 1; // TODO: more\n",
    "src/leak.ts": `export const token = "${GH}";\n`,
  });
  const run = async () => {
    const events: BrEvent[] = [];
    const r = await br(["validate"], {
      cwd: dir.path,
      onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
    });
    assert.equal(r.code, 10, r.stdout + r.stderr);
    assert.equal(r.stdout.includes(GH), false);
    return { r, events: events.map((e) => ({ type: e.type, payload: e.payload })) };
  };
  const miss = await run();
  await markMemo(dir.path);
  const hit = await run();
  assert.ok(fromMemo(hit.r), hit.r.stdout);
  // The same table (times aside), the same result, and a line saying so.
  const note = "Nothing the gates read changed since their last run: its results.\n";
  assert.ok(hit.r.stdout.endsWith(note), hit.r.stdout);
  assert.ok(!miss.r.stdout.includes(note), miss.r.stdout);
  const rows = (s: string) =>
    s.replaceAll("MEMO ", "").replace(note, "").replace(/\d+ ms/g, "N ms").replace(/ +/g, " ");
  assert.equal(rows(hit.r.stdout), rows(miss.r.stdout));
  const json = await validate(dir.path);
  assert.equal((json.report as { reused?: boolean }).reused, true);
  // The same events in the same order: the finding, then one per gate with its counts.
  const shape = (list: typeof miss.events) =>
    list.map((e) => {
      const { duration_ms: _, ...rest } = e.payload as Record<string, unknown>;
      return { type: e.type, payload: rest };
    });
  assert.deepEqual(shape(hit.events), shape(miss.events));
  assert.deepEqual(miss.events.map((e) => e.type), [
    "gate.passed",
    "gate.passed",
    "gate.passed",
    "security.finding",
    "gate.failed",
    "gate.passed",
    "gate.failed", // (the finding costs the quality score 25 points)
    "gate.passed",
  ]);
  assert.equal(JSON.stringify(hit.events).includes(GH), false);
});

Deno.test("gate memo: a memo br did not sign is ignored", async () => {
  await using dir = await repo({ "src/a.ts": "/** A. */\nexport const a = 1;\n" });
  await validate(dir.path);
  await markMemo(dir.path, "random");
  const r = await validate(dir.path);
  assert.equal(fromMemo(r), false, r.stdout);
  assert.equal(r.report.passed, true);
  // The run wrote a memo of its own, which answers the next run.
  await markMemo(dir.path);
  assert.ok(fromMemo(await validate(dir.path)));
});

Deno.test("gate memo: a secret written over a file of the same size is found, times restored or not", async (t) => {
  for (const wait of [false, true]) {
    await t.step(wait ? "changed 2 s after the memo" : "changed at once", async () => {
      await using dir = await repo({ "src/c.ts": `export const token = "${PLAIN}";\n` });
      const file = `${dir.path}/src/c.ts`;
      // Older than the racy window: only the file's identity (its change time) shows the edit.
      if (wait) await new Promise((r) => setTimeout(r, 2100));
      const { before, after } = await afterChange(dir.path, ["--gates", "security"], () => {
        const st = Deno.statSync(file);
        Deno.writeTextFileSync(file, `export const token = "${GH}";\n`);
        assert.equal(Deno.statSync(file).size, st.size);
        Deno.utimeSync(file, st.atime!, st.mtime!);
      });
      assert.equal(gate(before, "security").passed, true);
      assert.equal(gate(after, "security").passed, false);
      assert.equal(gate(after, "security").counts.secrets, 1);
    });
  }
});

Deno.test("gate memo: a secret in an ignored file the scan reads is found", async () => {
  await using dir = await repo({ ".gitignore": ".env\n", "src/a.ts": "export const a = 1;\n" });
  const { after } = await afterChange(dir.path, ["--gates", "security"], () => {
    Deno.writeTextFileSync(`${dir.path}/.env`, `TOKEN=${GH}\n`);
  });
  assert.equal(gate(after, "security").passed, false);
});

Deno.test("gate memo: an edited governance.yaml fails the governance gate", async () => {
  await using dir = await repo({});
  const { before, after } = await afterChange(dir.path, ["--gates", "governance"], () => {
    Deno.writeTextFileSync(`${dir.path}/.buildrunner/governance.yaml`, "policy: off\n");
  });
  assert.equal(gate(before, "governance").passed, true);
  assert.equal(gate(after, "governance").passed, false);
});

Deno.test("gate memo: an edited security baseline applies at once", async () => {
  await using dir = await repo({ "src/leak.ts": `export const token = "${GH}";\n` });
  const accept = await br(["security", "baseline"], { cwd: dir.path });
  assert.equal(accept.code, 0, accept.stderr);
  const baseline = `${dir.path}/.buildrunner/security-baseline.json`;
  const { before, after } = await afterChange(dir.path, ["--gates", "security"], () => {
    Deno.writeTextFileSync(baseline, JSON.stringify({ version: 1, fingerprints: [] }) + "\n");
  });
  assert.equal(gate(before, "security").passed, true);
  assert.equal(gate(after, "security").passed, false);
});

Deno.test("gate memo: a new coverage report (ignored, in a vendored folder) changes the score", async () => {
  await using dir = await repo({
    ".gitignore": "coverage/\n",
    "src/a.ts": "/** A. */\nexport const a = 1;\n",
    "coverage/lcov.info": "SF:src/a.ts\nLH:0\nLF:10\nend_of_record\n",
  });
  const { before, after } = await afterChange(dir.path, ["--gates", "quality"], () => {
    Deno.writeTextFileSync(
      `${dir.path}/coverage/lcov.info`,
      "SF:src/a.ts\nLH:10\nLF:10\nend_of_record\n",
    );
  });
  assert.ok(
    gate(after, "quality").counts.score > gate(before, "quality").counts.score,
    JSON.stringify([before, after]),
  );
});

Deno.test("gate memo: a changed features.json is read again", async () => {
  await using dir = await repo({});
  const features = `${dir.path}/.buildrunner/features.json`;
  const { before, after } = await afterChange(dir.path, ["--gates", "features"], () => {
    Deno.writeTextFileSync(features, "{ not json");
  });
  assert.equal(gate(before, "features").passed, true);
  assert.equal(gate(after, "features").passed, false);
});

Deno.test("gate memo: another --threshold, or a threshold in the configuration, is another run", async () => {
  await using dir = await repo({ "src/a.ts": "/** A. */\nexport const a = 1;\n" });
  const low = await validate(dir.path, ["--gates", "quality", "--threshold", "0"]);
  await markMemo(dir.path);
  const high = await validate(dir.path, ["--gates", "quality", "--threshold", "100"]);
  assert.equal(fromMemo(high), false);
  assert.equal(gate(low.report, "quality").passed, true);
  assert.equal(gate(high.report, "quality").passed, false);
  const { after } = await afterChange(dir.path, ["--gates", "quality"], () => {
    Deno.writeTextFileSync(
      `${dir.path}/.buildrunner/config.yaml`,
      'project:\n  name: "memo"\nquality:\n  threshold: 100\n',
    );
  });
  assert.equal(gate(after, "quality").counts.threshold, 100);
});

Deno.test("gate memo: another version of a project's checker is run again", async () => {
  await using dir = await repo({
    "pyproject.toml": "[tool.ruff]\nline-length = 100\n",
    "app.py": "x = 1\n",
  });
  // A checker the project uses (Ruff), found on PATH: its output decides the tools' score.
  const bin = `${dir.path}/.bin`;
  Deno.mkdirSync(bin);
  const ruff = (problems: string) => {
    Deno.writeTextFileSync(`${bin}/ruff`, `#!/bin/sh\necho '${problems}'\n`);
    Deno.chmodSync(`${bin}/ruff`, 0o755);
  };
  ruff("[]");
  const env = { PATH: `${bin}:${Deno.env.get("PATH")}` };
  const run = async () => {
    const r = await br(["validate", "--json", "--gates", "quality"], { cwd: dir.path, env });
    return { r, report: JSON.parse(r.stdout) as Report };
  };
  const first = await run();
  await markMemo(dir.path);
  assert.ok(fromMemo((await run()).r));
  ruff('[{"code": "E1"}, {"code": "E2"}]'); // a new version that finds more
  const after = await run();
  assert.equal(fromMemo(after.r), false);
  assert.ok(
    gate(after.report, "quality").counts.score < gate(first.report, "quality").counts.score,
    JSON.stringify([first.report, after.report]),
  );
});

Deno.test("gate memo: br gaps analyze and br quality check give the last report while nothing changed", async () => {
  await using dir = await repo({
    "src/a.ts": "/** A. */\nexport const a = 1;\n",
    "tests/a_test.ts": 'import { a } from "../src/a.ts";\nif (a !== 1) throw new Error("x");\n',
  });
  for (
    const [args, change] of [
      [["gaps", "analyze", "--json"], "// TODO: later\n"],
      [["quality", "check", "--json"], "export function b() {}\n"],
    ] as const
  ) {
    const first = await br([...args], { cwd: dir.path });
    assert.equal(first.code, 0, first.stderr);
    assert.ok((await markMemo(dir.path)) > 0);
    const again = await br([...args], { cwd: dir.path });
    assert.ok(fromMemo(again), again.stdout);
    const { marker: _, ...same } = JSON.parse(again.stdout);
    assert.deepEqual(same, JSON.parse(first.stdout));
    Deno.writeTextFileSync(`${dir.path}/src/a.ts`, change, { append: true });
    const after = await br([...args], { cwd: dir.path });
    assert.equal(fromMemo(after), false, after.stdout);
    assert.notDeepEqual(JSON.parse(after.stdout), JSON.parse(first.stdout));
  }
});

Deno.test("gate memo: the gates' engines are not loaded to answer from the memo", async () => {
  const engines = [
    "src/quality/_gates_run.ts",
    "src/quality/_analysis.ts",
    "src/quality/gaps.ts",
    "src/quality/quality.ts",
    "src/quality/guard.ts",
    "src/security/engine.ts",
    "src/security/rules.ts",
    "src/security/scan.ts",
    "src/features/registry.ts",
  ];
  // gates.ts and what it loads before it knows whether the memo answers (_tools.ts: the
  // project's checkers, for the quality gate).
  for (const entry of ["../../src/quality/gates.ts", "../../src/quality/_tools.ts"]) {
    const graph = [...await moduleGraph(new URL(entry, import.meta.url))];
    for (const e of engines) {
      assert.equal(graph.some((m) => m.endsWith(e)), false, `${entry} loads ${e}`);
    }
  }
  // The engines are loaded where the gates run.
  const run = [...await moduleGraph(new URL("../../src/quality/_gates_run.ts", import.meta.url))];
  assert.ok(run.some((m) => m.endsWith("src/security/engine.ts")));
});
