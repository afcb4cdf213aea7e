import {
  estimateTask,
  LEVELS,
  listModels,
  parseLevel,
  recordOutcome,
  selectModel,
} from "../../routing/mod.ts";
import type { BrContext } from "../context.ts";
import { table } from "../table.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  usage,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

function number(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    usage(`${flag} must be a number of at least 0, got "${raw}"`, `for example: ${flag} 0.25`);
  }
  return n;
}

/** `br routing estimate` */
export function estimateCmd(
  this: BrContext,
  flags: Common & { feature?: string },
  text?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    if (text && flags.feature) {
      usage("Give a task text or --feature, not both", "drop the text to estimate the feature");
    }
    const report = await estimateTask(project, { text, feature: flags.feature });
    if (flags.json) return printJson(this, report);
    const c = await colors(this);
    print(this, `${c.bold(report.level)} (score ${report.score})`);
    print(this, `  base                                          +1`);
    for (const r of report.reasons) {
      print(this, `  ${r.reason.padEnd(45)} ${r.points >= 0 ? "+" : ""}${r.points}`);
    }
  });
}

/** `br routing select` */
export function select(
  this: BrContext,
  flags: Common & {
    feature?: string;
    level?: string;
    maxCost?: string;
    provider?: string;
    minContext?: string;
  },
  text?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const s = await selectModel(project, {
      text,
      feature: flags.feature,
      level: flags.level === undefined ? undefined : parseLevel(flags.level),
      maxCost: number(flags.maxCost, "--max-cost"),
      provider: flags.provider,
      minContext: number(flags.minContext, "--min-context"),
    });
    if (flags.json) return printJson(this, s);
    const c = await colors(this);
    print(this, `${c.bold(s.model.id)} (${s.model.provider}) for a ${s.level} task`);
    for (const r of s.reasons) print(this, `  - ${r}`);
    print(this, `  fallbacks: ${s.fallbacks.join(" -> ") || "none"}`);
  });
}

/** `br routing models` */
export function models(this: BrContext, flags: Common & { provider?: string }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const list = await listModels(project, { provider: flags.provider });
    if (flags.json) return printJson(this, list);
    const rows = [[
      "MODEL",
      "PROVIDER",
      "CONTEXT",
      "IN $/M",
      "OUT $/M",
      "PRICES",
      "TIER",
      "RECORD",
    ]];
    for (const m of list) {
      const record = LEVELS.map((l) => m.records[l])
        .map((r, i) => r.outcomes ? `${LEVELS[i]} ${r.success}/${r.outcomes}` : "")
        .filter(Boolean).join(", ");
      rows.push([
        m.id,
        m.provider,
        String(m.context_window),
        String(m.input_usd_per_mtok),
        String(m.output_usd_per_mtok),
        m.price_source,
        LEVELS[m.tier - 1],
        record || "-",
      ]);
    }
    print(this, table(rows));
  });
}

/** `br routing outcome` */
export function outcome(
  this: BrContext,
  flags: Common & { model?: string; result?: string; cost?: string; level?: string },
  feature: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    if (!flags.model) usage("Missing --model", "for example: --model claude-sonnet-4-5");
    if (!flags.result) usage("Missing --result", "use --result success, rework or fail");
    const record = await recordOutcome(project, {
      feature,
      model: flags.model!,
      result: flags.result!,
      cost_usd: number(flags.cost, "--cost"),
      level: flags.level,
    });
    if (flags.json) return printJson(this, record);
    print(
      this,
      `Recorded ${record.result} of ${record.model} on ${record.feature} (${record.level})`,
    );
  });
}
