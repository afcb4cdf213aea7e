/**
 * Excerpts of source code in gaps, quality and guard reports (TODO comments, names, import
 * specifiers) go through the secret scanner's masker, in every output: text, JSON, SARIF,
 * an --output file, the MCP tools and `br validate`.
 */
import assert from "node:assert/strict";
import { builtinSecretRules, maskSecretsIn } from "../../src/security/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { connect } from "../mcp/_client.ts";
import { ALNUM, rnd } from "../security/samples.ts";
import { writeTree } from "./_fixture.ts";

// built from pieces: the repository holds no literal secret
const GH = "gh" + "p_" + rnd(ALNUM, 36);
const AWS = "AK" + "IA" + rnd("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
const LONG = "x".repeat(110); // pushes the token across the 120-character cut of a TODO

async function leakyProject(path: string): Promise<void> {
  await writeTree(path, {
    "src/keys.ts": [
      `// TODO: rotate ${GH} before the release`,
      "export function load(): string {",
      `  // FIXME ${LONG} ${AWS}`,
      `  throw new Error("not implemented: ${GH}");`,
      "}",
      `export function ${AWS}() {}`,
      `import x from "${GH}";`,
      "export const y = x;",
      "",
    ].join("\n"),
    "app/main.py": [
      `# TODO use ${AWS} from the vault`,
      "def fetch():",
      `    raise NotImplementedError("${GH}")`,
      "",
    ].join("\n"),
    ".buildrunner/governance.yaml": [
      "architecture:",
      "  forbidden_dependencies:",
      `    - package: ${GH}`,
      "",
    ].join("\n"),
  });
}

function assertMasked(text: string, where: string): void {
  assert.ok(!text.includes(GH), `${where}: the GitHub token leaked`);
  assert.ok(!text.includes(AWS), `${where}: the AWS key leaked`);
  // not even the part a cut excerpt would keep
  assert.ok(!text.includes(GH.slice(4, 20)), `${where}: part of the GitHub token leaked`);
  assert.ok(!text.includes(AWS.slice(4, 14)), `${where}: part of the AWS key leaked`);
}

Deno.test("maskSecretsIn() masks what the scanner finds, like a finding's secret_masked", () => {
  const set = builtinSecretRules();
  assert.equal(maskSecretsIn(`TODO ${GH} and ${AWS}.`, set), `TODO ghp_******** and AKIA********.`);
  assert.equal(maskSecretsIn("TODO nothing secret here", set), "TODO nothing secret here");
  // an allow marker keeps a finding from failing a check, it does not make it printable
  assert.equal(maskSecretsIn(`${GH} // br:allow`, set), "ghp_******** // br:allow");
  // what a rule's allowlist says is no secret stays readable; a secret next to it is masked
  const ref = "TODO: token = process.env.OPENAI_API_KEY_VALUE";
  assert.equal(maskSecretsIn(ref, set), ref);
  const value = rnd(ALNUM, 24);
  assert.equal(
    maskSecretsIn(`TODO: token = "${value}"`, set),
    `TODO: token = "${value.slice(0, 4)}********"`,
  );
});

Deno.test("br gaps analyze, quality check, guard check and validate never print a raw secret", async (t) => {
  await using dir = await tempProject();
  await leakyProject(dir.path);
  // governance.yaml is obeyed only once its checksum is recorded
  assert.equal((await br(["governance", "update"], { cwd: dir.path })).code, 0);
  const seen: string[] = [];
  for (
    const args of [
      ["gaps", "analyze"],
      ["gaps", "analyze", "--json"],
      ["gaps", "analyze", "--format", "sarif"],
      ["quality", "check"],
      ["quality", "check", "--json"],
      ["guard", "check"],
      ["guard", "check", "--json"],
      ["validate"],
      ["validate", "--json"],
    ]
  ) {
    await t.step(args.join(" "), async () => {
      const res = await br(args, { cwd: dir.path });
      assert.ok(res.code === 0 || res.code === 10, `${args.join(" ")}: ${res.stderr}`);
      assertMasked(res.stdout + res.stderr, args.join(" "));
      seen.push(res.stdout);
    });
  }
  await t.step("--output file", async () => {
    for (const format of ["json", "sarif"]) {
      const res = await br(["gaps", "analyze", "--format", format, "--output", `gaps.${format}`], {
        cwd: dir.path,
      });
      assert.ok(res.code === 0 || res.code === 10, res.stderr);
      assertMasked(await Deno.readTextFile(`${dir.path}/gaps.${format}`), `--output ${format}`);
    }
  });
  await t.step("the excerpts are there, masked", () => {
    const gaps = JSON.parse(seen[1]).gaps.map((g: { message: string }) => g.message);
    assert.ok(gaps.includes("TODO: rotate ghp_******** before the release"), gaps.join("\n"));
    assert.ok(gaps.includes("TODO use AKIA******** from the vault"), gaps.join("\n"));
    assert.ok(gaps.includes('Stub "AKIA********": empty body'), gaps.join("\n"));
    assert.ok(
      gaps.some((m: string) => m.startsWith('"ghp_********" is imported')),
      gaps.join("\n"),
    );
    // the cut comes after the masking: no half token
    const fixme = gaps.find((m: string) => m.startsWith("FIXME"));
    assert.equal(fixme, `FIXME ${LONG} AKIA`.slice(0, 120));
    const quality = JSON.parse(seen[4]).findings.map((f: { message: string }) => f.message);
    assert.ok(quality.includes('public "AKIA********" has no doc comment'), quality.join("\n"));
    const guard = JSON.parse(seen[6]).violations.map((v: { message: string }) => v.message);
    assert.deepEqual(guard, ['imports "ghp_********", which is forbidden']);
  });
});

Deno.test("the MCP tools br_gaps and br_quality never return a raw secret", async () => {
  await using dir = await tempProject();
  await leakyProject(dir.path);
  await using mcp = await connect(dir.path, { BR_MCP_TOOLS: "all" });
  const tools = (await mcp.client.listTools()).tools.map((x) => x.name);
  for (const name of ["br_gaps", "br_quality"]) {
    assert.ok(tools.includes(name), `${name} in ${tools.join(", ")}`);
    const res = await mcp.client.callTool({ name, arguments: {} });
    const text = JSON.stringify(res);
    assert.ok(!res.isError, text);
    assert.ok(text.includes("********"), `${name} shows the masked excerpts`);
    assertMasked(text, name);
  }
});
