import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags } from "../output.ts";

/** The `br env ...` commands. */
export const envRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    detect: command({
      load: async () => (await import("./env_run.ts")).detect,
      brief: "List the variables and services the code and its config need, and where",
      parameters: { flags: commonFlags },
    }),
    template: command({
      load: async () => (await import("./env_run.ts")).template,
      brief: "Write or update .env.example (a managed block; your own lines are kept)",
      parameters: { flags: commonFlags },
    }),
    check: command({
      load: async () => (await import("./env_run.ts")).check,
      brief: "Check .env against .env.example: missing, empty, malformed; exits 10 on problems",
      parameters: { flags: commonFlags },
    }),
  },
  docs: { brief: "Environment variables: detect, template, check (values never shown)" },
});
