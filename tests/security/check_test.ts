/**
 * Pre-commit path: `securityCheck` on staged content in a real git repository.
 *
 * Secret samples are assembled at run time from pieces so that this repository never holds a
 * literal secret that would trip scanners (ours or anyone's).
 */
import assert from "node:assert/strict";
import { openProject } from "../../src/core/project.ts";
import { securityCheck } from "../../src/security/mod.ts";
import { gitRun, tempProject } from "../helpers.ts";

const GH = "ghp" + "_" + "aB3dE5fG7hJ9kL1mN3pQ" + "5rS7tU9vW1xY3z5A";

Deno.test("securityCheck() reports a staged secret and ignores unstaged edits", async () => {
  await using dir = await tempProject();
  await gitRun(["init", "-q"], dir.path).catch(() => "");
  await Deno.writeTextFile(`${dir.path}/ok.ts`, "export const a = 1;\n");
  await gitRun(["add", "ok.ts"], dir.path);
  const project = await openProject({ cwd: dir.path });
  try {
    let report = await securityCheck(project);
    assert.equal(report.new_findings.length, 0);
    // staged: a secret; then the work tree is cleaned without staging: the index still counts
    await Deno.writeTextFile(`${dir.path}/ok.ts`, `export const t = "${GH}";\n`);
    await gitRun(["add", "ok.ts"], dir.path);
    await Deno.writeTextFile(`${dir.path}/ok.ts`, "export const a = 1;\n");
    report = await securityCheck(project);
    assert.equal(report.new_findings.length, 1);
    assert.equal(report.new_findings[0].rule, "github-token");
    assert.equal(report.new_findings[0].file, "ok.ts");
    assert.equal(report.new_findings[0].line, 1);
    assert.ok(!JSON.stringify(report).includes(GH));
  } finally {
    await project.close();
  }
});

Deno.test("securityCheck() of a project in a subfolder, opened through a symbolic link", async () => {
  await using dir = await tempProject();
  // The repository is the temp folder; the project is apps/web inside it.
  await gitRun(["init", "-q"], dir.path).catch(() => "");
  const web = `${dir.path}/apps/web`;
  await Deno.mkdir(`${web}/.buildrunner`, { recursive: true });
  await Deno.writeTextFile(`${web}/config.ts`, `export const t = "${GH}";\n`);
  await gitRun(["add", "-A"], dir.path);
  const link = `${dir.path}-link`;
  await Deno.symlink(dir.path, link);
  const project = await openProject({ cwd: `${link}/apps/web` });
  try {
    const report = await securityCheck(project);
    assert.deepEqual(report.new_findings.map((f) => [f.rule, f.file]), [[
      "github-token",
      "config.ts",
    ]]);
  } finally {
    await project.close();
    await Deno.remove(link);
  }
});

Deno.test("a project's settings and rules files cannot switch the built-in rules off for the pre-commit check", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/key.ts`, `export const t = "${GH}";\n`);
  await gitRun(["add", "key.ts"], dir.path);
  // Every way a file the check reads could loosen it: no built-in rules in config, a rules
  // file that disables the rule, one that replaces its regex, one that extends nothing.
  await Deno.writeTextFile(
    `${dir.path}/.buildrunner/config.yaml`,
    "security:\n  builtin_rules: false\n  rules_file: .gitleaks.toml\n",
  );
  await Deno.writeTextFile(
    `${dir.path}/.gitleaks.toml`,
    [
      "[extend]",
      "useDefault = true",
      'disabledRules = ["github-token"]',
      "[[rules]]",
      'id = "github-token"',
      "regex = '''never-matches-anything'''",
      "[[rules]]",
      'id = "acme-token"',
      "regex = '''acme_[0-9a-z]{20}'''",
    ].join("\n"),
  );
  const project = await openProject({ cwd: dir.path });
  try {
    const report = await securityCheck(project);
    assert.deepEqual(report.new_findings.map((f) => f.rule), ["github-token"]);
  } finally {
    await project.close();
  }
  // `br security scan` reports honour the settings (the gate does not).
  const { br } = await import("../helpers.ts");
  const scan = await br(["security", "scan", "key.ts", "--json"], { cwd: dir.path });
  assert.equal(JSON.parse(scan.stdout).new_findings.length, 0, scan.stdout);
});
