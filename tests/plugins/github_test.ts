import assert from "node:assert/strict";
import { join } from "node:path";
import { br, readJson, tempProject } from "../helpers.ts";
import { bundled, json, projectWith, serve } from "./_first_party.ts";

const TOKEN = "ghp_s3cretTOKENvalue0123456789";

interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: { name: string }[];
  milestone: { title: string } | null;
  pull_request?: unknown;
}

/** A GitHub REST server: issues (2 a page, with `Link` headers), comments, pulls. */
function fakeGitHub() {
  const issues: FakeIssue[] = [
    {
      number: 1,
      title: "Login page",
      body: "Users sign in.\n\n- [ ] email and password\n- [x] remembers the user",
      state: "open",
      labels: [{ name: "br" }, { name: "auth" }],
      milestone: { title: "Week 2" },
    },
    {
      number: 2,
      title: "Old export",
      body: "",
      state: "closed",
      labels: [{ name: "br" }],
      milestone: null,
    },
    {
      number: 3,
      title: "A pull request",
      body: "",
      state: "open",
      labels: [{ name: "br" }],
      milestone: null,
      pull_request: {},
    },
  ];
  const server = serve((req, url, body) => {
    if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return json({ message: "Bad credentials" }, 401);
    }
    const path = url.pathname;
    if (path === "/repos/acme/app") return json({ default_branch: "main" });
    if (path === "/repos/acme/app/issues" && req.method === "GET") {
      const page = Number(url.searchParams.get("page") ?? "1");
      const state = url.searchParams.get("state");
      const list = issues.filter((i) =>
        (state === "all" || i.state === state) &&
        i.labels.some((l) => l.name === url.searchParams.get("labels"))
      );
      const next = new URL(url);
      next.searchParams.set("page", String(page + 1));
      const headers: Record<string, string> = page * 2 < list.length
        ? { link: `<${next.href}>; rel="next", <${next.href}>; rel="last"` }
        : {};
      return json(list.slice((page - 1) * 2, page * 2), 200, headers);
    }
    const m = path.match(/^\/repos\/acme\/app\/issues\/(\d+)(\/comments)?$/);
    const issue = m && issues.find((i) => i.number === Number(m[1]));
    if (m && !issue) return json({ message: "Not Found" }, 404);
    if (issue && m?.[2] && req.method === "POST") return json({ id: 10 }, 201);
    if (issue && req.method === "PATCH") {
      Object.assign(issue, JSON.parse(body));
      return json(issue);
    }
    if (issue) return json(issue);
    if (path === "/repos/acme/app/pulls" && req.method === "POST") {
      return json({ number: 7, html_url: "https://github.example/acme/app/pull/7" }, 201);
    }
    return json({ message: "Not Found" }, 404);
  });
  return Object.assign(server, { issues });
}

async function githubProject(host: string, url: string) {
  const dir = await projectWith("github", `net=${host},env=GITHUB_TOKEN,features=write`);
  const config = await br(["github", "config", "--url", url, "--repo", "acme/app"], {
    cwd: dir.path,
  });
  assert.equal(config.code, 0, config.stderr);
  return dir;
}

function features(dir: string) {
  return readJson<{ features: Record<string, unknown>[] }>(
    join(dir, ".buildrunner", "features.json"),
  ).then((f) => f.features);
}

