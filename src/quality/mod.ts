/**
 * Gates: gap analysis, the quality score, the architecture guard, governance rules with
 * their checksum, the spec lock, and {@link runGates} that runs them all once.
 *
 * The TypeScript compiler (for TS/JS parsing) is loaded only when a tree is analyzed.
 *
 * @example
 * ```ts ignore
 * import { openProject } from "../core/project.ts";
 * import { runGates } from "./mod.ts";
 * const project = await openProject();
 * const report = await runGates(project, { gates: ["gaps", "quality"] });
 * console.log(report.passed);
 * ```
 *
 * @module
 */
export {
  analyzeGaps,
  countGaps,
  type Gap,
  type GapCounts,
  type GapKind,
  type GapOptions,
  type GapReport,
  type GapSeverity,
  gapsToSarif,
  specFeatureIds,
} from "./gaps.ts";
export {
  checkQuality,
  QUALITY_WEIGHTS,
  type QualityDimension,
  type QualityFinding,
  type QualityOptions,
  type QualityReport,
  readCoverage,
} from "./quality.ts";
export {
  checkGuard,
  type GuardOptions,
  type GuardReport,
  type GuardViolation,
  specArchitectureRules,
} from "./guard.ts";
export {
  commitMessageProblem,
  DEFAULT_GOVERNANCE_YAML,
  enforceGovernance,
  type ForbiddenDependency,
  type ForbiddenImport,
  type Governance,
  type GovernancePolicy,
  type GovernanceUpdate,
  type GovernanceVerification,
  governanceVeto,
  loadGovernance,
  type NamingRule,
  parseChecksumFile,
  parseGovernance,
  PRE_COMMIT_GATES,
  PRE_PUSH_GATES,
  sha256Hex,
  updateGovernance,
  verifyGovernance,
} from "./governance.ts";
export { checkSpecLock, type SpecLockState, splitFrontMatter } from "./spec_lock.ts";
export {
  ALL_GATES,
  type GateReport,
  type GateResult,
  runGates,
  type RunGatesOptions,
} from "./gates.ts";
export { type Analysis, analyzeTree, type Edge, type Undeclared } from "./_analysis.ts";
export type {
  ExportFact,
  FileFacts,
  FunctionFact,
  ImportFact,
  MarkerFact,
  SourceLang,
  StubFact,
} from "./_facts.ts";
export { globToRegExp, matchesAny } from "./_files.ts";
export { type QualitySettings, qualitySettings } from "./_settings.ts";
