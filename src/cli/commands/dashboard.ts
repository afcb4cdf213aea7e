import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { jsonFlag } from "../output.ts";

const VIEWS = ["overview", "detail", "timeline", "alerts"] as const;

function parseDepth(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 12) {
    throw new Error(`expected a whole number from 0 to 12, got "${raw}"`);
  }
  return n;
}

function parsePort(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new Error(`expected a port from 0 to 65535, got "${raw}"`);
  }
  return n;
}

const discovery = {
  roots: {
    kind: "parsed",
    parse: String,
    brief: "Folders to search, comma-separated (remembered in the global config)",
    optional: true,
    placeholder: "a,b",
  },
  depth: {
    kind: "parsed",
    parse: parseDepth,
    brief: "Folder levels searched below each root (default dashboard.depth, 3)",
    optional: true,
    placeholder: "n",
  },
} as const;

/** The `br dashboard ...` commands. */
export const dashboardRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    show: command({
      load: async () => (await import("./dashboard_run.ts")).show,
      brief: "Every project under the roots: completion, gates, cost, workers, health",
      parameters: {
        flags: {
          ...discovery,
          view: {
            kind: "enum",
            values: VIEWS,
            brief: "What to show (default overview)",
            optional: true,
          },
          watch: {
            kind: "boolean",
            brief: "Redraw when a project changes (on a terminal)",
            optional: true,
          },
          json: jsonFlag,
        },
      },
    }),
    serve: command({
      load: async () => (await import("./dashboard_run.ts")).serve,
      brief: "Serve the dashboard as a local web page with live updates",
      parameters: {
        flags: {
          ...discovery,
          port: {
            kind: "parsed",
            parse: parsePort,
            brief: "Port (default 7878; 0 picks a free one)",
            optional: true,
            placeholder: "port",
          },
          host: {
            kind: "parsed",
            parse: String,
            brief: "Address to bind (default 127.0.0.1; anything else prints a warning)",
            optional: true,
            placeholder: "address",
          },
          open: { kind: "boolean", brief: "Open the page in the browser", optional: true },
        },
      },
    }),
  },
  defaultCommand: "show",
  docs: {
    brief: "The projects under a few folders at a glance, in the terminal or a local web page",
  },
});
