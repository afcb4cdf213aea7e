import assert from "node:assert/strict";
import { br, brProcess, readJson, tempDir, tempProject } from "../helpers.ts";
import { selfCommand } from "../../src/core/self.ts";

type Config = Record<string, unknown> & { mcpServers?: Record<string, unknown> };

const expectedArgs = [...selfCommand({}).slice(1), "mcp"];

Deno.test("mcp install claude-code merges into .mcp.json, is idempotent, uninstall removes only br", async (t) => {
  await using dir = await tempProject();
  const file = `${dir.path}/.mcp.json`;
  const existing = {
    mcpServers: {
      github: { command: "gh-mcp", args: ["--stdio"], env: { TOKEN_FILE: "~/.t" } },
    },
    other: { keep: true },
  };
  await Deno.writeTextFile(file, JSON.stringify(existing, null, 2));

  await t.step("install adds br next to github", async () => {
    const res = await br(["mcp", "install", "--client", "claude-code", "--json"], {
      cwd: dir.path,
    });
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.action, "added");
    assert.equal(out.path, ".mcp.json");
    assert.equal(out.scope, "project");
    const data = await readJson<Config>(file);
    assert.deepEqual(data.mcpServers!.github, existing.mcpServers.github);
    assert.deepEqual(data.other, { keep: true });
    // A project's file is committed: the portable command, no path of this machine.
    assert.deepEqual(data.mcpServers!.br, { type: "stdio", command: "br", args: ["mcp"] });
  });

  await t.step("a second install changes nothing", async () => {
    const before = await Deno.readTextFile(file);
    const mtime = (await Deno.stat(file)).mtime;
    const res = await br(["mcp", "install", "--client", "claude-code"], { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /"br" is already in \.mcp\.json/);
    assert.equal(await Deno.readTextFile(file), before);
    assert.deepEqual((await Deno.stat(file)).mtime, mtime);
  });

  await t.step("a stale entry is updated", async () => {
    const data = await readJson<Config>(file);
    data.mcpServers!.br = { command: "/old/br", args: ["mcp"] };
    await Deno.writeTextFile(file, JSON.stringify(data));
    const res = await br(["mcp", "install", "--client", "claude-code", "--json"], {
      cwd: dir.path,
    });
    assert.equal(JSON.parse(res.stdout).action, "updated");
    const after = await readJson<Config>(file);
    assert.equal((after.mcpServers!.br as { command: string }).command, "br");
  });

  await t.step("uninstall removes br and keeps the rest", async () => {
    const res = await br(["mcp", "uninstall", "--client", "claude-code", "--json"], {
      cwd: dir.path,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).action, "removed");
    const data = await readJson<Config>(file);
    assert.deepEqual(data, existing);
    const again = await br(["mcp", "uninstall", "--client", "claude-code"], { cwd: dir.path });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing to remove/);
  });
});

Deno.test("mcp install writes each client's file and key", async (t) => {
  await using dir = await tempProject();
  await using home = await tempDir();
  const env = { HOME: home.path };
  const run = (args: string[]) => br(["mcp", ...args, "--json"], { cwd: dir.path, env });

  // User-scoped files get this machine's command; project-scoped ones the portable "br mcp".
  const mine = [Deno.execPath(), ...expectedArgs];
  const cases: [string[], string, string, string[]][] = [
    [["--client", "claude-code", "--global"], `${home.path}/.claude.json`, "mcpServers", mine],
    [["--client", "cursor"], `${dir.path}/.cursor/mcp.json`, "mcpServers", ["br", "mcp"]],
    [["--client", "cursor", "--global"], `${home.path}/.cursor/mcp.json`, "mcpServers", mine],
    [["--client", "vscode"], `${dir.path}/.vscode/mcp.json`, "servers", ["br", "mcp"]],
    [
      ["--client", "windsurf"],
      `${home.path}/.codeium/windsurf/mcp_config.json`,
      "mcpServers",
      mine,
    ],
  ];
  for (const [flags, path, key, argv] of cases) {
    await t.step(`${flags.join(" ")} -> ${path.replace(home.path, "~")}`, async () => {
      const res = await run(["install", ...flags]);
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(JSON.parse(res.stdout).command, argv);
      const data = await readJson<
        Record<string, Record<string, { command: string; args: string[] }>>
      >(path);
      assert.deepEqual(Object.keys(data), [key]);
      assert.deepEqual([data[key].br.command, ...data[key].br.args], argv);
      const un = await run(["uninstall", ...flags]);
      assert.equal(JSON.parse(un.stdout).action, "removed");
      assert.deepEqual(await readJson(path), { [key]: {} });
    });
  }

  await t.step("~/.claude.json keeps everything else Claude Code stores there", async () => {
    const path = `${home.path}/.claude.json`;
    const existing = {
      numStartups: 12,
      projects: { "/x": { allowedTools: [] } },
      mcpServers: { memory: { command: "npx", args: ["-y", "mem"] } },
    };
    await Deno.writeTextFile(path, JSON.stringify(existing));
    assert.equal((await run(["install", "--client", "claude-code", "--global"])).code, 0);
    const data = await readJson<Config>(path);
    assert.deepEqual(Object.keys(data.mcpServers!), ["memory", "br"]);
    assert.equal(data.numStartups, 12);
    assert.equal((await run(["uninstall", "--client", "claude-code", "--global"])).code, 0);
    assert.deepEqual(await readJson(path), existing);
  });
});

