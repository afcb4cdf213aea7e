import assert from "node:assert/strict";
import { governanceChecksum } from "../../src/quality/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { writeTree } from "./_fixture.ts";

const score = (stdout: string) => JSON.parse(stdout).gates[0].summary as string;

Deno.test("br validate takes the quality settings from every layer of the configuration", async () => {
  await using dir = await tempProject("qset");
  await writeTree(dir.path, {
    "src/a.ts": "/** A. */\nexport const a = 1;\n",
    "tests/a_test.ts": 'import { a } from "../src/a.ts";\nif (a !== 1) throw new Error("x");\n',
  });
  const run = (env: Record<string, string> = {}) =>
    br(["validate", "--gates", "quality", "--json"], { cwd: dir.path, env });
  // Nothing sets the section: the defaults.
  const plain = await run();
  assert.match(score(plain.stdout), /\(threshold 70\)$/);
  // An environment variable, the global config file and the project's file each set it.
  const viaEnv = await run({ BR_QUALITY__THRESHOLD: "100" });
  assert.equal(viaEnv.code, 10, viaEnv.stdout);
  assert.match(score(viaEnv.stdout), /\(threshold 100\)$/);
  await Deno.mkdir(`${dir.path}/.br-home`, { recursive: true });
  await Deno.writeTextFile(`${dir.path}/.br-home/config.yaml`, "quality:\n  threshold: 99\n");
  assert.match(score((await run()).stdout), /\(threshold 99\)$/);
  await Deno.remove(`${dir.path}/.br-home/config.yaml`);
  const cfg = `${dir.path}/.buildrunner/config.yaml`;
  await Deno.writeTextFile(cfg, (await Deno.readTextFile(cfg)) + "quality:\n  threshold: 98\n");
  assert.match(score((await run()).stdout), /\(threshold 98\)$/);
  // A bad value in the section is reported, not replaced by the default.
  await Deno.writeTextFile(cfg, (await Deno.readTextFile(cfg)).replace("98", "900"));
  const bad = await run();
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr + bad.stdout, /threshold/);
});

Deno.test("the governance gate checks each text of governance.yaml, whatever parse was cached", async () => {
  await using dir = await tempProject("qgov");
  const gov = `${dir.path}/.buildrunner/governance.yaml`;
  const record = async (text: string) => {
    await Deno.writeTextFile(gov, text);
    // An old file: its parse is cached (a file changed within 2 s is not).
    const old = new Date(Date.now() - 60_000);
    await Deno.utime(gov, old, old);
    await Deno.writeTextFile(
      `${dir.path}/.buildrunner/governance.sha256`,
      `${governanceChecksum(text)}  governance.yaml\n`,
    );
  };
  const run = () => br(["validate", "--gates", "governance,guard", "--json"], { cwd: dir.path });
  const valid = await Deno.readTextFile(gov);
  for (let i = 0; i < 2; i++) {
    const ok = await run();
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  }
  // A recorded checksum does not make a malformed text pass, twice in a row.
  await record(valid.replace("policy: strict", "policy: sometimes"));
  for (let i = 0; i < 2; i++) {
    const bad = await run();
    assert.equal(bad.code, 10, bad.stdout);
    assert.match(JSON.parse(bad.stdout).gates[0].summary, /"policy" must be strict, warn or off/);
  }
  await record(valid);
  assert.equal((await run()).code, 0);
});
