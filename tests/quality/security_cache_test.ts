import assert from "node:assert/strict";
import { join } from "node:path";
import { br, tempProject } from "../helpers.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";
const CACHE = ".buildrunner/cache/security.json";

async function securityGate(cwd: string): Promise<{ passed: boolean; counts: object }> {
  const r = await br(["validate", "--gates", "security", "--json"], { cwd });
  assert.ok(r.code === 0 || r.code === 10, r.stderr);
  assert.equal(r.stdout.includes(GH), false);
  const gate = JSON.parse(r.stdout).gates[0];
  return { passed: gate.passed, counts: gate.counts };
}

Deno.test("the security gate keeps masked findings per file content: warm equals cold, a change is scanned again", async () => {
  await using dir = await tempProject("sc1");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/leak.ts"), `export const token = "${GH}";\n`);
  await Deno.writeTextFile(join(dir.path, "src/ok.ts"), "export const ok = 1;\n");
  const cold = await securityGate(dir.path);
  assert.deepEqual(cold, { passed: false, counts: { findings: 1, secrets: 1, sql: 0 } });
  const cache = join(dir.path, CACHE);
  const first = await Deno.readTextFile(cache);
  assert.match(first, /^[0-9a-f]{64}\n\{/);
  // Only masked findings are stored: the secret itself never reaches the disk.
  assert.equal(first.includes(GH), false);
  assert.match(first, /ghp_/);

  assert.deepEqual(await securityGate(dir.path), cold);
  assert.equal(await Deno.readTextFile(cache), first); // nothing changed: not rewritten

  // A second secret in a file that had none is found; removing the first one is seen.
  await Deno.writeTextFile(join(dir.path, "src/ok.ts"), `export const t2 = "${GH}";\n`);
  assert.deepEqual((await securityGate(dir.path)).counts, { findings: 2, secrets: 2, sql: 0 });
  await Deno.writeTextFile(join(dir.path, "src/leak.ts"), "export const token = '';\n");
  assert.deepEqual((await securityGate(dir.path)).counts, { findings: 1, secrets: 1, sql: 0 });
});

Deno.test("a planted or edited security cache cannot hide a secret", async () => {
  await using dir = await tempProject("sc2");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/leak.ts"), `export const token = "${GH}";\n`);
  assert.equal((await securityGate(dir.path)).passed, false);
  const cache = join(dir.path, CACHE);
  const [mac, body] = (await Deno.readTextFile(cache)).split("\n");
  const parsed = JSON.parse(body);
  const keys = Object.keys(parsed.entries).filter((k) => parsed.entries[k].length > 0);
  assert.equal(keys.length, 1);
  assert.equal(parsed.entries[keys[0]][0].file, "src/leak.ts");

  // The entry of exactly this content, emptied; the old signature kept.
  parsed.entries[keys[0]] = [];
  await Deno.writeTextFile(cache, `${mac}\n${JSON.stringify(parsed)}`);
  assert.equal((await securityGate(dir.path)).passed, false);
  // Signed with another key (another machine, or committed): ignored as well.
  await Deno.writeTextFile(cache, `${"0".repeat(64)}\n${JSON.stringify(parsed)}`);
  assert.equal((await securityGate(dir.path)).passed, false);
});

Deno.test("the security cache follows the rules: a rule added by the project applies to unchanged files", async () => {
  await using dir = await tempProject("sc3");
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), 'export const x = "zzsecret-0123456789";\n');
  assert.equal((await securityGate(dir.path)).passed, true);
  await Deno.writeTextFile(
    join(dir.path, ".gitleaks.toml"),
    "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"zz-token\"\nregex = '''zzsecret-[0-9]{10}'''\nkeywords = [\"zzsecret\"]\n",
  );
  assert.deepEqual((await securityGate(dir.path)).counts, { findings: 1, secrets: 1, sql: 0 });
  // An allowlist of that rule (compiled on first use) changes the key too.
  await Deno.writeTextFile(
    join(dir.path, ".gitleaks.toml"),
    "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"zz-token\"\nregex = '''zzsecret-[0-9]{10}'''\nkeywords = [\"zzsecret\"]\n[[rules.allowlists]]\nregexes = ['''0123456789''']\n",
  );
  assert.equal((await securityGate(dir.path)).passed, true);
});

Deno.test("the security gate hashes files a batch at a time: every file of a large tree is scanned once", async () => {
  await using dir = await tempProject("sc3");
  await Deno.mkdir(join(dir.path, "src"));
  // More files than one batch holds, secrets on both sides of each batch boundary.
  for (let i = 0; i < 600; i++) {
    const secret = i % 255 === 0 || i % 256 === 0 || i === 599;
    await Deno.writeTextFile(
      join(dir.path, `src/f${String(i).padStart(3, "0")}.ts`),
      secret ? `export const t${i} = "${GH}";\n` : `export const v${i} = ${i};\n`,
    );
  }
  const cold = await securityGate(dir.path);
  assert.deepEqual(cold.counts, { findings: 6, secrets: 6, sql: 0 });
  assert.deepEqual(await securityGate(dir.path), cold);
  const entries = JSON.parse((await Deno.readTextFile(join(dir.path, CACHE))).split("\n")[1])
    .entries;
  assert.ok(Object.keys(entries).length >= 600);
});
