import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags } from "../output.ts";
import { textArg } from "../flags.ts";

const keyArg = {
  kind: "tuple",
  parameters: [textArg("Dotted key, such as project.test_command", "key")],
} as const;
const global = {
  kind: "boolean",
  brief: "Use the global file (~/.buildrunner/config.yaml, BR_HOME moves it)",
  optional: true,
} as const;

/** The `br config ...` commands. */
export const configRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    get: command({
      load: async () => (await import("./config_run.ts")).get,
      brief: "Print the effective value of a key",
      parameters: { flags: commonFlags, positional: keyArg },
    }),
    set: command({
      load: async () => (await import("./config_run.ts")).set,
      brief: "Set a key in the project (or --global) config",
      parameters: {
        flags: { ...commonFlags, global },
        positional: {
          kind: "tuple",
          parameters: [
            keyArg.parameters[0],
            textArg("Value (YAML: 80, true, [a, b], text)", "value"),
          ],
        },
      },
    }),
    unset: command({
      load: async () => (await import("./config_run.ts")).unset,
      brief: "Remove a key from the project (or --global) config",
      parameters: { flags: { ...commonFlags, global }, positional: keyArg },
    }),
    list: command({
      load: async () => (await import("./config_run.ts")).list,
      brief: "Every key with its value and where it comes from",
      parameters: { flags: { ...commonFlags, global } },
    }),
  },
  docs: { brief: "Read and change settings (defaults < global < project < BR_* env)" },
});
