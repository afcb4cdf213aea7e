/**
 * Scans of real folders and git repositories, through the library and the CLI.
 *
 * Secret samples come from ./samples.ts, built at run time from pieces: the repository holds
 * no literal secret.
 */
import assert from "node:assert/strict";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import sarifSchema from "../fixtures/sarif-schema-2.1.0.json" with { type: "json" };
import type { BrEvent } from "../../src/core/events.ts";
import { openProject } from "../../src/core/project.ts";
import { scanPaths } from "../../src/security/mod.ts";
import { br, brProcess, gitRun, tempProject } from "../helpers.ts";
import { ALNUM, rnd, SAMPLES } from "./samples.ts";
import { githubSarifProblems, pathOfUri, sarifSchemaErrors } from "../sarif.ts";

const GH = "gh" + "p_" + rnd(ALNUM, 36);
const STRIPE = "sk" + "_live_" + rnd(ALNUM, 28);
const PG_PASSWORD = rnd(ALNUM, 18);

// Both packages are CommonJS: their default export arrives wrapped.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

async function write(root: string, rel: string, text: string | Uint8Array): Promise<void> {
  const path = `${root}/${rel}`;
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  if (typeof text === "string") await Deno.writeTextFile(path, text);
  else await Deno.writeFile(path, text);
}

async function scanJson(cwd: string, args: string[] = []) {
  const res = await br(["security", "scan", "--json", ...args], { cwd });
  return { ...res, report: JSON.parse(res.stdout || "null") };
}

Deno.test("a fingerprint survives moving the secret to another line", async () => {
  await using dir = await tempProject();
  await write(dir.path, "src/a.ts", `export const t = "${GH}";\n`);
  const first = await scanJson(dir.path);
  assert.equal(first.code, 10);
  assert.equal(first.report.findings.length, 1);
  const base = await br(["security", "baseline"], { cwd: dir.path });
  assert.equal(base.code, 0, base.stderr);
  await write(dir.path, "src/a.ts", `// moved\n\n\nexport const other = 1;\nconst t = "${GH}";\n`);
  const moved = await scanJson(dir.path);
  assert.equal(moved.code, 0, moved.stdout);
  assert.equal(moved.report.findings[0].line, 5);
  assert.equal(moved.report.findings[0].fingerprint, first.report.findings[0].fingerprint);
  assert.equal(moved.report.findings[0].baselined, true);
  assert.deepEqual(moved.report.new_findings, []);
  // a second, new secret is not covered by the baseline
  await write(dir.path, "src/b.ts", `const s = "${STRIPE}";\n`);
  const added = await scanJson(dir.path);
  assert.equal(added.code, 10);
  assert.equal(added.report.new_findings.length, 1);
  assert.match(added.report.new_findings[0], /^stripe-secret-key:[0-9a-f]{64}$/);
});

Deno.test("a fingerprint survives a rebase and a squash", async () => {
  await using dir = await tempProject();
  const g = (...args: string[]) => gitRun(args, dir.path);
  await write(dir.path, "app.py", "import os\n\n\ndef main():\n    pass\n");
  await g("add", "-A");
  await g("commit", "-qm", "base");
  await g("branch", "-M", "main");
  await g("checkout", "-qb", "feature");
  await write(
    dir.path,
    "app.py",
    `import os\n\n\ndef main():\n    pass\n\nDATABASE_URL = "postgres://app:${PG_PASSWORD}@db:5432/app"\n`,
  );
  await g("commit", "-qam", "add db url");
  const before = (await scanJson(dir.path, ["--history", "1"])).report.findings;
  assert.equal(before.length, 1);
  assert.equal(before[0].line, 7);
  await g("checkout", "-q", "main");
  await write(dir.path, "app.py", "# header\n# more\nimport os\n\n\ndef main():\n    pass\n");
  await g("commit", "-qam", "header on main");
  await g("checkout", "-q", "feature");
  await g("rebase", "-q", "main");
  const after = (await scanJson(dir.path, ["--history", "1"])).report.findings;
  assert.equal(after.length, 1);
  assert.equal(after[0].line, 9);
  assert.notEqual(after[0].commit, before[0].commit);
  assert.equal(after[0].fingerprint, before[0].fingerprint);
  await g("reset", "-q", "--soft", "HEAD~2");
  await g("commit", "-qm", "squashed");
  const squashed = (await scanJson(dir.path, ["--history", "1"])).report.findings;
  assert.equal(squashed[0].fingerprint, before[0].fingerprint);
  const tree = (await scanJson(dir.path, ["app.py"])).report.findings;
  assert.equal(tree[0].fingerprint, before[0].fingerprint);
});

