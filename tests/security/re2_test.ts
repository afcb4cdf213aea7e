import assert from "node:assert/strict";
import { translateRe2 } from "../../src/security/mod.ts";
import { BrError } from "../../src/core/errors.ts";

function re(pattern: string): RegExp {
  const t = translateRe2(pattern, "t");
  return new RegExp(t.source, t.flags);
}

Deno.test("translateRe2() translates each RE2 construct to an equivalent JS regex", async (t) => {
  await t.step("leading (?i) becomes the i flag", () => {
    const out = translateRe2("(?i)secret", "r");
    assert.equal(out.flags, "i");
    assert.ok(re("(?i)secret").test("SeCrEt"));
  });
  await t.step("(?i) mid-pattern applies to the rest of its group only", () => {
    const r = re("ab(?i)cd");
    assert.ok(r.test("abCD"));
    assert.ok(!r.test("ABcd"));
    const g = re("(x(?i)y)z");
    assert.ok(g.test("xYz"));
    assert.ok(!g.test("xYZ"));
  });
  await t.step("(?i) before an alternation covers every later branch", () => {
    const r = re("^(?:a(?i)b|c)$");
    assert.ok(r.test("aB"));
    assert.ok(r.test("C"));
    assert.ok(!r.test("AB"));
  });
  await t.step("(?i:...) flag groups and (?s) dot-all", () => {
    assert.ok(re("a(?i:b)c").test("aBc"));
    assert.ok(!re("a(?i:b)c").test("aBC"));
    assert.ok(re("(?s)a.b").test("a\nb"));
    assert.ok(!re("a.b").test("a\nb"));
    assert.ok(re("(?m)^b$").test("a\nb\nc"));
  });
  await t.step("\\A and \\z anchor the whole text, not lines", () => {
    const r = re("\\Akey\\z");
    assert.ok(r.test("key"));
    assert.ok(!r.test("key\n"));
    assert.ok(!r.test("x\nkey"));
    assert.ok(re("(?m)\\Aa$").test("a\nb"));
  });
  await t.step("POSIX classes [[:alnum:]] and negated [[:^digit:]]", () => {
    assert.ok(re("^[[:alnum:]]+$").test("aZ09"));
    assert.ok(!re("^[[:alnum:]]+$").test("a_b"));
    assert.ok(re("^[[:^digit:]]+$").test("abc"));
    assert.ok(!re("^[[:^digit:]]+$").test("a1"));
    assert.ok(re("^[[:xdigit:][:space:]]+$").test("a f"));
    assert.ok(re("^[_[:upper:]]+$").test("A_B"));
  });
  await t.step("(?P<name>...) named groups", () => {
    const m = re("key=(?P<val>[0-9]+)").exec("key=42");
    assert.equal(m?.groups?.val, "42");
  });
  await t.step("\\Q...\\E literals, \\x{...} and \\a escapes", () => {
    assert.ok(re("\\Qa.b*c\\E").test("a.b*c"));
    assert.ok(!re("\\Qa.b*c\\E").test("axbbc"));
    assert.ok(re("\\x{41}\\x42").test("AB"));
    assert.ok(re("\\x{1F600}").test("\u{1F600}"));
    assert.ok(re("\\a").test("\x07"));
  });
  await t.step("\\pL and \\p{Greek} unicode classes", () => {
    assert.ok(re("^\\pL+$").test("héllo"));
    assert.ok(re("^\\p{Greek}+$").test("αβγ"));
    assert.ok(!re("^\\p{Greek}+$").test("abc"));
    assert.ok(re("^\\PL+$").test("123"));
  });
  await t.step("a lone { is literal in RE2; valid repeats stay repeats", () => {
    assert.ok(re("a{b").test("a{b"));
    assert.ok(re("^a{2,3}$").test("aaa"));
    assert.ok(!re("^a{2,3}$").test("aaaa"));
    assert.ok(re("x{,2}").test("x{,2}"));
  });
  await t.step("character classes with ] first, dashes and escapes", () => {
    assert.ok(re("^[]a]+$").test("]a"));
    assert.ok(re("^[a-]+$").test("a-"));
    assert.ok(re("^[\\w.-]+$").test("a.b-c"));
  });
});

Deno.test("translateRe2() refuses what JavaScript cannot express, naming the rule", async (t) => {
  const cases: [string, RegExp][] = [
    ["(?U)a+", /ungreedy/],
    ["a\\Cb", /\\C/],
    ["(a)\\1", /backreference/],
    ["a(?=b)", /lookaround/],
    ["a\\Zb", /unknown escape/],
    ["[[:nope:]]", /unknown class/],
    ["(ab", /missing/],
    ["ab)", /unbalanced/],
    ["a{1001}", /1000/],
  ];
  for (const [pattern, why] of cases) {
    await t.step(pattern, () => {
      assert.throws(() => translateRe2(pattern, "my-rule"), (err: unknown) => {
        assert.ok(err instanceof BrError);
        assert.equal(err.code, "invalid_data");
        assert.match(err.message, /rule "my-rule"/);
        assert.match(err.message, why);
        return true;
      });
    });
  }
});
