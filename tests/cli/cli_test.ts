import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import { join } from "node:path";
import { plainLine } from "../../src/cli/app.ts";
import { RUN_FLAGS, selfCommand } from "../../src/core/self.ts";
import { br, brProcess, type BrRun, gitRun, tempDir, tempProject } from "../helpers.ts";

Deno.test("--version and -v print the version from deno.json", async () => {
  await using dir = await tempDir();
  for (const flag of ["--version", "-v"]) {
    const res = await br([flag], { cwd: dir.path });
    assert.equal(res.code, 0);
    assert.equal(res.stdout, `${denoJson.version}\n`);
  }
});

Deno.test("completions print a script per shell and propose commands", async () => {
  await using dir = await tempProject();
  for (const shell of ["bash", "zsh", "fish"]) {
    const res = await br(["completions", shell], { cwd: dir.path });
    assert.equal(res.code, 0);
    assert.match(res.stdout, /br __complete/);
  }
  assert.match(
    (await br(["completions", "bash"], { cwd: dir.path })).stdout,
    /complete -o default -F _br_complete br/,
  );
  assert.equal((await br(["completions", "tcsh"], { cwd: dir.path })).code, 2);
  const top = await br(["__complete", "fe"], { cwd: dir.path });
  assert.deepEqual(top.stdout.trim().split("\n"), ["feature"]);
  const sub = await br(["__complete", "feature", "st"], { cwd: dir.path });
  assert.deepEqual(sub.stdout.trim().split("\n"), ["start"]);
  const hidden = await br(["__complete", ""], { cwd: dir.path });
  assert.ok(!hidden.stdout.includes("__complete"));
});

Deno.test("colors only on a TTY and never with NO_COLOR", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "Login"], { cwd: dir.path });
  const piped = await br(["feature", "list"], { cwd: dir.path, env: { NO_COLOR: "" } });
  assert.ok(!piped.stdout.includes("\x1b["));
  const tty = await br(["status"], { cwd: dir.path, tty: true, env: { NO_COLOR: "" } });
  assert.ok(tty.stdout.includes("\x1b["));
  const noColor = await br(["status"], { cwd: dir.path, tty: true, env: { NO_COLOR: "1" } });
  assert.ok(!noColor.stdout.includes("\x1b["));
});

// One subprocess smoke test per command group, with the permissions the binary gets.
Deno.test("smoke: init, feature, status, generate, config, completions as real processes", async () => {
  await using dir = await tempDir();
  const run = (args: string[]) => brProcess(args, { cwd: dir.path });
  const init = await run(["init", "--name", "smoke"]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /Initialized/);
  const add = await run(["feature", "add", "Login", "--acceptance", "works", "--json"]);
  assert.equal(add.code, 0, add.stderr);
  assert.equal(JSON.parse(add.stdout).id, "login");
  const status = await run(["status", "--json"]);
  assert.equal(JSON.parse(status.stdout).metrics.features_total, 1);
  const gen = await run(["generate"]);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(await Deno.readTextFile(`${dir.path}/STATUS.md`), /### Login \(`login`\)/);
  const cfg = await run(["config", "set", "project.test_command", "deno task test"]);
  assert.equal(cfg.code, 0, cfg.stderr);
  assert.equal((await run(["config", "get", "project.test_command"])).stdout, "deno task test\n");
  const comp = await run(["completions", "zsh"]);
  assert.match(comp.stdout, /compdef _br br/);
  const missing = await run(["feature", "show", "nope"]);
  assert.equal(missing.code, 4);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /^error: Cannot find feature "nope"\nhint: /);
  const usage = await run(["nope"]);
  assert.equal(usage.code, 2);
});

