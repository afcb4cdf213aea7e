/**
 * The Notion plugin for BuildRunner: `br notion push` writes STATUS.md to a Notion page as
 * blocks, replacing only the blocks that changed. Written only against the public SDK
 * (`@buildrunner/br/plugin`).
 *
 * @module
 */
import { definePlugin, type PluginContext } from "@buildrunner/br/plugin";
import { configCommand, parseArgs, request, settings } from "../_shared/http.ts";

const TOKEN = "NOTION_TOKEN";
const DEFAULT_URL = "https://api.notion.com";
const NOTION_VERSION = "2022-06-28";

/** A block as br writes it: its type and what it holds. */
export interface Desired {
  type: string;
  text: string;
  checked?: boolean;
}

/** A block of the page: its id too. */
interface Existing extends Desired {
  id: string;
}

/** STATUS.md as Notion blocks: headings, lists, to-dos, quotes, code, dividers, paragraphs. */
export function markdownBlocks(markdown: string): Desired[] {
  const out: Desired[] = [];
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) {
      out.push({ type: "paragraph", text: paragraph.join("\n") });
    }
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let m: RegExpMatchArray | null;
    if (line.startsWith("```")) {
      flush();
      const code: string[] = [];
      while (++i < lines.length && !lines[i].startsWith("```")) {
        code.push(lines[i]);
      }
      out.push({ type: "code", text: code.join("\n") });
    } else if (!line.trim()) flush();
    else if ((m = line.match(/^(#{1,6})\s+(.*)$/))) {
      flush();
      out.push({
        type: `heading_${Math.min(m[1].length, 3)}`,
        text: m[2].trim(),
      });
    } else if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      out.push({ type: "divider", text: "" });
    } else if ((m = line.match(/^\s*[-*+] \[([ xX])\] (.*)$/))) {
      flush();
      out.push({ type: "to_do", text: m[2], checked: m[1] !== " " });
    } else if ((m = line.match(/^\s*[-*+] (.*)$/))) {
      flush();
      out.push({ type: "bulleted_list_item", text: m[1] });
    } else if ((m = line.match(/^\s*\d+[.)] (.*)$/))) {
      flush();
      out.push({ type: "numbered_list_item", text: m[1] });
    } else if ((m = line.match(/^>\s?(.*)$/))) {
      flush();
      out.push({ type: "quote", text: m[1] });
    } else paragraph.push(line);
  }
  flush();
  for (const block of out) if (block.type !== "code") block.text = unescape(block.text);
  return out;
}

