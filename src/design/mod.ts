/**
 * The design system: industry profiles × use-case patterns merged into Tailwind v4/v3
 * themes, DTCG tokens, a DESIGN.md for agents and an HTML preview, with WCAG 2 contrast
 * enforced in light and dark.
 *
 * @example
 * ```ts
 * import { designFor, renderDesign } from "@buildrunner/br/design";
 * import assert from "node:assert/strict";
 *
 * const { design } = await designFor(null, { industry: "healthcare", use_case: "dashboard" });
 * assert.equal(design.wcag_level, "AAA");
 * const files = renderDesign(design, "tailwind4");
 * assert.deepEqual(files.map((f) => f.name), ["theme.css", "DESIGN.md"]);
 * ```
 *
 * @module
 */
export type {
  ColorRole,
  ComplianceNote,
  ComponentNode,
  Density,
  DesignOverrides,
  DesignRestriction,
  DesignSource,
  Palette,
  Pattern,
  PatternLayout,
  Profile,
  Shadows,
  Typography,
  WcagLevel,
} from "./types.ts";
export { COLOR_ROLES } from "./types.ts";
export type { DesignCatalog } from "./catalog.ts";
export {
  type ColorMode,
  CONTRAST_PAIRS,
  type ContrastAdjustment,
  type ContrastCheck,
  type ContrastPair,
  type PairKind,
  requiredRatio,
} from "./contrast.ts";
export { contrastRatio, formatOklch, type Oklch, parseColor, toHex } from "./color.ts";
export { type DesignIssue, type DesignSystem, mergeDesign, type TypeStep } from "./merge.ts";
export {
  DESIGN_FORMATS,
  type DesignFile,
  designFor,
  type DesignFormat,
  type DesignInput,
  type DesignInputSource,
  type DesignRequest,
  type DesignWrittenFile,
  generateDesign,
  type GenerateDesignOptions,
  type GenerateDesignResult,
  loadDesignCatalog,
  parseFormat,
  previewDesign,
  type PreviewDesignOptions,
  renderDesign,
  type RenderOptions,
  renderPreview,
  resolveDesignInput,
} from "./generate.ts";
export {
  designPattern,
  designPatterns,
  designProfile,
  designProfiles,
  type PatternSummary,
  type ProfileSummary,
} from "./query.ts";
