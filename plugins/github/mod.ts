/**
 * The GitHub plugin for BuildRunner: imports issues as features, comments on and closes the
 * linked issue when its feature completes, and opens a pull request from a finished
 * feature's branch. Written only against the public SDK (`@buildrunner/br/plugin`).
 *
 * @module
 */
import { definePlugin, type PluginContext } from "@buildrunner/br/plugin";
import { configCommand, parseArgs, request, settings } from "../_shared/http.ts";

const TOKEN = "GITHUB_TOKEN";
const DEFAULT_URL = "https://api.github.com";

interface Issue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  labels?: ({ name?: string } | string)[];
  milestone?: { title?: string; number?: number } | null;
  pull_request?: unknown;
}

interface Api {
  base: string;
  repo: string;
  call(action: string, path: string, init?: RequestInit): Promise<Response>;
}

/** The configured API, or an error naming what is missing. */
async function api(ctx: PluginContext, flags: Record<string, string | boolean>): Promise<Api> {
  const config = await settings(ctx);
  const base = String(flags.url ?? config.url ?? DEFAULT_URL).replace(/\/+$/, "");
  const repo = String(flags.repo ?? config.repo ?? "");
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new Error(
      'Cannot use GitHub: no repository configured; run "br github config --repo OWNER/NAME"',
    );
  }
  const token = ctx.env[TOKEN];
  if (!token) {
    throw new Error(`Cannot use GitHub: ${TOKEN} is not set (or not granted to the plugin)`);
  }
  return {
    base,
    repo,
    call: (action, path, init = {}) => {
      const url = path.startsWith("http") ? path : `${base}${path}`;
      if (new URL(url).origin !== new URL(base).origin) {
        throw new Error(
          `Cannot ${action}: GitHub pointed to another server (${new URL(url).host})`,
        );
      }
      return request(ctx, url, {
        ...init,
        headers: {
          accept: "application/vnd.github+json",
          authorization: `Bearer ${token}`,
          "x-github-api-version": "2022-11-28",
          "user-agent": "buildrunner-github-plugin",
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
      }, { service: "GitHub", action, credential: TOKEN, secrets: [token] });
    },
  };
}

/** The `rel="next"` URL of a `Link` header. */
function nextLink(link: string | null): string | null {
  for (const part of (link ?? "").split(",")) {
    const m = part.match(/<([^>]+)>\s*;\s*rel="?next"?/);
    if (m) return m[1];
  }
  return null;
}

/** Every page of a list. */
async function all<T>(gh: Api, action: string, path: string): Promise<T[]> {
  const items: T[] = [];
  let url: string | null = path;
  for (let page = 0; url && page < 1000; page++) {
    const res = await gh.call(action, url);
    items.push(...await res.json() as T[]);
    url = nextLink(res.headers.get("link"));
  }
  return items;
}

/** The week of a milestone: the first number of its title ("Week 3"), else none. */
function week(issue: Issue): number | null {
  const m = issue.milestone?.title?.match(/\d+/);
  return m ? Number(m[0]) : null;
}

function tags(issue: Issue): string[] {
  return (issue.labels ?? []).map((l) => typeof l === "string" ? l : l.name ?? "").filter(
    Boolean,
  );
}

/** Acceptance criteria: the task-list items of the issue's body. */
function acceptance(body: string): string[] {
  return [...body.matchAll(/^\s*[-*] \[[ xX]\] (.+)$/gm)].map((m) => m[1].trim());
}

function description(body: string): string {
  return body.split(/\r?\n\r?\n/)[0].replace(/\s+/g, " ").trim().slice(0, 500);
}

async function importIssues(args: string[], ctx: PluginContext) {
  const { flags } = parseArgs(args, {
    strings: ["label", "state", "url", "repo"],
    booleans: ["json"],
  });
  const state = String(flags.state ?? "open");
  if (typeof flags.label !== "string" || !["open", "closed", "all"].includes(state)) {
    ctx.log.error(
      "usage: br github import --label LABEL [--state open|closed|all] (state: open, closed or all)",
    );
    return { exitCode: 2 };
  }
  const gh = await api(ctx, flags);
  const query = new URLSearchParams({ labels: flags.label, state, per_page: "100" });
  const issues = (await all<Issue>(
    gh,
    `list the issues of ${gh.repo}`,
    `/repos/${gh.repo}/issues?${query}`,
  )).filter((i) => !i.pull_request);
  const existing = new Map(
    (await ctx.project.features()).map((f) => [String(f.id), f]),
  );
  const report = { added: [] as string[], updated: [] as string[], completed: [] as string[] };
  for (const issue of issues) {
    const linked = await ctx.kv.get(`issue:${issue.number}`);
    const id = typeof linked === "string" ? linked : `gh-${issue.number}`;
    const body = issue.body ?? "";
    const fields = {
      name: issue.title.replace(/\s+/g, " ").trim().slice(0, 200) || `Issue ${issue.number}`,
      description: description(body),
      tags: tags(issue),
      week: week(issue),
      acceptance: acceptance(body),
    };
    const closed = issue.state === "closed";
    const feature = existing.get(id);
    if (!feature) {
      await ctx.project.addFeature({ ...fields, id, status: closed ? "complete" : "planned" });
      report.added.push(id);
    } else {
      const before = JSON.stringify(feature);
      const after = await ctx.project.updateFeature(id, fields);
      if (JSON.stringify(after) !== before) report.updated.push(id);
      if (closed && feature.status !== "complete") {
        await ctx.project.setFeatureStatus(id, "complete");
        report.completed.push(id);
      }
    }
    await ctx.kv.set(`issue:${issue.number}`, id);
    await ctx.kv.set(`feature:${id}`, issue.number);
  }
  const unchanged = issues.length - report.added.length -
    new Set([...report.updated, ...report.completed]).size;
  if (flags.json) {
    return { output: JSON.stringify({ issues: issues.length, ...report, unchanged }) };
  }
  return {
    output:
      `Imported ${issues.length} issue(s) of ${gh.repo}: ${report.added.length} added, ${report.updated.length} updated, ${report.completed.length} completed, ${unchanged} unchanged`,
  };
}