/** Markdown's backslash escapes (`\\*`, `\\_`, as br writes feature text) removed. */
function unescape(text: string): string {
  return text.replace(/\\([\\`*_{}\[\]()#+\-.!|<>~])/g, "$1");
}

function richText(text: string) {
  const parts: { type: "text"; text: { content: string } }[] = [];
  for (let i = 0; i < text.length; i += 2000) {
    parts.push({ type: "text", text: { content: text.slice(i, i + 2000) } });
  }
  return parts;
}

/** The body of a block of the API (`{ type, [type]: {...} }`). */
function content(block: Desired): Record<string, unknown> {
  if (block.type === "divider") return {};
  const body: Record<string, unknown> = { rich_text: richText(block.text) };
  if (block.type === "to_do") body.checked = block.checked === true;
  if (block.type === "code") body.language = "plain text";
  return body;
}

function toApi(block: Desired): Record<string, unknown> {
  return { object: "block", type: block.type, [block.type]: content(block) };
}

/** A block of the API as br compares it. */
function fromApi(raw: Record<string, unknown>): Existing {
  const type = String(raw.type);
  const body = (raw[type] ?? {}) as {
    rich_text?: { plain_text?: string; text?: { content?: string } }[];
    checked?: boolean;
  };
  const text = (body.rich_text ?? []).map((r) => r.plain_text ?? r.text?.content ?? "").join("");
  const block: Existing = { id: String(raw.id), type, text };
  if (type === "to_do") block.checked = body.checked === true;
  return block;
}

function same(a: Desired, b: Desired): boolean {
  return a.type === b.type && a.text === b.text &&
    (a.checked ?? null) === (b.checked ?? null);
}

/** A page id from an id (with or without dashes) or a Notion URL; null when it holds none. */
export function pageId(value: string): string | null {
  const path = URL.canParse(value) ? new URL(value).pathname : value;
  const m = path.replace(/-/g, "").match(/([0-9a-f]{32})$/i);
  if (!m) return null;
  const h = m[1].toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function push(args: string[], ctx: PluginContext) {
  const { flags } = parseArgs(args, {
    strings: ["page", "url"],
    booleans: ["json"],
  });
  const config = await settings(ctx);
  const pageSetting = String(flags.page ?? config.page ?? "");
  const page = pageId(pageSetting);
  if (!page) {
    ctx.log.error(
      pageSetting
        ? `Invalid Notion page "${pageSetting}": give its id or URL`
        : 'No Notion page configured; hint: run "br notion config --page PAGE_ID_OR_URL"',
    );
    return { exitCode: 2 };
  }
  const token = ctx.env[TOKEN];
  if (!token) {
    throw new Error(`Cannot use Notion: ${TOKEN} is not set (or not granted)`);
  }
  const base = String(flags.url ?? config.url ?? DEFAULT_URL).replace(
    /\/+$/,
    "",
  );
  const call = async (
    action: string,
    path: string,
    method = "GET",
    body?: unknown,
  ) =>
    await (await request(ctx, `${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        "notion-version": NOTION_VERSION,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    }, { service: "Notion", action, credential: TOKEN, secrets: [token] }))
      .json();

  let markdown: string;
  try {
    markdown = await Deno.readTextFile(`${ctx.project.root}/STATUS.md`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    ctx.log.error('Cannot find STATUS.md; hint: run "br generate" first');
    return { exitCode: 4 };
  }
  const desired = markdownBlocks(markdown);

  const existing: Existing[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      page_size: "100",
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    const res = await call(
      `read the blocks of page ${page}`,
      `/v1/blocks/${page}/children?${query}`,
    ) as {
      results: Record<string, unknown>[];
      has_more?: boolean;
      next_cursor?: string | null;
    };
    existing.push(...res.results.map(fromApi));
    cursor = res.has_more ? res.next_cursor ?? null : null;
  } while (cursor);

  const counts = { kept: 0, updated: 0, inserted: 0, deleted: 0 };
  // The blocks that stay as they are at the start and at the end.
  let head = 0;
  while (
    head < existing.length && head < desired.length &&
    same(existing[head], desired[head])
  ) head++;
  let tail = 0;
  while (
    tail < existing.length - head && tail < desired.length - head &&
    same(
      existing[existing.length - 1 - tail],
      desired[desired.length - 1 - tail],
    )
  ) tail++;
  counts.kept = head + tail;
  const oldMiddle = existing.slice(head, existing.length - tail);
  const newMiddle = desired.slice(head, desired.length - tail);
  let anchor: string | null = head > 0 ? existing[head - 1].id : null;
  let pending: Desired[] = [];

  const insert = async () => {
    for (let i = 0; i < pending.length; i += 100) {
      const batch = pending.slice(i, i + 100);
      const body: Record<string, unknown> = { children: batch.map(toApi) };
      if (anchor) body.after = anchor;
      const res = await call(
        `write blocks to page ${page}`,
        `/v1/blocks/${page}/children`,
        "PATCH",
        body,
      ) as {
        results?: { id: string }[];
      };
      counts.inserted += batch.length;
      // Notion answers the new blocks: the next batch goes after the last of them.
      anchor = res.results?.at(-1)?.id ?? anchor;
    }
    pending = [];
  };

  // Notion inserts only after a block (or at the end): a change at the very start that is
  // not an update in place rewrites the page from there.
  const updatable = (old?: Desired, want?: Desired) =>
    !!old && !!want && old.type === want.type && want.type !== "divider";
  if (
    !anchor && newMiddle.length > 0 && !updatable(oldMiddle[0], newMiddle[0])
  ) {
    for (const old of existing.slice(head)) {
      await call(
        `delete a block of page ${page}`,
        `/v1/blocks/${old.id}`,
        "DELETE",
      );
      counts.deleted++;
    }
    counts.kept = head;
    pending = desired.slice(head);
    await insert();
  } else {
    for (let i = 0; i < Math.max(oldMiddle.length, newMiddle.length); i++) {
      const old = oldMiddle[i];
      const want = newMiddle[i];
      if (updatable(old, want)) {
        if (pending.length) await insert();
        await call(
          `update a block of page ${page}`,
          `/v1/blocks/${old.id}`,
          "PATCH",
          {
            [want.type]: content(want),
          },
        );
        counts.updated++;
        anchor = old.id;
        continue;
      }
      if (old) {
        await call(
          `delete a block of page ${page}`,
          `/v1/blocks/${old.id}`,
          "DELETE",
        );
        counts.deleted++;
      }
      if (want) pending.push(want);
    }
    if (pending.length) await insert();
  }
  if (flags.json) {
    return {
      output: JSON.stringify({ page, blocks: desired.length, ...counts }),
    };
  }
  return {
    output:
      `Pushed STATUS.md to Notion page ${page}: ${counts.kept} kept, ${counts.updated} updated, ${counts.inserted} inserted, ${counts.deleted} deleted`,
  };
}

export default definePlugin({
  manifest: {
    name: "notion",
    version: "1.0.0",
    apiVersion: 1,
    description: "Writes STATUS.md to a Notion page",
    // "*": another API host (a proxy, a test server), granted with --grant net=HOST.
    permissions: {
      read: ["STATUS.md"],
      net: ["api.notion.com", "*"],
      env: [TOKEN],
    },
  },
  commands: {
    config: {
      brief: "Shows or sets the page (--page ID_OR_URL) and the API URL (--url)",
      run: (args, ctx) => {
        const { flags } = parseArgs(args, {
          strings: ["page", "url"],
          booleans: ["json"],
        });
        if (typeof flags.page === "string" && !pageId(flags.page)) {
          ctx.log.error(
            `Invalid Notion page "${flags.page}": give its id or URL`,
          );
          return { exitCode: 2 };
        }
        return configCommand(ctx, args, ["page", "url"]);
      },
    },
    push: {
      brief: "Writes STATUS.md to the Notion page; only changed blocks are replaced",
      run: push,
    },
  },
});
