import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command, completeWith } from "../define.ts";
import { commonFlags } from "../output.ts";
import { boolFlag, textFlag } from "../flags.ts";

const one = (brief: string, placeholder: "industry" | "use-case") =>
  ({
    kind: "tuple",
    parameters: [{
      brief,
      parse: String,
      placeholder,
      proposeCompletions: completeWith(placeholder),
    }],
  }) as const;
const pair = {
  kind: "tuple",
  parameters: [
    {
      brief: "Industry profile (default: the spec's, then config design.industry)",
      parse: String,
      placeholder: "industry",
      optional: true,
      proposeCompletions: completeWith("industry"),
    },
    {
      brief: "Use-case pattern (default: the spec's, then config design.use_case)",
      parse: String,
      placeholder: "use-case",
      optional: true,
      proposeCompletions: completeWith("use-case"),
    },
  ],
} as const;

/** The `br design ...` commands. */
export const designRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    profiles: command({
      load: async () => (await import("./design_run.ts")).profiles,
      brief: "List industry profiles",
      parameters: { flags: commonFlags },
    }),
    profile: command({
      load: async () => (await import("./design_run.ts")).profile,
      brief: "Show one industry profile (palette, type, compliance)",
      parameters: {
        flags: commonFlags,
        positional: one("Profile id, e.g. healthcare", "industry"),
      },
    }),
    patterns: command({
      load: async () => (await import("./design_run.ts")).patterns,
      brief: "List use-case patterns",
      parameters: { flags: commonFlags },
    }),
    pattern: command({
      load: async () => (await import("./design_run.ts")).pattern,
      brief: "Show one use-case pattern (pages, components, layout)",
      parameters: { flags: commonFlags, positional: one("Pattern id, e.g. dashboard", "use-case") },
    }),
    generate: command({
      load: async () => (await import("./design_run.ts")).generate,
      brief: "Generate theme.css, tailwind.config.js, tokens.json and DESIGN.md",
      parameters: {
        flags: {
          ...commonFlags,
          format: textFlag(
            "tailwind4, tailwind3, dtcg or all (default: config design.format, all)",
            "format",
          ),
          out: textFlag("Output folder (default: design/)", "dir"),
          "dtcg-compat": boolFlag(
            "tokens.json with string values, for Style Dictionary 4 (default: config design.dtcg_compat)",
          ),
        },
        positional: pair,
      },
    }),
    preview: command({
      load: async () => (await import("./design_run.ts")).preview,
      brief: "Write a self-contained HTML preview (palette, type, components)",
      parameters: {
        flags: {
          ...commonFlags,
          out: textFlag("Output file (default: design/preview.html)", "file.html"),
        },
        positional: pair,
      },
    }),
  },
  docs: { brief: "Design system: industry profiles × use-case patterns → themes and tokens" },
});
