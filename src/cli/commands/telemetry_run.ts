import { resolve } from "node:path";
import { writeFileAtomicWith } from "../../core/fs.ts";
import { BrError } from "../../core/errors.ts";
import {
  evaluateAlerts,
  type EventFilter,
  exportEvents,
  exportOtlp,
  parsePeriod,
  parseSince,
  type PruneResult,
  pruneTelemetry,
  telemetryEvents,
  telemetryPerformance,
  telemetrySummary,
} from "../../telemetry/mod.ts";
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

function pct(rate: number | null): string {
  return rate === null ? "-" : `${Math.round(rate * 1000) / 10}%`;
}

function ms(value: number): string {
  return value >= 60_000
    ? `${(value / 60_000).toFixed(1)} min`
    : value >= 1000
    ? `${(value / 1000).toFixed(1)} s`
    : `${value} ms`;
}

function columns(rows: string[][]): string {
  return table(rows, { indent: 2 });
}

/** `br telemetry summary` */
export function summary(this: BrContext, flags: Common & { period?: string }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const s = await telemetrySummary(project, { period: parsePeriod(flags.period) });
    if (flags.json) return printJson(this, s);
    const c = await colors(this);
    print(this, c.bold(`Telemetry, ${s.period === "all" ? "all time" : `since ${s.since}`}`));
    if (s.events === 0) {
      print(this, "  No events recorded in this period.");
      if (s.cost.calls) {
        print(this, `  cost:          $${s.cost.usd.toFixed(4)} in ${s.cost.calls} call(s)`);
      }
      return;
    }
    print(this, `  events:        ${s.events}`);
    print(
      this,
      `  success rate:  ${pct(s.success.rate)} (tasks ${s.success.tasks.succeeded}/${
        s.success.tasks.succeeded + s.success.tasks.failed
      }, builds ${s.success.builds.succeeded}/${
        s.success.builds.succeeded + s.success.builds.failed
      })`,
    );
    print(this, `  error rate:    ${pct(s.error_rate)}`);
    print(this, `  cost:          $${s.cost.usd.toFixed(4)} in ${s.cost.calls} call(s)`);
    print(this, `  commands:      ${s.sessions.total} recorded, ${s.sessions.failed} failed`);
    if (s.durations.length) {
      print(this, c.bold("Durations"));
      print(
        this,
        columns([
          ["TYPE", "COUNT", "P50", "P95"],
          ...s.durations.map((d) => [d.type, String(d.count), ms(d.p50_ms), ms(d.p95_ms)]),
        ]),
      );
    }
    if (s.models.length) {
      print(this, c.bold("Models"));
      print(
        this,
        columns([
          ["MODEL", "SELECTED", "FALLBACK TO", "CALLS", "USD"],
          ...s.models.map((m) => [
            m.model,
            String(m.selected),
            String(m.fallback_to),
            String(m.cost_calls),
            m.usd.toFixed(4),
          ]),
        ]),
      );
    }
    if (s.gates.length) {
      print(this, c.bold("Gates"));
      print(
        this,
        columns([
          ["GATE", "PASSED", "FAILED"],
          ...s.gates.map((g) => [g.gate, String(g.passed), String(g.failed)]),
        ]),
      );
    }
    if (s.errors.length) {
      print(this, c.bold("Errors"));
      print(this, columns(s.errors.map((e) => [e.type, String(e.count)])));
    }
  });
}

function filterOf(
  ctx: BrContext,
  flags: { type?: string; since?: string; feature?: string; session?: string },
  now: Date,
): EventFilter {
  void ctx;
  const filter: EventFilter = {};
  if (flags.type) filter.type = flags.type;
  if (flags.since) filter.since = parseSince(flags.since, now);
  if (flags.feature) filter.feature = flags.feature;
  if (flags.session) filter.session = flags.session;
  return filter;
}

/** `br telemetry events` */
export function events(
  this: BrContext,
  flags: Common & {
    type?: string;
    since?: string;
    feature?: string;
    session?: string;
    limit?: string;
  },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const limit = flags.limit === undefined ? 50 : Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) {
      usage(
        `--limit must be a whole number above 0, got "${flags.limit}"`,
        "pass --limit 50, or leave it out for the last 50",
      );
    }
    const list = await telemetryEvents(project, {
      ...filterOf(this, flags, project.clock.now()),
      limit,
    });
    if (flags.json) return printJson(this, list);
    if (list.length === 0) return print(this, "No events match.");
    const c = await colors(this);
    for (const e of list) {
      const about = [e.feature && `feature=${e.feature}`, e.task && `task=${e.task}`]
        .filter(Boolean).join(" ");
      print(
        this,
        `${c.dim(e.time)}  ${e.type.padEnd(20)} ${about ? about + " " : ""}${
          c.dim(JSON.stringify(e.payload))
        }`,
      );
    }
  });
}

/** `br telemetry alerts` */
export function alerts(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const report = await evaluateAlerts(project);
    if (flags.json) return printJson(this, report);
    const c = await colors(this);
    print(this, c.bold(`Alert rules (window: ${report.window})`));
    print(
      this,
      columns([
        ["RULE", "VALUE", "THRESHOLD", "STATE"],
        ...report.checks.map((k) => [
          k.rule,
          k.value === null ? "-" : String(k.value),
          k.threshold === null ? "off" : `${k.kind === "min" ? "<=" : ">="} ${k.threshold}`,
          k.firing ? "FIRING" : "ok",
        ]),
      ]),
    );
    if (report.active.length) {
      print(this, c.bold("Active"));
      for (const a of report.active) {
        print(this, `  ${c.red("!")} ${a.message} (since ${a.fired_at})`);
      }
    } else print(this, "No active alerts.");
    const past = report.history.filter((a) => a.resolved_at !== null);
    if (past.length) {
      print(this, c.bold("History"));
      for (const a of past.slice(0, 10)) {
        print(this, `  ${a.fired_at} -> ${a.resolved_at}  ${a.message}`);
      }
    }
  });
}

