// Bad invocations: each gives one `error:` line, one `hint:` line that works, and the exit
// code of the table in src/core/errors.ts.
import assert from "node:assert/strict";
import { br, type BrRun, gitRun, tempDir, tempProject } from "../helpers.ts";

/** Asserts the house error shape: exactly one `error:` line, then one `hint:` line. */
function assertError(res: BrRun, code: number, message: RegExp, label = ""): string {
  assert.equal(res.code, code, `${label}: exit ${res.code}, stderr: ${res.stderr}`);
  const lines = res.stderr.trimEnd().split("\n").filter((l) => !l.startsWith("warning:"));
  assert.equal(lines.length, 2, `${label}: ${res.stderr}`);
  assert.match(lines[0], /^error: /, label);
  assert.match(lines[0], message, label);
  assert.match(lines[1], /^hint: \S/, label);
  return lines[1];
}

Deno.test("spec wizard --answers names the missing key as the file spells it, and refuses unknown keys", async () => {
  await using dir = await tempProject();
  const file = `${dir.path}/answers.yaml`;
  await Deno.writeTextFile(file, "name: Acme\ndescription: A shop for clinics\n");
  const missing = await br(["spec", "wizard", "--answers", file], { cwd: dir.path });
  const hint = assertError(missing, 2, /--feature/);
  assert.match(hint, /"features"/);
  assert.doesNotMatch(hint, /"feature"/);

  await Deno.writeTextFile(
    file,
    'name: Acme\ndescription: A shop\nfeature: ["Login"]\nfeatures:\n  - name: Login\n    acceptance: [works]\n',
  );
  const unknown = await br(["spec", "wizard", "--answers", file], { cwd: dir.path });
  assertError(unknown, 3, /answers\.yaml: unknown key "feature"/);
  await Deno.writeTextFile(
    file,
    "name: Acme\ndescription: A shop\nfeatures:\n  - name: Login\n    acceptence: [works]\n",
  );
  const inner = await br(["spec", "wizard", "--answers", file], { cwd: dir.path });
  assertError(inner, 3, /unknown key "features\[0\]\.acceptence"/);
  assert.equal(await Deno.stat(`${dir.path}/PROJECT_SPEC.md`).catch(() => null), null);
});

Deno.test("feature add --status complete with open dependencies hints at a way that works", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "A"], { cwd: dir.path });
  const res = await br(["feature", "add", "C", "--depends-on", "a", "--status", "complete"], {
    cwd: dir.path,
  });
  const hint = assertError(res, 5, /Cannot add "c" as complete: dependencies not complete: a/);
  assert.doesNotMatch(hint, /pass --force/);
  assert.match(hint, /br feature complete c --force/);
  // The way the hint gives works.
  assert.equal((await br(["feature", "add", "C", "--depends-on", "a"], { cwd: dir.path })).code, 0);
  assert.equal((await br(["feature", "complete", "c", "--force"], { cwd: dir.path })).code, 0);
  // One dependent "depends" on it, two "depend".
  const one = await br(["feature", "remove", "a"], { cwd: dir.path });
  assertError(one, 5, /^error: Cannot remove "a": "c" depends on it$/);
  await br(["feature", "add", "D", "--depends-on", "a"], { cwd: dir.path });
  const two = await br(["feature", "remove", "a"], { cwd: dir.path });
  assertError(two, 5, /^error: Cannot remove "a": "c", "d" depend on it$/);
});

Deno.test("parser errors say what is wrong in plain words", async () => {
  await using dir = await tempProject();
  const twice = await br(["status", "--json", "--json"], { cwd: dir.path });
  assertError(twice, 2, /^error: Flag --json given twice$/);
  const twiceValue = await br(["feature", "list", "--status", "planned", "--status", "complete"], {
    cwd: dir.path,
  });
  assertError(twiceValue, 2, /^error: Flag --status given twice$/);
  const noHook = await br(["hooks", "run"], { cwd: dir.path });
  const hint = assertError(noHook, 2, /^error: Missing argument <hook>/);
  assert.match(hint, /br hooks run --help/);
  const noId = await br(["feature", "show"], { cwd: dir.path });
  assertError(noId, 2, /^error: Missing argument <id>$/);
  const tools = await br(["mcp", "tools", "--tools", "bogus"], { cwd: dir.path });
  assertError(tools, 2, /^error: --tools "bogus" names no tool of this br$/);
  const envTools = await br(["mcp", "tools"], { cwd: dir.path, env: { BR_MCP_TOOLS: "bogus" } });
  assertError(envTools, 2, /^error: BR_MCP_TOOLS="bogus" names no tool of this br$/);
});

Deno.test("a group without its command is a usage error (exit 2) that lists the commands", async () => {
  await using dir = await tempProject();
  const res = await br(["feature"], { cwd: dir.path });
  assert.equal(res.stdout, "");
  assert.match(res.stderr, /br feature add/);
  const tail = res.stderr.trimEnd().split("\n").slice(-2);
  assert.match(tail[0], /^error: Missing the command after "br feature"$/);
  assert.match(tail[1], /^hint: run "br feature --help"/);
  assert.equal(res.code, 2);
  const unknown = await br(["feature", "nope"], { cwd: dir.path });
  const hint = assertError(unknown, 2, /No command registered for `nope`/);
  assert.match(hint, /"br feature --help"/);
  const help = await br(["feature", "--help"], { cwd: dir.path });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /br feature add/);
});

