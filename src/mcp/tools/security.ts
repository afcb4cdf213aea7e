/** The security tools: secret and SQL-injection scanning, as `br security scan`. */
import { z } from "zod";
import {
  findingJson,
  scanHistory,
  scanPaths,
  type ScanReport,
  scanStaged,
} from "../../security/mod.ts";
import { BrError } from "../../core/errors.ts";
import { defineTool, paginate, type ToolDefinition } from "../tool.ts";

const FindingOut = z.object({
  file: z.string(),
  line: z.number(),
  column: z.number(),
  rule: z.string(),
  severity: z.string(),
  kind: z.string(),
  secret_masked: z.string().nullable().describe("The secret masked; the raw value never leaves br"),
  fingerprint: z.string(),
  message: z.string(),
  fix: z.string().nullable(),
  commit: z.string().nullable(),
  baselined: z.boolean().describe("Accepted in .buildrunner/security-baseline.json"),
});

/** The tools of the security capability. */
export const securityTools: ToolDefinition[] = [
  defineTool({
    name: "br_security_scan",
    title: "Scan for secrets and SQL injection",
    description:
      "Scans files for leaked secrets (masked in the result, never raw) and SQL built by string concatenation, like `br security scan`. Give paths (relative to the project root), staged, or history (last N commits); default: the whole project. Findings are paginated; new_count counts findings not in the baseline.",
    set: "standard",
    input: z.strictObject({
      paths: z.array(z.string()).optional().describe("Files or folders inside the project"),
      staged: z.boolean().optional().describe("Scan the staged content (git index)"),
      history: z.number().int().min(1).max(10000).optional().describe(
        "Scan the lines added by the last N commits",
      ),
      new_only: z.boolean().optional().describe("Only findings not in the baseline"),
      limit: z.number().int().min(1).max(500).default(100).describe("Page size (default 100)"),
      cursor: z.string().optional().describe("next_cursor of the previous page"),
    }),
    output: z.object({
      findings: z.array(FindingOut),
      next_cursor: z.string().nullable(),
      total: z.number().describe("Findings matching (all pages)"),
      new_count: z.number().describe("Findings not in the baseline"),
      files_scanned: z.number(),
      skipped: z.object({ binary: z.number(), large: z.number(), vendored: z.number() }),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project, path }, args) => {
      const modes = (args.staged ? 1 : 0) + (args.history ? 1 : 0) +
        (args.paths?.length ? 1 : 0);
      if (modes > 1) {
        throw new BrError("usage", "Give paths, staged or history, not several", {
          hint: "run one scan at a time",
        });
      }
      let report: ScanReport;
      if (args.staged) report = await scanStaged(project);
      else if (args.history) report = await scanHistory(project, args.history);
      else {
        const paths: string[] = [];
        for (const [i, p] of (args.paths ?? []).entries()) {
          paths.push(await path(p, `paths[${i}]`));
        }
        report = await scanPaths(project, paths);
      }
      const fresh = new Set(report.new_findings);
      const list = args.new_only ? report.new_findings : report.findings;
      const page = paginate(list, args.limit, args.cursor);
      return {
        findings: page.items.map((f) => findingJson(f, !fresh.has(f))),
        next_cursor: page.next_cursor,
        total: page.total,
        new_count: report.new_findings.length,
        files_scanned: report.files_scanned,
        skipped: report.skipped,
      };
    },
  }),
];