Deno.test("br github import turns labelled issues into features, page by page, idempotently", async () => {
  await using gh = fakeGitHub();
  await using dir = await githubProject(gh.host, gh.url);
  const env = { GITHUB_TOKEN: TOKEN };
  const first = await br(["github", "import", "--label", "br", "--state", "all", "--json"], {
    cwd: dir.path,
    env,
  });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), {
    issues: 2,
    added: ["gh-1", "gh-2"],
    updated: [],
    completed: [],
    unchanged: 0,
  });
  // The second page was followed through the Link header.
  assert.ok(gh.seen.some((s) => s.path.includes("page=2")));
  const byId = Object.fromEntries((await features(dir.path)).map((f) => [f.id, f]));
  assert.equal(byId["gh-1"].name, "Login page");
  assert.deepEqual(byId["gh-1"].tags, ["br", "auth"]);
  assert.equal(byId["gh-1"].week, 2);
  assert.equal(byId["gh-1"].status, "planned");
  assert.deepEqual(byId["gh-1"].acceptance, ["email and password", "remembers the user"]);
  assert.equal(byId["gh-2"].status, "complete");
  assert.equal(byId["gh-3"], undefined, "a pull request is not an issue");

  const again = await br(["github", "import", "--label", "br", "--state", "all", "--json"], {
    cwd: dir.path,
    env,
  });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).unchanged, 2);
  assert.equal((await features(dir.path)).length, 2);

  // Closed on GitHub since: the feature completes (and the issue is not closed twice).
  gh.issues[0].state = "closed";
  const closed = await br(["github", "import", "--label", "br", "--state", "all", "--json"], {
    cwd: dir.path,
    env,
  });
  assert.equal(closed.code, 0, closed.stderr);
  assert.deepEqual(JSON.parse(closed.stdout).completed, ["gh-1"]);
  assert.equal((await features(dir.path)).find((f) => f.id === "gh-1")?.status, "complete");
  assert.ok(!gh.seen.some((s) => s.method === "PATCH"));
  for (const out of [first, again, closed]) {
    assert.ok(!(out.stdout + out.stderr).includes(TOKEN));
  }
});

Deno.test("completing an imported feature comments on and closes its issue; br github pr opens a pull request", async () => {
  await using gh = fakeGitHub();
  await using dir = await githubProject(gh.host, gh.url);
  const env = { GITHUB_TOKEN: TOKEN };
  assert.equal(
    (await br(["github", "import", "--label", "br"], { cwd: dir.path, env })).code,
    0,
  );
  const early = await br(["github", "pr", "gh-1"], { cwd: dir.path, env });
  assert.equal(early.code, 5);
  assert.match(early.stderr, /it is planned, not complete/);

  const done = await br(["feature", "complete", "gh-1"], { cwd: dir.path, env });
  assert.equal(done.code, 0, done.stderr);
  const comment = gh.seen.find((s) => s.method === "POST" && s.path.endsWith("/comments"));
  assert.equal(comment?.path, "/repos/acme/app/issues/1/comments");
  assert.match(JSON.parse(comment.body).body, /gh-1/);
  const close = gh.seen.find((s) => s.method === "PATCH");
  assert.equal(close?.path, "/repos/acme/app/issues/1");
  assert.equal(JSON.parse(close.body).state, "closed");
  assert.equal(gh.issues[0].state, "closed");

  const pr = await br(["github", "pr", "gh-1", "--json"], { cwd: dir.path, env });
  assert.equal(pr.code, 0, pr.stderr);
  assert.deepEqual(JSON.parse(pr.stdout), {
    number: 7,
    url: "https://github.example/acme/app/pull/7",
  });
  const sent = JSON.parse(gh.seen.find((s) => s.path === "/repos/acme/app/pulls")!.body);
  assert.equal(sent.head, "br/gh-1");
  assert.equal(sent.base, "main");
  assert.equal(sent.title, "Login page");
  assert.match(sent.body, /## Acceptance criteria\n- \[ \] email and password\n- \[ \] remembers/);
  assert.match(sent.body, /Cost: \$0\.00 \(0 tokens\)/);
  assert.match(sent.body, /Closes #1/);
  assert.ok(!(pr.stdout + pr.stderr + done.stderr).includes(TOKEN));
});

Deno.test("br github: 401, 403 and 404 fail in one line (exit 6); 429 is retried after retry-after", async (t) => {
  let answer: () => Response = () => json([]);
  await using server = serve(() => answer());
  await using dir = await githubProject(server.host, server.url);
  const run = () =>
    br(["github", "import", "--label", "br"], { cwd: dir.path, env: { GITHUB_TOKEN: TOKEN } });
  for (
    const [status, pattern] of [
      [
        401,
        /GitHub answered 401 Unauthorized \(Bad credentials\); check the token in GITHUB_TOKEN/,
      ],
      [403, /GitHub answered 403 Forbidden \(Bad credentials\); the token in GITHUB_TOKEN lacks/],
      [404, /GitHub answered 404 Not Found \(Bad credentials\); check the configured URL/],
    ] as const
  ) {
    await t.step(`${status}`, async () => {
      answer = () => json({ message: "Bad credentials" }, status);
      const res = await run();
      assert.equal(res.code, 6, res.stderr);
      assert.match(res.stderr, /Plugin "github" failed: Cannot list the issues of acme\/app/);
      assert.match(res.stderr, pattern);
      assert.ok(!(res.stdout + res.stderr).includes(TOKEN));
    });
  }
  await t.step("429 then success: retried", async () => {
    let n = 0;
    answer = () =>
      n++ === 0 ? json({ message: "slow down" }, 429, { "retry-after": "0" }) : json([]);
    const res = await run();
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /GitHub rate limit: retrying in 0 s/);
    assert.equal(n, 2);
  });
  await t.step("403 with x-ratelimit-remaining 0, then success: retried", async () => {
    let n = 0;
    answer = () =>
      n++ === 0
        ? json({ message: "API rate limit exceeded" }, 403, {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000)),
        })
        : json([]);
    assert.equal((await run()).code, 0);
    assert.equal(n, 2);
  });
  await t.step("429 every time: a clear error after 3 attempts, exit 6", async () => {
    let n = 0;
    answer = () => (n++, json({ message: "slow down" }, 429, { "retry-after": "0" }));
    const res = await run();
    assert.equal(res.code, 6);
    assert.match(res.stderr, /GitHub answered 429 \(rate limited\) 3 time\(s\); retry in 0 s/);
    assert.equal(n, 3);
  });
  await t.step("no token: says which variable", async () => {
    const res = await br(["github", "import", "--label", "br"], { cwd: dir.path });
    assert.equal(res.code, 6);
    assert.match(res.stderr, /GITHUB_TOKEN is not set/);
  });
});

