/**
 * A real gitleaks-format configuration (tests/fixtures/security/gitleaks.toml, extending
 * base.toml) loaded and applied construct by construct.
 */
import { dirname } from "node:path";
import assert from "node:assert/strict";
import { BrError } from "../../src/core/errors.ts";
import {
  loadSecretRules,
  maskSecretsIn,
  scanSecrets,
  secretFingerprint,
} from "../../src/security/mod.ts";
import { pathAllowed } from "../../src/security/engine.ts";
import { FIXTURES, type TempDir, tempDir } from "../helpers.ts";

const CONFIG = `${FIXTURES}security/gitleaks.toml`;
const ids = (text: string, file: string, set: Awaited<ReturnType<typeof loadSecretRules>>) =>
  scanSecrets(text, file, set).map((f) => f.rule);

Deno.test("a gitleaks TOML file is read with [extend], allowlists and every rule field", async (t) => {
  const set = await loadSecretRules({ rulesFile: CONFIG, cwd: `${FIXTURES}security` });
  const all = set.rules.map((r) => r.id);
  const acme = "acme_" + "Q7f2Lk9Xm3Pz8Rt5Wv1B";

  await t.step(
    "[extend] path merges base rules; disabledRules drop rules of the extended ones",
    () => {
      assert.ok(all.includes("base-rule"));
      assert.ok(all.includes("github-token"), "built-in rules stay");
      assert.ok(!all.includes("jwt"));
      assert.ok(!all.includes("base-disabled"));
      assert.equal(all.filter((id) => id === "acme-token").length, 1);
      assert.deepEqual(ids("x base-abcdefghij y", "a.txt", set), ["base-rule"]);
    },
  );
  await t.step("(?i) prefix, [[:alnum:]], keywords and severity of the child rule win", () => {
    const found = scanSecrets(`token: ${acme.toUpperCase()}\n`, "src/a.ts", set);
    assert.deepEqual(found.map((f) => f.rule), ["acme-token"]);
    assert.equal(found[0].severity, "critical");
    assert.equal(found[0].line, 1);
    assert.equal(found[0].column, 8);
    assert.equal(found[0].fingerprint, secretFingerprint("acme-token", acme.toUpperCase()));
    assert.deepEqual(ids("no keyword here", "src/a.ts", set), []);
  });
  await t.step("entropy rejects a low-entropy secret", () => {
    assert.deepEqual(ids(`t = ${"acme_" + "ab".repeat(10)}`, "a.ts", set), []);
  });
  await t.step("rule allowlist: regexTarget line, and stopwords", () => {
    assert.deepEqual(ids(`t = ${acme} # test-fixture`, "a.ts", set), []);
    assert.deepEqual(ids(`t = ${"acme_" + "Q7f2Lk9Xzzzz8Rt5Wv1B"}`, "a.ts", set), []);
  });
  await t.step("global allowlists: secret regex with \\A..\\z, stopwords and paths", () => {
    assert.deepEqual(ids(`t = ${"acme_" + "0".repeat(20)}`, "a.ts", set), []);
    assert.deepEqual(ids(`password = "x-globalstop-y"`, "a.ts", set), []);
    assert.ok(pathAllowed(set, "fixtures/ignored/a.ts"));
    assert.ok(!pathAllowed(set, "src/fixtures/ignored/a.ts"));
  });
  await t.step("\\A, \\z, (?P<name>) and secretGroup with a path filter", () => {
    const key = "0123456789ABCDEF".repeat(2);
    assert.deepEqual(ids(key + "\n", "deploy/prod.key", set), ["whole-file-key"]);
    assert.deepEqual(ids(key + "\n", "deploy/prod.txt", set), []);
    assert.deepEqual(ids("x\n" + key, "deploy/prod.key", set), []);
  });
  await t.step("secretGroup 2 and an AND allowlist (path and match regex both needed)", () => {
    const line = (name: string) => `${name} = "correct-horse-battery"`;
    assert.deepEqual(ids(line("password"), "src/a.py", set), ["config-password"]);
    assert.deepEqual(ids(line("PASSWORD"), "legacy/a.py", set), []);
    assert.deepEqual(ids(line("password"), "legacy/a.py", set), ["config-password"]);
    assert.deepEqual(ids(line("PASSWORD"), "src/a.py", set), ["config-password"]);
    const f = scanSecrets(line("password"), "src/a.py", set)[0];
    assert.equal(f.fingerprint, secretFingerprint("config-password", "correct-horse-battery"));
  });
  await t.step("a path-only rule reports the file", () => {
    const found = scanSecrets("A=1\n", "app/.env", set);
    assert.deepEqual(found.map((f) => [f.rule, f.line, f.column]), [["env-file", 1, 1]]);
  });
});

