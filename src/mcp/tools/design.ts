/** The design tool: generate a validated theme for an industry × use case. */
import { relative } from "node:path";
import { z } from "zod";
import { DESIGN_FORMATS, type DesignFormat, generateDesign } from "../../design/mod.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";

/** The tools of the design capability. */
export const designTools: ToolDefinition[] = [
  defineTool({
    name: "br_design_generate",
    title: "Generate a design system",
    description:
      "Merges an industry profile and a use-case pattern into a theme whose every color pair meets the profile's WCAG level, and writes it like `br design generate`: Tailwind v4 CSS, Tailwind v3 config, DTCG tokens and DESIGN.md. industry and use_case default to the spec's Design section. Reports every conflict, incompatibility and contrast adjustment.",
    set: "all",
    input: z.strictObject({
      industry: z.string().optional().describe(
        "healthcare, fintech, saas, e-commerce, education, real-estate, media, enterprise, or a user profile",
      ),
      use_case: z.string().optional().describe(
        "dashboard, marketplace, crm, analytics, onboarding, admin-panel, content-platform, api-service, or a user pattern",
      ),
      format: z.enum(DESIGN_FORMATS as readonly [DesignFormat, ...DesignFormat[]]).optional()
        .describe("Default: config design.format, else all"),
      out: z.string().optional().describe(
        "Output folder inside the project (default: config design.out, else design/)",
      ),
    }),
    output: z.object({
      industry: z.string(),
      use_case: z.string(),
      title: z.string(),
      wcag_level: z.string(),
      source: z.object({ industry: z.string(), use_case: z.string() }),
      format: z.string(),
      out_dir: z.string().describe("Relative to the project root"),
      files: z.array(z.object({ path: z.string(), format: z.string(), bytes: z.number() })),
      issues: z.array(z.object({
        kind: z.string(),
        subject: z.string(),
        profile: z.string(),
        pattern: z.string(),
        resolution: z.string(),
        rule: z.number(),
      })),
      adjustments: z.array(z.object({
        mode: z.string(),
        role: z.string(),
        pair: z.string(),
        from: z.string(),
        to: z.string(),
        ratio_before: z.number(),
        ratio_after: z.number(),
        required: z.number(),
      })),
      contrast_pairs: z.number().describe("Pairs checked (all pass)"),
      lowest_text_ratio: z.number(),
    }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: async ({ project, path }, args) => {
      const out = args.out === undefined ? undefined : await path(args.out, "out");
      const r = await generateDesign(project, {
        industry: args.industry,
        use_case: args.use_case,
        format: args.format,
        out,
        cwd: project.root,
      });
      const rel = (p: string) => relative(project.root, p) || ".";
      const d = r.design;
      return {
        industry: d.industry,
        use_case: d.use_case,
        title: d.title,
        wcag_level: d.wcag_level,
        source: r.input.source,
        format: r.format,
        out_dir: rel(r.out_dir),
        files: r.files.map((f) => ({ path: rel(f.path), format: f.format, bytes: f.bytes })),
        issues: d.issues,
        adjustments: d.adjustments,
        contrast_pairs: d.contrast.length,
        lowest_text_ratio: Math.min(
          ...d.contrast.filter((c) => c.kind === "text").map((c) => c.ratio),
        ),
      };
    },
  }),
];