Deno.test("unknown ids and missing folders exit 4", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "Login"], { cwd: dir.path });
  const model = await br(["cost", "models", "nope-model"], { cwd: dir.path });
  assertError(model, 4, /^error: Cannot find model "nope-model" in the price catalog$/);
  const modelJson = await br(["cost", "models", "nope-model", "--json"], { cwd: dir.path });
  assert.equal(modelJson.code, 4);
  assert.equal(modelJson.stdout, "");
  const budget = await br(["cost", "budget", "set", "total", "1", "--feature", "ghost"], {
    cwd: dir.path,
  });
  assertError(budget, 4, /^error: Cannot find feature "ghost"$/);
  assert.equal((await br(["cost", "budget", "list", "--json"], { cwd: dir.path })).stdout, "[]\n");
  const outcome = await br(
    ["routing", "outcome", "login", "--model", "claude-sonet-4-5", "--result", "success"],
    { cwd: dir.path },
  );
  const hint = assertError(outcome, 4, /^error: Cannot find model "claude-sonet-4-5"/);
  assert.match(hint, /claude-sonnet-4-5/);
  const imp = await br(["cost", "import", "--dir", "no-such-folder"], { cwd: dir.path });
  assertError(imp, 4, /^error: Cannot find the folder ".*no-such-folder"$/);
  const mcp = await br(["mcp", "--project", "no-such-folder"], { cwd: dir.path });
  assertError(mcp, 4, /No BuildRunner project at/);
});

