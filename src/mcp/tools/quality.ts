/** The gate tools: `br validate`, gap analysis and the quality score. */
import { z } from "zod";
import { ALL_GATES, analyzeGaps, checkQuality, runGates } from "../../quality/mod.ts";
import { defineTool, paginate, type ToolDefinition } from "../tool.ts";

const limit = (fallback: number) =>
  z.number().int().min(1).max(500).default(fallback).describe(
    `Page size (1-500, default ${fallback})`,
  );
const cursor = z.string().optional().describe("next_cursor of the previous page");

const Dimension = z.object({
  score: z.number(),
  weight: z.number(),
  details: z.record(z.string(), z.union([z.number(), z.boolean(), z.string(), z.null()])),
});

/** The tools of the gates capability. */
export const qualityTools: ToolDefinition[] = [
  defineTool({
    name: "br_validate",
    title: "Run the gates",
    description: `Runs every configured gate once, like \`br validate\` (${
      ALL_GATES.join(", ")
    }), and reports each with a one-line summary and its figures. passed=false when any gate fails; that is a result, not an error.`,
    set: "default",
    input: z.strictObject({
      gates: z.array(z.string()).min(1).optional().describe(
        `Gates to run (default: the quality.gates setting); known: ${ALL_GATES.join(", ")}`,
      ),
      cwd: z.string().optional().describe(
        "Tree to check, inside the project (default: the project root)",
      ),
      threshold: z.number().min(0).max(100).optional().describe(
        "Quality score threshold (default: quality.threshold)",
      ),
    }),
    output: z.object({
      passed: z.boolean(),
      gates: z.array(z.object({
        gate: z.string(),
        passed: z.boolean(),
        summary: z.string(),
        counts: z.record(z.string(), z.number()),
        duration_ms: z.number(),
      })),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project, path }, args) =>
      runGates(project, {
        gates: args.gates,
        cwd: args.cwd === undefined ? undefined : await path(args.cwd, "cwd"),
        threshold: args.threshold,
      }),
  }),
  defineTool({
    name: "br_gaps",
    title: "Gap analysis",
    description:
      "What is missing between what the project claims and what the code holds, like `br gaps analyze`: open features, complete features without acceptance evidence, stubs and TODOs (high inside a complete feature's files), undeclared imports, import cycles, spec/features mismatches. Gaps are paginated, high first; counts cover all of them.",
    set: "standard",
    input: z.strictObject({
      severity: z.enum(["high", "medium", "low"]).optional().describe("Only this severity"),
      limit: limit(100),
      cursor,
    }),
    output: z.object({
      gaps: z.array(z.object({
        severity: z.string(),
        kind: z.string(),
        message: z.string(),
        file: z.string().nullable(),
        line: z.number().nullable(),
        feature: z.string().nullable(),
      })),
      next_cursor: z.string().nullable(),
      total: z.number().describe("Gaps matching the filter (all pages)"),
      counts: z.object({
        high: z.number(),
        medium: z.number(),
        low: z.number(),
        total: z.number(),
      }),
      files_analyzed: z.number(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project }, args) => {
      const report = await analyzeGaps(project);
      const gaps = args.severity
        ? report.gaps.filter((g) => g.severity === args.severity)
        : report.gaps;
      const page = paginate(gaps, args.limit, args.cursor);
      return {
        gaps: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
        counts: report.counts,
        files_analyzed: report.files_analyzed,
      };
    },
  }),
  defineTool({
    name: "br_quality",
    title: "Quality score",
    description:
      "The 0-100 quality score with its dimensions (structure, security, tests, docs) and per-file findings, like `br quality check`. passed = score >= threshold. Findings are paginated.",
    set: "standard",
    input: z.strictObject({
      threshold: z.number().min(0).max(100).optional().describe(
        "Default: quality.threshold",
      ),
      limit: limit(100),
      cursor,
    }),
    output: z.object({
      score: z.number(),
      threshold: z.number(),
      passed: z.boolean(),
      dimensions: z.object({
        structure: Dimension,
        security: Dimension,
        tests: Dimension,
        docs: Dimension,
        tools: Dimension.optional(),
      }),
      findings: z.array(z.object({
        file: z.string(),
        line: z.number().nullable(),
        kind: z.string(),
        message: z.string(),
      })),
      next_cursor: z.string().nullable(),
      total: z.number().describe("Findings (all pages)"),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project }, args) => {
      const r = await checkQuality(project, { threshold: args.threshold });
      const page = paginate(r.findings, args.limit, args.cursor);
      return {
        score: r.score,
        threshold: r.threshold,
        passed: r.passed,
        dimensions: r.dimensions,
        findings: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
      };
    },
  }),
];
