import assert from "node:assert/strict";
import { estimateComplexity, type Level } from "../../src/routing/mod.ts";
import { br, tempProject } from "../helpers.ts";

const TABLE: [string, Level][] = [
  ["Fix typo in README", "simple"],
  ["Update the footer copyright text", "simple"],
  ["Bump lodash version", "simple"],
  ["Change the primary button color", "simple"],
  ["Add a REST endpoint that lists projects with pagination", "moderate"],
  ["Create a settings page with a form and validation", "moderate"],
  ["Add CSV export of the invoices table", "complex"],
  ["Refactor the caching layer to improve performance", "complex"],
  ["Integrate Stripe checkout and handle payment webhooks", "complex"],
  ["Add real-time notifications over WebSocket with a message queue", "complex"],
  ["Migrate user passwords to argon2 hashing in the production database", "critical"],
  [
    "Implement OAuth login with role-based permissions and an audit log for GDPR compliance",
    "critical",
  ],
];

Deno.test("estimateComplexity: a table of task descriptions gets the expected levels", () => {
  const wrong = TABLE.map(([text, level]) => [text, level, estimateComplexity({ text }).level])
    .filter(([, want, got]) => want !== got);
  assert.deepEqual(wrong, []);
});

Deno.test("estimateComplexity: every point has a reason and the score adds up", () => {
  const e = estimateComplexity({
    text: "Integrate Stripe checkout and handle payment webhooks",
    files: { count: 20, lines: 2500, patterns: 2 },
    dependencies: ["a", "b", "c", "d"],
    acceptance: ["1", "2", "3", "4", "5"],
    history: [
      { feature: "billing", result: "fail", same: false },
      { feature: "x", result: "success", same: false },
    ],
  });
  assert.deepEqual(e.reasons, [
    { reason: 'money: mentions "stripe"', points: 4 },
    { reason: 'integration: mentions "integrate"', points: 2 },
    { reason: "declares 20 existing file(s)", points: 2 },
    { reason: "2500 lines in them", points: 2 },
    { reason: "depends on 4 feature(s)", points: 3 },
    { reason: "5 acceptance criteria", points: 1 },
    { reason: 'similar feature "billing" ended in fail before', points: 2 },
  ]);
  assert.equal(e.score, 17);
  assert.equal(e.level, "critical");
});

Deno.test("routing estimate --feature uses the declared files, dependencies and past outcomes", async () => {
  await using dir = await tempProject();
  const cwd = dir.path;
  await Deno.mkdir(`${cwd}/src/profile`, { recursive: true });
  for (let i = 0; i < 8; i++) {
    await Deno.writeTextFile(`${cwd}/src/profile/f${i}.ts`, "export const x = 1;\n".repeat(100));
  }
  await Deno.mkdir(`${cwd}/node_modules/pkg`, { recursive: true });
  await Deno.writeTextFile(`${cwd}/node_modules/pkg/a.ts`, "skip\n".repeat(5000));
  const run = async (args: string[]) => {
    const res = await br(args, { cwd });
    assert.equal(res.code, 0, res.stderr);
    return res;
  };
  await run(["feature", "add", "Profile avatar", "--description", "Show the avatar"]);
  await run([
    "feature",
    "add",
    "Profile page",
    "--files",
    "src/profile/**/*.ts",
    "--files",
    "**/*.ts",
    "--depends-on",
    "profile-avatar",
    "--description",
    "Profile page avatar",
  ]);
  const first = JSON.parse(
    (await run(["routing", "estimate", "--feature", "profile-page", "--json"])).stdout,
  );
  assert.equal(first.feature, "profile-page");
  assert.deepEqual(first.reasons.map((r: { reason: string }) => r.reason), [
    'new functionality: mentions "page"',
    "declares 8 existing file(s)",
    "800 lines in them",
    "depends on 1 feature(s)",
  ]);
  await run([
    "routing",
    "outcome",
    "profile-avatar",
    "--model",
    "gpt-5-mini",
    "--result",
    "rework",
  ]);
  const second = JSON.parse(
    (await run(["routing", "estimate", "--feature", "profile-page", "--json"])).stdout,
  );
  assert.equal(second.score, first.score + 1);
  assert.equal(
    second.reasons.at(-1).reason,
    'similar feature "profile-avatar" ended in rework before',
  );

  const events = JSON.parse(
    (await run(["telemetry", "events", "--type", "complexity.estimated", "--json"])).stdout,
  );
  assert.equal(events.length, 2);
  assert.equal(events[1].feature, "profile-page");
  assert.equal(events[1].payload.level, second.level);
  assert.equal(events[1].payload.score, second.score);

  const none = await br(["routing", "estimate"], { cwd });
  assert.equal(none.code, 2);
  const missing = await br(["routing", "estimate", "--feature", "nope"], { cwd });
  assert.equal(missing.code, 4);
});
