/**
 * The claude and codex profiles against the real CLIs (installed from npm into a temp dir once
 * per file), each talking to a local server on 127.0.0.1 that speaks its provider's API and
 * answers a scripted tool-use conversation that writes a file.
 *
 * Claude Code (Anthropic Messages API, SSE, tool_use of `Write`): the tests set
 * ANTHROPIC_BASE_URL (the local server), ANTHROPIC_API_KEY (a dummy key), HOME (a temp dir, so
 * no user config is read or written), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 and
 * DISABLE_AUTOUPDATER=1.
 *
 * Codex (OpenAI Responses API, SSE, function_call of `exec_command`; this version no longer
 * speaks chat completions): the tests set HOME and CODEX_HOME (a temp dir) with a config.toml
 * whose `model_provider` is a `[model_providers.local]` entry (`base_url` = the local server's
 * `/v1`, `env_key = "BR_TEST_OPENAI_KEY"`, `wire_api = "responses"`), and BR_TEST_OPENAI_KEY.
 */
import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { exists } from "../../src/core/fs.ts";
import { anthropicServer, npmCli, openaiServer } from "./_fake_llm.ts";
import { json, parallelProject } from "./_setup.ts";

const CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.332";
const CODEX = "@openai/codex@0.171.0";
const claude = await npmCli(CLAUDE_CODE, "claude");
const codex = await npmCli(CODEX, "codex");

interface Report {
  run: { state: string; cost_usd: number | null };
  tasks: {
    feature: string;
    state: string;
    error: string | null;
    cost_usd: number | null;
    tokens: { input: number; output: number; cache_creation: number; cache_read: number };
    log: string | null;
  }[];
}

/** The scripted turn: the agent writes a test naming its feature (the worktree's name). */
const script = {
  file: (cwd: string) => join(cwd, "tests", `${basename(cwd)}_test.ts`),
  content: (cwd: string) => `Deno.test("${basename(cwd)} works", () => {});\n`,
};

async function claudeEnv(url: string): Promise<Record<string, string>> {
  const home = await Deno.makeTempDir({ prefix: "br-claude-home-" });
  return {
    PATH: `${dirname(claude!.bin)}:${Deno.env.get("PATH")}`,
    HOME: home,
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: "sk-ant-test-key",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  };
}

/** Processes whose command line names `needle` (not zombies). */
async function running(needle: string): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const cmd = await Deno.readTextFile(`/proc/${e.name}/cmdline`).catch(() => "");
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    if (cmd.includes(needle) && !/\) [ZX] /.test(stat)) out.push(Number(e.name));
  }
  return out;
}

