import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { br, FIXTURES, readJson, tempProject } from "../helpers.ts";

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
