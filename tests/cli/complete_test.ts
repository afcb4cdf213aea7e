import assert from "node:assert/strict";
import { br, brProcess, tempProject } from "../helpers.ts";

Deno.test("br __complete proposes values: feature ids, statuses, industries, use cases, tools", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "Login"], { cwd: dir.path });
  await br(["feature", "add", "Billing"], { cwd: dir.path });
  const lines = async (...words: string[]) =>
    (await br(["__complete", ...words], { cwd: dir.path })).stdout.trim().split("\n");
  const ids = await lines("feature", "show", "");
  assert.ok(ids.includes("login") && ids.includes("billing"), ids.join(","));
  assert.ok(!ids.includes("--"), "the end-of-flags marker is never proposed");
  assert.deepEqual(await lines("feature", "start", "lo"), ["login"]);
  assert.deepEqual(await lines("feature", "list", "--status", "in"), ["in_progress"]);
  assert.deepEqual(await lines("feature", "add", "X", "--priority", "c"), ["critical"]);
  assert.deepEqual(await lines("feature", "add", "X", "--depends-on", "login,b"), [
    "login,billing",
  ]);
  assert.ok((await lines("spec", "wizard", "--industry", "")).includes("healthcare"));
  assert.deepEqual(await lines("spec", "wizard", "--use-case", "dash"), ["dashboard"]);
  assert.deepEqual(await lines("design", "profile", "fin"), ["fintech"]);
  assert.ok((await lines("mcp", "tools", "--tools", "br_st")).includes("br_status"));
  // The shell runs it as a process; a flag among the words is the user's, not __complete's.
  const proc = await brProcess(["__complete", "feature", "list", "--status", "b"], {
    cwd: dir.path,
  });
  assert.equal(proc.code, 0, proc.stderr);
  assert.equal(proc.stdout, "blocked\n");
});
