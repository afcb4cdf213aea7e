// Every command that prints data takes --json and then prints one JSON document on stdout.
// The test walks the whole command tree (src/cli/tree.ts), so a new command is checked too:
// it fails until the command takes --json, or is listed in EXEMPT with the reason.
import assert from "node:assert/strict";
import { buildApp } from "../../src/cli/tree.ts";
import { br, gitRun, tempDir, tempProject } from "../helpers.ts";

/** Commands that print no data, and why. */
const EXEMPT: Record<string, string> = {
  "completions": "prints a shell script to source",
  "__complete": "prints completion words for the shell, one a line",
  "mcp serve": "speaks MCP (JSON-RPC) on stdio",
  "dashboard serve": "serves a web page until stopped (its data is `br dashboard --json`)",
  "plugin run": "prints what the plugin's command writes",
  "pipe": "prints what the command it runs writes",
  "watch": "runs until Ctrl-C; with --json, one JSON object a line",
};

const QUIET_PLUGIN = new URL("../fixtures/plugins/quiet.js", import.meta.url).pathname;

/** Every command of the tree with its flag names (`feature add` -> [...]). */
async function commands(): Promise<Map<string, string[]>> {
  const app = await buildApp();
  const out = new Map<string, string[]>();
  // deno-lint-ignore no-explicit-any
  const walk = (target: any, path: string[]) => {
    if (typeof target.getAllEntries === "function") {
      for (const e of target.getAllEntries()) walk(e.target, [...path, e.name.original]);
    } else out.set(path.join(" "), Object.keys(target.parameters?.flags ?? {}));
  };
  walk(app.root, []);
  return out;
}

/** The command a command line names: its longest prefix that is one. */
function commandOf(tree: Map<string, string[]>, args: string[]): string {
  for (let n = args.length; n > 0; n--) {
    const name = args.slice(0, n).join(" ");
    if (tree.has(name)) return name;
  }
  return "";
}

/**
 * A command line for each data command, run in this order in one project (features login and
 * profile, committed): each must print one JSON document on stdout, whatever its exit code.
 */
const RUNS: string[][] = [
  ["status"],
  ["generate"],
  ["feature", "add", "Search"],
  ["feature", "list"],
  ["feature", "show", "login"],
  ["feature", "update", "search", "--priority", "high"],
  ["feature", "start", "search"],
  ["feature", "complete", "search"],
  ["feature", "block", "profile", "--reason", "waiting"],
  ["feature", "unblock", "profile"],
  ["feature", "next"],
  ["feature", "graph"],
  ["feature", "remove", "search"],
  ["config", "get", "project.name"],
  ["config", "set", "project.test_command", "deno test"],
  ["config", "unset", "project.test_command"],
  ["config", "list"],
  ["mcp", "install", "--client", "cursor"],
  ["mcp", "uninstall", "--client", "cursor"],
  ["mcp", "tools"],
  ["parallel", "status"],
  ["parallel", "list"],
  ["parallel", "dashboard"],
  ["parallel", "dashboard", "--once"],
  ["parallel", "cleanup"],
  ["dashboard", "show", "--roots", "."],
  ["dashboard", "show", "--roots", ".", "--view", "timeline"],
  ["cost", "import"],
  ["cost", "summary"],
  ["cost", "models"],
  ["cost", "blocks"],
  ["cost", "statusline"],
  ["cost", "budget", "set", "daily", "5"],
  ["cost", "budget", "list"],
  ["cost", "budget", "check"],
  ["cost", "budget", "remove", "daily"],
  ["gaps", "analyze"],
  ["quality", "check"],
  ["guard", "check"],
  ["governance", "verify"],
  ["governance", "show"],
  ["governance", "update"],
  ["hooks", "install"],
  ["hooks", "status"],
  ["hooks", "snippet"],
  ["hooks", "run", "pre-commit"],
  ["hooks", "uninstall"],
  ["validate"],
  ["design", "profiles"],
  ["design", "profile", "healthcare"],
  ["design", "patterns"],
  ["design", "pattern", "dashboard"],
  ["design", "generate", "healthcare", "dashboard"],
  ["design", "preview", "healthcare", "dashboard"],
  ["security", "scan"],
  ["security", "check"],
  ["security", "baseline", "src"],
  ["security", "rules"],
  [
    "spec",
    "wizard",
    "--name",
    "Demo",
    "--description",
    "A dashboard for clinics",
    "--user",
    "Staff",
    "--feature",
    "Login: a user logs in",
  ],
  ["spec", "validate"],
  ["spec", "sync"],
  ["spec", "show"],
  ["spec", "confirm"],
  ["spec", "lock"],
  ["spec", "unlock"],
  ["context"],
  ["handoff", "login"],
  ["telemetry", "summary"],
  ["telemetry", "events"],
  ["telemetry", "alerts"],
  ["telemetry", "performance"],
  ["telemetry", "export"],
  ["telemetry", "prune", "--older-than", "90d", "--yes"],
  ["routing", "estimate", "Add a login form"],
  ["routing", "select", "Add a login form"],
  ["routing", "models"],
  ["routing", "outcome", "login", "--model", "claude-sonnet-4-5", "--result", "success"],
  ["routing", "costs"],
  ["parallel", "pause"],
  ["parallel", "stop"],
  ["parallel", "resume"],
  ["parallel", "run", "--features", "login", "--agent-command", "true"],
  ["parallel", "worker"],
  ["plugin", "add", QUIET_PLUGIN, "--yes"],
  ["plugin", "list"],
  ["plugin", "info", "quiet"],
  ["plugin", "update", "quiet"],
  ["plugin", "remove", "quiet"],
  ["migrate", "status"],
  ["migrate", "from-v2", "--dry-run"],
  ["migrate", "from-v3", "--dry-run"],
  ["migrate", "rollback"],
  ["import", "taskmaster"],
  ["import", "speckit", "specs/none/tasks.md"],
  ["export", "taskmaster"],
  ["parallel", "report"],
  ["debug"],
  ["env", "detect"],
  ["env", "template"],
  ["env", "check"],
  ["store", "migrate-to", "postgres://br@127.0.0.1:1/br"],
  ["store", "status"],
];

