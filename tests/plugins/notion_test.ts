import assert from "node:assert/strict";
import { join } from "node:path";
import { br } from "../helpers.ts";
import { json, projectWith, serve } from "./_first_party.ts";

const TOKEN = "secret_n0tionTOKENvalue42";
const PAGE = "0123456789abcdef0123456789abcdef";
const PAGE_ID = "01234567-89ab-cdef-0123-456789abcdef";

interface Block {
  id: string;
  type: string;
  [body: string]: unknown;
}

/** The Notion blocks API for one page: children (paged by 2), append with `after`, update, delete. */
function fakeNotion() {
  const blocks: Block[] = [];
  let next = 0;
  const stored = (raw: Record<string, unknown>): Block => {
    const type = String(raw.type);
    const body = structuredClone((raw[type] ?? {}) as Record<string, unknown>);
    const rich = (body.rich_text ?? []) as { text: { content: string } }[];
    body.rich_text = rich.map((r) => ({ ...r, plain_text: r.text.content }));
    return { object: "block", id: `b${++next}`, type, [type]: body };
  };
  const server = serve((req, url, text) => {
    if (req.headers.get("notion-version") !== "2022-06-28") {
      return json(
        { object: "error", status: 400, code: "missing_version" },
        400,
      );
    }
    if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return json({
        object: "error",
        status: 401,
        message: "API token is invalid.",
      }, 401);
    }
    const children = url.pathname === `/v1/blocks/${PAGE_ID}/children`;
    if (children && req.method === "GET") {
      const start = Number(url.searchParams.get("start_cursor") ?? 0);
      const end = start + 2;
      return json({
        object: "list",
        results: blocks.slice(start, end),
        has_more: end < blocks.length,
        next_cursor: end < blocks.length ? String(end) : null,
      });
    }
    if (children && req.method === "PATCH") {
      const body = JSON.parse(text);
      const added = body.children.map(stored);
      const at = body.after ? blocks.findIndex((b) => b.id === body.after) + 1 : blocks.length;
      blocks.splice(at, 0, ...added);
      return json({ object: "list", results: added });
    }
    const m = url.pathname.match(/^\/v1\/blocks\/(b\d+)$/);
    const i = m ? blocks.findIndex((b) => b.id === m[1]) : -1;
    if (i === -1) {
      return json({
        object: "error",
        status: 404,
        message: "Could not find block",
      }, 404);
    }
    if (req.method === "DELETE") return json(blocks.splice(i, 1)[0]);
    if (req.method === "PATCH") {
      const body = JSON.parse(text);
      const updated = stored({ type: blocks[i].type, ...body });
      blocks[i] = { ...updated, id: blocks[i].id };
      return json(blocks[i]);
    }
    return json({ object: "error", status: 405 }, 405);
  });
  return Object.assign(server, {
    blocks,
    text: () =>
      blocks.map((b) => {
        const body = b[b.type] as { rich_text?: { plain_text: string }[] };
        return `${b.type}:${(body.rich_text ?? []).map((r) => r.plain_text).join("")}`;
      }),
  });
}

async function notionProject(host: string, url: string) {
  const dir = await projectWith(
    "notion",
    `read=STATUS.md,net=${host},env=NOTION_TOKEN`,
  );
  const config = await br([
    "notion",
    "config",
    "--page",
    `https://www.notion.so/acme/Status-${PAGE}?pvs=4`,
    "--url",
    url,
  ], { cwd: dir.path });
  assert.equal(config.code, 0, config.stderr);
  return dir;
}

const STATUS = `# Demo

Progress: 1 of 3

## Features

- [x] Login
- [ ] Export
- Search: blocked \\(index\\_v2\\)

---

\`\`\`
br status
\`\`\`
`;