Deno.test("plainLine reads only the plain lines of the commands it knows", () => {
  const read = (argv: string[]) => {
    const line = plainLine(argv);
    return line && { command: line.command, flags: line.flags, args: line.args };
  };
  assert.deepEqual(read(["hooks", "run", "pre-commit"]), {
    command: "hooks run",
    flags: {},
    args: ["pre-commit"],
  });
  assert.deepEqual(
    read(["hooks", "run", "--project", "apps/web", "pre-push", "origin", "git@h:x.git"]),
    {
      command: "hooks run",
      flags: { project: "apps/web" },
      args: ["pre-push", "origin", "git@h:x.git"],
    },
  );
  assert.deepEqual(read(["hooks", "run", "commit-msg", "--project=a b", "--json", "m"]), {
    command: "hooks run",
    flags: { project: "a b", json: true },
    args: ["commit-msg", "m"],
  });
  assert.deepEqual(read(["status"]), { command: "status", flags: {}, args: [] });
  assert.deepEqual(read(["generate", "--check", "--json", "--project", "p"]), {
    command: "generate",
    flags: { check: true, json: true, project: "p" },
    args: [],
  });
  assert.deepEqual(read(["validate", "--gates=gaps,quality", "--json"]), {
    command: "validate",
    flags: { gates: "gaps,quality", json: true },
    args: [],
  });
  assert.deepEqual(read(["cost", "import", "--dir", "a", "codex", "--dir=b c", "--json"]), {
    command: "cost import",
    flags: { dir: ["a", "b c"], json: true },
    args: ["codex"],
  });
  assert.deepEqual(read(["cost", "import"]), { command: "cost import", flags: {}, args: [] });
  assert.deepEqual(read(["cost", "summary", "--by", "model", "--since=2026-11-01"]), {
    command: "cost summary",
    flags: { by: "model", since: "2026-11-01" },
    args: [],
  });
  for (
    const argv of [
      [],
      ["hooks", "run"],
      ["hooks", "run", "--json"],
      ["hooks", "status"],
      ["hook", "run", "pre-commit"],
      ["hooks", "run", "--help", "pre-commit"],
      ["hooks", "run", "-h"],
      ["hooks", "run", "pre-commit", "--", "-x"],
      ["hooks", "run", "--json", "--json", "pre-commit"],
      ["hooks", "run", "--project", "a", "--project", "b", "pre-commit"],
      ["hooks", "run", "--project"],
      ["hooks", "run", "--project", "--json", "pre-commit"],
      ["hooks", "run", "--project=", "pre-commit"],
      ["hooks", "run", "--projects", "x", "pre-commit"],
      ["hooks", "run", "--json=true", "pre-commit"],
      ["hooks", "run", "pre-push", "-origin"],
      ["status", "extra"],
      ["status", "--check"],
      ["status", "--no-json"],
      ["generate", "--check=false"],
      ["generate", "-p", "x"],
      ["status", "--project=a\nb"],
      ["hooks", "run", "pre-commit", "--project=a\u2028b"],
      ["statuses"],
      ["validate", "--threshold", "80"],
      ["validate", "--gates"],
      ["validate", "gaps"],
      ["cost", "import", "codex", "claude-code"],
      ["cost", "import", "--dir"],
      ["cost", "import", "--dir", "a", "--json", "--json"],
      ["cost", "summary", "--by", "model", "--by", "day"],
      ["cost", "summary", "extra"],
      ["cost", "statusline", "--dir", "x"],
      ["cost", "models"],
    ]
  ) {
    assert.equal(plainLine(argv), null, argv.join(" "));
  }
});

