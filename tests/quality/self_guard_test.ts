/**
 * BuildRunner guards its own architecture with `br guard check` (run by `deno task ok`): this
 * repository's governance.yaml passes on its own tree and fails on a deliberately added
 * violation of each kind.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { br, tempDir } from "../helpers.ts";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** Copies the runtime's sources and this repository's governance files into `dest`. */
async function copyTree(dest: string): Promise<void> {
  const files = ["main.ts", "mod.ts", "plugin.ts", "deno.json"];
  const walk = async (rel: string): Promise<void> => {
    for await (const e of Deno.readDir(join(REPO, rel))) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory) await walk(r);
      else if (e.name.endsWith(".ts")) files.push(r);
    }
  };
  await walk("src");
  for (const f of [...files, ".buildrunner/governance.yaml", ".buildrunner/governance.sha256"]) {
    await Deno.mkdir(dirname(join(dest, f)), { recursive: true });
    await Deno.copyFile(join(REPO, f), join(dest, f));
  }
  await Deno.writeTextFile(join(dest, ".buildrunner/features.json"), '{"features": []}\n');
}

Deno.test("br guard check passes on this repository and fails on a deliberate violation of each rule", async () => {
  await using dir = await tempDir();
  await copyTree(dir.path);
  const clean = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.ok(JSON.parse(clean.stdout).rules >= 3);

  await Deno.writeTextFile(
    join(dir.path, "src/core/upward.ts"),
    'import { runCli } from "../cli/app.ts";\nexport const r = runCli;\n',
  );
  await Deno.writeTextFile(
    join(dir.path, "src/hooks/peek.ts"),
    'import { listFiles } from "../quality/_files.ts";\nexport const l = listFiles;\n',
  );
  await Deno.writeTextFile(join(dir.path, "src/core/BadName.ts"), "export const b = 1;\n");
  const r = await br(["guard", "check", "--json"], { cwd: dir.path });
  assert.equal(r.code, 10);
  const got = JSON.parse(r.stdout).violations.map((v: { rule: string; file: string }) =>
    `${v.rule} ${v.file}`
  );
  assert.deepEqual(got, [
    "naming src/core/BadName.ts",
    "layer src/core/upward.ts",
    "private src/hooks/peek.ts",
  ]);
});
