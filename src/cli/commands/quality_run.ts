import { BrError, ExitCode } from "../../core/errors.ts";
import { writeFileAtomic } from "../../core/fs.ts";
import { basename, resolve } from "../../core/path.ts";
import {
  analyzeGaps,
  checkGuard,
  checkQuality,
  gapsToMarkdown,
  gapsToSarif,
  loadGovernance,
  preCommitGates,
  runGates,
  updateGovernance,
  verifyGovernance,
} from "../../quality/mod.ts";
import { VERSION } from "../../core/version.ts";
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

type Common = ProjectFlags & JsonFlags;

/** The extension of a path's last part (`.sarif`; none for `.bashrc`), as `node:path` has it. */
function extname(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf(".");
  return dot <= 0 || name === ".." ? "" : name.slice(dot);
}

function pickFormat(flags: JsonFlags & { format?: string }, allowed: string[]): string {
  const f = flags.json ? "json" : (flags.format ?? "text").toLowerCase();
  if (!allowed.includes(f)) {
    usage(`Unknown format "${flags.format}"`, `use one of: ${allowed.join(", ")}`);
  }
  return f;
}

function loc(file: string | null, line: number | null): string {
  return file ? (line ? `${file}:${line}` : file) : "";
}

const FORMAT_OF_EXTENSION: Record<string, string> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".json": "json",
  ".sarif": "sarif",
};

/** `br gaps analyze` */
export function gapsAnalyze(
  this: BrContext,
  flags: Common & { format?: string; output?: string },
): Promise<void> {
  // Without --format, the file's extension chooses (report.md is Markdown).
  const byExtension = flags.output && !flags.format && !flags.json
    ? FORMAT_OF_EXTENSION[extname(flags.output).toLowerCase()]
    : undefined;
  const format = byExtension ??
    pickFormat(flags, ["text", "json", "sarif", "markdown", "md"]).replace(/^md$/, "markdown");
  return withProject(this, flags, async (project) => {
    const report = await analyzeGaps(project);
    let text: string;
    if (format === "json") text = JSON.stringify(report, null, 2) + "\n";
    else if (format === "sarif") {
      text = JSON.stringify(gapsToSarif(report, VERSION), null, 2) + "\n";
    } else if (format === "markdown") text = gapsToMarkdown(report);
    else {
      // A file gets no terminal colors.
      const c = await colors(flags.output ? { ...this, env: { NO_COLOR: "1" } } : this);
      const sev = (s: string) =>
        s === "high" ? c.red("HIGH  ") : s === "medium" ? c.yellow("MEDIUM") : c.dim("LOW   ");
      const lines = report.gaps.map((g) =>
        `${sev(g.severity)} ${g.kind.padEnd(22)} ${
          (loc(g.file, g.line) || g.feature || "").padEnd(32)
        } ${g.message}`
      );
      const k = report.counts;
      lines.push(
        `${k.high} high, ${k.medium} medium, ${k.low} low gaps in ${report.files_analyzed} source files`,
      );
      text = lines.join("\n") + "\n";
    }
    if (flags.output) {
      await writeFileAtomic(resolve(this.cwd, flags.output), text);
      if (format === "text" || !flags.json) {
        print(
          this,
          `Wrote ${flags.output}: ${report.counts.high} high, ${report.counts.medium} medium, ${report.counts.low} low gaps`,
        );
      }
    } else this.process.stdout.write(text);
    if (report.counts.high > 0) setExit(this, ExitCode.checkFailed);
  });
}

/** `br quality check` */
export function qualityCheck(
  this: BrContext,
  flags: Common & { threshold?: number; format?: string },
): Promise<void> {
  const format = pickFormat(flags, ["text", "json"]);
  return withProject(this, flags, async (project) => {
    const r = await checkQuality(project, { threshold: flags.threshold });
    if (format === "json") printJson(this, r);
    else {
      const c = await colors(this);
      print(
        this,
        `Quality score: ${c.bold(String(r.score))}/100 (threshold ${r.threshold}) ${
          r.passed ? c.green("passed") : c.red("below threshold")
        }`,
      );
      const d = r.dimensions;
      const pct = (w: number) => `${Math.round(w * 100)}%`.padStart(4);
      const row = (name: string, dim: { score: number; weight: number }, detail: string) =>
        print(
          this,
          `  ${name.padEnd(10)} ${String(dim.score).padStart(5)}  ${pct(dim.weight)}  ${detail}`,
        );
      const s = d.structure.details;
      row(
        "structure",
        d.structure,
        `${s.functions} functions in ${s.files} files: ${s.long_functions} long, ${s.complex_functions} complex, ${s.long_files} long files`,
      );
      row("security", d.security, `${d.security.details.findings} findings`);
      const t = d.tests.details;
      row(
        "tests",
        d.tests,
        `${t.test_files} test files for ${t.source_files} source files, coverage ${
          t.coverage_percent === null
            ? "not reported"
            : `${t.coverage_percent}% (${t.coverage_file})`
        }`,
      );
      const o = d.docs.details;
      row(
        "docs",
        d.docs,
        `README ${
          o.readme ? "yes" : "no"
        }, ${o.documented} of ${o.public_declarations} public declarations documented`,
      );
      if (d.tools) {
        const ran = r.tools.ran.map((t) =>
          `${t.name} ${t.status === "error" ? "error" : `${t.problems} problems`}`
        );
        const missing = r.tools.missing.length ? `; missing: ${r.tools.missing.join(", ")}` : "";
        row("tools", d.tools, `${ran.join(", ") || "none ran"}${missing}`);
      }
      if (r.findings.length) {
        print(this, "Findings:");
        for (const f of r.findings) {
          print(this, `  ${loc(f.file, f.line).padEnd(36)} ${f.kind.padEnd(16)} ${f.message}`);
        }
      }
    }
    if (!r.passed) setExit(this, ExitCode.checkFailed);
  });
}

