import { compareText } from "../core/text.ts";
import { join } from "../core/path.ts";
import { readTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { type Analysis, analyzeTree } from "./_analysis.ts";
import { analysisCacheLocation } from "./_analysis_cache.ts";
import { sourceMasker } from "../security/scan.ts";
import { newSecurityFindings } from "./_security.ts";
import { qualitySettings } from "./_settings.ts";
import { COVERAGE_REPORTS, QUALITY_WEIGHTS } from "./model.ts";
import type { ToolResult } from "./_tools.ts";

/** One dimension of the score. */
export interface QualityDimension {
  /** 0–100. */
  score: number;
  /** Its weight in the total. */
  weight: number;
  /** The figures it was computed from. */
  details: Record<string, number | boolean | string | null>;
}

/** A per-file finding. */
export interface QualityFinding {
  /** File (relative). */
  file: string;
  /** Line, when known. */
  line: number | null;
  /** Kind: long_function, complex_function, long_file, missing_doc, security. */
  kind: string;
  /** One-line description. */
  message: string;
}

/** The result of {@link checkQuality}. */
export interface QualityReport {
  /** 0–100. */
  score: number;
  /** The threshold it was held against. */
  threshold: number;
  /** `score >= threshold`. */
  passed: boolean;
  /** The four dimensions, and the project's own tools when it has any. */
  dimensions: {
    structure: QualityDimension;
    security: QualityDimension;
    tests: QualityDimension;
    docs: QualityDimension;
    tools?: QualityDimension;
  };
  /**
   * The project's own checkers (deno lint, deno check, eslint, tsc, prettier, ruff, mypy,
   * black) that ran, each with its status and problems; and those it uses that are missing.
   */
  tools: { ran: ToolResult[]; missing: string[] };
  /** Findings sorted by file and line. */
  findings: QualityFinding[];
}

/** Options of {@link checkQuality}. */
export interface QualityOptions {
  /** Overrides `quality.threshold`. */
  threshold?: number;
  /** The tree to analyze (default: the project root). */
  cwd?: string;
  /** A tree analysis already made. */
  analysis?: Analysis;
  /**
   * Security findings in the tree (file and line only; never a secret). Default: the
   * security scanner's findings for the analyzed files, baseline applied.
   */
  security?: { file: string; line: number | null; rule: string }[];
  /** Run the project's own checkers (default true). */
  tools?: boolean;
}

/**
 * Computes the 0–100 quality score:
 *
 * `score = round(0.35·structure + 0.20·security + 0.25·tests + 0.20·docs)`, where
 * - structure = 100 × (functions within `max_function_lines` and `max_complexity` + files
 *   within `max_file_lines`) / (functions + files), 100 for an empty tree;
 * - security = max(0, 100 − 25 × security findings);
 * - tests = R, or (R + C) / 2 when a coverage report exists, with
 *   R = min(100, 100 × (test files / source files) / `test_ratio_target`) and C the line
 *   coverage percent from lcov, Cobertura XML or coverage.json;
 * - docs = 30 (a README) + 70 × documented public declarations / public declarations
 *   (70 when there are none);
 * - when the project has its own checkers (deno lint/check, ESLint, tsc, Prettier, Ruff,
 *   mypy, Black: see `_tools.ts`) and any of them ran, `score = round(0.8·that + 0.2·tools)`,
 *   tools being the mean of theirs (100 − 10 per problem, at least 0; 0 for a tool that
 *   failed to run). A tool the project uses that is missing is listed, not counted.
 *
 * @throws {BrError} `invalid_data` for a bad config value.
 */
export async function checkQuality(
  project: Project,
  options: QualityOptions = {},
): Promise<QualityReport> {
  const settings = await qualitySettings(project);
  const root = options.cwd ?? project.root;
  const analysis = options.analysis ??
    await analyzeTree(root, { cache: analysisCacheLocation(root, project.env) });
  const threshold = options.threshold ?? settings.threshold;
  const findings: QualityFinding[] = [];

  let units = 0;
  let okUnits = 0;
  let longFns = 0;
  let complexFns = 0;
  let longFiles = 0;
  for (const f of analysis.files) {
    units++;
    if (f.lines > settings.max_file_lines) {
      longFiles++;
      findings.push({
        file: f.file,
        line: null,
        kind: "long_file",
        message: `${f.lines} lines (limit ${settings.max_file_lines})`,
      });
    } else okUnits++;
    for (const fn of f.functions) {
      units++;
      let ok = true;
      if (fn.lines > settings.max_function_lines) {
        ok = false;
        longFns++;
        findings.push({
          file: f.file,
          line: fn.line,
          kind: "long_function",
          message: `"${fn.name}" has ${fn.lines} lines (limit ${settings.max_function_lines})`,
        });
      }
      if (fn.complexity > settings.max_complexity) {
        ok = false;
        complexFns++;
        findings.push({
          file: f.file,
          line: fn.line,
          kind: "complex_function",
          message:
            `"${fn.name}" has cyclomatic complexity ${fn.complexity} (limit ${settings.max_complexity})`,
        });
      }
      if (ok) okUnits++;
    }
  }
  const structure = units ? (100 * okUnits) / units : 100;

  const security = options.security ?? await securityFindings(project, root);
  for (const s of security) {
    findings.push({ file: s.file, line: s.line, kind: "security", message: `finding: ${s.rule}` });
  }
  const securityScore = Math.max(0, 100 - 25 * security.length);

  const sources = analysis.files.filter((f) => !f.test).length;
  const tests = analysis.files.filter((f) => f.test).length;
  const ratio = sources ? tests / sources : 0;
  const ratioScore = sources ? Math.min(100, (100 * ratio) / settings.test_ratio_target) : 100;
  const coverage = await readCoverage(root);
  const testsScore = coverage ? (ratioScore + coverage.percent) / 2 : ratioScore;

  const readme = analysis.all_files.some((f) => /^readme(\.[a-z]+)?$/i.test(f));
  let pub = 0;
  let documented = 0;
  for (const f of analysis.files) {
    if (f.test) continue;
    for (const e of f.exports) {
      pub++;
      if (e.documented) documented++;
      else {
        findings.push({
          file: f.file,
          line: e.line,
          kind: "missing_doc",
          message: `public "${e.name}" has no doc comment`,
        });
      }
    }
  }
  const docsScore = (readme ? 30 : 0) + (pub ? (70 * documented) / pub : 70);

  const base = QUALITY_WEIGHTS.structure * structure + QUALITY_WEIGHTS.security * securityScore +
    QUALITY_WEIGHTS.tests * testsScore + QUALITY_WEIGHTS.docs * docsScore;
  // The project's own checkers weigh 20 % when any ran; a missing one counts for nothing.
  const tools = options.tools === false
    ? { ran: [], missing: [] }
    : await (await import("./_tools.ts")).runProjectTools(root, project.env, {
      cache: analysisCacheLocation(root, project.env),
      files: analysis.all_files,
    });
  const toolsScore = tools.ran.length
    ? tools.ran.reduce((n, t) => n + t.score, 0) / tools.ran.length
    : null;
  const score = Math.round(toolsScore === null ? base : 0.8 * base + 0.2 * toolsScore);
  // names come from the source: masked like the scanner masks a secret
  const mask = await sourceMasker(project);
  for (const f of findings) f.message = mask(f.message, f.file);
  findings.sort((a, b) =>
    compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.kind, b.kind)
  );
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return {
    score,
    threshold,
    passed: score >= threshold,
    dimensions: {
      structure: {
        score: round1(structure),
        weight: QUALITY_WEIGHTS.structure,
        details: {
          files: analysis.files.length,
          functions: units - analysis.files.length,
          long_files: longFiles,
          long_functions: longFns,
          complex_functions: complexFns,
        },
      },
      security: {
        score: round1(securityScore),
        weight: QUALITY_WEIGHTS.security,
        details: { findings: security.length },
      },
      tests: {
        score: round1(testsScore),
        weight: QUALITY_WEIGHTS.tests,
        details: {
          source_files: sources,
          test_files: tests,
          ratio: Math.round(ratio * 1000) / 1000,
          coverage_percent: coverage ? round1(coverage.percent) : null,
          coverage_file: coverage?.file ?? null,
        },
      },
      docs: {
        score: round1(docsScore),
        weight: QUALITY_WEIGHTS.docs,
        details: { readme, public_declarations: pub, documented },
      },
      ...(tools.ran.length || tools.missing.length
        ? {
          tools: {
            score: toolsScore === null ? 0 : round1(toolsScore),
            weight: toolsScore === null ? 0 : 0.2,
            details: {
              ...Object.fromEntries(
                tools.ran.map((t) => [t.name, t.status === "error" ? "error" : t.problems]),
              ),
              missing: tools.missing.join(", ") || null,
            },
          },
        }
        : {}),
    },
    tools,
    findings,
  };
}

