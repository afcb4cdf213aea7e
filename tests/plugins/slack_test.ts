import assert from "node:assert/strict";
import { recordUsage, setBudget } from "../../src/cost/mod.ts";
import { openSession } from "../../src/project/session.ts";
import { br } from "../helpers.ts";
import { json, projectWith, serve } from "./_first_party.ts";

const SECRET = "B0SECRETxyzWEBHOOKpart";

/** A Slack incoming webhook: "ok" for the right path, Slack's error texts otherwise. */
function fakeSlack(answer?: () => Response) {
  return serve((_req, url) => {
    if (answer) return answer();
    if (url.pathname !== `/services/T000/B000/${SECRET}`) {
      return new Response("no_service", { status: 404 });
    }
    return new Response("ok");
  });
}

async function slackProject(host: string) {
  return await projectWith("slack", `net=${host},env=SLACK_WEBHOOK_URL`);
}

function posted(server: ReturnType<typeof fakeSlack>) {
  return server.seen.filter((s) => s.method === "POST").map((s) => JSON.parse(s.body));
}

Deno.test("slack posts one Block Kit message per finished feature and failed gate", async () => {
  await using slack = fakeSlack();
  await using dir = await slackProject(slack.host);
  const env = {
    SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/${SECRET}`,
  };
  for (const name of ["Login", "Export"]) {
    assert.equal(
      (await br(["feature", "add", name], { cwd: dir.path })).code,
      0,
    );
  }
  const a = await br(["feature", "complete", "login"], { cwd: dir.path, env });
  assert.equal(a.code, 0, a.stderr);
  const b = await br(["feature", "complete", "export"], { cwd: dir.path, env });
  assert.equal(b.code, 0, b.stderr);
  const gate = await br([
    "validate",
    "--gates",
    "quality",
    "--threshold",
    "100",
  ], {
    cwd: dir.path,
    env,
  });
  assert.notEqual(gate.code, 0);
  const messages = posted(slack);
  assert.deepEqual(messages.map((m) => m.blocks[0].text.text), [
    "Feature complete: Login",
    "Feature complete: Export",
    "Gate failed: quality",
  ]);
  assert.equal(messages[0].blocks[0].type, "header");
  assert.match(messages[0].blocks[1].text.text, /`login` is complete/);
  assert.match(messages[0].blocks[2].elements[0].text, /\*demo\*/);
  assert.match(messages[2].blocks[1].text.text, /threshold: 100/);
  assert.ok(
    !(a.stderr + b.stderr + gate.stderr + gate.stdout).includes(SECRET),
  );
});

Deno.test("slack posts a budget alert from any session (the library too)", async () => {
  await using slack = fakeSlack();
  await using dir = await slackProject(slack.host);
  const project = await openSession({
    cwd: dir.path,
    env: {
      SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/${SECRET}`,
      TZ: "UTC",
    },
  });
  try {
    await setBudget(project, { period: "total", limit_usd: 1, warn_pct: 50 });
    await recordUsage(project, {
      source: "parallel",
      model: "claude-sonnet-4-5",
      cost_usd: 1.5,
    });
  } finally {
    await project.close();
  }
  const [message] = posted(slack);
  assert.equal(message.blocks[0].text.text, "Budget exceeded: total");
  assert.equal(message.blocks[1].text.text, "Spent $1.50 of $1.00.");
});

Deno.test("br slack summary posts the daily digest; --dry-run posts nothing", async () => {
  await using slack = fakeSlack();
  await using dir = await slackProject(slack.host);
  const env = {
    SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/${SECRET}`,
  };
  for (const args of [["Login"], ["Export"], ["Search"]]) {
    assert.equal(
      (await br(["feature", "add", ...args], { cwd: dir.path })).code,
      0,
    );
  }
  await br(["feature", "start", "export"], { cwd: dir.path });
  await br(
    ["feature", "block", "search", "--reason", "waiting for the index"],
    { cwd: dir.path },
  );
  await br(["feature", "complete", "login"], { cwd: dir.path });
  const dry = await br(["slack", "summary", "--dry-run"], {
    cwd: dir.path,
    env,
  });
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(posted(slack).length, 0);
  const res = await br(["slack", "summary", "--json"], { cwd: dir.path, env });
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.deepEqual([out.posted, out.completed, out.in_progress, out.blocked], [
    true,
    1,
    1,
    1,
  ]);
  const [message] = posted(slack);
  assert.equal(message.blocks[0].text.text, "Daily summary");
  const text = message.blocks[1].text.text;
  assert.match(text, /\*1\/3 features complete \(33%\)\*/);
  assert.match(text, /Completed in the last 24 hours\*\n• Login \(`login`\)/);
  assert.match(text, /Blocked\*\n• Search \(`search`\): waiting for the index/);
});

Deno.test("slack: 403, 404 and a lasting 429 fail in one line (exit 6) without the webhook URL", async (t) => {
  let answer = () => new Response("ok");
  await using slack = fakeSlack(() => answer());
  await using dir = await slackProject(slack.host);
  const env = {
    SLACK_WEBHOOK_URL: `${slack.url}/services/T000/B000/${SECRET}`,
  };
  const run = () => br(["slack", "summary"], { cwd: dir.path, env });
  for (
    const [status, body, pattern] of [
      [403, "invalid_token", /Slack answered 403 Forbidden \(invalid_token\)/],
      [404, "no_service", /Slack answered 404 Not Found \(no_service\)/],
      [
        410,
        "channel_is_archived",
        /Slack answered 410 Gone \(channel_is_archived\)/,
      ],
    ] as const
  ) {
    await t.step(`${status}`, async () => {
      answer = () => new Response(body, { status });
      const res = await run();
      assert.equal(res.code, 6, res.stderr);
      assert.match(
        res.stderr,
        /Plugin "slack" failed: Cannot post the daily summary to Slack/,
      );
      assert.match(res.stderr, pattern);
      assert.ok(!(res.stdout + res.stderr).includes(SECRET));
    });
  }
  await t.step("429 with retry-after: retried, then posted", async () => {
    let n = 0;
    answer = () =>
      n++ === 0
        ? new Response("rate_limited", {
          status: 429,
          headers: { "retry-after": "0" },
        })
        : new Response("ok");
    const res = await run();
    assert.equal(res.code, 0, res.stderr);
    assert.equal(n, 2);
  });
  await t.step("429 every time: exit 6", async () => {
    answer = () => json({}, 429, { "retry-after": "0" });
    const res = await run();
    assert.equal(res.code, 6);
    assert.match(res.stderr, /Slack answered 429 \(rate limited\) 3 time\(s\)/);
  });
  await t.step(
    "an event that cannot be posted: one warning, the command succeeds",
    async () => {
      answer = () => new Response("invalid_token", { status: 403 });
      await br(["feature", "add", "Login"], { cwd: dir.path });
      const res = await br(["feature", "complete", "login"], {
        cwd: dir.path,
        env,
      });
      assert.equal(res.code, 0, res.stderr);
      assert.match(
        res.stderr,
        /Cannot post feature "login" to Slack: Slack answered 403/,
      );
      assert.ok(!res.stderr.includes(SECRET));
    },
  );
});
