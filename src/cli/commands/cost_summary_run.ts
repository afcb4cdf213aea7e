/**
 * `br cost summary` and `br routing costs`, apart from the other cost runners so that a
 * summary loads only the summary (not the catalog and importers).
 */
import { type CostSummary, costSummary, SUMMARY_BY, type SummaryBy } from "../../cost/summary.ts";
import type { BrContext } from "../context.ts";
import { table } from "../table.ts";
import {
  colors,
  formatCount,
  formatUsd,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  usage,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

/** `br cost summary` and `br routing costs` */
export function summary(
  this: BrContext,
  flags: Common & {
    by?: string;
    since?: string;
    until?: string;
    timezone?: string;
    feature?: string;
    source?: string;
    format?: string;
  },
): Promise<void> {
  const format = flags.json ? "json" : flags.format ?? "text";
  if (!["text", "json", "csv"].includes(format)) {
    usage(`Unknown format "${format}"`, "use text, json or csv");
  }
  const by = (flags.by ?? "day") as SummaryBy;
  if (!SUMMARY_BY.includes(by)) {
    usage(`Cannot group by "${flags.by}"`, `use one of: ${SUMMARY_BY.join(", ")}`);
  }
  return withProject(this, flags, async (project) => {
    const result = await costSummary(project, {
      by,
      since: flags.since,
      until: flags.until,
      timezone: flags.timezone,
      feature: flags.feature,
      source: flags.source,
    });
    if (format === "json") {
      const { by: _by, timezone: _tz, ...rest } = result;
      return printJson(this, rest);
    }
    if (format === "csv") return print(this, summaryCsv(result));
    print(this, await summaryText(this, result));
  });
}

const FIELDS = [
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_read_tokens",
  "total_tokens",
  "cost_usd",
  "logged_cost_usd",
] as const;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? "" : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function summaryCsv(s: CostSummary): string {
  const lines = [["key", ...FIELDS].join(",")];
  for (const r of s.rows) lines.push([r.key, ...FIELDS.map((f) => r[f])].map(csvCell).join(","));
  lines.push(["total", ...FIELDS.map((f) => s.totals[f])].map(csvCell).join(","));
  return lines.join("\n");
}

async function summaryText(ctx: BrContext, s: CostSummary): Promise<string> {
  const c = await colors(ctx);
  if (!s.rows.length) {
    return 'No usage recorded in this range. Run "br cost import" to read agent logs.';
  }
  const head = [
    s.by.toUpperCase(),
    "INPUT",
    "OUTPUT",
    "CACHE WRITE",
    "CACHE READ",
    "TOTAL TOKENS",
    "COST",
  ];
  const row = (key: string, r: CostSummary["totals"]) => [
    key,
    formatCount(r.input_tokens),
    formatCount(r.output_tokens),
    formatCount(r.cache_creation_tokens),
    formatCount(r.cache_read_tokens),
    formatCount(r.total_tokens),
    formatUsd(r.cost_usd),
  ];
  const rows = s.rows.map((r) => row(r.key ?? "(none)", r));
  const total = row("total", s.totals);
  let out: string;
  if (!ctx.stdoutIsTTY) {
    out = [head, ...rows, total].map((r) => r.join("\t")).join("\n");
  } else {
    out = table([head.map((h) => c.bold(h)), ...rows, total.map((x) => c.bold(x))], {
      align: ["left", "right", "right", "right", "right", "right", "right"],
    });
  }
  if (s.unpriced_models.length) {
    out += "\n" + c.yellow(`No price for: ${s.unpriced_models.join(", ")} (counted at $0)`);
  }
  return out;
}