/** Commands run in a folder of their own (they start a project). */
const SETUP_RUNS: string[][] = [
  ["init", "--dir", "fresh"],
  ["attach", "other"],
  ["plugin", "new", "greeter"],
];

/** Command lines that fail here (no run to act on): stdout stays empty, the error on stderr. */
const FAILING: Record<string, number> = {
  "parallel pause": 4,
  "parallel stop": 4,
  "parallel resume": 4,
  // SQLite: a worker needs a shared PostgreSQL store (2); on PostgreSQL: no git remote (4).
  "parallel worker": Deno.env.get("BR_DATABASE_URL") ? 4 : 2,
  "migrate from-v2": 4, // no .runner/ here
  "migrate rollback": 4, // nothing was migrated
  "import taskmaster": 4, // no tasks.json here
  "import speckit": 4, // no such tasks.md
  "export taskmaster": 4, // nothing was imported
};
// No server listens there (8); on PostgreSQL the project has no br.db: nothing to copy (0).
if (!Deno.env.get("BR_DATABASE_URL")) FAILING["store migrate-to"] = 8;

Deno.test("every data command of the tree takes --json and prints one JSON document", async (t) => {
  const tree = await commands();
  await t.step("the exempt list names real commands that print no data", () => {
    for (const name of Object.keys(EXEMPT)) assert.ok(tree.has(name), `${name} is not a command`);
  });
  const data = [...tree.keys()].filter((name) => !Object.hasOwn(EXEMPT, name));
  await t.step("every data command declares --json", () => {
    const missing = data.filter((name) => !tree.get(name)!.includes("json"));
    assert.deepEqual(missing, []);
  });
  const covered = new Set([...RUNS, ...SETUP_RUNS].map((args) => commandOf(tree, args)));
  await t.step("every data command is run below", () => {
    assert.deepEqual(data.filter((name) => !covered.has(name)), []);
  });

  await using dir = await tempProject("json");
  const cwd = dir.path;
  for (
    const args of [
      ["feature", "add", "Login", "--acceptance", "A user logs in", "--files", "src/login.ts"],
      ["feature", "add", "Profile", "--depends-on", "login", "--acceptance", "It can be edited"],
    ]
  ) {
    assert.equal((await br(args, { cwd })).code, 0);
  }
  await Deno.mkdir(`${cwd}/src`);
  await Deno.writeTextFile(`${cwd}/src/login.ts`, "export const login = () => true;\n");
  await gitRun(["add", "-A"], cwd);
  await gitRun(["commit", "-q", "-m", "start"], cwd);
  await using other = await tempDir();
  await Deno.mkdir(`${other.path}/other`);
  const home = { HOME: `${other.path}/home` };

  const runs: [string[], string][] = [
    ...SETUP_RUNS.map((a): [string[], string] => [a, other.path]),
    ...RUNS.map((a): [string[], string] => [a, cwd]),
  ];
  for (const [args, where] of runs) {
    const line = ["br", ...args, "--json"].join(" ");
    await t.step(line, async () => {
      const res = await br([...args, "--json"], { cwd: where, env: home });
      const name = commandOf(tree, args);
      // A usage error means a wrong command line here, unless the command expects it.
      if (FAILING[name] !== 2) assert.notEqual(res.code, 2, `${line}: ${res.stderr}`);
      if (Object.hasOwn(FAILING, name)) {
        assert.equal(res.code, FAILING[name], res.stderr);
        assert.equal(res.stdout, "", "an error prints nothing on stdout");
        assert.match(res.stderr, /^error: /);
        return;
      }
      assert.ok(res.stdout.endsWith("\n"), `${line} (exit ${res.code}): ${res.stderr}`);
      let doc: unknown;
      try {
        doc = JSON.parse(res.stdout);
      } catch (err) {
        assert.fail(
          `${line} (exit ${res.code}) printed no single JSON document: ${err}\n${
            res.stdout.slice(0, 400)
          }\n${res.stderr.slice(0, 400)}`,
        );
      }
      assert.notEqual(doc, undefined);
    });
  }
});