Deno.test("--staged scans the index and --history N the lines added by the last N commits", async (t) => {
  await using dir = await tempProject();
  const g = (...args: string[]) => gitRun(args, dir.path);
  await g("add", "-A");
  await g("commit", "-qm", "init");
  await write(dir.path, "one.ts", `\n\nconst a = "${GH}";\n`);
  await g("add", "one.ts");
  await g("commit", "-qm", "secret");
  const secretCommit = await g("rev-parse", "HEAD");
  await write(dir.path, "one.ts", "const a = process.env.TOKEN;\n");
  await g("commit", "-qam", "remove secret");
  await write(dir.path, "two.ts", `const s = "${STRIPE}";\n`);

  await t.step("the work tree has no secret in one.ts; history still has it", async () => {
    const res = await scanJson(dir.path, ["one.ts"]);
    assert.equal(res.code, 0);
    const h1 = await scanJson(dir.path, ["--history", "1"]);
    assert.deepEqual(h1.report.findings, []);
    const h2 = await scanJson(dir.path, ["--history", "2"]);
    assert.equal(h2.code, 10);
    assert.equal(h2.report.findings.length, 1);
    const f = h2.report.findings[0];
    assert.deepEqual([f.file, f.line, f.column, f.rule, f.commit], [
      "one.ts",
      3,
      12,
      "github-token",
      secretCommit,
    ]);
  });
  await t.step("--staged sees only what is staged", async () => {
    const none = await scanJson(dir.path, ["--staged"]);
    assert.equal(none.code, 0);
    assert.equal(none.report.files_scanned, 0);
    await g("add", "two.ts");
    const one = await scanJson(dir.path, ["--staged"]);
    assert.equal(one.code, 10);
    assert.deepEqual(one.report.findings.map((f: { file: string }) => f.file), ["two.ts"]);
    const check = await br(["security", "check"], { cwd: dir.path });
    assert.equal(check.code, 10);
    assert.match(check.stdout, /two\.ts:1:12 +high +stripe-secret-key/);
  });
  await t.step("paths, --staged and --history together are a usage error", async () => {
    const res = await br(["security", "scan", "--staged", "--history", "2"], { cwd: dir.path });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /^error: /);
  });
});

Deno.test("binary, large and vendored files are skipped and counted", async () => {
  await using dir = await tempProject();
  await write(
    dir.path,
    "bin/blob.dat",
    new Uint8Array([65, 0, 66, ...new TextEncoder().encode(GH)]),
  );
  await write(dir.path, "big.txt", `x = "${GH}"\n` + "y\n".repeat(20_000));
  await write(dir.path, "node_modules/pkg/index.js", `const t = "${GH}";\n`);
  await write(dir.path, "vendor/lib/a.py", `T = "${GH}"\n`);
  await write(dir.path, ".buildrunner/worktrees/t1/a.ts", `const t = "${GH}";\n`);
  await write(dir.path, "src/ok.ts", `const t = "${GH}";\n`);
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    "security:\n  max_file_bytes: 30000\n",
    { append: true },
  );
  const { report } = await scanJson(dir.path);
  assert.deepEqual(report.findings.map((f: { file: string }) => f.file), ["src/ok.ts"]);
  assert.deepEqual(report.skipped, { binary: 1, large: 1, vendored: 2 });
});

