import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags } from "../output.ts";
import { textArg, textFlag } from "../flags.ts";

const only = textFlag(
  "Only these hooks, comma-separated (pre-commit, commit-msg, pre-push)",
  "a,b",
);

/** The `br hooks ...` commands. */
export const hooksRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    install: command({
      load: async () => (await import("./hooks_run.ts")).install,
      brief:
        "Install the pre-commit, commit-msg, post-commit and pre-push hooks (chains existing ones)",
      parameters: { flags: { ...commonFlags, hooks: only } },
    }),
    uninstall: command({
      load: async () => (await import("./hooks_run.ts")).uninstall,
      brief: "Remove br's hooks and restore the hooks they chained",
      parameters: { flags: { ...commonFlags, hooks: only } },
    }),
    status: command({
      load: async () => (await import("./hooks_run.ts")).status,
      brief: "Show which hooks are installed",
      parameters: { flags: commonFlags },
    }),
    snippet: command({
      load: async () => (await import("./hooks_run.ts")).snippet,
      brief: "Print configuration for pre-commit, prek, lefthook and husky users",
      parameters: { flags: commonFlags },
    }),
    run: command({
      load: async () => (await import("./hooks_run.ts")).runHookCommand,
      brief: "Run one hook now (what the installed hook scripts call)",
      parameters: {
        flags: commonFlags,
        positional: {
          kind: "array",
          parameter: textArg("Hook name, then the arguments git passed", "hook"),
          minimum: 1,
        },
      },
    }),
  },
  docs: { brief: "Git hooks (pre-commit, commit-msg, pre-push)", hideRoute: { run: false } },
});
