import { ExitCode } from "../../core/errors.ts";
import {
  BUDGET_PERIODS,
  type BudgetCheck,
  checkBudgets,
  costBlocks,
  importUsage,
  listCatalog,
  removeBudget,
  requireModel,
  resolveTimeZone,
  setBudget,
  type UsageBlock,
} from "../../cost/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  formatCount,
  formatUsd,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  usage,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

/** `br cost models [name]` */
export function models(
  this: BrContext,
  flags: Common & { provider?: string },
  name?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    // A named model the catalog does not know is an unknown id, not an empty list.
    if (name) await requireModel(project, name);
    const result = await listCatalog(project, { name, provider: flags.provider });
    if (flags.json) return printJson(this, result);
    if (!result.models.length) return print(this, name ? `No price for "${name}".` : "No models.");
    const fmt = (p: unknown) =>
      p === undefined
        ? "-"
        : typeof p === "number"
        ? String(p)
        : `${(p as { base: number }).base}+`;
    print(
      this,
      ["MODEL", "PROVIDER", "INPUT", "OUTPUT", "WRITE 5M", "WRITE 1H", "READ", "SOURCE"].join(
        "\t",
      ),
    );
    for (const m of result.models) {
      const p = m.prices;
      print(
        this,
        [
          m.id,
          m.provider,
          fmt(p.input),
          fmt(p.output),
          fmt(p.cache_write_5m),
          fmt(p.cache_write_1h),
          fmt(p.cache_read),
          m.source,
        ]
          .join("\t"),
      );
    }
    print(
      this,
      'USD per million tokens; "+" = a higher price above a long-context threshold.',
    );
  });
}

/** `br cost budget set <period> <usd>` */
export function budgetSet(
  this: BrContext,
  flags: Common & { feature?: string; warn?: number },
  period: string,
  limit: number,
): Promise<void> {
  if (!BUDGET_PERIODS.includes(period as never)) {
    usage(`Unknown budget period "${period}"`, `use one of: ${BUDGET_PERIODS.join(", ")}`);
  }
  return withProject(this, flags, async (project) => {
    const b = await setBudget(project, {
      period,
      limit_usd: limit,
      warn_pct: flags.warn,
      feature: flags.feature,
    });
    if (flags.json) return printJson(this, b);
    const c = await colors(this);
    print(
      this,
      `${c.green("✓")} Budget ${c.bold(b.name)}: stop at ${
        formatUsd(b.limit_usd)
      }, warn at ${b.warn_pct}%`,
    );
  });
}

/** `br cost budget list` */
export function budgetList(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const check = await checkBudgets(project, { quiet: true });
    if (flags.json) return printJson(this, check.budgets);
    if (!check.budgets.length) {
      return print(this, 'No budgets. Set one with "br cost budget set daily 20".');
    }
    print(this, await budgetText(this, check));
  });
}

/** `br cost budget check` */
export function budgetCheck(this: BrContext, flags: Common & { feature?: string }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const check = await checkBudgets(project, { feature: flags.feature });
    if (flags.json) printJson(this, check);
    else if (!check.budgets.length) print(this, "No budgets set.");
    else print(this, await budgetText(this, check));
    if (check.level === "stop") setExit(this, ExitCode.checkFailed);
  });
}

async function budgetText(ctx: BrContext, check: BudgetCheck): Promise<string> {
  const c = await colors(ctx);
  const level = (l: string) => l === "stop" ? c.red(l) : l === "warn" ? c.yellow(l) : c.green(l);
  const lines = ["BUDGET\tWINDOW\tSPENT\tLIMIT\tWARN\tLEVEL"];
  for (const b of check.budgets) {
    lines.push(
      [
        b.name,
        b.window,
        formatUsd(b.spent_usd),
        formatUsd(b.limit_usd),
        `${b.warn_pct}%`,
        level(b.level),
      ].join(
        "\t",
      ),
    );
  }
  return lines.join("\n");
}

/** `br cost budget remove <name>` */
export function budgetRemove(this: BrContext, flags: Common, name: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    await removeBudget(project, name);
    if (flags.json) return printJson(this, { removed: name });
    print(this, `Removed budget ${name}.`);
  });
}

const clock = (iso: string, tz: string) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso)).replace(",", "");
const minutes = (m: number) => `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;

function blocksText(list: UsageBlock[], tz: string): string {
  if (!list.length) return 'No usage windows. Run "br cost import" to read agent logs.';
  const lines = ["START\tSTATUS\tMODELS\tTOKENS\tCOST\tBURN/H\tPROJECTED"];
  for (const b of list) {
    if (b.gap) {
      lines.push([clock(b.start, tz), "gap", "-", "-", "-", "-", "-"].join("\t"));
      continue;
    }
    const left = b.projection ? ` (${minutes(b.projection.remaining_minutes)} left)` : "";
    lines.push([
      clock(b.start, tz),
      b.active ? `active${left}` : "done",
      b.models.join(", "),
      formatCount(b.total_tokens),
      formatUsd(b.cost_usd),
      b.burn_rate ? formatUsd(b.burn_rate.cost_per_hour) : "-",
      b.projection
        ? `${formatUsd(b.projection.cost_usd)}, ${formatCount(b.projection.total_tokens)} tokens`
        : "-",
    ].join("\t"));
  }
  return lines.join("\n");
}

/** `br cost blocks [--active] [--recent] [--live]` */
export function blocks(
  this: BrContext,
  flags: Common & {
    active?: boolean;
    recent?: boolean;
    live?: boolean;
    interval?: number;
    source?: string;
  },
): Promise<void> {
  const interval = flags.interval ?? 5;
  if (!Number.isFinite(interval) || interval < 1) {
    usage(`Cannot use --interval ${flags.interval}`, "give a number of seconds, 1 or more");
  }
  return withProject(this, flags, async (project) => {
    const tz = await resolveTimeZone(project);
    const read = () =>
      costBlocks(project, { active: flags.active, recent: flags.recent, source: flags.source });
    // Redrawing only makes sense on a terminal; piped or with --json, print once.
    if (!flags.live || flags.json || !this.stdoutIsTTY) {
      const list = await read();
      return flags.json ? printJson(this, list) : print(this, blocksText(list, tz));
    }
    let stop = false;
    const onInt = () => void (stop = true);
    Deno.addSignalListener("SIGINT", onInt);
    try {
      while (!stop) {
        await importUsage(project, { sources: ["claude-code"] });
        const list = await costBlocks(project, { active: true, source: flags.source });
        this.process.stdout.write("\x1b[H\x1b[2J");
        print(this, blocksText(list, tz));
        print(this, `\nUpdated ${clock(project.clock.now().toISOString(), tz)}. Ctrl-C to stop.`);
        for (let waited = 0; waited < interval * 1000 && !stop; waited += 200) {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      Deno.removeSignalListener("SIGINT", onInt);
    }
  });
}