Deno.test("SARIF output validates against the SARIF 2.1.0 JSON schema", async () => {
  await using dir = await tempProject();
  await write(
    dir.path,
    "src/my file.ts",
    `const t = "${GH}";\nconst r = db.query("SELECT * FROM u WHERE id = " + id);\n`,
  );
  await write(dir.path, "keys/id_rsa", SAMPLES["private-key"].hit);
  const res = await br(["security", "scan", "--format", "sarif"], { cwd: dir.path });
  assert.equal(res.code, 10);
  const sarif = JSON.parse(res.stdout);
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(sarifSchema);
  assert.ok(validate(sarif as unknown), JSON.stringify(validate.errors, null, 2));
  // a broken log must fail, or the check above proves nothing
  assert.ok(!validate({ ...sarif, version: "2.0.0" }));
  const results = sarif.runs[0].results;
  assert.equal(results.length, 3);
  const byRule = Object.fromEntries(results.map((r: { ruleId: string }) => [r.ruleId, r]));
  const gh = byRule["github-token"];
  assert.equal(gh.locations[0].physicalLocation.artifactLocation.uri, "src/my%20file.ts");
  assert.deepEqual(gh.locations[0].physicalLocation.region, { startLine: 1, startColumn: 12 });
  assert.match(gh.partialFingerprints["br/v1"], /^github-token:[0-9a-f]{64}$/);
  assert.equal(
    byRule["private-key"].locations[0].physicalLocation.artifactLocation.uri,
    "keys/id_rsa",
  );
  assert.match(byRule["sql-injection"].message.text, /Fix: /);
  const ruleIds = sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
  for (const r of results) assert.equal(ruleIds[r.ruleIndex], r.ruleId);
});

Deno.test("no output, baseline or event ever holds a raw secret", async () => {
  await using dir = await tempProject();
  const secrets = [GH, STRIPE, PG_PASSWORD, ...Object.values(SAMPLES).map((s) => s.hit)];
  const raw: string[] = [GH, STRIPE, PG_PASSWORD];
  let text =
    `const a = "${GH}";\nconst b = "${STRIPE}";\nconst u = "postgres://app:${PG_PASSWORD}@db/app";\n`;
  for (const [id, s] of Object.entries(SAMPLES)) text += `// ${id}\n${s.hit}\n`;
  await write(dir.path, "src/all.ts", text);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-qm", "all"], dir.path);
  // the secrets as the scanner extracts them: take each finding's own line and check that
  // neither the full token nor its long tail appears anywhere
  const events: BrEvent[] = [];
  const outputs: string[] = [];
  for (
    const args of [
      ["security", "scan"],
      ["security", "scan", "--json"],
      ["security", "scan", "--format", "sarif"],
      ["security", "scan", "--history", "1", "--json"],
      ["security", "baseline", "--json"],
    ]
  ) {
    const res = await br(args, {
      cwd: dir.path,
      onProject: (p) => void p.bus.on("*", (e) => void events.push(e)),
    });
    outputs.push(res.stdout, res.stderr);
  }
  outputs.push(await Deno.readTextFile(`${dir.path}/.buildrunner/security-baseline.json`));
  outputs.push(JSON.stringify(events));
  const json = JSON.parse(outputs[2]);
  assert.ok(json.findings.length >= Object.keys(SAMPLES).length, "every sample was found");
  assert.ok(events.some((e) => e.type === "security.finding"));
  const haystack = outputs.join("\n");
  for (const s of raw) assert.ok(!haystack.includes(s), "a raw secret leaked");
  // per sample: the value after the last "=" or quote, at least 12 chars, must not leak
  for (const line of secrets) {
    const value = line.split(/[="' ]/).filter((x) => x.length >= 12).pop();
    if (value) assert.ok(!haystack.includes(value), `leaked: ${value.slice(0, 6)}...`);
  }
});

Deno.test("security.finding events carry rule, file, line and fingerprint for new findings only", async () => {
  await using dir = await tempProject();
  await write(dir.path, "a.ts", `const a = "${GH}";\n`);
  const project = await openProject({ cwd: dir.path });
  const events: BrEvent<"security.finding">[] = [];
  project.bus.on("security.finding", (e) => void events.push(e));
  try {
    const report = await scanPaths(project);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0].payload, {
      rule: "github-token",
      file: "a.ts",
      line: 1,
      fingerprint: report.findings[0].fingerprint,
    });
    await Deno.writeTextFile(
      `${dir.path}/.buildrunner/security-baseline.json`,
      JSON.stringify({ version: 1, fingerprints: [report.findings[0].fingerprint] }),
    );
    const again = await scanPaths(project);
    assert.equal(again.new_findings.length, 0);
    assert.equal(events.length, 1);
  } finally {
    await project.close();
  }
});

