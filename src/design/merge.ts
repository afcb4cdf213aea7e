/**
 * Merging one industry profile with one use-case pattern.
 *
 * Rules (docs/design.md repeats them):
 * 1. Color, type (fonts, scale, base size), radius, shadows and the WCAG level come from the
 *    profile. A pattern preference for radius or base size that differs is a conflict,
 *    resolved in the profile's favour. A pattern that asks for a stricter WCAG level wins.
 * 2. PatternLayout (navigation, width, grid), components, page types, data flows, interactions and
 *    the stack come from the pattern; the profile's component rules are added to them.
 * 3. Density: the pattern's, but never below the profile's floor (`min_density`); raising it
 *    is a conflict.
 * 4. Compliance: the union; on the same id the profile's note is kept and the pattern's UI
 *    rules are added.
 * 5. Incompatibilities: every restriction of one side whose trait the other side has.
 * 6. Overrides (spec Design section, config) are applied last and reported.
 * 7. Contrast is enforced after all of the above, in light and dark.
 */
import {
  checkPalette,
  type ContrastAdjustment,
  type ContrastCheck,
  enforceContrast,
} from "./contrast.ts";
import type {
  ComplianceNote,
  ComponentNode,
  Density,
  DesignOverrides,
  Palette,
  Pattern,
  PatternLayout,
  Profile,
  Shadows,
  Typography,
  WcagLevel,
} from "./types.ts";

/** A conflict or incompatibility found by the merge, with how it was resolved. */
export interface DesignIssue {
  /**
   * `conflict` (profile and pattern both set a value), `incompatibility` (a real-world clash)
   * or `override` (the user's overrides replaced the merged value).
   */
  kind: "conflict" | "incompatibility" | "override";
  /** What it is about (`radius`, `density`, `trait:public-listings`, ...). */
  subject: string;
  /** What the profile says. */
  profile: string;
  /** What the pattern says. */
  pattern: string;
  /** The decision. */
  resolution: string;
  /** The merge rule that decided (1..7). */
  rule: number;
}

/** One step of the type scale. */
export interface TypeStep {
  /** Step name (`xs` .. `4xl`). */
  name: string;
  /** Size in rem. */
  size_rem: number;
  /** Line height (unitless). */
  line_height: number;
}

/** The merged design: everything the emitters need. */
export interface DesignSystem {
  /** Profile id. */
  industry: string;
  /** Pattern id. */
  use_case: string;
  /** `<Profile> × <Pattern>`. */
  title: string;
  /** The contrast level met. */
  wcag_level: WcagLevel;
  /** Final colors (after contrast enforcement). */
  colors: { light: Palette; dark: Palette };
  /** Typography. */
  typography: Typography;
  /** The type scale. */
  type_scale: TypeStep[];
  /** Spacing unit in rem (Tailwind's `--spacing`). */
  spacing_rem: number;
  /** Minimum target size of controls in px. */
  target_px: number;
  /** Radii in rem. */
  radius: { sm: number; md: number; lg: number; xl: number };
  /** Shadows. */
  shadows: Shadows;
  /** PatternLayout with the resolved density. */
  layout: PatternLayout;
  /** Page types. */
  page_types: string[];
  /** Component hierarchy. */
  component_hierarchy: ComponentNode[];
  /** Components of the pattern followed by the industry's component rules. */
  components: string[];
  /** Industry UI patterns. */
  ui_patterns: string[];
  /** Data flows. */
  data_flows: string[];
  /** Interactions. */
  interactions: string[];
  /** Recommended stack. */
  recommended_stack: Record<string, string>;
  /** Compliance, sorted by id. */
  compliance: ComplianceNote[];
  /** Conflicts, incompatibilities and overrides, sorted. */
  issues: DesignIssue[];
  /** Lightness changes made for contrast. */
  adjustments: ContrastAdjustment[];
  /** Every checked pair after adjustment (all pass). */
  contrast: ContrastCheck[];
}

