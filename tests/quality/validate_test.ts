import assert from "node:assert/strict";
import type { BrEvent } from "../../src/core/events.ts";
import { br, brProcess, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";

Deno.test("br validate runs every gate once, prints one table, emits gate events", async () => {
  await using dir = await tempProject("val");
  await writeTree(dir.path, {
    "README.md": "# V\n",
    "src/a.ts": "/** A. */\nexport const a = 1;\n",
    "tests/a_test.ts": 'import { a } from "../src/a.ts";\nif (a !== 1) throw new Error("x");\n',
  });
  const events: BrEvent[] = [];
  const ok = await br(["validate"], {
    cwd: dir.path,
    onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
  });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const rows = ok.stdout.trim().split("\n");
  assert.match(rows[0], /^GATE\s+RESULT\s+TIME\s+SUMMARY$/);
  assert.deepEqual(rows.slice(1, -1).map((r) => r.split(/\s+/).slice(0, 2).join(" ")), [
    "features pass",
    "governance pass",
    "spec pass",
    "security pass",
    "gaps pass",
    "quality pass",
    "guard pass",
  ]);
  assert.equal(rows.at(-1), "All gates passed.");
  const gateEvents = events.filter((e) => e.type.startsWith("gate."));
  assert.equal(gateEvents.length, 7);
  assert.ok(gateEvents.every((e) => e.type === "gate.passed"));

  // A secret: the security gate fails (and the secret is never printed).
  await writeTree(dir.path, { "src/leak.ts": `export const token = "${GH}";\n` });
  events.length = 0;
  const bad = await br(["validate", "--json"], {
    cwd: dir.path,
    onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
  });
  assert.equal(bad.code, 10);
  assert.equal(bad.stdout.includes(GH), false);
  const report = JSON.parse(bad.stdout);
  assert.equal(report.passed, false);
  const failed = report.gates.filter((g: { passed: boolean }) => !g.passed).map((
    g: { gate: string },
  ) => g.gate);
  assert.deepEqual(failed, ["security"]);
  assert.ok(
    events.some((e) =>
      e.type === "gate.failed" && (e.payload as { gate: string }).gate === "security"
    ),
  );

  const only = await br(["validate", "--gates", "features,gaps", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(only.stdout).gates.map((g: { gate: string }) => g.gate), [
    "features",
    "gaps",
  ]);
  const unknown = await br(["validate", "--gates", "lint"], { cwd: dir.path });
  assert.equal(unknown.code, 2);
});

Deno.test("gate command groups run as subprocesses (smoke)", async () => {
  await using dir = await tempProject("smoke");
  await writeTree(dir.path, { "src/a.ts": "export const a = 1; // TODO: b\n" });
  const runs: [string[], number][] = [
    [["gaps", "analyze", "--json"], 0],
    [["quality", "check", "--threshold", "0"], 0],
    [["guard", "check"], 0],
    [["governance", "verify"], 0],
    [["hooks", "status", "--json"], 0],
    [["validate", "--gates", "features,gaps"], 0],
  ];
  for (const [args, code] of runs) {
    const r = await brProcess(args, { cwd: dir.path });
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
  }
});