Deno.test("br security (subprocess): scan --json exits 10, check exits 0 on a clean index", async () => {
  await using dir = await tempProject();
  await write(dir.path, "a.ts", `const a = "${GH}";\n`);
  const scan = await brProcess(["security", "scan", "--json"], { cwd: dir.path });
  assert.equal(scan.code, 10, scan.stderr);
  const report = JSON.parse(scan.stdout);
  assert.deepEqual(Object.keys(report.findings[0]).slice(0, 7), [
    "file",
    "line",
    "column",
    "rule",
    "severity",
    "secret_masked",
    "fingerprint",
  ]);
  assert.ok(!scan.stdout.includes(GH));
  const check = await brProcess(["security", "check", "--json"], { cwd: dir.path });
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(JSON.parse(check.stdout).findings, []);
  const bad = await brProcess(["security", "scan", "--format", "xml"], { cwd: dir.path });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /error: Unknown format "xml"/);
});

Deno.test("the scanner's vendored folders are the project's SKIP_DIRS, but it reads .buildrunner/", async () => {
  const { SKIP_DIRS } = await import("../../src/core/walk.ts");
  const { VENDORED_DIRS } = await import("../../src/security/files.ts");
  assert.deepEqual([...VENDORED_DIRS, ".git", ".buildrunner"].sort(), [...SKIP_DIRS].sort());
  await using dir = await tempProject();
  const hook = SAMPLES["slack-webhook-url"].hit.split('"')[1];
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    `plugins:\n  slack:\n    webhook: ${hook}\n`,
    { append: true },
  );
  await write(dir.path, ".buildrunner/context/last.log", `token ${GH}\n`);
  const first = await scanJson(dir.path);
  assert.deepEqual(
    first.report.findings.map((f: { file: string; rule: string }) => `${f.file} ${f.rule}`),
    [".buildrunner/config.yaml slack-webhook-url"],
  );
  // the baseline (fingerprints look like "token:<hex>") is never reported itself
  assert.equal((await br(["security", "baseline"], { cwd: dir.path })).code, 0);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-qm", "with baseline"], dir.path);
  for (const args of [[], ["--history", "1"]]) {
    const again = await scanJson(dir.path, args);
    assert.equal(again.code, 0, again.stdout);
    assert.deepEqual(
      again.report.findings.map((f: { file: string }) => f.file),
      [".buildrunner/config.yaml"],
    );
  }
});

Deno.test("settings: BR_SECURITY__SQL=false turns SQL checks off; security.rules_file adds rules", async () => {
  await using dir = await tempProject();
  await write(
    dir.path,
    "a.ts",
    'db.query("SELECT * FROM t WHERE id = " + id);\nconst x = "corp-AbCdEfGhIj";\n',
  );
  const on = await scanJson(dir.path);
  assert.deepEqual(on.report.findings.map((f: { rule: string }) => f.rule), ["sql-injection"]);
  const off = await br(["security", "scan", "--json"], {
    cwd: dir.path,
    env: { BR_SECURITY__SQL: "false" },
  });
  assert.equal(off.code, 0, off.stderr);
  assert.deepEqual(JSON.parse(off.stdout).findings, []);
  await write(
    dir.path,
    "rules/corp.toml",
    "[[rules]]\nid = \"corp-key\"\nregex = '''corp-([A-Za-z]{10})'''\n",
  );
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    "security:\n  rules_file: rules/corp.toml\n  sql: false\n",
    { append: true },
  );
  const custom = await scanJson(dir.path);
  assert.deepEqual(custom.report.findings.map((f: { rule: string }) => f.rule), ["corp-key"]);
});

Deno.test("--history reads names with spaces and added lines that look like diff headers", async () => {
  await using dir = await tempProject();
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-qm", "init"], dir.path);
  await write(dir.path, "my dir/ünï file.py", `++ not a header\nT = "${STRIPE}"\n`);
  await gitRun(["add", "-A"], dir.path);
  await gitRun(["commit", "-qm", "odd names"], dir.path);
  const { report } = await scanJson(dir.path, ["--history", "5"]);
  assert.deepEqual(
    report.findings.map((f: { file: string; line: number }) => [f.file, f.line]),
    [["my dir/ünï file.py", 2]],
  );
});

