import assert from "node:assert/strict";
import {
  BUILTIN_SECRET_RULES,
  builtinSecretRules,
  scanSecrets,
  translateRe2,
} from "../../src/security/mod.ts";
import { SAMPLES } from "./samples.ts";

Deno.test("every built-in rule has a sample and a near miss", () => {
  const ids = BUILTIN_SECRET_RULES.map((r) => r.id).sort();
  assert.deepEqual(Object.keys(SAMPLES).sort(), ids);
});

Deno.test("built-in rules: each sample is found, each near miss is not", async (t) => {
  const set = builtinSecretRules();
  for (const rule of BUILTIN_SECRET_RULES) {
    await t.step(rule.id, () => {
      const { hit, miss } = SAMPLES[rule.id];
      const file = SAMPLES[rule.id].file ?? "src/config.ts";
      const found = scanSecrets(hit + "\n", file, set);
      const mine = found.filter((f) => f.rule === rule.id);
      assert.equal(mine.length, 1, `expected ${rule.id} in ${JSON.stringify(found)}`);
      assert.equal(mine[0].line, SAMPLES[rule.id].line ?? 1);
      assert.match(mine[0].secret_masked!, /^[^*]{0,4}\*{8}$/);
      const near = scanSecrets(miss + "\n", file, set).map((f) => f.rule);
      assert.ok(!near.includes(rule.id), `${rule.id} matched its near miss`);
    });
  }
});

Deno.test("built-in rules translate unchanged in meaning (RE2 source compiles to JS)", () => {
  for (const rule of BUILTIN_SECRET_RULES) {
    const t = translateRe2(rule.regex!, rule.id);
    assert.ok(t.source.length > 0);
  }
});

Deno.test("generic rule: low entropy, identifiers and placeholders are not secrets", () => {
  const set = builtinSecretRules();
  const rules = (line: string) => scanSecrets(line, "a.py", set).map((f) => f.rule);
  assert.deepEqual(rules(`password = "${"a".repeat(24)}"`), []);
  assert.deepEqual(rules("token = self.request.session_token"), []);
  assert.deepEqual(rules("api_key = process.env.OPENAI_API_KEY_VALUE"), []);
  assert.deepEqual(rules('secret = "${{ secrets.DEPLOY_KEY_VALUE }}"'), []);
});

Deno.test("a specific rule wins over the generic one on the same secret", () => {
  const line = SAMPLES["github-token"].hit;
  assert.deepEqual(scanSecrets(line, "a.ts", builtinSecretRules()).map((f) => f.rule), [
    "github-token",
  ]);
});

Deno.test("br:allow and gitleaks:allow on the line suppress a finding", () => {
  const set = builtinSecretRules();
  const line = SAMPLES["stripe-secret-key"].hit;
  assert.equal(scanSecrets(line, "a.ts", set).length, 1);
  assert.equal(scanSecrets(line + " // br:allow", "a.ts", set).length, 0);
  assert.equal(scanSecrets(line + " # gitleaks:allow", "a.ts", set).length, 0);
});

Deno.test("keyword prefilter: case-insensitive, one-character and non-ASCII keywords", async () => {
  const { compileSecretRules } = await import("../../src/security/mod.ts");
  const set = compileSecretRules([
    { id: "cyrillic", regex: "ключ=(\\d{4})", keywords: ["КЛЮЧ"] },
    { id: "one-char", regex: "#(\\d{6})#", keywords: ["#"] },
    { id: "two-char", regex: "zq(\\d{5})", keywords: ["ZQ"] },
  ]);
  const rules = (text: string) => scanSecrets(text, "a.txt", set).map((f) => f.rule);
  assert.deepEqual(rules("x ключ=1234"), ["cyrillic"]);
  assert.deepEqual(rules("#123456#"), ["one-char"]);
  assert.deepEqual(rules("end zq12345"), ["two-char"]);
  assert.deepEqual(rules("nothing here 123456"), []);
});

Deno.test("an allowlist of commits allows findings of those commits only (history scans)", async () => {
  const { compileSecretRules } = await import("../../src/security/mod.ts");
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const set = compileSecretRules([{ id: "zz", regex: "zz-(\\d{6})" }], [{ commits: [commit] }]);
  assert.equal(scanSecrets("zz-123456", "a.txt", set, commit).length, 0);
  assert.equal(scanSecrets("zz-123456", "a.txt", set, "f".repeat(40)).length, 1);
  assert.equal(scanSecrets("zz-123456", "a.txt", set).length, 1);
});

