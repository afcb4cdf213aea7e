import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags } from "../output.ts";
import { textFlag } from "../flags.ts";

const format = (kinds: string) => textFlag(`Output format: ${kinds} (--json = json)`, "format");
const threshold = {
  kind: "parsed",
  parse: (raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 100) throw new Error(`expected 0-100, got "${raw}"`);
    return n;
  },
  brief: "Minimum score 0-100 (default: quality.threshold, 70)",
  optional: true,
  placeholder: "n",
} as const;

/** The `br gaps ...` commands. */
export const gapsRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    analyze: command({
      load: async () => (await import("./quality_run.ts")).gapsAnalyze,
      brief: "Find unfinished work: stubs, TODOs, unproven features, cycles, undeclared imports",
      description:
        "Exit 10 when high gaps exist. High: a stub or TODO in the files of a complete feature, a complete feature without acceptance evidence, an import cycle, an undeclared dependency.",
      parameters: {
        flags: {
          ...commonFlags,
          format: format("text, json, sarif, markdown"),
          output: textFlag(
            "Write the report to this file (format from .md, .json, .sarif unless --format)",
            "file",
          ),
        },
      },
    }),
  },
  docs: { brief: "Gap analysis (what is claimed vs what the code holds)" },
});

/** The `br quality ...` commands. */
export const qualityRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    check: command({
      load: async () => (await import("./quality_run.ts")).qualityCheck,
      brief: "Score the code 0-100 (structure, security, tests, docs); exit 10 under the threshold",
      parameters: { flags: { ...commonFlags, threshold, format: format("text, json") } },
    }),
  },
  docs: { brief: "Code quality score" },
});

/** The `br guard ...` commands. */
export const guardRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    check: command({
      load: async () => (await import("./quality_run.ts")).guardCheck,
      brief: "Check layer, import and naming rules (spec Architecture section, governance.yaml)",
      parameters: { flags: commonFlags },
    }),
  },
  docs: { brief: "Architecture guard" },
});

/** The `br governance ...` commands. */
export const governanceRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    verify: command({
      load: async () => (await import("./quality_run.ts")).governanceVerify,
      brief: "Check governance.yaml against its checksum and schema (exit 10 on a mismatch)",
      parameters: { flags: commonFlags },
    }),
    update: command({
      load: async () => (await import("./quality_run.ts")).governanceUpdate,
      brief: "Record the checksum of governance.yaml (writes the default file when missing)",
      parameters: { flags: commonFlags },
    }),
    show: command({
      load: async () => (await import("./quality_run.ts")).governanceShow,
      brief: "Show the effective governance rules",
      parameters: { flags: commonFlags },
    }),
  },
  docs: { brief: "Governance rules (.buildrunner/governance.yaml)" },
});

/** `br validate` */
export const validateCommand = command({
  load: async () => (await import("./quality_run.ts")).validate,
  brief: "Run every configured gate once; exit 10 when one fails",
  parameters: {
    flags: {
      ...commonFlags,
      gates: textFlag(
        "Only these gates, comma-separated (features, governance, spec, security, gaps, quality, guard)",
        "a,b",
      ),
      threshold,
    },
  },
});
