import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { RUN_FLAGS } from "../../src/core/self.ts";
import { br, brProcess, DENO_JSON, MAIN_TS, readJson, tempProject } from "../helpers.ts";
import { brOk } from "./_fixtures.ts";
import { detectUseCase } from "../../src/spec/mod.ts";
import { pickOptions } from "../../src/cli/commands/spec_prompts.ts";
import { USE_CASES } from "../../src/spec/mod.ts";

const ANSWERS = `name: Acme Clinic
description: A portal where patients book visits with their doctor and see lab results.
users: [Patients, Clinic staff]
stack: [deno, postgres]
features:
  - name: User model
    priority: high
    acceptance: [Users have an email and a role]
  - name: Login
    id: auth-login
    description: Email and password login.
    priority: critical
    acceptance:
      - A user can log in with email
      - Wrong passwords are rejected
    depends_on: [User model]
`;

Deno.test("spec wizard --answers (subprocess, no terminal) writes a valid spec and syncs it", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/answers.yaml`, ANSWERS);
  const res = await brProcess(["spec", "wizard", "--answers", "answers.yaml", "--sync", "--json"], {
    cwd: dir.path,
  });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.path, "PROJECT_SPEC.md");
  assert.deepEqual(out.features, ["user-model", "auth-login"]);
  assert.equal(out.industry.value, "healthcare");
  assert.equal(out.industry.source, "detected");
  assert.ok(out.industry.matched.includes("patients"), out.industry.matched);
  assert.equal(out.industry.candidates[0].name, "healthcare");
  // Without a terminal the top candidate is written, and --json shows the candidates.
  const useCase = detectUseCase(
    "A portal where patients book visits with their doctor and see lab results.",
  );
  assert.notEqual(useCase.value, "unknown");
  assert.equal(out.use_case.value, useCase.value);
  assert.deepEqual(out.use_case.candidates, useCase.candidates);
  assert.equal(out.use_case.candidates.length, 3);
  assert.deepEqual(out.sync.added_to_features, ["auth-login", "user-model"]);
  const spec = await Deno.readTextFile(`${dir.path}/PROJECT_SPEC.md`);
  assert.match(
    spec,
    new RegExp(
      `^---\nname: Acme Clinic\nstatus: draft\nindustry: healthcare\nuse_case: ${useCase.value}\nstack: \\[deno, postgres\\]\n---\n`,
    ),
  );
  assert.match(
    spec,
    /### Login \{#auth-login\}\n\nEmail and password login\.\n\nPriority: critical\nDepends on: user-model\n/,
  );
  const validate = await brProcess(["spec", "validate", "--json"], { cwd: dir.path });
  assert.equal(validate.code, 0, validate.stdout);
  const file = await readJson<{ features: { id: string; dependencies: string[] }[] }>(
    `${dir.path}/.buildrunner/features.json`,
  );
  assert.deepEqual(file.features.map((f) => [f.id, f.dependencies]), [
    ["user-model", []],
    ["auth-login", ["user-model"]],
  ]);
});

Deno.test("spec wizard without a terminal never hangs: exit 2 naming the missing flag", async () => {
  await using dir = await tempProject();
  let res = await brProcess(["spec", "wizard"], { cwd: dir.path });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /^error: Missing --name: stdin is not a terminal/);
  assert.match(res.stderr, /hint: pass --name, or --answers answers\.yaml with "name" in it/);
  res = await brProcess(["spec", "wizard", "--name", "X", "--description", "Y"], {
    cwd: dir.path,
    stdin: "",
  });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /Missing --feature/);
  assert.equal(await Deno.stat(`${dir.path}/PROJECT_SPEC.md`).catch(() => null), null);
});

Deno.test("spec wizard takes everything from flags, and never replaces a spec silently", async () => {
  await using dir = await tempProject();
  const args = [
    "spec",
    "wizard",
    "--name",
    "Coins",
    "--description",
    "A mobile wallet to send money to friends",
    "--use-case",
    "api service",
    "--stack",
    "deno,sqlite",
    "--user",
    "Students",
    "--feature",
    "Send money!high: A user sends money to a friend; The friend is notified",
    "--feature",
    "History: A user sees past transfers",
  ];
  const res = await brOk(args, dir.path);
  assert.match(
    res.stdout,
    /industry: fintech \(detected, confidence (?:0\.9\d|1): [a-z, ]*wallet/,
  );
  assert.match(res.stdout, /use case: api-service \(given\)/);
  const spec = await Deno.readTextFile(`${dir.path}/PROJECT_SPEC.md`);
  assert.match(spec, /stack: \[deno, sqlite\]/);
  assert.match(
    spec,
    /### Send money \{#send-money\}\n\nPriority: high\nDepends on: none\nAcceptance:\n- \[ \] A user sends money to a friend\n- \[ \] The friend is notified\n/,
  );
  await brOk(["spec", "validate"], dir.path);
  const again = await br(args, { cwd: dir.path });
  assert.equal(again.code, 5);
  assert.match(again.stderr, /PROJECT_SPEC\.md already exists/);
  assert.equal(await Deno.readTextFile(`${dir.path}/PROJECT_SPEC.md`), spec);
  await brOk([...args, "--force", "--industry", "saas"], dir.path);
  assert.match(await Deno.readTextFile(`${dir.path}/PROJECT_SPEC.md`), /industry: saas/);
});

Deno.test("spec wizard rejects bad answers (exit 3) and writes nothing", async () => {
  await using dir = await tempProject();
  const cases: [string, RegExp][] = [
    [ANSWERS.replace("stack:", "industry: banking\nstack:"), /Unknown industry "banking"/],
    [
      ANSWERS.replace("  - name: Login\n", '  - name: ""\n'),
      /"features\[1\]\.name" is missing/,
    ],
    [
      ANSWERS.replace("  - name: Login\n", "  - title: Login\n"),
      /unknown key "features\[1\]\.title"/,
    ],
    [
      ANSWERS.replace("depends_on: [User model]", "depends_on: [ghost]"),
      /depends on unknown feature "ghost"/,
    ],
    [ANSWERS.replace("priority: critical", "priority: asap"), /unknown priority "asap"/],
    ["name: [broken", /Cannot parse answers\.yaml/],
  ];
  for (const [text, error] of cases) {
    await Deno.writeTextFile(`${dir.path}/answers.yaml`, text);
    const res = await br(["spec", "wizard", "--answers", "answers.yaml"], { cwd: dir.path });
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stderr, error);
  }
  assert.equal(await Deno.stat(`${dir.path}/PROJECT_SPEC.md`).catch(() => null), null);
});

const DRIVER = fileURLToPath(new URL("./_pty_drive.py", import.meta.url));
const hasPython = await new Deno.Command("python3", { args: ["-c", "import pty"] }).output()
  .then((o) => o.success).catch(() => false);

const PTY_DESCRIPTION = "A portal where patients book visits with their doctor";

/** Runs the wizard on a pseudo-terminal, typing `nameKeys` at the name prompt. */
async function wizardOnPty(dir: string, nameKeys: string): Promise<string> {
  // The use case prompt starts on the detected value; go down to "dashboard".
  const { options, initialValue } = pickOptions(
    USE_CASES,
    undefined,
    detectUseCase(PTY_DESCRIPTION),
  );
  const names = options.map((o) => o.value);
  const down = (names.indexOf("dashboard") - names.indexOf(initialValue) + names.length) %
    names.length;
  const steps = [
    ["Project name", nameKeys],
    ["What are you building", `${PTY_DESCRIPTION}\r`],
    ["detected healthcare", "\r"],
    ["Use case", "\x1b[B".repeat(down) + "\r"],
    ["Who uses it", "Patients\r"],
    ["Stack", "deno\r"],
    ["First feature name", "Login\r"],
    ["What does", "Email login\r"],
    ["Priority", "\x1b[A\r"], // from medium up to high
    ["Acceptance criteria", "A user can log in; Bad passwords fail\r"],
    ["Feature 2 name", "Profile\r"],
    ["What does", "\r"],
    ["Priority", "\r"],
    ["Acceptance criteria", "A user edits a profile\r"],
    ["Depends on", " \r"],
    ["Feature 3 name", "\r"],
  ];
  const out = await new Deno.Command("python3", {
    args: [
      DRIVER,
      JSON.stringify(steps),
      "--",
      Deno.execPath(),
      "run",
      "--quiet",
      ...RUN_FLAGS,
      "--config",
      DENO_JSON,
      MAIN_TS,
      "spec",
      "wizard",
    ],
    cwd: dir,
    env: { BR_HOME: `${dir}/.br-home`, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.match(text, /EXIT 0\s*$/, text.slice(-1500));
  return await Deno.readTextFile(`${dir}/PROJECT_SPEC.md`);
}

Deno.test({
  name: "spec wizard prompts on a real pseudo-terminal; typing a name replaces the default",
  ignore: !hasPython,
  async fn() {
    await using dir = await tempProject();
    const spec = await wizardOnPty(dir.path, "Clinic Portal\r");
    assert.match(
      spec,
      /^---\nname: Clinic Portal\nstatus: draft\nindustry: healthcare\nuse_case: dashboard\nstack: \[deno\]\n---/,
    );
    assert.match(
      spec,
      /### Login \{#login\}\n\nEmail login\n\nPriority: high\nDepends on: none\nAcceptance:\n- \[ \] A user can log in\n- \[ \] Bad passwords fail\n/,
    );
    assert.match(spec, /### Profile \{#profile\}\n\nPriority: medium\nDepends on: login\n/);
    await brOk(["spec", "validate"], dir.path);
  },
});

Deno.test({
  name: "spec wizard on a pseudo-terminal: Enter accepts the folder name as the project name",
  ignore: !hasPython,
  async fn() {
    await using dir = await tempProject();
    const folder = dir.path.split("/").pop()!;
    const spec = await wizardOnPty(dir.path, "\r");
    assert.ok(spec.startsWith(`---\nname: ${folder}\nstatus: draft\n`), spec.slice(0, 80));
  },
});
