import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { textArg } from "../flags.ts";
import { commonFlags } from "../output.ts";

/** The `br store ...` commands. */
export const storeRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    "migrate-to": command({
      load: async () => (await import("./store_run.ts")).migrateTo,
      brief:
        "Copy this project's SQLite history (.buildrunner/br.db) into a PostgreSQL store, once",
      parameters: {
        flags: commonFlags,
        positional: {
          kind: "tuple",
          parameters: [textArg("PostgreSQL URL (postgres://user@host/db)", "url")],
        },
      },
    }),
    status: command({
      load: async () => (await import("./store_run.ts")).status,
      brief:
        "Where the store lives (URL without password), the project key and schema, whether it answers; exit 8 when not",
      parameters: { flags: commonFlags },
    }),
  },
  docs: { brief: "The project's database (.buildrunner/br.db or PostgreSQL)" },
});