async function openPullRequest(args: string[], ctx: PluginContext) {
  const { flags, positional } = parseArgs(args, {
    strings: ["base", "url", "repo"],
    booleans: ["json", "draft"],
  });
  const [id] = positional;
  if (!id || positional.length > 1) {
    ctx.log.error("usage: br github pr FEATURE [--base BRANCH] [--draft]");
    return { exitCode: 2 };
  }
  const feature = (await ctx.project.features()).find((f) => f.id === id);
  if (!feature) {
    ctx.log.error(`Cannot find feature "${id}"; hint: run "br feature list"`);
    return { exitCode: 4 };
  }
  if (feature.status !== "complete") {
    ctx.log.error(
      `Cannot open a pull request for "${id}": it is ${feature.status}, not complete; hint: finish it first ("br feature complete ${id}")`,
    );
    return { exitCode: 5 };
  }
  const gh = await api(ctx, flags);
  const base = typeof flags.base === "string" ? flags.base : (await (await gh.call(
    `read the repository ${gh.repo}`,
    `/repos/${gh.repo}`,
  )).json()).default_branch;
  const criteria = (feature.acceptance as string[] | undefined) ?? [];
  const cost = await ctx.project.cost(id);
  const issue = await ctx.kv.get(`feature:${id}`);
  const body = [
    String(feature.description ?? ""),
    "",
    "## Acceptance criteria",
    ...(criteria.length ? criteria.map((c) => `- [ ] ${c}`) : ["- [ ] (none recorded)"]),
    "",
    `Cost: $${cost.cost_usd.toFixed(2)} (${cost.total_tokens} tokens)`,
    ...(typeof issue === "number" ? ["", `Closes #${issue}`] : []),
  ].join("\n").trim();
  const res = await gh.call(`open a pull request for "${id}"`, `/repos/${gh.repo}/pulls`, {
    method: "POST",
    body: JSON.stringify({
      title: String(feature.name),
      head: `br/${id}`,
      base,
      body,
      draft: flags.draft === true,
    }),
  });
  const pr = await res.json() as { number: number; html_url: string };
  await ctx.kv.set(`pr:${id}`, pr.number);
  if (flags.json) return { output: JSON.stringify({ number: pr.number, url: pr.html_url }) };
  return { output: `Opened pull request #${pr.number} for "${id}": ${pr.html_url}` };
}

export default definePlugin({
  manifest: {
    name: "github",
    version: "1.0.0",
    apiVersion: 1,
    description: "GitHub issues as features, pull requests from finished features",
    // "*": the server of a GitHub Enterprise (granted with --grant net=HOST).
    permissions: { net: ["api.github.com", "*"], env: [TOKEN], features: ["write"] },
  },
  events: {
    "feature.completed": async (event, ctx) => {
      const number = await ctx.kv.get(`feature:${event.payload.id}`);
      if (typeof number !== "number") return;
      const gh = await api(ctx, {});
      const path = `/repos/${gh.repo}/issues/${number}`;
      const issue = await (await gh.call(`read issue #${number}`, path)).json() as Issue;
      if (issue.state === "closed") return;
      await gh.call(`comment on issue #${number}`, `${path}/comments`, {
        method: "POST",
        body: JSON.stringify({
          body: `Completed in BuildRunner: feature \`${event.payload.id}\`.`,
        }),
      });
      await gh.call(`close issue #${number}`, path, {
        method: "PATCH",
        body: JSON.stringify({ state: "closed", state_reason: "completed" }),
      });
    },
  },
  commands: {
    config: {
      brief: "Shows or sets the API URL (--url) and repository (--repo OWNER/NAME)",
      run: (args, ctx) => configCommand(ctx, args, ["url", "repo"]),
    },
    import: {
      brief: "Imports issues with a label as features: --label L [--state open|closed|all]",
      run: importIssues,
    },
    pr: {
      brief: "Opens a pull request from a finished feature's branch (br/<id>)",
      run: openPullRequest,
    },
  },
});
