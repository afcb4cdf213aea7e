import { VERSION } from "../../core/version.ts";
import type { Project } from "../../core/project.ts";
import {
  findingJson,
  scanHistory,
  scanPaths,
  type ScanReport,
  scanReportToSarif,
  scanStaged,
  secretRulesInForce,
  securityCheck,
  updateSecurityBaseline,
} from "../../security/mod.ts";
import { resolve } from "node:path";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  usage,
  withProject,
} from "../output.ts";
import { ExitCode } from "../../core/errors.ts";

type Format = "text" | "json" | "sarif";

function formatOf(flags: JsonFlags & { format?: string }): Format {
  if (flags.json) return "json";
  const f = (flags.format ?? "text").toLowerCase();
  if (f !== "text" && f !== "json" && f !== "sarif") {
    usage(`Unknown format "${flags.format}"`, "use --format text, json or sarif");
  }
  return f as Format;
}

async function render(
  ctx: BrContext,
  project: Project,
  report: ScanReport,
  format: Format,
): Promise<void> {
  const fresh = new Set(report.new_findings);
  if (format === "json") {
    printJson(ctx, {
      findings: report.findings.map((f) => findingJson(f, !fresh.has(f))),
      new_findings: report.new_findings.map((f) => f.fingerprint),
      skipped: report.skipped,
      files_scanned: report.files_scanned,
    });
  } else if (format === "sarif") {
    printJson(ctx, scanReportToSarif(report, { version: VERSION, root: project.root }));
  } else {
    const c = await colors(ctx);
    for (const f of report.findings) {
      const where = `${f.file}:${f.line}:${f.column}${f.commit ? ` @${f.commit.slice(0, 8)}` : ""}`;
      const tag = fresh.has(f) ? c.red(f.severity) : c.dim("baseline");
      const what = f.kind === "secret" ? `${f.message}: ${f.secret_masked}` : f.message;
      print(ctx, `${where}  ${tag}  ${c.bold(f.rule)}  ${what}`);
      if (f.fix) print(ctx, `    fix: ${f.fix}`);
    }
    const s = report.skipped;
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
    const summary = `${plural(report.files_scanned, "file")} scanned, ` +
      `${plural(report.findings.length, "finding")} (${report.new_findings.length} new); ` +
      `skipped: ${s.binary} binary, ${s.large} large, ${plural(s.vendored, "vendored folder")}`;
    print(ctx, report.new_findings.length ? c.red(summary) : c.green(summary));
  }
  if (report.new_findings.length) setExit(ctx, ExitCode.checkFailed);
}

type ScanFlags = ProjectFlags & JsonFlags & { format?: string; staged?: boolean; history?: number };

/** `br security scan [paths] [--staged] [--history N] [--format]` */
export function scan(this: BrContext, flags: ScanFlags, ...paths: string[]): Promise<void> {
  const format = formatOf(flags);
  if ((flags.staged ? 1 : 0) + (flags.history ? 1 : 0) + (paths.length ? 1 : 0) > 1) {
    usage("Give paths, --staged or --history, not several", "run one scan at a time");
  }
  return withProject(this, flags, async (project) => {
    const report = flags.staged
      ? await scanStaged(project)
      : flags.history
      ? await scanHistory(project, flags.history)
      : await scanPaths(project, paths.map((p) => resolve(this.cwd, p)));
    await render(this, project, report, format);
  });
}

/** `br security check` */
export function check(this: BrContext, flags: ProjectFlags & JsonFlags & { format?: string }) {
  const format = formatOf(flags);
  return withProject(this, flags, async (project) => {
    await render(this, project, await securityCheck(project), format);
  });
}

/** `br security baseline [paths]` */
export function baseline(this: BrContext, flags: ProjectFlags & JsonFlags, ...paths: string[]) {
  return withProject(this, flags, async (project) => {
    const res = await updateSecurityBaseline(project, paths.map((p) => resolve(this.cwd, p)));
    if (flags.json) return printJson(this, res);
    print(this, `Wrote ${res.count} fingerprints to ${res.path}`);
  });
}

/** `br security rules [--json]` */
export function rules(this: BrContext, flags: ProjectFlags & JsonFlags) {
  return withProject(this, flags, async (project) => {
    const list = await secretRulesInForce(project);
    if (flags.json) return printJson(this, list);
    const c = await colors(this);
    const width = Math.max(0, ...list.map((r) => r.id.length));
    for (const r of list) {
      const from = r.source === "builtin" ? "builtin" : `${r.source} ${r.file}`;
      print(
        this,
        `${c.bold(r.id.padEnd(width))}  ${r.severity.padEnd(8)}  ${from}  ${r.description}`,
      );
    }
    const count = (s: string) => list.filter((r) => r.source === s).length;
    print(
      this,
      c.dim(
        `${list.length} rules: ${count("builtin")} built-in, ${
          count("config")
        } from the rules file, ` +
          `${count("extends")} from files it extends`,
      ),
    );
  });
}