Deno.test("keywordsInBytes(), keywordsInText() and keywordsInShortText() equal a naive case-insensitive search", async () => {
  const { keywordsInBytes, keywordsInShortText, keywordsInText } = await import(
    "../../src/security/_keywords.ts"
  );
  const { builtinSecretRules, compileSecretRules } = await import("../../src/security/mod.ts");
  const sets = [
    builtinSecretRules(),
    compileSecretRules([{
      id: "a",
      regex: "x",
      keywords: ["#", "q~", "Zz", "ключ", "key", "abcab", "xbcx", "tgre", "a.b"],
    }]),
  ];
  let seed = 7;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n;
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:#~ \né✓к";
  const enc = new TextEncoder();
  for (const set of sets) {
    const keywords = [...new Set(set.rules.flatMap((r) => r.keywords))];
    for (let round = 0; round < 1500; round++) {
      let text = "";
      const len = rand(round % 10 === 0 ? 400 : 40);
      for (let i = 0; i < len; i++) {
        if (rand(10) === 0) {
          // a keyword, upper-cased, or cut short by one character at either end
          const k = keywords[rand(keywords.length)];
          const cut = rand(4);
          const part = cut === 0 ? k.slice(1) : cut === 1 ? k.slice(0, -1) : k;
          text += rand(2) ? part.toUpperCase() : part;
        } else text += alphabet[rand(alphabet.length)];
      }
      const lower = text.toLowerCase();
      const expected = keywords.filter((k) => lower.includes(k)).sort();
      const bytes = enc.encode(text);
      assert.deepEqual([...keywordsInBytes(bytes, set)].sort(), expected, text);
      // at an odd offset (read byte by byte), and with the text one byte later
      const shifted = enc.encode(` ${text}`);
      assert.deepEqual([...keywordsInBytes(shifted.subarray(1), set)].sort(), expected, text);
      assert.deepEqual(
        [...keywordsInBytes(shifted, set)].sort(),
        keywords.filter((k) => ` ${lower}`.includes(k)).sort(),
        text,
      );
      assert.deepEqual([...keywordsInText(text, set)].sort(), expected, text);
      assert.deepEqual([...keywordsInShortText(text, set)].sort(), expected, text);
    }
  }
  // Only ASCII letters fold to ASCII: the Kelvin sign (U+212A) lower-cases to "k" but is not
  // the "k" of a keyword, in bytes and in text alike.
  const [, custom] = sets;
  for (
    const found of [
      keywordsInBytes(enc.encode("\u212AEY"), custom),
      keywordsInShortText("\u212AEY", custom),
    ]
  ) {
    assert.deepEqual([...found], []);
  }
  assert.deepEqual([...keywordsInShortText("KEY", custom)], ["key"]);
});

Deno.test("LineIndex gives line, column and line text of offsets asked in any order", async () => {
  const { LineIndex } = await import("../../src/security/engine.ts");
  let seed = 3;
  const rand = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n;
  for (let round = 0; round < 200; round++) {
    let text = "";
    for (let i = rand(300); i > 0; i--) text += "ab\n\r x"[rand(6)];
    const lines = new LineIndex(text);
    for (let q = 0; q < 20; q++) {
      const offset = rand(text.length + 1);
      const before = text.slice(0, offset).split("\n");
      const expected = { line: before.length, column: before[before.length - 1].length + 1 };
      assert.deepEqual(lines.position(offset), expected, JSON.stringify({ text, offset }));
      assert.equal(lines.lineAt(offset), text.split("\n")[expected.line - 1]);
    }
  }
});

Deno.test("lazy rules compile their regex only for a text that holds one of their keywords", async () => {
  const { compileSecretRules } = await import("../../src/security/mod.ts");
  // A pattern that cannot compile shows when the rule is compiled.
  const specs = [
    { id: "broken", regex: "(unclosed", keywords: ["brokenkw"] },
    { id: "fine", regex: "tok_(\\d{6})", keywords: ["tok_"] },
  ];
  assert.throws(() => compileSecretRules(specs), /broken/);
  const set = compileSecretRules(specs, [], { lazy: true });
  assert.deepEqual(scanSecrets("x tok_123456", "a.txt", set).map((f) => f.rule), ["fine"]);
  assert.throws(() => scanSecrets("brokenkw here", "a.txt", set), /broken/);
});

Deno.test("lazy rules compile their path filter only for a text that holds one of their keywords", async () => {
  const { compileSecretRules } = await import("../../src/security/mod.ts");
  const specs = [
    { id: "broken-path", regex: "tf_(\\d{6})", keywords: ["tf_"], path: "(unclosed" },
    { id: "tf-only", regex: "tfx_(\\d{6})", keywords: ["tfx_"], path: "\\.tf$" },
  ];
  assert.throws(() => compileSecretRules(specs), /broken-path/);
  const set = compileSecretRules(specs, [], { lazy: true });
  assert.deepEqual(scanSecrets("x = 1", "main.tf", set), []);
  assert.deepEqual(scanSecrets("tfx_123456", "main.tf", set).map((f) => f.rule), ["tf-only"]);
  assert.deepEqual(scanSecrets("tfx_123456", "main.ts", set), []);
  assert.throws(() => scanSecrets("tf_123456", "main.tf", set), /broken-path/);
});

Deno.test("a path-only rule (no regex, or an empty one) reports the file itself", async () => {
  const { compileSecretRules } = await import("../../src/security/mod.ts");
  for (const regex of [undefined, ""]) {
    const set = compileSecretRules([{ id: "pem-file", regex, path: "\\.pem$" }]);
    const found = scanSecrets("anything\n", "certs/key.pem", set);
    assert.deepEqual(found.map((f) => [f.rule, f.file, f.line]), [[
      "pem-file",
      "certs/key.pem",
      1,
    ]]);
    assert.deepEqual(scanSecrets("anything\n", "src/a.ts", set), []);
  }
});