Deno.test("mcp install refuses what it cannot do, and writes nothing", async () => {
  await using dir = await tempProject();
  await using home = await tempDir();
  const env = { HOME: home.path };
  const unknown = await br(["mcp", "install", "--client", "emacs"], { cwd: dir.path, env });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /error: Unknown MCP client "emacs"\nhint: use one of: claude-code/);

  const vscodeGlobal = await br(["mcp", "install", "--client", "vscode", "--global"], {
    cwd: dir.path,
    env,
  });
  assert.equal(vscodeGlobal.code, 2);

  const broken = `${dir.path}/.cursor/mcp.json`;
  await Deno.mkdir(`${dir.path}/.cursor`);
  await Deno.writeTextFile(broken, '{ "mcpServers": { // a comment\n } }');
  const res = await br(["mcp", "install", "--client", "cursor"], { cwd: dir.path, env });
  assert.equal(res.code, 3);
  assert.match(res.stderr, /error: Cannot parse .*mcp\.json/);
  assert.equal(await Deno.readTextFile(broken), '{ "mcpServers": { // a comment\n } }');

  await using empty = await tempDir();
  const noProject = await br(["mcp", "install", "--client", "cursor"], { cwd: empty.path, env });
  assert.equal(noProject.code, 4);
  const globalOk = await br(["mcp", "install", "--client", "cursor", "--global"], {
    cwd: empty.path,
    env,
  });
  assert.equal(globalOk.code, 0, globalOk.stderr);
});