Deno.test({
  name:
    "br parallel run --agent claude with the real Claude Code: edits, merges, usage from its JSON",
  ignore: !claude,
  async fn() {
    await using p = await parallelProject([{ id: "hello" }]);
    await using api = anthropicServer(script);
    const env = await claudeEnv(api.url);
    try {
      const res = await p.br(["parallel", "run", "--agent", "claude", "--json"], env);
      assert.equal(res.code, 0, res.stderr + res.stdout);
      const t = json<Report>(res).tasks[0];
      assert.equal(t.state, "merged");
      // The file the scripted tool_use wrote is on the base.
      assert.equal(
        await Deno.readTextFile(join(p.path, "tests", "hello_test.ts")),
        'Deno.test("hello works", () => {});\n',
      );
      // br's argument shape: the prompt as the -p argument, the key from the environment.
      const first = api.requests.find((r) => r.path === "/v1/messages")!;
      assert.equal(first.auth, "sk-ant-test-key");
      assert.equal(first.body.stream, true);
      assert.match(JSON.stringify(first.body.messages), /# Feature hello: hello/);
      // Usage and cost are those of the CLI's own result object.
      const log = await Deno.readTextFile(join(p.path, t.log!));
      const result = JSON.parse(log.split("\n").find((l) => l.startsWith('{"'))!);
      assert.equal(result.type, "result");
      assert.equal(t.cost_usd, result.total_cost_usd);
      assert.ok(t.cost_usd! > 0);
      assert.deepEqual(t.tokens, {
        input: result.usage.input_tokens,
        output: result.usage.output_tokens,
        cache_creation: result.usage.cache_creation_input_tokens,
        cache_read: result.usage.cache_read_input_tokens,
      });
      assert.equal(t.tokens.input, 2000, "two requests of 1000 input tokens each");
    } finally {
      await Deno.remove(env.HOME, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "br parallel run --agent claude with the real Claude Code: a long prompt goes through stdin",
  ignore: !claude,
  async fn() {
    await using p = await parallelProject([{ id: "long" }]);
    await using api = anthropicServer(script);
    const env = await claudeEnv(api.url);
    try {
      const res = await p.br(["parallel", "run", "--agent", "claude", "--json"], {
        ...env,
        BR_PARALLEL__PROMPT_ARG_MAX: "10",
      });
      assert.equal(res.code, 0, res.stderr + res.stdout);
      assert.equal(json<Report>(res).tasks[0].state, "merged");
      const first = api.requests.find((r) => r.path === "/v1/messages")!;
      assert.match(JSON.stringify(first.body.messages), /# Feature long: long/);
    } finally {
      await Deno.remove(env.HOME, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "br parallel run --agent claude with the real Claude Code: a stalled API hits the timeout and is killed",
  ignore: !claude,
  async fn() {
    await using p = await parallelProject([{ id: "stall" }]);
    await using api = anthropicServer(script, { stall: true });
    const env = await claudeEnv(api.url);
    try {
      const res = await p.br(
        ["parallel", "run", "--agent", "claude", "--timeout", "3s", "--retries", "0", "--json"],
        env,
      );
      assert.equal(res.code, 10, res.stderr + res.stdout);
      const t = json<Report>(res).tasks[0];
      assert.equal(t.state, "failed");
      assert.match(t.error!, /timed out after 3 s/);
      assert.ok(api.requests.some((r) => r.path === "/v1/messages"), "claude never called the API");
      assert.deepEqual(await running(claude!.dir), [], "a claude process survived");
      assert.equal(await exists(join(p.path, "tests", "stall_test.ts")), false);
    } finally {
      await Deno.remove(env.HOME, { recursive: true }).catch(() => {});
    }
  },
});

async function codexEnv(url: string): Promise<Record<string, string>> {
  const home = await Deno.makeTempDir({ prefix: "br-codex-home-" });
  await Deno.writeTextFile(
    join(home, "config.toml"),
    [
      'model = "gpt-5-codex"',
      'model_provider = "local"',
      "[model_providers.local]",
      'name = "local"',
      `base_url = "${url}/v1"`,
      'env_key = "BR_TEST_OPENAI_KEY"',
      'wire_api = "responses"',
      "",
    ].join("\n"),
  );
  return {
    PATH: `${dirname(codex!.bin)}:${Deno.env.get("PATH")}`,
    HOME: home,
    CODEX_HOME: home,
    BR_TEST_OPENAI_KEY: "sk-test-key",
  };
}

Deno.test({
  name:
    "br parallel run --agent codex with the real Codex CLI: edits, merges, usage from turn.completed",
  ignore: !codex,
  async fn(t) {
    await using p = await parallelProject([{ id: "hola" }, { id: "larga" }]);
    await using api = openaiServer(script);
    const env = await codexEnv(api.url);
    try {
      await t.step("a short prompt as the argument", async () => {
        const res = await p.br([
          "parallel",
          "run",
          "--agent",
          "codex",
          "--features",
          "hola",
          "--json",
        ], env);
        assert.equal(res.code, 0, res.stderr + res.stdout);
        const task = json<Report>(res).tasks[0];
        assert.equal(task.state, "merged");
        assert.equal(
          await Deno.readTextFile(join(p.path, "tests", "hola_test.ts")),
          'Deno.test("hola works", () => {});\n',
        );
        const first = api.requests.find((r) => r.path === "/v1/responses")!;
        assert.equal(first.auth, "Bearer sk-test-key");
        assert.match(JSON.stringify(first.body.input), /# Feature hola: hola/);
        // Usage as the CLI reported it on turn.completed: cached input counted as cache reads.
        const log = await Deno.readTextFile(join(p.path, task.log!));
        const turns = log.split("\n").filter((l) => l.startsWith('{"type":"turn.completed"'))
          .map((l) => JSON.parse(l).usage);
        assert.equal(turns.length, 1);
        assert.deepEqual(task.tokens, {
          input: turns[0].input_tokens - turns[0].cached_input_tokens,
          output: turns[0].output_tokens,
          cache_creation: 0,
          cache_read: turns[0].cached_input_tokens,
        });
        assert.ok(task.tokens.input > 0);
      });
      await t.step("a long prompt on stdin", async () => {
        const before = api.requests.length;
        const res = await p.br(["parallel", "run", "--agent", "codex", "--json"], {
          ...env,
          BR_PARALLEL__PROMPT_ARG_MAX: "10",
        });
        assert.equal(res.code, 0, res.stderr + res.stdout);
        assert.equal(json<Report>(res).tasks[0].state, "merged");
        const first = api.requests.slice(before).find((r) => r.path === "/v1/responses")!;
        assert.match(JSON.stringify(first.body.input), /# Feature larga: larga/);
      });
    } finally {
      await Deno.remove(env.HOME, { recursive: true }).catch(() => {});
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (claude) Deno.removeSync(claude.dir, { recursive: true });
  if (codex) Deno.removeSync(codex.dir, { recursive: true });
});
