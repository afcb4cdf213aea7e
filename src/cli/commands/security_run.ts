import { VERSION } from "../../core/version.ts";
import { findProjectRoot } from "../../core/project.ts";
import { gitTop, realPath } from "../../core/git_index.ts";
import {
  findingJson,
  loadSecretRules,
  type ScanFolder,
  scanHistory,
  scanPaths,
  type ScanReport,
  scanReportToSarif,
  scanStaged,
  type ScanTarget,
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
  target: { root: string },
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
    printJson(ctx, scanReportToSarif(report, { version: VERSION, root: target.root }));
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

type ScanFlags = ProjectFlags & JsonFlags & {
  format?: string;
  staged?: boolean;
  history?: number;
  rules?: string;
};

/**
 * `br security scan [paths] [--staged] [--history N] [--rules FILE] [--format]`: in a project
 * with its settings, baseline and events; anywhere else (any folder or git repository) with
 * the rules alone, writing nothing.
 */
export async function scan(this: BrContext, flags: ScanFlags, ...paths: string[]): Promise<void> {
  const format = formatOf(flags);
  if ((flags.staged ? 1 : 0) + (flags.history ? 1 : 0) + (paths.length ? 1 : 0) > 1) {
    usage("Give paths, --staged or --history, not several", "run one scan at a time");
  }
  // gitleaks reads --config and its [extend] path from the working directory
  const rules = flags.rules
    ? await loadSecretRules({ rulesFile: resolve(this.cwd, flags.rules), cwd: this.cwd })
    : undefined;
  const run = async (target: ScanTarget, base: string) => {
    const report = flags.staged
      ? await scanStaged(target, { rules })
      : flags.history
      ? await scanHistory(target, flags.history, { rules })
      : await scanPaths(target, paths.map((p) => resolve(base, p)), { rules });
    await render(this, target, report, format);
  };
  if (flags.project || findProjectRoot(this.cwd)) {
    return await withProject(this, flags, (project) => run(project, this.cwd));
  }
  // No project: the git repository holding the current folder, else the folder itself.
  const here = realPath(this.cwd);
  const folder: ScanFolder = { root: (await gitTop(here)) ?? here };
  await run(folder, here);
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