Deno.test("the byte-level keyword pass agrees with the text one (UTF-8, case, non-ASCII keywords)", async () => {
  const { compileSecretRules, scanSecrets } = await import("../../src/security/mod.ts");
  await using dir = await tempProject();
  const rules = compileSecretRules([
    { id: "cyrillic", regex: "ключ=(\\d{4})", keywords: ["КЛЮЧ"] },
    { id: "ascii", regex: "(?i)zq-(\\d{5})", keywords: ["zq-"] },
  ]);
  const text = "\uFEFFé ключ=1234 — ZQ-12345 ✓\nzq-54321\n";
  await write(dir.path, "u.txt", text);
  const project = await openProject({ cwd: dir.path });
  try {
    const report = await scanPaths(project, ["u.txt"], { rules, emit: false });
    const strings = scanSecrets(text.slice(1), "u.txt", rules);
    assert.equal(report.findings.length, 3);
    assert.deepEqual(report.findings.map((f) => [f.rule, f.line, f.column]), [
      ["cyrillic", 1, 8],
      ["ascii", 1, 18],
      ["ascii", 2, 4],
    ]);
    assert.deepEqual(
      report.findings.map((f) => f.fingerprint).sort(),
      strings.map((f) => f.fingerprint).sort(),
    );
  } finally {
    await project.close();
  }
});