Deno.test("br plugin add --yes grants the GitHub host, never any host; --grant names the Enterprise one", async () => {
  await using dir = await tempProject();
  const add = await br(["plugin", "add", await bundled("github"), "--yes"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stderr, /net {3}api\.github\.com, \*/);
  const info = JSON.parse(
    (await br(["plugin", "info", "github", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(info.grant.net, ["api.github.com"]);
  assert.deepEqual(info.grant.features, ["write"]);
  await using other = await projectWith("github", "net=ghe.example.com:8443");
  const ghe = JSON.parse(
    (await br(["plugin", "info", "github", "--json"], { cwd: other.path })).stdout,
  );
  assert.deepEqual(ghe.grant.net, ["ghe.example.com:8443"]);
});

Deno.test("br github import without the grant features=write is denied, nothing written (exit 6)", async () => {
  await using gh = fakeGitHub();
  await using dir = await projectWith("github", `net=${gh.host},env=GITHUB_TOKEN`);
  await br(["github", "config", "--url", gh.url, "--repo", "acme/app"], { cwd: dir.path });
  const res = await br(["github", "import", "--label", "br"], {
    cwd: dir.path,
    env: { GITHUB_TOKEN: TOKEN },
  });
  assert.equal(res.code, 6, res.stderr);
  assert.match(res.stderr, /Plugin "github" was denied an access: Requires features access/);
  assert.deepEqual(await features(dir.path), []);
});

Deno.test("plugin command flags pass through; br's --project works around them", async () => {
  await using dir = await projectWith("github", "net=api.github.com");
  const res = await br(
    ["github", "config", "--repo", "acme/app", "--project", dir.path, "--json"],
    { cwd: dir.path },
  );
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), { repo: "acme/app" });
  const help = await br(["github", "config", "--help"], { cwd: dir.path });
  assert.match(help.stdout, /Shows or sets the API URL/);
});
