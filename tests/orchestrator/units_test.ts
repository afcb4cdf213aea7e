import assert from "node:assert/strict";
import {
  globsOverlap,
  parseClaudeUsage,
  parseCodexUsage,
  parseDuration,
  renderArgv,
  selectFeatures,
  splitWords,
} from "../../src/orchestrator/mod.ts";
import type { Feature } from "../../src/features/mod.ts";

Deno.test("splitWords follows POSIX quoting and expands nothing", () => {
  assert.deepEqual(splitWords(`claude -p {prompt} --output-format json`), [
    "claude",
    "-p",
    "{prompt}",
    "--output-format",
    "json",
  ]);
  assert.deepEqual(splitWords(`a 'b c' "d \\"e\\" $HOME" f\\ g ''`), [
    "a",
    "b c",
    'd "e" $HOME',
    "f g",
    "",
  ]);
  assert.deepEqual(splitWords(`x"y"'z'  # comment`), ["xyz"]);
  assert.throws(() => splitWords(`a 'b`), /unterminated single quote/);
  assert.throws(() => splitWords(`a && b`), /unquoted shell operator "&"/);
  assert.deepEqual(splitWords(`sh -c 'a && b'`), ["sh", "-c", "a && b"]);
});

Deno.test("renderArgv substitutes placeholders per word, never re-splitting values", () => {
  const argv = renderArgv(`agent --file={prompt_file} {prompt} --in {worktree}/src`, {
    prompt: "Fix 'it'; rm -rf /",
    prompt_file: "/p/prompt.md",
    feature: "x",
    worktree: "/w",
  });
  assert.deepEqual(argv, [
    "agent",
    "--file=/p/prompt.md",
    "Fix 'it'; rm -rf /",
    "--in",
    "/w/src",
  ]);
  assert.throws(() => renderArgv("a {nope}", { prompt: "" }), /Unknown placeholder \{nope\}/);
  assert.throws(() => renderArgv("  ", {}), /empty/);
});

Deno.test("globsOverlap decides whether two globs share a path", () => {
  const yes: [string, string][] = [
    ["src/auth/**", "src/auth/login.ts"],
    ["src/**", "src/a/b/c.ts"],
    ["src/*.ts", "src/index.ts"],
    ["src/auth", "src/auth/x.ts"],
    ["**/*.test.ts", "src/a/b.test.ts"],
    ["src/{a,b}/x.ts", "src/b/*.ts"],
    ["src/[a-c]*.ts", "src/b?.ts"],
    ["*.md", "README.md"],
  ];
  const no: [string, string][] = [
    ["src/auth/**", "src/billing/**"],
    ["src/*.ts", "src/a/index.ts"],
    ["src/*.ts", "src/*.js"],
    ["docs/**", "src/**"],
    ["src/[a-c]*.ts", "src/d*.ts"],
    ["src/{a,b}/x.ts", "src/c/x.ts"],
  ];
  for (const [a, b] of yes) {
    assert.equal(globsOverlap(a, b), true, `${a} vs ${b}`);
    assert.equal(globsOverlap(b, a), true, `${b} vs ${a}`);
  }
  for (const [a, b] of no) {
    assert.equal(globsOverlap(a, b), false, `${a} vs ${b}`);
    assert.equal(globsOverlap(b, a), false, `${b} vs ${a}`);
  }
});

Deno.test("usage parsers read the documented agent output", () => {
  const claude = [
    "some warning on stderr",
    JSON.stringify({
      type: "result",
      session_id: "s1",
      total_cost_usd: 0.5,
      usage: { input_tokens: 1, output_tokens: 2 },
      modelUsage: {
        "claude-opus-4-1": {
          inputTokens: 10,
          outputTokens: 20,
          cacheReadInputTokens: 30,
          cacheCreationInputTokens: 40,
          costUSD: 0.4,
        },
        "claude-haiku-4-5": { inputTokens: 1, outputTokens: 2, costUSD: 0.1 },
      },
    }),
  ].join("\n");
  assert.deepEqual(
    parseClaudeUsage(claude, null).map((
      u,
    ) => [u.model, u.input_tokens, u.cache_read_tokens, u.cost_usd]),
    [
      ["claude-haiku-4-5", 1, 0, 0.1],
      ["claude-opus-4-1", 10, 30, 0.4],
    ],
  );
  const noModels = JSON.stringify(
    {
      type: "result",
      total_cost_usd: 0.02,
      usage: {
        input_tokens: 5,
        output_tokens: 6,
        cache_read_input_tokens: 7,
        cache_creation_input_tokens: 8,
      },
    },
    null,
    2,
  );
  assert.deepEqual(parseClaudeUsage(noModels, "claude-sonnet-4-5")[0], {
    model: "claude-sonnet-4-5",
    input_tokens: 5,
    output_tokens: 6,
    cache_creation_tokens: 8,
    cache_read_tokens: 7,
    cost_usd: 0.02,
    session: null,
  });
  assert.deepEqual(parseClaudeUsage("plain text", null), []);
  const codex = [
    '{"type":"thread.started","thread_id":"t1"}',
    '{"type":"turn.completed","usage":{"input_tokens":100,"cached_input_tokens":60,"output_tokens":7}}',
  ].join("\n");
  assert.deepEqual(parseCodexUsage(codex, "gpt-5-codex")[0], {
    model: "gpt-5-codex",
    input_tokens: 40,
    output_tokens: 7,
    cache_creation_tokens: 0,
    cache_read_tokens: 60,
    cost_usd: null,
    session: "t1",
  });
});

Deno.test("parseDuration and selectFeatures", () => {
  assert.equal(parseDuration("30m"), 1_800_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration(2), 2000);
  assert.throws(() => parseDuration("soon"), /Invalid duration "soon"/);
  const f = (id: string, status: string, dependencies: string[] = []) =>
    ({ id, status, dependencies, priority: "medium", files: [] }) as unknown as Feature;
  const all = [
    f("a", "complete"),
    f("b", "planned", ["a"]),
    f("c", "planned", ["b"]),
    f("d", "planned", ["x"]),
    f("x", "blocked"),
  ];
  assert.deepEqual(selectFeatures(all, undefined).map((x) => x.id), ["b", "c"]);
  assert.throws(() => selectFeatures(all, ["c"]), /depends on "b", which is neither complete/);
  assert.throws(() => selectFeatures(all, ["zz"]), /Cannot find feature "zz"/);
  assert.throws(() => selectFeatures(all, ["x"]), /is blocked/);
});
