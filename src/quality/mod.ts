/**
 * Gates: gap analysis, the quality score, the architecture guard, governance rules with
 * their checksum, the spec lock, and {@link runGates} that runs them all once.
 *
 * The analyzers (and the parsers they use: the TypeScript compiler for TS/JS, @lezer/python
 * for Python) are loaded only when one of them is called, so that the git hooks can use
 * governance and the spec lock cheaply.
 *
 * @example
 * ```ts
 * import { initProject, openProject } from "@buildrunner/br";
 * import { verifyGovernance } from "@buildrunner/br/quality";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openProject({ cwd: dir });
 * assert.equal((await verifyGovernance(project)).passed, true);
 * await project.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import type { Project } from "../core/project.ts";
import type { Feature } from "../features/mod.ts";
import type { Analysis } from "./_analysis.ts";
import type { MemoSubject } from "./_gate_memo.ts";
import type { QualitySettings } from "./_settings.ts";
import type { AcceptanceEvidence, GapOptions } from "./gaps.ts";
import type { GateReport, RunGatesOptions } from "./gates.ts";
import type { GuardOptions, GuardReport } from "./guard.ts";
import type { GapReport } from "./model.ts";
import type { QualityOptions, QualityReport } from "./quality.ts";

export {
  ALL_GATES,
  countGaps,
  type Gap,
  type GapCounts,
  type GapKind,
  type GapReport,
  type GapSeverity,
  gapsToMarkdown,
  gapsToSarif,
  QUALITY_WEIGHTS,
} from "./model.ts";
export type { AcceptanceEvidence, GapOptions } from "./gaps.ts";
export type { QualityDimension, QualityFinding, QualityOptions, QualityReport } from "./quality.ts";
export type { ToolResult } from "./_tools.ts";
export type { GuardOptions, GuardReport, GuardViolation } from "./guard.ts";
export type { GateReport, GateResult, RunGatesOptions } from "./gates.ts";
export type { Analysis, Edge, Undeclared } from "./_analysis.ts";
export type { QualitySettings } from "./_settings.ts";
export type {
  ExportFact,
  FileFacts,
  FunctionFact,
  ImportFact,
  MarkerFact,
  SourceLang,
  StubFact,
} from "./_facts.ts";
export {
  commitMessageProblem,
  enforceGovernance,
  governanceChecksum,
  type GovernanceUpdate,
  type GovernanceVerification,
  governanceVeto,
  loadGovernance,
  parseChecksumFile,
  sha256Hex,
  updateGovernance,
  verifyGovernance,
} from "./governance.ts";
export {
  DEFAULT_GOVERNANCE_YAML,
  type ForbiddenDependency,
  type ForbiddenImport,
  type Governance,
  governanceFromData,
  type GovernancePolicy,
  INTEGRITY_GATES,
  type NamingRule,
  parseGovernance,
  PRE_COMMIT_GATES,
  PRE_PUSH_GATES,
  preCommitGates,
  type PrePushRequire,
  type PrivateRule,
} from "./governance_schema.ts";
export { checkSpecLock, specLockOf, type SpecLockState } from "./spec_lock.ts";

/**
 * Finds what is missing between what the project claims and what the code holds
 * (docs/gates.md, "Gaps"):
 *
 * - high: a stub or TODO inside the `files` of a feature marked complete; a complete feature
 *   without acceptance evidence (no acceptance criteria, or no test file that names its id
 *   or lies inside its `files`, or an `evidence` path that does not exist); an import cycle;
 *   an import of a package no manifest declares;
 * - medium: open features; stubs elsewhere; spec features missing from features.json and the
 *   other way round;
 * - low: TODO/FIXME/XXX/HACK elsewhere.
 *
 * @throws {BrError} `invalid_data` when features.json is corrupt.
 */
export async function analyzeGaps(project: Project, options: GapOptions = {}): Promise<GapReport> {
  if (options.analysis) return (await import("./gaps.ts")).analyzeGaps(project, options);
  const root = options.cwd ?? project.root;
  return memoized(
    project,
    { kind: "gaps", gates: ["gaps"], root },
    async (files) =>
      (await import("./gaps.ts")).analyzeGaps(project, {
        ...options,
        analysis: await treeOf(project, root, files),
      }),
  );
}