Deno.test("br mcp install as a subprocess (smoke)", async () => {
  await using dir = await tempProject();
  const res = await brProcess(["mcp", "install", "--client", "vscode"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /Added "br" to \.vscode\/mcp\.json \(vscode, project\)/);
  const data = await readJson<{ servers: { br: { type: string } } }>(
    `${dir.path}/.vscode/mcp.json`,
  );
  assert.equal(data.servers.br.type, "stdio");
});

Deno.test("mcp install: a project's file holds no path of this machine; br not on PATH is a warning", async () => {
  await using dir = await tempProject();
  await using bin = await tempDir();
  const file = `${dir.path}/.mcp.json`;
  const install = (path: string, extra: string[] = []) =>
    br(["mcp", "install", "--client", "claude-code", "--json", ...extra], {
      cwd: dir.path,
      env: { PATH: path, BR_BIN: "/opt/somewhere/br" },
    });

  // br on PATH: the portable entry, no warning.
  await Deno.writeTextFile(`${bin.path}/br`, "#!/bin/sh\n");
  await Deno.chmod(`${bin.path}/br`, 0o755);
  const onPath = await install(`${bin.path}:/usr/bin:/bin`);
  assert.equal(onPath.code, 0, onPath.stderr);
  assert.equal(onPath.stderr, "");
  assert.equal(JSON.parse(onPath.stdout).warning, null);
  const text = await Deno.readTextFile(file);
  assert.deepEqual(JSON.parse(text).mcpServers.br, { type: "stdio", command: "br", args: ["mcp"] });
  for (const local of [Deno.execPath(), "/opt/somewhere", dir.path, "main.ts", "deno.json"]) {
    assert.ok(!text.includes(local), `${local} in .mcp.json`);
  }

  // br not on PATH: the same entry (the file is shared), and a warning on stderr.
  await Deno.remove(file);
  const offPath = await install("/usr/bin:/bin");
  assert.equal(offPath.code, 0, offPath.stderr);
  assert.deepEqual(JSON.parse(await Deno.readTextFile(file)).mcpServers.br.command, "br");
  assert.match(JSON.parse(offPath.stdout).warning, /"br" is not on PATH/);
  assert.match(offPath.stderr, /^warning: "br" is not on PATH.*--global/m);

  // A user-scoped file is this machine's: BR_BIN, absolute.
  await using home = await tempDir();
  const global = await br(["mcp", "install", "--client", "claude-code", "--global", "--json"], {
    cwd: dir.path,
    env: { HOME: home.path, PATH: "/usr/bin:/bin", BR_BIN: "/opt/somewhere/br" },
  });
  assert.equal(global.code, 0, global.stderr);
  assert.equal(global.stderr, "");
  assert.deepEqual(
    (await readJson<Config>(`${home.path}/.claude.json`)).mcpServers!.br,
    { type: "stdio", command: "/opt/somewhere/br", args: ["mcp"] },
  );
});

Deno.test("mcp install --client codex edits ~/.codex/config.toml in place, every other byte kept", async (t) => {
  await using dir = await tempDir();
  const home = `${dir.path}/home`;
  const file = `${home}/.codex/config.toml`;
  await Deno.mkdir(`${home}/.codex`, { recursive: true });
  const original = [
    "# Codex settings",
    'model = "gpt-5-codex"  # the default model',
    "",
    "[mcp_servers.github]",
    'command = "gh-mcp"',
    'args = ["--stdio"]',
    "",
    "# Our own tools",
    "[mcp_servers.docs]",
    "command = 'docs-mcp'",
    "",
    "[profiles.fast]",
    'model = "gpt-5-mini"',
    "",
  ].join("\n");
  await Deno.writeTextFile(file, original);
  const env = { HOME: home, BR_BIN: "/opt/br/bin/br" };
  const run = (args: string[]) =>
    br(["mcp", ...args, "--client", "codex", "--json"], { cwd: dir.path, env });
  const { parse } = await import("smol-toml");

  await t.step(
    "install appends [mcp_servers.br] with this machine's absolute command",
    async () => {
      const res = await run(["install"]);
      assert.equal(res.code, 0, res.stderr);
      const out = JSON.parse(res.stdout);
      assert.equal(out.action, "added");
      assert.equal(out.scope, "global");
      assert.equal(out.path, file);
      const text = await Deno.readTextFile(file);
      assert.ok(text.startsWith(original), "the existing bytes are unchanged");
      assert.equal(
        text.slice(original.length),
        '\n[mcp_servers.br]\ncommand = "/opt/br/bin/br"\nargs = ["mcp"]\n',
      );
      const data = parse(text) as { mcp_servers: Record<string, unknown> };
      assert.deepEqual({ ...data.mcp_servers.br as object }, {
        command: "/opt/br/bin/br",
        args: ["mcp"],
      });
    },
  );

  await t.step("a second install leaves the file alone", async () => {
    const before = await Deno.readTextFile(file);
    const res = await run(["install"]);
    assert.equal(JSON.parse(res.stdout).action, "unchanged");
    assert.equal(await Deno.readTextFile(file), before);
  });

  await t.step("a moved binary updates only the values, comments and other keys stay", async () => {
    const edited = (await Deno.readTextFile(file)).replace(
      '[mcp_servers.br]\ncommand = "/opt/br/bin/br"\nargs = ["mcp"]\n',
      '[mcp_servers.br] # br, managed\ncommand = "/old/br" # old place\nargs = [\n  "mcp",\n]\nstartup_timeout_sec = 20\n',
    );
    await Deno.writeTextFile(file, edited);
    const res = await br(["mcp", "install", "--client", "codex", "--json"], {
      cwd: dir.path,
      env: { HOME: home, BR_BIN: "/new place/br" },
    });
    assert.equal(JSON.parse(res.stdout).action, "updated");
    assert.equal(
      await Deno.readTextFile(file),
      edited.replace('"/old/br"', '"/new place/br"').replace('[\n  "mcp",\n]', '["mcp"]'),
    );
  });

  await t.step("uninstall removes the table and nothing else", async () => {
    const res = await run(["uninstall"]);
    assert.equal(JSON.parse(res.stdout).action, "removed");
    assert.equal(await Deno.readTextFile(file), original);
    assert.equal(JSON.parse((await run(["uninstall"])).stdout).action, "absent");
  });

  await t.step("CODEX_HOME is honoured; a file that is not TOML is refused untouched", async () => {
    const codexHome = `${dir.path}/codex-home`;
    await Deno.mkdir(codexHome);
    await Deno.writeTextFile(`${codexHome}/config.toml`, "model = \n");
    const res = await br(["mcp", "install", "--client", "codex"], {
      cwd: dir.path,
      env: { ...env, CODEX_HOME: codexHome },
    });
    assert.equal(res.code, 3);
    assert.match(res.stderr, /^error: Cannot parse .*codex-home\/config\.toml/);
    assert.equal(await Deno.readTextFile(`${codexHome}/config.toml`), "model = \n");
  });
});
