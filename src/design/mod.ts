/**
 * The design system: industry profiles × use-case patterns merged into Tailwind v4/v3
 * themes, DTCG tokens, a DESIGN.md for agents and an HTML preview, with WCAG 2 contrast
 * enforced in light and dark.
 *
 * @example
 * ```ts
 * import { designFor, renderDesign } from "./mod.ts";
 *
 * const { design } = await designFor(null, { industry: "healthcare", use_case: "dashboard" });
 * console.log(design.wcag_level); // "AAA"
 * const files = renderDesign(design, "tailwind4");
 * console.log(files.map((f) => f.name)); // ["theme.css", "DESIGN.md"]
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
  DesignSource,
  Layout,
  Palette,
  Pattern,
  Profile,
  Restriction,
  Shadows,
  Typography,
  WcagLevel,
} from "./types.ts";
export { COLOR_ROLES } from "./types.ts";
export type { Catalog } from "./catalog.ts";
export {
  CONTRAST_PAIRS,
  type ContrastAdjustment,
  type ContrastCheck,
  type ContrastPair,
  type Mode,
  type PairKind,
  requiredRatio,
} from "./contrast.ts";
export { contrastRatio, formatOklch, type Oklch, parseColor, toHex } from "./color.ts";
export { type DesignSystem, mergeDesign, type MergeIssue, type TypeStep } from "./merge.ts";
export {
  DESIGN_FORMATS,
  designFor,
  type DesignFormat,
  type DesignInput,
  type DesignRequest,
  generateDesign,
  type GenerateOptions,
  type GenerateResult,
  type InputSource,
  loadDesignCatalog,
  parseFormat,
  previewDesign,
  type PreviewOptions,
  renderDesign,
  type RenderedFile,
  renderPreview,
  resolveDesignInput,
  type WrittenFile,
} from "./generate.ts";
export {
  designPattern,
  designPatterns,
  designProfile,
  designProfiles,
  type PatternSummary,
  type ProfileSummary,
} from "./query.ts";