Deno.test('"not a git repository" exits 4 with a hint to run git init, in every command', async () => {
  await using dir = await tempDir();
  // A project folder outside any git repository (TMPDIR is not inside one).
  await Deno.mkdir(`${dir.path}/.buildrunner`);
  await Deno.writeTextFile(`${dir.path}/.buildrunner/config.yaml`, "project:\n  name: x\n");
  for (
    const args of [
      ["parallel", "run"],
      ["hooks", "install"],
      ["hooks", "run", "pre-commit"],
      ["security", "scan", "--staged"],
      ["security", "check"],
    ]
  ) {
    const res = await br(args, { cwd: dir.path });
    const hint = assertError(res, 4, /^error: Cannot find a git repository in "/, args.join(" "));
    assert.match(hint, /git init/, args.join(" "));
  }
  // The hint works.
  await gitRun(["init", "-q"], dir.path);
  assert.equal((await br(["hooks", "install"], { cwd: dir.path })).code, 0);
});

Deno.test("every error of a table of bad invocations has one hint line", async () => {
  await using dir = await tempProject();
  const table: [string[], number][] = [
    [["cost", "budget", "set", "daily", "-1"], 2],
    [["cost", "budget", "set", "daily", "5", "--warn", "120"], 2],
    [["telemetry", "events", "--limit", "0"], 2],
    [["feature", "show", "nope"], 4],
    [["feature", "add", "X", "--status", "nope"], 3],
    [["config", "get", "nope.key"], 2],
    [["spec", "sync"], 4],
    [["nope"], 2],
    [["feature", "add"], 2],
    [["status", "--bogus"], 2],
    [["routing", "outcome", "x", "--model", " ", "--result", "success"], 2],
  ];
  for (const [args, code] of table) {
    assertError(await br(args, { cwd: dir.path }), code, /./, args.join(" "));
  }
});

Deno.test("every BrError built in src/ carries a hint", async () => {
  const src = new URL("../../src/", import.meta.url);
  const missing: string[] = [];
  const visit = async (dir: URL): Promise<void> => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await visit(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(new URL(e.name, dir));
        // `new BrError(...)` with its options, and the `usage(message, hint)` helper.
        for (const m of text.matchAll(/new BrError\(|(?<![\w.])usage\(/g)) {
          let depth = 1;
          let i = m.index + m[0].length;
          while (depth > 0 && i < text.length) {
            const ch = text[i++];
            if ("([{".includes(ch)) depth++;
            else if (")]}".includes(ch)) depth--;
          }
          const call = text.slice(m.index, i);
          if (/^usage\(message/.test(call)) continue; // the helper's own definition
          // Without its strings, a `usage(...)` call with a hint has a comma in it.
          const bare = call.replace(/`(?:[^`\\]|\\.)*`|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, "s");
          const ok = m[0] === "new BrError(" ? /\bhint\b/.test(call) : /,\s*\S/.test(bare);
          const line = text.slice(0, m.index).split("\n").length;
          if (!ok) missing.push(`${new URL(e.name, dir).pathname.split("/src/")[1]}:${line}`);
        }
      }
    }
  };
  await visit(src);
  assert.deepEqual(missing, []);
});

Deno.test("config set refuses what the setting's reader would refuse, and writes nothing", async () => {
  await using dir = await tempProject();
  const file = `${dir.path}/.buildrunner/config.yaml`;
  const before = await Deno.readTextFile(file);
  const cases: [string, string, RegExp][] = [
    ["parallel.timeout", "abc", /parallel\.timeout: .*250ms, 90s, 30m, 1h/],
    ["parallel.heartbeat", "-5s", /parallel\.heartbeat/],
    ["routing.models", '[{"id":"my-model"}]', /routing\.models\.0\.tier/],
    [
      "design.overrides",
      '{"colors":{"light":{"primary":"nope"}}}',
      /design\.overrides\.colors\.light\.primary/,
    ],
    [
      "design.overrides",
      '{"colors":{"primary":"#000000"}}',
      /design\.overrides\.colors: .*primary/,
    ],
    ["cost.timezone", "Mars/Olympus", /cost\.timezone: Unknown time zone "Mars\/Olympus"/],
    ["parallel.agent", "gpt-agent", /parallel\.agent: Unknown agent profile "gpt-agent"/],
    [
      "parallel.agents",
      '{"mine":{"command":"my-agent {promt}"}}',
      /parallel\.agents\.mine\.command: Unknown placeholder \{promt\}/,
    ],
  ];
  for (const [key, value, message] of cases) {
    const res = await br(["config", "set", key, value], { cwd: dir.path });
    assertError(res, 3, message, `${key} ${value}`);
  }
  assert.equal(await Deno.readTextFile(file), before);
  // What the readers take is still taken.
  for (
    const [key, value] of [
      ["parallel.timeout", "90s"],
      ["parallel.timeout", "45"],
      ["cost.timezone", "Europe/Berlin"],
      ["parallel.agents", '{"mine":{"command":"my-agent {prompt_file}"}}'],
      ["parallel.agent", "mine"],
      ["parallel.agent", "codex"],
      ["routing.models", '[{"id":"claude-sonnet-4-5"},{"id":"my-model","tier":2}]'],
      ["design.overrides", '{"colors":{"light":{"primary":"#112233"}},"radius_rem":0.5}'],
    ]
  ) {
    const res = await br(["config", "set", key, value], { cwd: dir.path });
    assert.equal(res.code, 0, `${key} ${value}: ${res.stderr}`);
  }
});

Deno.test("config never prints secret-bearing values: get, list, set, with and without --json", async () => {
  await using dir = await tempProject();
  const secret = "sk-live-0123456789abcdefXYZ";
  const run = (...args: string[]) => br(["config", ...args], { cwd: dir.path });
  const outputs: string[] = [];
  const keep = async (args: string[]) => {
    const res = await run(...args);
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    outputs.push(res.stdout + res.stderr);
    return res;
  };
  await keep(["set", "telemetry.otlp.headers", JSON.stringify({ "x-api-key": secret })]);
  await keep([
    "set",
    "parallel.agents",
    JSON.stringify({ a: { command: "x", env: { API_TOKEN: secret } } }),
  ]);
  await keep(["get", "telemetry.otlp.headers"]);
  const json = await keep(["get", "telemetry.otlp.headers", "--json"]);
  await keep(["get", "parallel.agents"]);
  await keep(["list"]);
  const list = await keep(["list", "--json"]);
  for (const out of outputs) assert.ok(!out.includes(secret), out);
  // Masked the way findings are, and the key itself is still shown.
  assert.equal(JSON.parse(json.stdout).value["x-api-key"], "sk-l********");
  assert.ok(
    JSON.parse(list.stdout).some((e: { key: string; value: unknown }) =>
      e.key === "telemetry.otlp.headers.x-api-key" && e.value === "sk-l********"
    ),
  );
  // The file keeps the real value: the exporter needs it.
  assert.ok((await Deno.readTextFile(`${dir.path}/.buildrunner/config.yaml`)).includes(secret));
});

Deno.test("config unset leaves no empty section behind; config list aligns its columns", async () => {
  await using dir = await tempProject();
  const file = `${dir.path}/.buildrunner/config.yaml`;
  const before = await Deno.readTextFile(file);
  const run = (...args: string[]) => br(["config", ...args], { cwd: dir.path });
  assert.equal((await run("set", "quality.threshold", "80")).code, 0);
  assert.equal((await run("set", "telemetry.alerts.window", "week")).code, 0);
  assert.equal((await run("unset", "quality.threshold")).code, 0);
  assert.equal((await run("unset", "telemetry.alerts.window")).code, 0);
  const after = await Deno.readTextFile(file);
  assert.doesNotMatch(after, /quality|telemetry|\{\}/);
  assert.equal(after, before);

  assert.equal(
    (await run("set", "design.overrides", '{"colors":{"light":{"primary":"#112233"}}}')).code,
    0,
  );
  const lines = (await run("list")).stdout.trimEnd().split("\n");
  // Key, source, value: the source and the value columns start at the same place on every line.
  const columns = new Set(lines.map((l) => {
    const m = /^(\S+\s+)(default|project|global|env|flag)(\s+)\S/.exec(l);
    assert.ok(m, l);
    return `${m[1].length}:${m[1].length + m[2].length + m[3].length}`;
  }));
  assert.equal(columns.size, 1, lines.join("\n"));
});