Deno.test("a plain line gives what the full parser gives", async () => {
  await using dir = await tempProject("plain");
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-q", "-m", "init"], dir.path);
  assert.equal((await br(["feature", "add", "Login"], { cwd: dir.path })).code, 0);
  await gitRun(["add", "-A"], dir.path);
  // Once, so that STATUS.md is staged and the runs below all see the same index.
  assert.equal((await br(["hooks", "run", "pre-commit"], { cwd: dir.path })).code, 0);
  const message = join(dir.path, "MSG");
  await Deno.writeTextFile(message, "add login\n");
  const home = join(dir.path, ".br-home");
  for (
    const argv of [
      ["hooks", "run", "pre-commit"],
      ["hooks", "run", "--json", "pre-commit"],
      ["hooks", "run", "--project", dir.path, "pre-commit"],
      ["hooks", "run", `--project=${dir.path}`, "commit-msg", message, "--json"],
      ["hooks", "run", "commit-msg"],
      ["hooks", "run", "pre-comit"],
      ["hooks", "run", "--project", join(dir.path, "nowhere"), "pre-commit"],
      ["status"],
      ["status", "--json"],
      ["status", "--project", dir.path, "--json"],
      ["status", "--project", join(dir.path, "nowhere")],
      ["generate", "--check"],
      ["generate", "--json"],
      ["generate", "--check", "--json"],
      ["generate"],
      ["validate"],
      ["validate", "--json", "--gates", "features,spec"],
      ["validate", "--gates=lint"],
      ["validate", "--project", join(dir.path, "nowhere")],
    ]
  ) {
    // (the gates' timings aside, and whether the second run answered from the gate memo)
    const timeless = (r: BrRun) => ({
      ...r,
      stdout: r.stdout.replace(/ *\d+ ms\b/g, " ms").replace(/"duration_ms": \d+/g, "ms")
        .replace("Nothing the gates read changed since their last run: its results.\n", "")
        .replace(/,\n {2}"reused": true/, ""),
    });
    const plain = await br(argv, { cwd: dir.path, env: { BR_HOME: home } });
    const tree = await br(argv, { cwd: dir.path, env: { BR_HOME: home }, tree: true });
    assert.deepEqual(timeless(plain), timeless(tree), argv.join(" "));
  }
  assert.equal((await br(["hooks", "run", "pre-comit"], { cwd: dir.path })).code, 2);
  // Telemetry names the command the same way. (Sessions are recorded for every run in a
  // project that checked something, as each check is a gate event, and for the runs that
  // failed: the first pre-commit, then pre-commit three ways and commit-msg with its file,
  // commit-msg without its file and the misspelt hook, each run both ways, plus the last run.)
  const events = JSON.parse(
    (await br(["telemetry", "events", "--type", "session.ended", "--json"], { cwd: dir.path }))
      .stdout,
  ) as { payload: { command: string; exit_code: number } }[];
  const hookRuns = events.filter((e) => e.payload.command === "hooks run");
  assert.equal(hookRuns.length, 14, JSON.stringify(events.map((e) => e.payload.command)));
});

Deno.test("every way of starting br runs it with the same flags", async () => {
  const flags = RUN_FLAGS.join(" ").replace("--allow-all", "-A");
  const tasks = denoJson.tasks as Record<string, string>;
  assert.ok(tasks.br.startsWith(`deno run ${flags} main.ts`), tasks.br);
  // `deno task compile` and `deno task release` compile through scripts/_compile.ts.
  assert.equal(tasks.compile, "deno run -A scripts/compile.ts");
  const compile = await Deno.readTextFile(new URL("../../scripts/_compile.ts", import.meta.url));
  assert.match(compile, /"compile",\s+\.\.\.RUN_FLAGS,/);
  const main = await Deno.readTextFile(new URL("../../main.ts", import.meta.url));
  assert.equal(main.split("\n")[0], `#!/usr/bin/env -S deno run ${RUN_FLAGS.join(" ")}`);
  // Every line of the README that runs or installs main.ts.
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const lines = readme.match(/deno(@[\d.]+)? (run|install)[^`\n]*main\.ts/g) ?? [];
  assert.ok(lines.length >= 3, lines.join("\n"));
  for (const line of lines) assert.ok(line.includes(` ${flags} `), line);
  const self = selfCommand({});
  assert.deepEqual(self.slice(1, 3 + RUN_FLAGS.length), ["run", "--quiet", ...RUN_FLAGS]);
  // The flag is one V8 knows (an unknown one makes deno warn on every run).
  const run = await brProcess(["--version"], { cwd: Deno.cwd() });
  assert.equal(run.stderr, "");
  assert.equal(run.stdout, `${denoJson.version}\n`);
});
