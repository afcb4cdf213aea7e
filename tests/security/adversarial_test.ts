/**
 * The secret scan on inputs built to make a backtracking regex engine go quadratic: long runs
 * of a rule's prefix with no completing match, and many findings on one long line. No timing
 * is asserted: a scan that is linear finishes these in seconds, a quadratic one needs hours,
 * so a generous deadline on a real subprocess tells the two apart.
 */
import assert from "node:assert/strict";
import { builtinSecretRules, scanSecrets } from "../../src/security/mod.ts";
import { brArgv, tempProject } from "../helpers.ts";
import { ALNUM, rnd, SAMPLES } from "./samples.ts";

const MB = 1024 * 1024;
const repeat = (unit: string, bytes: number) => unit.repeat(Math.ceil(bytes / unit.length));
const HEADER = "-----BEGIN RSA PRIV" + "ATE KEY-----\n";
const PEM_HIT = SAMPLES["private-key"].hit;
const JWT_HIT = SAMPLES["jwt"].hit;
const jwtOf = (line: string) => line.slice(line.indexOf('"') + 1, line.lastIndexOf('"'));

Deno.test("br security scan finishes on 4.5 MB of unterminated private-key headers and other worst cases", async () => {
  await using dir = await tempProject();
  const gh = "gh" + "p_" + rnd(ALNUM, 36);
  // unterminated headers, then one real block at the end
  await Deno.writeTextFile(`${dir.path}/headers.pem`, repeat(HEADER, 4.5 * MB) + PEM_HIT + "\n");
  await Deno.writeTextFile(
    `${dir.path}/headers_one_line.txt`,
    repeat("-----BEGIN PRIV" + "ATE KEY-----", 4.5 * MB),
  );
  // a JWT prefix after every dash of a 4.5 MB base64url run
  await Deno.writeTextFile(`${dir.path}/jwt.txt`, repeat("ey" + "J-", 4.5 * MB));
  // 20 000 tokens on one line (a minified bundle)
  await Deno.writeTextFile(`${dir.path}/bundle.min.js`, `${gh} `.repeat(20_000));
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["security", "scan", "--json"]),
    cwd: dir.path,
    env: { BR_HOME: `${dir.path}/.br-home`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    // far beyond what a linear scan of 18 MB needs on a loaded machine; a quadratic one
    // needs hours on these files
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  const out = await child.output();
  assert.equal(out.signal, null, "the scan did not finish within the deadline");
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 10, stderr);
  const report = JSON.parse(new TextDecoder().decode(out.stdout));
  const byFile = (file: string) => report.findings.filter((f: { file: string }) => f.file === file);
  const keys = byFile("headers.pem");
  assert.deepEqual(keys.map((f: { rule: string }) => f.rule), ["private-key"]);
  assert.equal(keys[0].line, Math.ceil(4.5 * MB / HEADER.length) + 1);
  assert.deepEqual(byFile("headers_one_line.txt"), []);
  assert.deepEqual(byFile("jwt.txt"), []);
  const tokens = byFile("bundle.min.js");
  assert.equal(tokens.length, 20_000);
  assert.deepEqual(tokens.slice(0, 2).map((f: { column: number }) => f.column), [1, 42]);
});

Deno.test("private-key: a block is found after stray headers; its body never spans another header", () => {
  const set = builtinSecretRules();
  const rules = (text: string) => scanSecrets(text, "k.txt", set).map((f) => `${f.rule}:${f.line}`);
  assert.deepEqual(rules(`${HEADER}${HEADER}x\n${PEM_HIT}\n`), ["private-key:4"]);
  // two blocks in a row are two findings, not one spanning both
  assert.deepEqual(rules(`${PEM_HIT}\n${PEM_HIT}\n`), ["private-key:1", "private-key:5"]);
  // headers and dashes inside an encrypted key's body are part of it
  const body = rnd(ALNUM, 64);
  const encrypted =
    `${HEADER}Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${
      rnd("0123456789ABCDEF", 32)
    }\n\n${body}\n${body}\n-----END RSA PRIV` + "ATE KEY-----";
  assert.deepEqual(rules(encrypted), ["private-key:1"]);
});

Deno.test("jwt: tokens separated by one character are each found", () => {
  const set = builtinSecretRules();
  const t = jwtOf(JWT_HIT);
  const found = scanSecrets(`${t} ${t},${t}\n(${t})`, "a.txt", set).filter((f) => f.rule === "jwt");
  assert.deepEqual(found.map((f) => `${f.line}:${f.column}`), [
    "1:1",
    `1:${t.length + 2}`,
    `1:${2 * t.length + 3}`,
    "2:2",
  ]);
});

Deno.test("many findings on one long line: positions and br:allow are right", () => {
  const set = builtinSecretRules();
  const gh = "gh" + "p_" + rnd(ALNUM, 36);
  const line = `${gh} `.repeat(5000);
  const found = scanSecrets(`x\n${line}\n${line}// br:allow\n${gh}`, "a.js", set);
  assert.equal(found.length, 5001);
  assert.deepEqual(found.slice(0, 2).map((f) => `${f.line}:${f.column}`), ["2:1", "2:42"]);
  assert.equal(`${found[4999].line}:${found[4999].column}`, `2:${4999 * 41 + 1}`);
  assert.equal(`${found[5000].line}:${found[5000].column}`, "4:1");
});

Deno.test("built-in rules keep their regex stack bounded on 16 MB runs (a raised max_file_bytes)", () => {
  const set = builtinSecretRules();
  for (
    const text of [
      HEADER + repeat("A", 16 * MB),
      HEADER + repeat("A-", 16 * MB),
      repeat("ey" + "J-", 16 * MB),
      "pypi-" + "AgEIcHlwaS5vcmc" + repeat("a-", 16 * MB),
    ]
  ) {
    // V8 throws RangeError when a regex's backtracking stack overflows
    const found = scanSecrets(text, "big.txt", set).map((f) => f.rule);
    assert.ok(!found.includes("private-key") && !found.includes("jwt"), found.join(", "));
  }
});
