/**
 * The spec: `PROJECT_SPEC.md` parsing and writing, the wizard, industry and use-case
 * detection, spec ↔ features sync, the lock, AI context files and agent handoffs.
 *
 * @example
 * ```ts
 * import { parseSpec, validateSpec } from "@buildrunner/br/spec";
 * import assert from "node:assert/strict";
 *
 * const spec = await parseSpec("# Shop\n\n## Overview\n\nA small shop.\n");
 * const problems = validateSpec(spec);
 * assert.ok(problems.some((p) => p.message.includes("Features")));
 * ```
 *
 * @module
 */
export {
  DEFAULT_DETECTION_THRESHOLD,
  detectIndustry,
  type DetectionCandidate,
  detectProjectKind,
  detectUseCase,
  isIndustry,
  isUseCase,
  type KindDetection,
  type ProjectDetection,
} from "./detect.ts";
export {
  INDUSTRIES,
  type Industry,
  type LayerRule,
  type ParsedSpec,
  REQUIRED_SECTIONS,
  SPEC_STATUSES,
  type SpecFeature,
  type SpecFrontMatter,
  type SpecProblem,
  type SpecSection,
  type SpecStatus,
  STANDARD_SECTIONS,
  USE_CASES,
  type UseCase,
} from "./types.ts";
export { parseSpec } from "./parse.ts";
export {
  applySpecEdits,
  type NewSpec,
  renderFeatureBlock,
  renderSpec,
  type SpecEdits,
  type SpecFeatureInput,
} from "./write.ts";
export { lockMismatch, specChecksum, validateSpec } from "./validate.ts";
export {
  assertSpecWritable,
  checkSpec,
  confirmSpec,
  lockSpec,
  problemLine,
  readSpec,
  requireSpec,
  specLabel,
  type SpecStateChange,
  type SpecValidation,
  unlockSpec,
} from "./store.ts";
export {
  type SyncConflict,
  type SyncOptions,
  type SyncResult,
  syncSpec,
  type SyncUpdate,
} from "./sync.ts";
export {
  type SyncBase,
  syncBasePath,
  SYNCED_FIELDS,
  type SyncedField,
  type SyncedValues,
} from "./sync_base.ts";
export {
  CONTEXT_BEGIN,
  CONTEXT_END,
  type ContextFileResult,
  renderContextBlock,
  replaceManagedBlock,
  writeContext,
} from "./context.ts";
export { buildHandoff, type Handoff, type HandoffDependency, renderHandoff } from "./handoff.ts";
export {
  answerKey,
  detectionThreshold,
  missingAnswer,
  parseAnswers,
  parseFeatureFlag,
  specFromAnswers,
  type WizardAnswers,
  type WizardFeature,
  type WizardOptions,
  type WizardResult,
  writeWizardSpec,
} from "./wizard.ts";
