import assert from "node:assert/strict";
import { join } from "node:path";
import { br, gitRun, gitTry, tempDir, tempProject } from "../helpers.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

type GateRow = { gate: string; passed: number; failed: number };

async function gateSummary(cwd: string): Promise<Record<string, [number, number]>> {
  const r = await br(["telemetry", "summary", "--json"], { cwd });
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, [number, number]> = {};
  for (const g of JSON.parse(r.stdout).gates as GateRow[]) out[g.gate] = [g.passed, g.failed];
  return out;
}

Deno.test("hook runs record each check as a gate event, through the spool only", async () => {
  await using dir = await tempProject("ev1");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
  const db = join(dir.path, ".buildrunner/br.db");
  await Deno.remove(db).catch(() => {});
  await Deno.remove(join(dir.path, ".buildrunner/spool"), { recursive: true }).catch(() => {});

  // A commit blocked for a secret.
  await Deno.writeTextFile(join(dir.path, "config.ts"), `export const token = "${GH}";\n`);
  await gitRun(["add", "config.ts"], dir.path);
  const blocked = await gitTry(["commit", "-m", "add config"], dir.path);
  assert.notEqual(blocked.code, 0);
  // The hook left its events in the spool; it neither opened nor created the store.
  assert.equal(await exists(db), false);
  assert.ok(await exists(join(dir.path, ".buildrunner/spool")));

  // A clean commit.
  await Deno.writeTextFile(
    join(dir.path, "config.ts"),
    "export const token = Deno.env.get('T');\n",
  );
  await gitRun(["add", "config.ts"], dir.path);
  const ok = await gitTry(["commit", "-m", "add config"], dir.path);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await exists(db), false);

  // A push through the gates of pre-push (security only).
  await using remote = await tempDir();
  await gitRun(["init", "-q", "--bare", remote.path], dir.path);
  await gitRun(["remote", "add", "origin", remote.path], dir.path);
  const gov = join(dir.path, ".buildrunner/governance.yaml");
  await Deno.writeTextFile(
    gov,
    (await Deno.readTextFile(gov)).replace(
      "pre_push: [quality, security, gaps]",
      "pre_push: [security]",
    ),
  );
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  await Deno.remove(db).catch(() => {});
  await gitRun(["add", "-A"], dir.path);
  assert.equal((await gitTry(["commit", "-m", "gates"], dir.path)).code, 0);
  const push = await gitTry(["push", "origin", "HEAD:refs/heads/main"], dir.path);
  assert.equal(push.code, 0, push.stderr);
  assert.equal(await exists(db), false);

  const gates = await gateSummary(dir.path);
  // security: failed once (the blocked commit), passed for the two commits and the push.
  assert.deepEqual(gates.security, [3, 1]);
  assert.deepEqual(gates.governance, [3, 0]);
});