Deno.test("br notion push writes STATUS.md as blocks, then replaces only the changed ones", async () => {
  await using notion = fakeNotion();
  await using dir = await notionProject(notion.host, notion.url);
  const env = { NOTION_TOKEN: TOKEN };
  const status = join(dir.path, "STATUS.md");
  await Deno.writeTextFile(status, STATUS);
  const push = () => br(["notion", "push", "--json"], { cwd: dir.path, env });

  const first = await push();
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(notion.text(), [
    "heading_1:Demo",
    "paragraph:Progress: 1 of 3",
    "heading_2:Features",
    "to_do:Login",
    "to_do:Export",
    "bulleted_list_item:Search: blocked (index_v2)",
    "divider:",
    "code:br status",
  ]);
  assert.equal((notion.blocks[3].to_do as { checked: boolean }).checked, true);
  const ids = notion.blocks.map((b) => b.id);

  // Unchanged: read (every page of children), nothing written.
  const writes = () => notion.seen.filter((s) => s.method !== "GET").length;
  const before = writes();
  const again = await push();
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), {
    page: PAGE_ID,
    blocks: 8,
    kept: 8,
    updated: 0,
    inserted: 0,
    deleted: 0,
  });
  assert.equal(writes(), before);

  // One line changed: that block alone is updated in place.
  await Deno.writeTextFile(status, STATUS.replace("1 of 3", "2 of 3"));
  const changed = await push();
  assert.equal(JSON.parse(changed.stdout).updated, 1);
  assert.equal(writes(), before + 1);
  assert.deepEqual(notion.blocks.map((b) => b.id), ids);
  assert.equal(notion.text()[1], "paragraph:Progress: 2 of 3");

  // A block of another type in the middle: deleted, the new one inserted in its place.
  await Deno.writeTextFile(
    status,
    STATUS.replace("1 of 3", "2 of 3").replace(
      "- Search: blocked",
      "> Search: blocked",
    ),
  );
  const retyped = JSON.parse((await push()).stdout);
  assert.deepEqual([retyped.updated, retyped.inserted, retyped.deleted], [
    0,
    1,
    1,
  ]);
  assert.equal(notion.text()[5], "quote:Search: blocked (index_v2)");
  assert.equal(notion.blocks.length, 8);

  // A new first block of another type: Notion inserts only after a block, so the page is
  // rewritten from the top, in order.
  await Deno.writeTextFile(status, `Intro\n\n${STATUS}`);
  const top = await push();
  assert.equal(top.code, 0, top.stderr);
  assert.deepEqual(notion.text(), [
    "paragraph:Intro",
    "heading_1:Demo",
    "paragraph:Progress: 1 of 3",
    "heading_2:Features",
    "to_do:Login",
    "to_do:Export",
    "bulleted_list_item:Search: blocked (index_v2)",
    "divider:",
    "code:br status",
  ]);
  for (const out of [first, again, changed]) {
    assert.ok(!(out.stdout + out.stderr).includes(TOKEN));
  }
});

Deno.test("br notion push: 401, 403, 404 and a lasting 429 fail in one line (exit 6)", async (t) => {
  let answer: () => Response = () => json({ object: "list", results: [], has_more: false });
  await using server = serve(() => answer());
  await using dir = await notionProject(server.host, server.url);
  await Deno.writeTextFile(join(dir.path, "STATUS.md"), "# Demo\n");
  const run = () => br(["notion", "push"], { cwd: dir.path, env: { NOTION_TOKEN: TOKEN } });
  for (
    const [status, message, pattern] of [
      [
        401,
        "API token is invalid.",
        /Notion answered 401 Unauthorized \(API token is invalid\.\); check the token in NOTION_TOKEN/,
      ],
      [
        403,
        "Insufficient permissions",
        /Notion answered 403 Forbidden \(Insufficient permissions\)/,
      ],
      [
        404,
        "Could not find block",
        /Notion answered 404 Not Found \(Could not find block\)/,
      ],
    ] as const
  ) {
    await t.step(`${status}`, async () => {
      answer = () => json({ object: "error", status, message }, status);
      const res = await run();
      assert.equal(res.code, 6, res.stderr);
      assert.match(
        res.stderr,
        /Plugin "notion" failed: Cannot read the blocks of page 01234567/,
      );
      assert.match(res.stderr, pattern);
      assert.ok(!(res.stdout + res.stderr).includes(TOKEN));
    });
  }
  await t.step("429: retried after retry-after", async () => {
    let n = 0;
    answer = () =>
      n++ === 0
        ? json({ object: "error", status: 429, code: "rate_limited" }, 429, {
          "retry-after": "0",
        })
        : json({ object: "list", results: [], has_more: false });
    const res = await run();
    assert.equal(res.code, 0, res.stderr);
    assert.equal(n, 3, "the read retried, then the append");
  });
  await t.step("429 every time: exit 6", async () => {
    answer = () => json({ object: "error", status: 429 }, 429, { "retry-after": "0" });
    const res = await run();
    assert.equal(res.code, 6);
    assert.match(
      res.stderr,
      /Notion answered 429 \(rate limited\) 3 time\(s\)/,
    );
  });
  await t.step(
    "a page that is neither an id nor a URL: usage, exit 2",
    async () => {
      const bad = await br(["notion", "config", "--page", "not-a-page"], {
        cwd: dir.path,
      });
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /Invalid Notion page "not-a-page": give its id or URL/,
      );
    },
  );
});
