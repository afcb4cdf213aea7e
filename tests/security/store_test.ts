/**
 * The raw secret never reaches the SQLite store or the event export: real `br` commands
 * record their events through the telemetry collector into `.buildrunner/br.db`, and every
 * byte of the database files and of the CSV and JSON-lines exports is searched.
 *
 * Secret samples come from ./samples.ts, built at run time from pieces (no literal secret in
 * the repository).
 */
import assert from "node:assert/strict";
import { br, gitRun, tempProject } from "../helpers.ts";
import { ON_POSTGRES } from "../postgres.ts";
import { ALNUM, rnd, SAMPLES } from "./samples.ts";

Deno.test("no raw secret in the SQLite file or in the event exports", async () => {
  await using dir = await tempProject();
  const gh = "gh" + "p_" + rnd(ALNUM, 36);
  const pg = rnd(ALNUM, 18);
  let text = `const a = "${gh}";\nconst u = "postgres://app:${pg}@db/app";\n`;
  for (const s of Object.values(SAMPLES)) text += s.hit + "\n";
  await Deno.writeTextFile(`${dir.path}/all.ts`, text);
  await gitRun(["add", "all.ts"], dir.path);
  // the commands a user and a hook would run; each one records its events
  assert.equal((await br(["security", "check"], { cwd: dir.path })).code, 10);
  const scan = await br(["security", "scan", "--json"], { cwd: dir.path });
  assert.equal(scan.code, 10);
  const findings: { fingerprint: string }[] = JSON.parse(scan.stdout).findings;
  assert.ok(findings.length >= Object.keys(SAMPLES).length);
  await gitRun(["commit", "-qm", "all"], dir.path);
  assert.equal((await br(["security", "scan", "--history", "1"], { cwd: dir.path })).code, 10);

  const jsonl = await br(["telemetry", "export", "--format", "jsonl"], { cwd: dir.path });
  assert.equal(jsonl.code, 0, jsonl.stderr);
  const csv = await br(["telemetry", "export", "--format", "csv"], { cwd: dir.path });
  assert.equal(csv.code, 0, csv.stderr);
  // the events are there, with fingerprints...
  const events = jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const recorded = events.filter((e) => e.type === "security.finding");
  assert.ok(recorded.length >= findings.length, `${recorded.length} security.finding events`);
  const printed = new Set(findings.map((f) => f.fingerprint));
  assert.ok(recorded.every((e) => JSON.stringify(e).includes("fingerprint")));
  assert.ok(jsonl.stdout.includes([...printed][0]));
  assert.ok(csv.stdout.includes("security.finding"));

  // ...and no secret anywhere: exports, and every byte of the database files (SQLite's; on
  // PostgreSQL the exports are what the server holds)
  const db: string[] = [];
  for await (const e of ON_POSTGRES ? [] : Deno.readDir(`${dir.path}/.buildrunner`)) {
    if (e.name.startsWith("br.db")) {
      db.push(
        new TextDecoder("latin1").decode(await Deno.readFile(`${dir.path}/.buildrunner/${e.name}`)),
      );
    }
  }
  assert.ok(ON_POSTGRES || db.length > 0, "br.db was written");
  const haystacks = [jsonl.stdout, csv.stdout, ...db];
  const secrets = [gh, pg];
  for (const line of Object.values(SAMPLES).map((s) => s.hit)) {
    const value = line.split(/[="' ]/).filter((x) => x.length >= 12).pop();
    if (value) secrets.push(value);
  }
  for (const s of secrets) {
    for (const h of haystacks) assert.ok(!h.includes(s), `leaked: ${s.slice(0, 6)}...`);
  }
});
