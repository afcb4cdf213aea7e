/**
 * The Slack plugin for BuildRunner: posts finished features, failed gates and budget alerts
 * to an incoming webhook (Block Kit, one message per event, at most one a second), and a
 * daily digest with `br slack summary`. Written only against the public SDK
 * (`@buildrunner/br/plugin`).
 *
 * @module
 */
import { definePlugin, type PluginContext } from "@buildrunner/br/plugin";
import { parseArgs, request } from "../_shared/http.ts";

const WEBHOOK = "SLACK_WEBHOOK_URL";
/** Slack accepts about one message a second per webhook. */
const INTERVAL_MS = 1000;

type Block = Record<string, unknown>;

/** A Block Kit message: a header, a section of Markdown, and the project as context. */
function message(
  ctx: PluginContext,
  title: string,
  text: string,
): Record<string, unknown> {
  const project = ctx.project.name || "BuildRunner";
  const blocks: Block[] = [
    {
      type: "header",
      text: { type: "plain_text", text: title.slice(0, 150), emoji: true },
    },
    { type: "section", text: { type: "mrkdwn", text: text.slice(0, 3000) } },
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: `*${project}* · BuildRunner` }],
    },
  ];
  return { text: `${title}: ${text}`.slice(0, 3000), blocks };
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Posts one message to the webhook, after the previous one (of this process or, through the
 * key-value store, an earlier command) by at least {@link INTERVAL_MS}.
 */
function post(
  ctx: PluginContext,
  payload: Record<string, unknown>,
  what: string,
): Promise<void> {
  const url = ctx.env[WEBHOOK];
  if (!url) {
    return Promise.reject(
      new Error(
        `Cannot post ${what} to Slack: ${WEBHOOK} is not set (or not granted)`,
      ),
    );
  }
  const send = async () => {
    const last = Number(await ctx.kv.get("last-post") ?? 0);
    const wait = Math.min(INTERVAL_MS, last + INTERVAL_MS - Date.now());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await request(ctx, url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    }, {
      service: "Slack",
      action: `post ${what} to Slack`,
      credential: WEBHOOK,
      secrets: [url],
    });
    await ctx.kv.set("last-post", Date.now());
  };
  const done = queue.then(send, send);
  queue = done.catch(() => {});
  return done;
}

function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

async function summary(args: string[], ctx: PluginContext) {
  const { flags } = parseArgs(args, { booleans: ["json", "dry-run"] });
  const features = await ctx.project.features();
  const since = Date.now() - 24 * 3600 * 1000;
  const done = features.filter((f) =>
    f.status === "complete" && Date.parse(String(f.completed_at ?? "")) >= since
  );
  const active = features.filter((f) => f.status === "in_progress" || f.status === "testing");
  const blocked = features.filter((f) => f.status === "blocked");
  const complete = features.filter((f) => f.status === "complete").length;
  const pct = features.length ? Math.floor((complete / features.length) * 100) : 0;
  const list = (
    items: Record<string, unknown>[],
    extra?: (f: Record<string, unknown>) => string,
  ) =>
    items.length
      ? items.slice(0, 20).map((f) => `• ${f.name} (\`${f.id}\`)${extra ? extra(f) : ""}`).join(
        "\n",
      ) + (items.length > 20 ? `\n… and ${items.length - 20} more` : "")
      : "_none_";
  const text = [
    `*${complete}/${features.length} features complete (${pct}%)*`,
    `*Completed in the last 24 hours*\n${list(done)}`,
    `*In progress*\n${list(active)}`,
    `*Blocked*\n${list(blocked, (f) => `: ${f.blocked_reason ?? ""}`)}`,
  ].join("\n\n");
  const payload = message(ctx, "Daily summary", text);
  if (!flags["dry-run"]) await post(ctx, payload, "the daily summary");
  const counts = {
    posted: !flags["dry-run"],
    completed: done.length,
    in_progress: active.length,
    blocked: blocked.length,
  };
  if (flags.json) {
    return { output: JSON.stringify({ ...counts, message: payload }) };
  }
  return {
    output: flags["dry-run"]
      ? JSON.stringify(payload, null, 2)
      : `Posted the daily summary to Slack: ${done.length} completed, ${active.length} in progress, ${blocked.length} blocked`,
  };
}

export default definePlugin({
  manifest: {
    name: "slack",
    version: "1.0.0",
    apiVersion: 1,
    description: "Slack notifications and a daily digest (incoming webhook)",
    // "*": another webhook host (a proxy, a test server), granted with --grant net=HOST.
    permissions: { net: ["hooks.slack.com", "*"], env: [WEBHOOK] },
  },
  events: {
    "feature.completed": async (event, ctx) => {
      const feature = (await ctx.project.features()).find((f) => f.id === event.payload.id);
      const name = String(feature?.name ?? event.payload.id);
      await post(
        ctx,
        message(
          ctx,
          `Feature complete: ${name}`,
          `\`${event.payload.id}\` is complete${
            event.payload.forced ? " (forced past open dependencies)" : ""
          }.`,
        ),
        `feature "${event.payload.id}"`,
      );
    },
    "gate.failed": async (event, ctx) => {
      const counts = Object.entries(event.payload.counts ?? {}).map(([k, v]) => `${k}: ${v}`)
        .join(", ");
      await post(
        ctx,
        message(
          ctx,
          `Gate failed: ${event.payload.gate}`,
          counts || "no details",
        ),
        `gate "${event.payload.gate}"`,
      );
    },
    "budget.alert": async (event, ctx) => {
      const p = event.payload;
      await post(
        ctx,
        message(
          ctx,
          `Budget ${p.level === "stop" ? "exceeded" : "warning"}: ${p.budget}`,
          `Spent ${money(p.spent)} of ${money(p.limit)}.`,
        ),
        `budget "${p.budget}"`,
      );
    },
  },
  commands: {
    summary: {
      brief: "Posts a daily digest: completed in 24 h, in progress, blocked (--dry-run prints it)",
      run: summary,
    },
  },
});