Deno.test("br security baseline --json reports the file and the count", async () => {
  await using dir = await tempProject();
  await write(dir.path, "a.ts", `const a = "${GH}";\nconst b = "${STRIPE}";\n`);
  const res = await br(["security", "baseline", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.count, 2);
  assert.equal(out.path, `${dir.path}/.buildrunner/security-baseline.json`);
  const file = JSON.parse(await Deno.readTextFile(out.path));
  assert.equal(file.version, 1);
  assert.equal(file.fingerprints.length, 2);
  assert.deepEqual(file.fingerprints, [...file.fingerprints].sort());
});

/** Every path under `dir` with its size: what a command wrote there shows up. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(rel ? `${dir}/${rel}` : dir)) {
      const name = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) {
        out.push(`${name}/`);
        if (e.name !== ".git") await walk(name);
      } else out.push(`${name} ${(await Deno.lstat(`${dir}/${name}`)).size}`);
    }
  };
  await walk("");
  return out.sort();
}

Deno.test("outside a project: scan any folder or git repository, write nothing", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "br-noproject-" });
  try {
    await write(dir, "a.ts", `export const t = "${GH}";\n`);
    await write(dir, "sub/b.py", 'cursor.execute(f"SELECT * FROM t WHERE id = {uid}")\n');
    await write(dir, "sub/c.txt", `s = "${STRIPE}"\n`);
    // BR_HOME inside the folder: anything br writes for itself would show up there too
    const env = { BR_HOME: `${dir}/.br-home`, BR_NO_TELEMETRY: "" };
    const scan = (args: string[], cwd = dir) =>
      brProcess(["security", "scan", "--json", ...args], { cwd, env });
    const rules = (r: { stdout: string }) =>
      JSON.parse(r.stdout).findings.map((f: { file: string; rule: string }) =>
        `${f.file} ${f.rule}`
      );
    const before = await tree(dir);

    await t.step("a plain folder, whole or in part", async () => {
      const all = await scan([]);
      assert.equal(all.code, 10, all.stderr);
      assert.deepEqual(rules(all), [
        "a.ts github-token",
        "sub/b.py sql-injection",
        "sub/c.txt stripe-secret-key",
      ]);
      assert.equal(all.stdout.includes(GH), false);
      const part = await scan(["sub/c.txt"]);
      assert.deepEqual(rules(part), ["sub/c.txt stripe-secret-key"]);
      const sarif = await brProcess(["security", "scan", "--format", "sarif"], { cwd: dir, env });
      assert.equal(sarif.code, 10, sarif.stderr);
      assert.equal(JSON.parse(sarif.stdout).runs[0].results.length, 3);
    });
    await t.step("--staged and --history need a git repository", async () => {
      const staged = await scan(["--staged"]);
      assert.notEqual(staged.code, 0);
      assert.match(staged.stderr, /git/);
    });
    await t.step(".gitleaks.toml at the root, and --rules", async () => {
      await write(
        dir,
        ".gitleaks.toml",
        "[[rules]]\nid = \"own\"\nregex = '''own-([a-z]{10})'''\n",
      );
      await write(dir, "d.txt", "own-abcdefghij\n");
      assert.deepEqual(rules(await scan([])), ["d.txt own", "sub/b.py sql-injection"]);
      await write(dir, "cfg/top.toml", '[extend]\npath = "cfg/base.toml"\n');
      await write(dir, "cfg/base.toml", "[extend]\nuseDefault = true\n");
      assert.deepEqual(rules(await scan(["--rules", "cfg/top.toml", "a.ts", "d.txt"])), [
        "a.ts github-token",
      ]);
      await Deno.remove(`${dir}/.gitleaks.toml`);
      await Deno.remove(`${dir}/d.txt`);
      await Deno.remove(`${dir}/cfg`, { recursive: true });
    });
    assert.deepEqual(await tree(dir), before, "nothing written");

    await t.step("a git repository: --staged, --history, from a subfolder", async () => {
      await gitRun(["init", "-q"], dir);
      await gitRun(["add", "a.ts"], dir);
      await gitRun(["commit", "-qm", "one"], dir);
      await gitRun(["add", "sub/c.txt"], dir);
      const gitBefore = await tree(dir);
      const staged = await scan(["--staged"], `${dir}/sub`);
      assert.equal(staged.code, 10, staged.stderr);
      assert.deepEqual(rules(staged), ["sub/c.txt stripe-secret-key"]);
      const history = await scan(["--history", "1"], `${dir}/sub`);
      assert.deepEqual(rules(history), ["a.ts github-token"]);
      assert.match(JSON.parse(history.stdout).findings[0].commit, /^[0-9a-f]{40}$/);
      const here = await scan(["."], `${dir}/sub`);
      assert.deepEqual(rules(here), ["sub/b.py sql-injection", "sub/c.txt stripe-secret-key"]);
      assert.deepEqual(await tree(dir), gitBefore, "nothing written");
    });
    await t.step("--project still requires a project", async () => {
      const r = await scan(["--project", dir]);
      assert.equal(r.code, 4, r.stderr);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("security SARIF is what GitHub code scanning takes: encoded URIs, fingerprints, rule help", async () => {
  await using dir = await tempProject();
  const odd = "src/my dir/ünï [1]#%.ts";
  await write(
    dir.path,
    odd,
    `const t = "${GH}";\nconst r = db.query("SELECT * FROM u WHERE id = " + id);\n`,
  );
  const res = await br(["security", "scan", "--format", "sarif"], { cwd: dir.path });
  assert.equal(res.code, 10, res.stderr);
  const sarif = JSON.parse(res.stdout);
  assert.deepEqual(sarifSchemaErrors(sarif), []);
  assert.deepEqual(githubSarifProblems(sarif), []);
  const run = sarif.runs[0];
  for (const r of run.results) {
    const uri = r.locations[0].physicalLocation.artifactLocation.uri;
    assert.equal(uri, "src/my%20dir/%C3%BCn%C3%AF%20%5B1%5D%23%25.ts");
    assert.equal(pathOfUri(uri), odd);
  }
  const rules = Object.fromEntries(
    run.tool.driver.rules.map((r: { id: string }) => [r.id, r]),
  );
  assert.match(rules["sql-injection"].help.text, /query parameters/);
  assert.match(rules["github-token"].help.text, /rotate/);
  // The rule's security-severity follows its most severe finding (a made-up token that fails
  // GitHub's checksum is one level lower: medium).
  const ghSeverity = run.results.find((r: { ruleId: string }) => r.ruleId === "github-token")
    .properties.severity as string;
  const SCORE: Record<string, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" };
  assert.equal(rules["github-token"].properties["security-severity"], SCORE[ghSeverity]);
});
