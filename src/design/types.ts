/** The public data types of the design system. */

/** The semantic color roles every palette defines, in output order. */
export const COLOR_ROLES = [
  "background",
  "foreground",
  "card",
  "card-foreground",
  "popover",
  "popover-foreground",
  "primary",
  "primary-foreground",
  "secondary",
  "secondary-foreground",
  "muted",
  "muted-foreground",
  "accent",
  "accent-foreground",
  "destructive",
  "destructive-foreground",
  "border",
  "input",
  "ring",
  "chart-1",
  "chart-2",
  "chart-3",
  "chart-4",
  "chart-5",
] as const;

/** One semantic color role (`primary`, `primary-foreground`, `chart-1`, ...). */
export type ColorRole = typeof COLOR_ROLES[number];

/** Color per role, as CSS color strings (`oklch(L C H)`; user files may also use `#rrggbb`). */
export type Palette = Record<ColorRole, string>;

/** A WCAG 2.x conformance level for contrast. */
export type WcagLevel = "AA" | "AAA";

/** PatternLayout density. */
export type Density = "compact" | "comfortable" | "spacious";

/** Where a profile or pattern came from. */
export type DesignSource = "builtin" | "user";

/** A compliance regime and what it means for the UI. */
export interface ComplianceNote {
  /** Short id (`hipaa`, `pci-dss`, `gdpr`, ...). */
  id: string;
  /** Display name. */
  name: string;
  /** One sentence on what it is. */
  summary: string;
  /** What it means for the interface, one rule per entry. */
  ui: string[];
}

/** A known clash between a trait of one side and a concern of the other. */
export interface DesignRestriction {
  /** The trait of the other side that triggers it (`public-listings`, `payments`, ...). */
  trait: string;
  /** What goes wrong. */
  problem: string;
  /** How the generated design handles it. */
  resolution: string;
}

/** Typography of a profile. */
export interface Typography {
  /** Body font stack. */
  font_sans: string;
  /** Heading font stack. */
  font_heading: string;
  /** Monospace font stack. */
  font_mono: string;
  /** Base text size in px. */
  base_size_px: number;
  /** Modular scale ratio between steps (1.125 .. 1.333). */
  scale_ratio: number;
  /** Body line height. */
  line_height: number;
  /** Body font weight. */
  body_weight: number;
  /** Heading font weight. */
  heading_weight: number;
}

/** Box shadows by size. */
export interface Shadows {
  /** Small. */
  sm: string;
  /** Medium. */
  md: string;
  /** Large. */
  lg: string;
  /** Extra large. */
  xl: string;
}

/** An industry profile: it decides color, type and the accessibility level. */
export interface Profile {
  /** Kebab-case id (`healthcare`). */
  id: string;
  /** Display name. */
  name: string;
  /** What the profile is for. */
  description: string;
  /** Built in or from `.buildrunner/design/`. */
  source: DesignSource;
  /** The contrast level every pair must meet. */
  wcag_level: WcagLevel;
  /** Semantic colors for light and dark. */
  colors: { light: Palette; dark: Palette };
  /** Type. */
  typography: Typography;
  /** Radius of cards and controls in rem (the `lg` step). */
  radius_rem: number;
  /** Shadows. */
  shadows: Shadows;
  /** The least dense layout the industry accepts (touch targets, reading comfort). */
  min_density: Density;
  /** Compliance regimes with their UI rules. */
  compliance: ComplianceNote[];
  /** Component rules of the industry. */
  components: string[];
  /** UI patterns the industry expects. */
  ui_patterns: string[];
  /** Traits of the industry (`phi`, `payments`, ...), matched against pattern restrictions. */
  traits: string[];
  /** Clashes with pattern traits. */
  restrictions: DesignRestriction[];
}

/** One node of a component hierarchy. */
export interface ComponentNode {
  /** Component name. */
  name: string;
  /** Child components. */
  children?: ComponentNode[];
}

/** PatternLayout decisions of a pattern. */
export interface PatternLayout {
  /** Main navigation. */
  navigation: string;
  /** Density the pattern wants. */
  density: Density;
  /** Maximum content width (a CSS length or `none`). */
  max_width: string;
  /** Grid columns of the main area. */
  grid_columns: number;
}

/** A use-case pattern: it decides layout and components. */
export interface Pattern {
  /** Kebab-case id (`dashboard`). */
  id: string;
  /** Display name. */
  name: string;
  /** What the pattern is for. */
  description: string;
  /** Built in or from `.buildrunner/design/`. */
  source: DesignSource;
  /** Pages the product has. */
  page_types: string[];
  /** Component tree of the main screen. */
  component_hierarchy: ComponentNode[];
  /** How data moves. */
  data_flows: string[];
  /** Interactions users perform. */
  interactions: string[];
  /** Recommended stack, by concern (`charts`, `tables`, `forms`, ...). */
  recommended_stack: Record<string, string>;
  /** PatternLayout. */
  layout: PatternLayout;
  /** Components the pattern needs. */
  components: string[];
  /** Traits (`public-listings`, `payments`, `user-generated-content`, ...). */
  traits: string[];
  /** Clashes with profile traits. */
  restrictions: DesignRestriction[];
  /** Compliance the pattern brings by itself (payments → PCI DSS). */
  compliance: ComplianceNote[];
  /** Preferences that belong to the profile's domain; reported as conflicts when they differ. */
  preferences: { radius_rem?: number; base_size_px?: number; wcag_level?: WcagLevel };
}

/** Changes applied on top of a merge (from the spec's Design section, config or a caller). */
export interface DesignOverrides {
  /** Contrast level. */
  wcag_level?: WcagLevel;
  /** Radius in rem. */
  radius_rem?: number;
  /** Colors per mode and role. */
  colors?: { light?: Partial<Palette>; dark?: Partial<Palette> };
  /** Typography fields. */
  typography?: Partial<Typography>;
  /** PatternLayout density. */
  density?: Density;
}