/** Line coverage from the first report found: lcov (`LH`/`LF`) or coverage.json. */
export async function readCoverage(
  root: string,
): Promise<{ file: string; percent: number } | null> {
  for (const rel of COVERAGE_REPORTS.lcov) {
    const text = await readTextOrNull(join(root, rel));
    if (text === null) continue;
    let hit = 0;
    let found = 0;
    for (const m of text.matchAll(/^(LH|LF):(\d+)/gm)) {
      if (m[1] === "LH") hit += Number(m[2]);
      else found += Number(m[2]);
    }
    if (found > 0) return { file: rel, percent: (100 * hit) / found };
  }
  for (const rel of COVERAGE_REPORTS.cobertura) {
    const text = await readTextOrNull(join(root, rel));
    const rate = text === null ? null : /<coverage\b[^>]*\bline-rate="([\d.]+)"/.exec(text);
    if (rate && Number.isFinite(Number(rate[1]))) {
      return { file: rel, percent: 100 * Number(rate[1]) };
    }
  }
  for (const rel of COVERAGE_REPORTS.json) {
    const text = await readTextOrNull(join(root, rel));
    if (text === null) continue;
    try {
      const data = JSON.parse(text);
      const pct = data?.totals?.percent_covered ?? data?.total?.lines?.pct;
      if (typeof pct === "number") return { file: rel, percent: pct };
    } catch { /* not a coverage report we know */ }
  }
  return null;
}

async function securityFindings(
  project: Project,
  root: string,
): Promise<{ file: string; line: number | null; rule: string }[]> {
  const found = await newSecurityFindings(project, root, false);
  return found.map((f) => ({ file: f.file, line: f.line, rule: f.rule }));
}