Deno.test("a rule that cannot be translated is refused with its id", async () => {
  await assert.rejects(
    () => loadSecretRules({ rulesFile: `${FIXTURES}security/untranslatable.toml` }),
    (err: unknown) => {
      assert.ok(err instanceof BrError);
      assert.equal(err.exitCode, 3);
      assert.match(err.message, /"lazy-by-default".*\(\?U\)/);
      return true;
    },
  );
});

Deno.test("broken TOML and a missing rules file are reported, not thrown raw", async () => {
  await using dir = { path: await Deno.makeTempDir(), [Symbol.asyncDispose]: async () => {} };
  const bad = `${dir.path}/bad.toml`;
  await Deno.writeTextFile(bad, "[[rules]\nid = ");
  await assert.rejects(() => loadSecretRules({ rulesFile: bad }), /Cannot parse rules file/);
  await assert.rejects(
    () => loadSecretRules({ rulesFile: `${dir.path}/none.toml` }),
    /Cannot read/,
  );
  await Deno.remove(dir.path, { recursive: true });
});

Deno.test("a rules file that is not valid UTF-8 is invalid data, not read with replacement characters", async () => {
  const dir = await Deno.makeTempDir({ prefix: "br-test-" });
  try {
    const path = `${dir}/rules.toml`;
    const head = new TextEncoder().encode('[[rules]]\nid = "x"\nregex = "caf');
    await Deno.writeFile(path, new Uint8Array([...head, 0xe9, 0x22, 10]));
    await assert.rejects(
      () => loadSecretRules({ rulesFile: path }),
      (err: unknown) =>
        err instanceof BrError && err.code === "invalid_data" &&
        /^Cannot read rules file ".*rules\.toml": it is not valid UTF-8 \(byte 0xE9 at offset 31\)$/
          .test(err.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes `files` into a temp folder; returns it (the working directory of the loads). */
async function configs(files: Record<string, string>): Promise<TempDir> {
  const dir = await tempDir("br-gitleaks-");
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(`${dir.path}/${name}`), { recursive: true });
    await Deno.writeTextFile(`${dir.path}/${name}`, text);
  }
  return dir;
}

const GHO = "gho" + "_" + "Zx8Kq2Lm4Np6Rs8Tu0Vw2Xy4Za6Bc8De0FgH";
const GHP = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";
const XOXB = "xoxb" + "-2847361950284-7391046285173-" + "aB3dE5fG7hJ9kL1mN3pQ5rS7";

Deno.test("gitleaks: a rule with the id of an extended rule merges into it field by field", async () => {
  await using dir = await configs({
    "gitleaks.toml": `
[extend]
useDefault = true

[[rules]]
id = "github-token"
description = "Our GitHub tokens"
  [[rules.allowlists]]
  regexes = ['''EXAMPLE''']

[[rules]]
id = "generic-api-key"
description = "Secrets in assignments"
`,
  });
  const set = await loadSecretRules({ rulesFile: "gitleaks.toml", cwd: dir.path });
  const found = scanSecrets(`t = "${GHP}"\n`, "a.ts", set);
  assert.deepEqual(found.map((f) => [f.rule, f.message, f.severity]), [
    ["github-token", "Our GitHub tokens", "high"],
  ]);
  const example = "ghp" + "_EXAMPLE" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW";
  assert.deepEqual(ids(`t = "${example}"`, "a.ts", set), [], "the added allowlist applies");
  // the regex, entropy and allowlists of the built-in rule stay: a clean file stays clean
  assert.deepEqual(
    ids(`api_key = "aaaaaaaaaaaaaaaaaaaa"\npassword = getPassword()\n`, "a.ts", set),
    [],
  );
  assert.deepEqual(ids(`api_key = "Q7f2Lk9Xm3Pz8Rt5Wv1B"`, "a.ts", set), ["generic-api-key"]);
});

Deno.test("gitleaks: [[allowlists]] with targetRules applies to those rules only", async () => {
  await using dir = await configs({
    "gitleaks.toml": `
[extend]
path = "rules/base.toml"

[[allowlists]]
description = "slack tokens in tests are fake"
targetRules = ["slack-token"]
paths = ['''^tests/''']

[[rules]]
id = "own"
regex = '''own-([a-z]{12})'''
`,
    "rules/base.toml": `
[extend]
useDefault = true

[[allowlists]]
targetRules = ["own", "github-token"]
regexTarget = "line"
regexes = ['''fake-token''']
`,
  });
  const set = await loadSecretRules({ rulesFile: "gitleaks.toml", cwd: dir.path });
  assert.equal(set.allowlists.length, 0);
  const text = `a = "${GHO}"\nb = "${XOXB}"\nc = "own-abcdefghijkl"\n`;
  assert.deepEqual(ids(text, "tests/a.ts", set).sort(), ["github-token", "own"]);
  assert.deepEqual(ids(text, "src/a.ts", set).sort(), ["github-token", "own", "slack-token"]);
  assert.deepEqual(
    ids(`a = "${GHO}" # fake-token\nc = "own-abcdefghijkl" # fake-token`, "a", set),
    [],
  );
  assert.deepEqual(ids(`b = "${XOXB}" # fake-token`, "a", set), ["slack-token"]);

  await Deno.writeTextFile(
    `${dir.path}/bad.toml`,
    `[[allowlists]]\ntargetRules = ["nope"]\npaths = ['''x''']\n[[rules]]\nid = "a"\nregex = "a"\n`,
  );
  await assert.rejects(
    () => loadSecretRules({ rulesFile: "bad.toml", cwd: dir.path }),
    /targets rule "nope", which does not exist/,
  );
});

Deno.test("gitleaks: composite rules need their [[rules.required]] nearby; skipReport rules report nothing alone", async () => {
  await using dir = await configs({
    "gitleaks.toml": `
[[rules]]
id = "acme-secret"
regex = '''acme_secret\\s*=\\s*"([a-z0-9]{16})"'''
keywords = ["acme_secret"]
  [[rules.required]]
  id = "acme-client-id"
  withinLines = 2
  [[rules.required]]
  id = "acme-region"

[[rules]]
id = "acme-client-id"
regex = '''acme_id\\s*=\\s*"([a-z0-9]{8})"'''
skipReport = true

[[rules]]
id = "acme-region"
regex = '''acme_region\\s*=\\s*"([a-z]{2}-[0-9])"'''
skipReport = true

[[rules]]
id = "pair"
regex = '''PAIR-([A-Z]{6})'''
  [[rules.required]]
  id = "acme-client-id"
  withinColumns = 5
`,
  });
  const set = await loadSecretRules({ rulesFile: "gitleaks.toml", cwd: dir.path });
  const secret = 'acme_secret = "0123456789abcdef"';
  const id = 'acme_id = "client01"';
  const region = 'acme_region = "eu-1"';
  const at = (text: string) => scanSecrets(text, "a.ts", set).map((f) => [f.rule, f.line]);
  assert.deepEqual(at([region, id, "", secret].join("\n")), [["acme-secret", 4]]);
  assert.deepEqual(at([id, "", "", secret, region].join("\n")), [], "the id is 3 lines away");
  assert.deepEqual(at([id, secret].join("\n")), [], "no region");
  assert.deepEqual(at(secret), []);
  assert.deepEqual(at([id, region].join("\n")), [], "skipReport rules alone report nothing");
  // masking an excerpt masks every part, near the others or not
  assert.equal(
    maskSecretsIn(`${secret} ${id}`, set),
    'acme_secret = "********" acme_id = "********"',
  );
  assert.deepEqual(at(`${id}\n      PAIR-ABCDEF`), [["pair", 2]]);
  // the secrets start at columns 12 and 18
  assert.deepEqual(at(`${id}\n            PAIR-ABCDEF`), [], "6 columns apart");

  await Deno.writeTextFile(
    `${dir.path}/bad.toml`,
    `[[rules]]\nid = "a"\nregex = "a"\n  [[rules.required]]\n  id = "elsewhere"\n`,
  );
  await assert.rejects(
    () => loadSecretRules({ rulesFile: "bad.toml", cwd: dir.path }),
    /rule "a" requires rule "elsewhere", which the file does not have/,
  );
});

Deno.test("gitleaks: [extend] chains, paths from the working directory, disabledRules, useDefault", async () => {
  await using dir = await configs({
    // path is relative to the working directory, not to cfg/top.toml
    "cfg/top.toml": `
[extend]
path = "cfg/mid.toml"
disabledRules = ["mid-off", "low-off", "top-own"]

[[rules]]
id = "top-own"
regex = '''top-([a-z]{8})'''

[[rules]]
id = "low-merged"
entropy = 3.5
`,
    "cfg/mid.toml": `
[extend]
path = "cfg/low.toml"

[[rules]]
id = "mid-off"
regex = '''mid-([a-z]{8})'''

[[rules]]
id = "mid-kept"
regex = '''kept-([a-z]{8})'''
`,
    "cfg/low.toml": `
[extend]
path = "cfg/never-read.toml"

[[rules]]
id = "low-off"
regex = '''low-([a-z]{8})'''

[[rules]]
id = "low-merged"
regex = '''merged-([A-Za-z0-9]{16})'''
`,
  });
  const set = await loadSecretRules({ rulesFile: "cfg/top.toml", cwd: dir.path });
  assert.deepEqual(set.rules.map((r) => r.id).sort(), ["low-merged", "mid-kept", "top-own"]);
  const text = `top-abcdefgh mid-abcdefgh kept-abcdefgh low-abcdefgh ${GHP}`;
  assert.deepEqual(
    ids(text, "a", set),
    ["top-own", "mid-kept"],
    "no built-in rules without useDefault",
  );
  assert.deepEqual(ids("merged-aaaaaaaabbbbbbbb", "a", set), [], "entropy of the top file applies");
  assert.deepEqual(ids("merged-Q7f2Lk9Xm3Pz8Rt5", "a", set), ["low-merged"]);

  await Deno.writeTextFile(
    `${dir.path}/both.toml`,
    `[extend]\nuseDefault = true\npath = "cfg/low.toml"\n`,
  );
  await assert.rejects(
    () => loadSecretRules({ rulesFile: "both.toml", cwd: dir.path }),
    /sets both path and useDefault/,
  );
  await Deno.writeTextFile(
    `${dir.path}/defaults.toml`,
    `[extend]\nuseDefault = true\ndisabledRules = ["github-token"]\n`,
  );
  const defaults = await loadSecretRules({ rulesFile: "defaults.toml", cwd: dir.path });
  assert.deepEqual(ids(`${GHP} ${XOXB}`, "a", defaults), ["slack-token"]);
  const none = await loadSecretRules({ rulesFile: "defaults.toml", cwd: dir.path, builtin: false });
  assert.deepEqual(none.rules, []);
});

Deno.test("gitleaks: allowlist conditions AND/&&/OR/||, and configurations gitleaks refuses", async () => {
  await using dir = await configs({
    "ok.toml": `
[[rules]]
id = "k"
regex = '''key-([a-z0-9]{10})'''
  [[rules.allowlists]]
  condition = "&&"
  paths = ['''^legacy/''']
  stopwords = ["test"]
  [[rules.allowlists]]
  condition = "||"
  regexes = ['''^0+$''']
`,
    "both.toml": `
[allowlist]
paths = ['''a''']
[[allowlists]]
paths = ['''b''']
`,
    "empty.toml": `
[[rules]]
id = "k"
regex = "k"
  [[rules.allowlists]]
  description = "nothing"
`,
    "group.toml": `
[[rules]]
id = "k"
regex = "k(a)"
secretGroup = 2
`,
  });
  const set = await loadSecretRules({ rulesFile: "ok.toml", cwd: dir.path });
  assert.deepEqual(ids("key-test123456", "legacy/a", set), []);
  assert.deepEqual(ids("key-test123456", "src/a", set), ["k"]);
  assert.deepEqual(ids("key-abcd123456", "legacy/a", set), ["k"]);
  assert.deepEqual(ids("key-0000000000", "src/a", set), []);
  const refused = async (file: string, message: RegExp) =>
    await assert.rejects(() => loadSecretRules({ rulesFile: file, cwd: dir.path }), message);
  await refused("both.toml", /\[allowlist\] cannot be used alongside \[\[allowlists\]\]/);
  await refused("empty.toml", /an allowlist checks nothing/);
  await refused("group.toml", /secretGroup 2 but the regex has 1 groups/);
});