/** `br guard check` */
export function guardCheck(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const r = await checkGuard(project);
    if (flags.json) printJson(this, r);
    else if (r.rules === 0) {
      print(
        this,
        "No architecture rules: add `src/ui -/-> src/db` lines to the Architecture section of PROJECT_SPEC.md or rules to governance.yaml",
      );
    } else {
      const c = await colors(this);
      for (const v of r.violations) {
        print(
          this,
          `${c.red("✗")} ${loc(v.file, v.line).padEnd(32)} ${v.rule.padEnd(20)} ${v.message}`,
        );
      }
      print(
        this,
        `${r.violations.length} violations of ${r.rules} rules (${r.sources.join(", ")})`,
      );
    }
    if (!r.passed) setExit(this, ExitCode.checkFailed);
  });
}

/** `br governance verify` */
export function governanceVerify(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const v = await verifyGovernance(project);
    if (flags.json) printJson(this, v);
    else if (!v.present && v.passed) {
      print(this, 'No governance.yaml: "br governance update" writes the default one');
    } else if (v.passed) {
      print(
        this,
        `${(await colors(this)).green("✓")} governance.yaml matches its checksum (${
          v.actual!.slice(0, 12)
        }…)`,
      );
    } else for (const p of v.problems) print(this, `${(await colors(this)).red("✗")} ${p}`);
    if (!v.passed) setExit(this, ExitCode.checkFailed);
  });
}

/** `br governance update` */
export function governanceUpdate(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const r = await updateGovernance(project);
    if (flags.json) return printJson(this, r);
    if (r.created) print(this, "Wrote the default .buildrunner/governance.yaml");
    print(
      this,
      r.changed ? `Recorded checksum ${r.checksum}` : `Checksum unchanged (${r.checksum})`,
    );
  });
}

/** `br governance show` */
export function governanceShow(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const gov = await loadGovernance(project);
    if (flags.json) return printJson(this, gov);
    if (!gov) {
      return print(this, 'No governance.yaml: "br governance update" writes the default one');
    }
    const t = Object.entries(gov.transitions);
    print(this, `policy:      ${gov.policy}`);
    print(
      this,
      `transitions: ${
        t.length ? t.map(([f, to]) => `${f} → ${to!.join("|") || "none"}`).join("; ") : "any"
      }`,
    );
    print(
      this,
      `start needs complete dependencies: ${
        gov.dependencies.require_complete_to_start ? "yes" : "no"
      }`,
    );
    print(
      this,
      `commit:      ${gov.commit.pattern ?? "any subject"}${
        gov.commit.max_subject_length ? `, at most ${gov.commit.max_subject_length} characters` : ""
      }`,
    );
    print(this, `branches:    ${gov.branches.allowed.join(", ") || "any"}`);
    print(this, `pre-commit:  ${preCommitGates(gov).join(", ")}`);
    print(this, `pre-push:    ${gov.gates.pre_push.join(", ") || "none"}`);
    const a = gov.architecture;
    print(
      this,
      `architecture: ${a.forbidden.length} forbidden imports, ${a.layers.length} layers, ${a.forbidden_dependencies.length} forbidden packages, ${a.naming.length} naming rules, ${a.private.length} private-file rules`,
    );
  });
}

/** `br validate` */
export function validate(
  this: BrContext,
  flags: Common & { gates?: string; threshold?: number },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const gates = flags.gates?.split(",").map((s) => s.trim()).filter(Boolean);
    if (gates && gates.length === 0) {
      throw new BrError("usage", "--gates is empty", { hint: "--gates gaps,quality" });
    }
    const r = await runGates(project, { gates, threshold: flags.threshold });
    if (flags.json) printJson(this, r);
    else {
      const c = await colors(this);
      print(this, `${"GATE".padEnd(12)}${"RESULT".padEnd(8)}${"TIME".padStart(8)}  SUMMARY`);
      for (const g of r.gates) {
        const res = g.passed ? c.green("pass".padEnd(8)) : c.red("FAIL".padEnd(8));
        print(this, `${g.gate.padEnd(12)}${res}${`${g.duration_ms} ms`.padStart(8)}  ${g.summary}`);
      }
      print(
        this,
        r.passed
          ? "All gates passed."
          : `${r.gates.filter((g) => !g.passed).length} gate(s) failed.`,
      );
      if (r.reused) {
        print(this, c.dim("Nothing the gates read changed since their last run: its results."));
      }
    }
    if (!r.passed) setExit(this, ExitCode.checkFailed);
  });
}