const DENSITY_ORDER: Density[] = ["compact", "comfortable", "spacious"];
const SPACING: Record<Density, number> = { compact: 0.225, comfortable: 0.25, spacious: 0.275 };
const TARGET: Record<Density, number> = { compact: 32, comfortable: 40, spacious: 48 };
const STEPS = ["xs", "sm", "base", "lg", "xl", "2xl", "3xl", "4xl"];

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/** The modular type scale: base × ratio^k for k = -2..5 (xs at least 12px, sm at least 13px). */
export function typeScale(t: Typography): TypeStep[] {
  return STEPS.map((name, i) => {
    const k = i - 2;
    // Small steps never go below 12px (xs) and 13px (sm): fine print must stay readable.
    const floor = k === -2 ? 0.75 : k === -1 ? 0.8125 : 0;
    const size = Math.max(floor, (t.base_size_px * t.scale_ratio ** k) / 16);
    const lh = k <= 0 ? t.line_height : k <= 2 ? Math.max(1.3, t.line_height - 0.15) : 1.2;
    return { name, size_rem: r3(size), line_height: r3(lh) };
  });
}

function mergeCompliance(profile: Profile, pattern: Pattern): ComplianceNote[] {
  const byId = new Map<string, ComplianceNote>();
  for (const c of profile.compliance) byId.set(c.id, { ...c, ui: [...c.ui] });
  for (const c of pattern.compliance) {
    const have = byId.get(c.id);
    if (!have) byId.set(c.id, { ...c, ui: [...c.ui] });
    else for (const u of c.ui) if (!have.ui.includes(u)) have.ui.push(u);
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
}

function issueOrder(a: DesignIssue, b: DesignIssue): number {
  const kinds = ["incompatibility", "conflict", "override"];
  return kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || a.subject.localeCompare(b.subject);
}

/** What rules 1, 3 and 6 decide: the values the overrides may still change. */
interface Decided {
  typography: Typography;
  radius: number;
  level: WcagLevel;
  density: Density;
  colors: { light: Palette; dark: Palette };
}

/** Rules 1 and 3: the profile's look, the pattern's density above the profile's floor. */
function decide(profile: Profile, pattern: Pattern, issues: DesignIssue[]): Decided {
  const pref = pattern.preferences;
  const typography: Typography = { ...profile.typography };
  if (pref.base_size_px !== undefined && pref.base_size_px !== typography.base_size_px) {
    issues.push({
      kind: "conflict",
      subject: "typography.base_size_px",
      profile: `${typography.base_size_px}px`,
      pattern: `${pref.base_size_px}px`,
      resolution: `${typography.base_size_px}px: the industry decides type`,
      rule: 1,
    });
  }
  const radius = profile.radius_rem;
  if (pref.radius_rem !== undefined && pref.radius_rem !== radius) {
    issues.push({
      kind: "conflict",
      subject: "radius",
      profile: `${radius}rem`,
      pattern: `${pref.radius_rem}rem`,
      resolution: `${radius}rem: the industry decides the visual identity`,
      rule: 1,
    });
  }
  let level: WcagLevel = profile.wcag_level;
  if (pref.wcag_level === "AAA" && level === "AA") {
    issues.push({
      kind: "conflict",
      subject: "wcag_level",
      profile: level,
      pattern: "AAA",
      resolution: "AAA: the stricter level wins",
      rule: 1,
    });
    level = "AAA";
  }
  let density = pattern.layout.density;
  if (DENSITY_ORDER.indexOf(density) < DENSITY_ORDER.indexOf(profile.min_density)) {
    issues.push({
      kind: "conflict",
      subject: "density",
      profile: `at least ${profile.min_density}`,
      pattern: density,
      resolution: `${profile.min_density}: the industry's floor for targets and reading comfort`,
      rule: 3,
    });
    density = profile.min_density;
  }
  const colors = { light: { ...profile.colors.light }, dark: { ...profile.colors.dark } };
  return { typography, radius, level, density, colors };
}

/** Rule 5: every restriction of one side whose trait the other side has. */
function incompatibilities(profile: Profile, pattern: Pattern): DesignIssue[] {
  const issues: DesignIssue[] = [];
  for (const r of profile.restrictions) {
    if (!pattern.traits.includes(r.trait)) continue;
    issues.push({
      kind: "incompatibility",
      subject: `trait:${r.trait}`,
      profile: `${profile.name}: ${r.problem}`,
      pattern: `${pattern.name} has ${r.trait}`,
      resolution: r.resolution,
      rule: 5,
    });
  }
  for (const r of pattern.restrictions) {
    if (!profile.traits.includes(r.trait)) continue;
    issues.push({
      kind: "incompatibility",
      subject: `trait:${r.trait}`,
      profile: `${profile.name} has ${r.trait}`,
      pattern: `${pattern.name}: ${r.problem}`,
      resolution: r.resolution,
      rule: 5,
    });
  }
  return issues;
}

/** Rule 6: the overrides, applied to `d` in place; each change is reported. */
function applyOverrides(d: Decided, overrides: DesignOverrides, issues: DesignIssue[]): void {
  const override = (subject: string, from: string, to: string) =>
    issues.push({
      kind: "override",
      subject,
      profile: from,
      pattern: "-",
      resolution: `${to}: set by the overrides`,
      rule: 6,
    });
  if (overrides.wcag_level && overrides.wcag_level !== d.level) {
    override("wcag_level", d.level, overrides.wcag_level);
    d.level = overrides.wcag_level;
  }
  if (overrides.radius_rem !== undefined && overrides.radius_rem !== d.radius) {
    override("radius", `${d.radius}rem`, `${overrides.radius_rem}rem`);
    d.radius = overrides.radius_rem;
  }
  if (overrides.density && overrides.density !== d.density) {
    override("density", d.density, overrides.density);
    d.density = overrides.density;
  }
  for (const [k, v] of Object.entries(overrides.typography ?? {})) {
    const key = k as keyof Typography;
    if (v === undefined || d.typography[key] === v) continue;
    override(`typography.${k}`, String(d.typography[key]), String(v));
    d.typography = { ...d.typography, [key]: v };
  }
  for (const mode of ["light", "dark"] as const) {
    for (const [role, v] of Object.entries(overrides.colors?.[mode] ?? {})) {
      const r = role as keyof Palette;
      if (v === undefined || d.colors[mode][r] === v) continue;
      override(`colors.${mode}.${role}`, d.colors[mode][r], v);
      d.colors[mode][r] = v;
    }
  }
}

/** Merges a profile, a pattern and overrides into a design whose every pair passes. */
export function mergeDesign(
  profile: Profile,
  pattern: Pattern,
  overrides: DesignOverrides = {},
): DesignSystem {
  const issues: DesignIssue[] = [];
  const decided = decide(profile, pattern, issues);
  issues.push(...incompatibilities(profile, pattern));
  applyOverrides(decided, overrides, issues);
  const { typography, radius, level, density, colors } = decided;

  const light = enforceContrast(colors.light, "light", level);
  const dark = enforceContrast(colors.dark, "dark", level);
  const components = [...pattern.components];
  for (const c of profile.components) if (!components.includes(c)) components.push(c);

  return {
    industry: profile.id,
    use_case: pattern.id,
    title: `${profile.name} × ${pattern.name}`,
    wcag_level: level,
    colors: { light: light.palette, dark: dark.palette },
    typography,
    type_scale: typeScale(typography),
    spacing_rem: SPACING[density],
    target_px: Math.max(TARGET[density], level === "AAA" ? 44 : 24),
    radius: {
      sm: r3(Math.max(0, radius - 0.25)),
      md: r3(Math.max(0, radius - 0.125)),
      lg: r3(radius),
      xl: r3(radius + 0.25),
    },
    shadows: { ...profile.shadows },
    layout: { ...pattern.layout, density },
    page_types: [...pattern.page_types],
    component_hierarchy: structuredClone(pattern.component_hierarchy),
    components,
    ui_patterns: [...profile.ui_patterns],
    data_flows: [...pattern.data_flows],
    interactions: [...pattern.interactions],
    recommended_stack: { ...pattern.recommended_stack },
    compliance: mergeCompliance(profile, pattern),
    issues: issues.sort(issueOrder),
    adjustments: [...light.adjustments, ...dark.adjustments],
    contrast: [
      ...checkPalette(light.palette, "light", level),
      ...checkPalette(dark.palette, "dark", level),
    ],
  };
}
