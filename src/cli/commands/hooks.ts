import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { jsonFlag, projectFlag } from "../output.ts";

const common = { project: projectFlag, json: jsonFlag } as const;
const only = {
  kind: "parsed",
  parse: String,
  brief: "Only these hooks, comma-separated (pre-commit, commit-msg, pre-push)",
  optional: true,
  placeholder: "a,b",
} as const;

/** The `br hooks ...` commands. */
export const hooksRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    install: command({
      load: async () => (await import("./hooks_run.ts")).install,
      brief:
        "Install the pre-commit, commit-msg, post-commit and pre-push hooks (chains existing ones)",
      parameters: { flags: { ...common, hooks: only } },
    }),
    uninstall: command({
      load: async () => (await import("./hooks_run.ts")).uninstall,
      brief: "Remove br's hooks and restore the hooks they chained",
      parameters: { flags: { ...common, hooks: only } },
    }),
    status: command({
      load: async () => (await import("./hooks_run.ts")).status,
      brief: "Show which hooks are installed",
      parameters: { flags: common },
    }),
    snippet: command({
      load: async () => (await import("./hooks_run.ts")).snippet,
      brief: "Print configuration for pre-commit, prek, lefthook and husky users",
      parameters: { flags: common },
    }),
    run: command({
      load: async () => (await import("./hooks_run.ts")).runHookCommand,
      brief: "Run one hook now (what the installed hook scripts call)",
      parameters: {
        flags: common,
        positional: {
          kind: "array",
          parameter: {
            brief: "Hook name, then the arguments git passed",
            parse: String,
            placeholder: "hook",
          },
          minimum: 1,
        },
      },
    }),
  },
  docs: { brief: "Git hooks (pre-commit, commit-msg, pre-push)", hideRoute: { run: false } },
});
