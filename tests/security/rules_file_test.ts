/**
 * A real gitleaks-format configuration (tests/fixtures/security/gitleaks.toml, extending
 * base.toml) loaded and applied construct by construct.
 */
import assert from "node:assert/strict";
import { BrError } from "../../src/core/errors.ts";
import { loadSecretRules, scanSecrets, secretFingerprint } from "../../src/security/mod.ts";
import { pathAllowed } from "../../src/security/engine.ts";
import { FIXTURES } from "../helpers.ts";

const CONFIG = `${FIXTURES}security/gitleaks.toml`;
const ids = (text: string, file: string, set: Awaited<ReturnType<typeof loadSecretRules>>) =>
  scanSecrets(text, file, set).map((f) => f.rule);

Deno.test("a gitleaks TOML file is read with [extend], allowlists and every rule field", async (t) => {
  const set = await loadSecretRules({ rulesFile: CONFIG });
  const all = set.rules.map((r) => r.id);
  const acme = "acme_" + "Q7f2Lk9Xm3Pz8Rt5Wv1B";

  await t.step("[extend] path merges base rules; disabledRules drop built-in and base ones", () => {
    assert.ok(all.includes("base-rule"));
    assert.ok(all.includes("github-token"), "built-in rules stay");
    assert.ok(!all.includes("jwt"));
    assert.ok(!all.includes("base-disabled"));
    assert.equal(all.filter((id) => id === "acme-token").length, 1);
    assert.deepEqual(ids("x base-abcdefghij y", "a.txt", set), ["base-rule"]);
  });
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
