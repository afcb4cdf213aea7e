/**
 * `br dashboard serve`: the dashboard as a local web page, served by Hono on `Deno.serve`.
 * Read-only; the page's files are embedded (no build step, nothing read from disk per
 * request); live updates by server-sent events when a project's files or store change (a store on a
 * PostgreSQL server is read again every few seconds: `BR_DASHBOARD_POLL_MS`).
 *
 * Guards: requests whose `Host` header is not the bound address are refused (DNS
 * rebinding); a request path only ever selects a project among those discovered (an
 * unknown id is a 404, so no path reaches the file system); every response carries a
 * restrictive Content-Security-Policy.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { sha256Hex } from "../core/hash.ts";
import { APP_CSS, APP_JS, INDEX_HTML } from "./_assets.ts";
import { costChartSvg } from "./chart.ts";
import type { FoundProject } from "./discover.ts";
import { DashboardReader, type ReaderOptions } from "./reader.ts";
import type { ProjectSnapshot } from "./snapshot.ts";
import { pollInterval, type ProjectWatcher, watchProjects } from "./watch.ts";

/** The Content-Security-Policy of every response. */
export const CSP: string =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Options of {@link serveDashboard}. */
export interface ServeOptions extends ReaderOptions {
  /** Address to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (0: any free port). */
  port?: number;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** The page's address. */
  url: string;
  /** The bound host and port. */
  host: string;
  /** The bound port. */
  port: number;
  /** Stops serving. */
  shutdown(): Promise<void>;
  /** Settles when the server has stopped. */
  finished: Promise<void>;
}

/** True for a loopback address (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" || host === "localhost";
}

/** The id of a project in URLs: its folder name and a hash of its path. */
export function projectId(found: FoundProject): string {
  const slug = found.path.split(/[\\/]/).filter(Boolean).pop()?.replace(/[^A-Za-z0-9._-]/g, "_")
    .slice(0, 40) || "project";
  return `${slug}-${sha256Hex(found.path).slice(0, 8)}`;
}

type Row = ProjectSnapshot & { id: string };

/**
 * Serves the dashboard until {@link DashboardServer.shutdown}.
 *
 * @throws {Deno.errors.AddrInUse} when the port is taken.
 */
export async function serveDashboard(options: ServeOptions): Promise<DashboardServer> {
  const host = options.host ?? "127.0.0.1";
  const reader = new DashboardReader(options);
  let rows: Row[] = [];
  const byId = new Map<string, FoundProject>();
  const clients = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const enc = new TextEncoder();
  let watcher: ProjectWatcher | null = null;
  let watched = "";

  const send = (event: string, data: unknown) => {
    const chunk = enc.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const c of clients) {
      try {
        c.enqueue(chunk);
      } catch {
        clients.delete(c);
      }
    }
  };

  const load = async (rediscover: boolean): Promise<Row[]> => {
    const snaps = await reader.snapshots({ rediscover });
    byId.clear();
    const idOf = new Map<string, string>();
    for (const f of reader.projects) {
      const id = projectId(f);
      byId.set(id, f);
      idOf.set(f.path, id);
    }
    rows = snaps.map((s) => ({ id: idOf.get(s.path)!, ...s }));
    const paths = reader.projects.map((f) => f.path);
    const poll = reader.serverProjects;
    const key = `${paths.join("\n")}\0${poll.join("\n")}`;
    if (key !== watched) {
      watched = key;
      watcher?.close();
      watcher = watchProjects(paths, onChange, { poll, pollMs: pollInterval(options.env) });
    }
    return rows;
  };

  let running: Promise<void> | null = null;
  let queued = new Set<string>();
  function onChange(changed: Set<string>) {
    for (const p of changed) queued.add(p);
    if (running) return;
    running = (async () => {
      while (queued.size) {
        queued = new Set();
        const before = new Map(rows.map((r) => [r.path, JSON.stringify(r)]));
        await load(false).catch(() => rows);
        // Only projects whose snapshot differs: reading a store touches its files too.
        const ids = rows.filter((r) => before.get(r.path) !== JSON.stringify(r)).map((r) => r.id);
        if (ids.length) send("update", { changed: ids });
      }
    })().finally(() => running = null);
  }

  await load(true);

  const app = new Hono();
  let allowed: Set<string> = new Set();
  app.use("*", async (c, next) => {
    const given = (c.req.header("host") ?? "").toLowerCase();
    if (!allowed.has(given)) {
      c.res = new Response("Refused: the Host header does not name this server\n", {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    } else {
      await next();
    }
    c.res.headers.set("content-security-policy", CSP);
    c.res.headers.set("x-content-type-options", "nosniff");
    c.res.headers.set("referrer-policy", "no-referrer");
    c.res.headers.set("x-frame-options", "DENY");
    c.res.headers.set("cross-origin-resource-policy", "same-origin");
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  });
  const page = (c: Context) => c.html(INDEX_HTML);
  app.get("/", page);
  app.get("/alerts", page);
  app.get("/timeline", page);
  app.get("/project/:id", (c) => byId.has(c.req.param("id")) ? page(c) : c.notFound());
  app.get("/assets/app.js", (c) => {
    c.header("content-type", "text/javascript; charset=utf-8");
    return c.body(APP_JS);
  });
  app.get("/assets/app.css", (c) => {
    c.header("content-type", "text/css; charset=utf-8");
    return c.body(APP_CSS);
  });
  app.get("/api/overview", async (c) => c.json({ projects: await load(true) }));
  app.get("/api/timeline", async (c) => c.json({ events: await reader.timeline(100) }));
  app.get("/api/project/:id", async (c) => {
    const found = byId.get(c.req.param("id"));
    if (!found) return c.notFound();
    return c.json(await reader.detail(found));
  });
  app.get("/api/project/:id/cost.svg", async (c) => {
    const found = byId.get(c.req.param("id"));
    if (!found) return c.notFound();
    const detail = await reader.detail(found);
    c.header("content-type", "image/svg+xml; charset=utf-8");
    return c.body(costChartSvg(detail.cost_by_day));
  });
  app.get("/events", () => {
    let self: ReadableStreamDefaultController<Uint8Array>;
    let ping: ReturnType<typeof setInterval> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        self = controller;
        clients.add(controller);
        controller.enqueue(enc.encode(": connected\nretry: 1000\n\n"));
        ping = setInterval(() => {
          try {
            controller.enqueue(enc.encode(": ping\n\n"));
          } catch {
            clearInterval(ping);
          }
        }, 15_000);
      },
      cancel() {
        clearInterval(ping);
        clients.delete(self);
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
      },
    });
  });
  app.notFound((c) => c.text("Not found\n", 404));
  app.onError((err, c) => c.text(`Cannot answer: ${err.message}\n`, 500));

  const abort = new AbortController();
  const server = Deno.serve({
    hostname: host,
    port: options.port ?? 7878,
    signal: abort.signal,
    onListen: () => {},
  }, app.fetch);
  const port = server.addr.port;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  allowed = new Set([`${hostInUrl}:${port}`.toLowerCase()]);
  if (port === 80) allowed.add(hostInUrl.toLowerCase());
  return {
    url: `http://${hostInUrl}:${port}/`,
    host,
    port,
    async shutdown() {
      watcher?.close();
      for (const c of clients) {
        try {
          c.close();
        } catch {
          // gone
        }
      }
      clients.clear();
      abort.abort();
      await server.finished;
    },
    finished: server.finished,
  };
}