/**
 * The report of the last run of `subject` when nothing it reads changed since (see runGates
 * and _gate_memo.ts), else the report `run` makes (given the tree's files when they were
 * listed already), kept for the next run when `keep` takes it.
 */
async function memoized<T>(
  project: Project,
  subject: MemoSubject,
  run: (files?: Promise<string[]>) => Promise<T>,
  keep: (report: T) => boolean = () => true,
): Promise<T> {
  const { probeMemo } = await import("./_gate_memo.ts");
  const memo = await probeMemo<T>(project, subject);
  if (memo?.hit) return memo.hit;
  const report = await run(memo?.files);
  if (keep(report)) await memo?.save(report);
  return report;
}

/** The analysis of the tree at `root` (with its files, when listed already). */
async function treeOf(project: Project, root: string, files?: Promise<string[]>) {
  const [{ analyzeTree }, { analysisCacheLocation }] = await Promise.all([
    import("./_analysis.ts"),
    import("./_analysis_cache.ts"),
  ]);
  return await analyzeTree(root, { cache: analysisCacheLocation(root, project.env), files });
}

/**
 * Applies the evidence rule of the gaps gate to one feature in a tree, as if it were complete
 * (used before `br parallel` merges a feature as complete).
 */
export async function acceptanceEvidence(
  project: Project,
  feature: Feature,
  options: GapOptions = {},
): Promise<AcceptanceEvidence> {
  return (await import("./gaps.ts")).acceptanceEvidence(project, feature, options);
}

/**
 * Computes the 0–100 quality score,
 * `round(0.35·structure + 0.20·security + 0.25·tests + 0.20·docs)` (docs/gates.md has each
 * dimension's formula), with per-file findings.
 *
 * @throws {BrError} `invalid_data` for a bad config value.
 */
export async function checkQuality(
  project: Project,
  options: QualityOptions = {},
): Promise<QualityReport> {
  if (options.analysis || options.security || options.tools === false) {
    return (await import("./quality.ts")).checkQuality(project, options);
  }
  const root = options.cwd ?? project.root;
  return memoized(
    project,
    { kind: "quality", gates: ["quality"], root, threshold: options.threshold },
    async (files) =>
      (await import("./quality.ts")).checkQuality(project, {
        ...options,
        analysis: await treeOf(project, root, files),
      }),
    // A checker that failed to run is not kept (as its own cache does not keep it).
    (report) => !report.tools.ran.some((t) => t.status === "error"),
  );
}

/**
 * Checks the layer and import rules of the spec's Architecture section and of
 * governance.yaml (`architecture.forbidden`, `layers`, `forbidden_dependencies`, `naming`).
 *
 * @throws {BrError} `invalid_data` when governance.yaml is malformed.
 */
export async function checkGuard(
  project: Project,
  options: GuardOptions = {},
): Promise<GuardReport> {
  return (await import("./guard.ts")).checkGuard(project, options);
}

/**
 * Runs the configured gates once each (the tree is analyzed once for gaps, quality and
 * guard), emits `gate.passed` / `gate.failed` for each, and returns one report. Used by
 * `br validate`, the pre-push hook, MCP `br_validate` and `br parallel`.
 *
 * @throws {BrError} `usage` for an unknown gate name.
 */
export async function runGates(
  project: Project,
  options: RunGatesOptions = {},
): Promise<GateReport> {
  return (await import("./gates.ts")).runGates(project, options);
}

/** Reads and analyzes every TS/JS/Python file under `root` (imports, functions, stubs, ...). */
export async function analyzeTree(root: string): Promise<Analysis> {
  return (await import("./_analysis.ts")).analyzeTree(root);
}

/** The features of `PROJECT_SPEC.md` (`### Name {#id}` under `## Features`), or null. */
export async function specFeatureIds(project: Project): Promise<string[] | null> {
  return (await import("./gaps.ts")).specFeatureIds(project);
}

/** Line coverage from the first report found: lcov (`LH`/`LF`) or coverage.json. */
export async function readCoverage(
  root: string,
): Promise<{ file: string; percent: number } | null> {
  return (await import("./quality.ts")).readCoverage(root);
}

/** Reads the `quality` config section (registering it first, so its defaults apply). */
export async function qualitySettings(project: Project): Promise<QualitySettings> {
  return (await import("./_settings.ts")).qualitySettings(project);
}
export type { SarifLog } from "../core/sarif.ts";
