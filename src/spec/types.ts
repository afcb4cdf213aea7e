/** Statuses of a spec, in review order. */
export const SPEC_STATUSES = ["draft", "reviewed", "confirmed", "locked"] as const;
/** A spec status. */
export type SpecStatus = typeof SPEC_STATUSES[number];

/** Industries known to detection and to the design system (kebab-case). */
export const INDUSTRIES = [
  "healthcare",
  "fintech",
  "saas",
  "e-commerce",
  "education",
  "real-estate",
  "media",
  "enterprise",
] as const;
/** An industry name. */
export type Industry = typeof INDUSTRIES[number];

/** Use cases known to detection and to the design system (kebab-case). */
export const USE_CASES = [
  "dashboard",
  "marketplace",
  "crm",
  "analytics",
  "onboarding",
  "admin-panel",
  "content-platform",
  "api-service",
] as const;
/** A use-case name. */
export type UseCase = typeof USE_CASES[number];

/** Sections every spec must have. */
export const REQUIRED_SECTIONS: readonly string[] = ["Overview", "Users", "Features"];

/** The sections of a spec in the order the wizard writes them. */
export const STANDARD_SECTIONS: readonly string[] = [
  "Overview",
  "Users",
  "Features",
  "Architecture",
  "Design",
  "Non-functional",
  "Out of scope",
];

/** One feature as the spec's Features section describes it. */
export interface SpecFeature {
  /** Id from `{#id}`, or the slug of the name. */
  id: string;
  /** Name from the `###` heading. */
  name: string;
  /** Text between the heading and the first field. */
  description: string;
  /** `Priority:` value (default `medium`). */
  priority: string;
  /** `Depends on:` ids. */
  depends_on: string[];
  /** `Acceptance:` checklist items. */
  acceptance: string[];
  /** Acceptance items ticked (`- [x]`). */
  checked: string[];
  /** `Files:` globs. */
  files: string[];
  /** Text after the fields that `br` does not own (kept as written). */
  notes: string;
  /** 1-based line of the heading. */
  line: number;
  /** True when the heading carries `{#id}`. */
  explicit_id: boolean;
}

/** A `## ` section of the spec. */
export interface SpecSection {
  /** Heading text. */
  title: string;
  /** 1-based line of the heading. */
  line: number;
  /** Index (0-based) of the heading line. */
  start: number;
  /** Index (0-based, exclusive) of the line after the section. */
  end: number;
}

/** A layer rule from the Architecture section: `from` must not import `to`. */
export interface LayerRule {
  /** The importing path. */
  from: string;
  /** The forbidden target. */
  to: string;
  /** 1-based line. */
  line: number;
}

/** One problem found in a spec. */
export interface SpecProblem {
  /** 1-based line (0 when it concerns the whole file). */
  line: number;
  /** Machine-readable kind. */
  code: string;
  /** What is wrong. */
  message: string;
}

/** The front matter fields `br` reads; others are kept as they are. */
export interface SpecFrontMatter {
  /** Project name. */
  name: string | null;
  /** Review status. */
  status: string;
  /** Industry (kebab-case, or `unknown`). */
  industry: string | null;
  /** Use case (kebab-case, or `unknown`). */
  use_case: string | null;
  /** Stack items. */
  stack: string[];
  /** Lock checksum (`sha256:<hex>`), when locked. */
  lock: string | null;
  /** Every key as written. */
  raw: Record<string, unknown>;
}

/** A parsed `PROJECT_SPEC.md`, with the positions the writer needs. */
export interface ParsedSpec {
  /** The text as read. */
  text: string;
  /** Its lines (without `\n`). */
  lines: string[];
  /** The front matter, or null when there is none. */
  front: SpecFrontMatter | null;
  /** Line indexes `[open, close]` of the front matter fences, or null. */
  front_range: [number, number] | null;
  /** The `# ` title, or null. */
  title: string | null;
  /** The `## ` sections, in order. */
  sections: SpecSection[];
  /** The features of the Features section, in order. */
  features: SpecFeature[];
  /** Line index ranges `[start, end)` of each feature block (same order as `features`). */
  feature_ranges: [number, number][];
  /** Layer rules of the Architecture section. */
  architecture_rules: LayerRule[];
  /** Structural problems found while parsing. */
  problems: SpecProblem[];
}