/** `br telemetry performance` */
export function performanceCmd(
  this: BrContext,
  flags: Common & { period?: string },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const report = await telemetryPerformance(project, { period: parsePeriod(flags.period) });
    if (flags.json) return printJson(this, report);
    const c = await colors(this);
    if (report.durations.length === 0) return print(this, "No durations recorded in this period.");
    print(this, c.bold("Durations by event type"));
    print(
      this,
      columns([
        ["TYPE", "COUNT", "P50", "P90", "P95", "P99", "MAX"],
        ...report.durations.map((d) => [
          d.type,
          String(d.count),
          ms(d.p50_ms),
          ms(d.p90_ms),
          ms(d.p95_ms),
          ms(d.p99_ms),
          ms(d.max_ms),
        ]),
      ]),
    );
    if (report.commands.length) {
      print(this, c.bold("Commands"));
      print(
        this,
        columns([
          ["COMMAND", "RUNS", "MEAN", "MAX"],
          ...report.commands.map((k) => [k.command, String(k.runs), ms(k.mean_ms), ms(k.max_ms)]),
        ]),
      );
    }
  });
}

/** `br telemetry export` */
export function exportCmd(
  this: BrContext,
  flags: Common & {
    format?: string;
    output?: string;
    endpoint?: string;
    all?: boolean;
    type?: string;
    since?: string;
    feature?: string;
  },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const format = flags.format ?? "jsonl";
    const filter = filterOf(this, flags, project.clock.now());
    if (format === "otlp") {
      const result = await exportOtlp(project, {
        endpoint: flags.endpoint,
        all: flags.all,
        filter,
      });
      if (flags.json) return printJson(this, result);
      print(
        this,
        `Sent ${result.sent} event(s), ${result.spans} span(s) and ${result.metric_points} metric point(s) to ${result.endpoint} in ${result.requests} request(s)${
          result.retries ? ` (${result.retries} retried)` : ""
        }${result.rejected ? `, ${result.rejected} rejected` : ""}`,
      );
      return;
    }
    if (format !== "csv" && format !== "jsonl") {
      throw new BrError("usage", `Unknown export format "${format}"`, {
        hint: "use csv, jsonl or otlp",
      });
    }
    if (!flags.output && flags.json) {
      // One JSON document: the events as an array (the JSON lines, streamed between brackets).
      if (flags.format === "csv") usage("Cannot print CSV as JSON", "drop --json, or --format csv");
      let first = true;
      this.process.stdout.write("[");
      await exportEvents(project, { format: "jsonl", filter }, (chunk) => {
        for (const line of chunk.split("\n")) {
          if (!line) continue;
          this.process.stdout.write((first ? "\n" : ",\n") + line);
          first = false;
        }
      });
      this.process.stdout.write(first ? "]\n" : "\n]\n");
      return;
    }
    if (!flags.output) {
      await exportEvents(project, { format, filter }, (chunk) => this.process.stdout.write(chunk));
      return;
    }
    const target = resolve(this.cwd, flags.output);
    const enc = new TextEncoder();
    const count = await writeFileAtomicWith(
      target,
      (file) =>
        exportEvents(project, { format, filter }, async (chunk) => {
          const bytes = enc.encode(chunk);
          let off = 0;
          while (off < bytes.length) off += await file.write(bytes.subarray(off));
        }),
    );
    if (flags.json) return printJson(this, { path: target, format, events: count });
    print(this, `Wrote ${count} event(s) to ${target}`);
  });
}

/** `br telemetry prune` */
export function prune(
  this: BrContext,
  flags: Common & { olderThan?: string; dryRun?: boolean; yes?: boolean },
): Promise<void> {
  if (!flags.olderThan) {
    usage("Missing --older-than", "for example: br telemetry prune --older-than 90d");
  }
  if (!flags.dryRun && !flags.yes && !this.stdinIsTTY) {
    usage(
      "Cannot ask before deleting events: stdin is not a terminal",
      "pass --yes to delete, or --dry-run to count what would be deleted",
    );
  }
  return withProject(this, flags, async (project) => {
    const olderThan = flags.olderThan!;
    const what = (r: PruneResult) =>
      `${r.events} event(s), ${r.rollups} rollup row(s) and ${r.alerts} resolved alert(s) older than ${r.before}`;
    if (!flags.dryRun && !flags.yes) {
      const plan = await pruneTelemetry(project, { olderThan, dryRun: true });
      const p = await import("@clack/prompts");
      const process = (await import("node:process")).default;
      const ok = await p.confirm({ message: `Delete ${what(plan)}?`, output: process.stderr });
      if (p.isCancel(ok) || !ok) {
        if (flags.json) return printJson(this, { ...plan, events: 0, rollups: 0, alerts: 0 });
        return print(this, "Nothing deleted.");
      }
    }
    const result = await pruneTelemetry(project, { olderThan, dryRun: flags.dryRun });
    if (flags.json) return printJson(this, result);
    print(this, `${result.dry_run ? "Would delete" : "Deleted"} ${what(result)}`);
  });
}
