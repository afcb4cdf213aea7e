/** Zod schemas of profile, pattern and override files (loaded lazily: zod is heavy). */
import { z } from "zod";
import { BrError } from "../core/errors.ts";
import { parseColor } from "./color.ts";
import {
  COLOR_ROLES,
  type DesignOverrides,
  type DesignSource,
  type Palette,
  type Pattern,
  type Profile,
} from "./types.ts";

const ID_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const id = z.string().regex(ID_RE, "must be kebab-case (a-z, 0-9, -)");
const text = z.string().min(1);
const color = z.string().refine((s) => parseColor(s) !== null, {
  message: "must be oklch(L C H) or #rrggbb",
});
const density = z.enum(["compact", "comfortable", "spacious"]);
const level = z.enum(["AA", "AAA"]);

const paletteShape = Object.fromEntries(COLOR_ROLES.map((r) => [r, color])) as Record<
  typeof COLOR_ROLES[number],
  typeof color
>;
const palette = z.strictObject(paletteShape);
const partialPalette = palette.partial();

const compliance = z.object({
  id,
  name: text,
  summary: text,
  ui: z.array(text).min(1),
});

const restriction = z.object({ trait: id, problem: text, resolution: text });

const typography = z.object({
  font_sans: text,
  font_heading: text,
  font_mono: text,
  base_size_px: z.number().min(12).max(24),
  scale_ratio: z.number().min(1.05).max(1.6),
  line_height: z.number().min(1).max(2.2),
  body_weight: z.number().int().min(100).max(900),
  heading_weight: z.number().int().min(100).max(900),
});

const shadows = z.object({ sm: text, md: text, lg: text, xl: text });

/** A complete profile file. */
export const ProfileFileSchema = z.object({
  id,
  name: text,
  description: text,
  wcag_level: level,
  colors: z.object({ light: palette, dark: palette }),
  typography,
  radius_rem: z.number().min(0).max(2),
  shadows,
  min_density: density,
  compliance: z.array(compliance).min(1),
  components: z.array(text),
  ui_patterns: z.array(text),
  traits: z.array(id).default([]),
  restrictions: z.array(restriction).default([]),
});

interface Node {
  name: string;
  children?: Node[];
}
const node: z.ZodType<Node> = z.lazy(() =>
  z.object({ name: text, children: z.array(node).optional() })
);

/** A complete pattern file. */
export const PatternFileSchema = z.object({
  id,
  name: text,
  description: text,
  page_types: z.array(text).min(1),
  component_hierarchy: z.array(node).min(1),
  data_flows: z.array(text).min(1),
  interactions: z.array(text).min(1),
  recommended_stack: z.record(z.string(), text),
  layout: z.object({
    navigation: text,
    density,
    max_width: text,
    grid_columns: z.number().int().min(1).max(24),
  }),
  components: z.array(text).min(1),
  traits: z.array(id).default([]),
  restrictions: z.array(restriction).default([]),
  compliance: z.array(compliance).default([]),
  preferences: z.object({
    radius_rem: z.number().min(0).max(2).optional(),
    base_size_px: z.number().min(12).max(24).optional(),
    wcag_level: level.optional(),
  }).default({}),
});

/** Overrides (spec Design section, config `design.overrides`); a misspelt key is refused. */
export const OverridesSchema = z.strictObject({
  wcag_level: level.optional(),
  radius_rem: z.number().min(0).max(2).optional(),
  colors: z.strictObject({ light: partialPalette.optional(), dark: partialPalette.optional() })
    .optional(),
  typography: typography.partial().optional(),
  density: density.optional(),
});

function fail(where: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.join(".") : "(root)";
  throw new BrError("invalid_data", `${where}: ${path}: ${issue.message}`, {
    hint: "fix the file; see docs/design.md for the schema",
  });
}

/**
 * Validates a profile.
 *
 * @throws {BrError} `invalid_data` naming the file and field.
 */
export function parseProfile(data: unknown, where: string, source: DesignSource): Profile {
  const r = ProfileFileSchema.safeParse(data);
  if (!r.success) fail(where, r.error);
  return { ...r.data, source, colors: r.data.colors as { light: Palette; dark: Palette } };
}

/**
 * Validates a pattern.
 *
 * @throws {BrError} `invalid_data` naming the file and field.
 */
export function parsePattern(data: unknown, where: string, source: DesignSource): Pattern {
  const r = PatternFileSchema.safeParse(data);
  if (!r.success) fail(where, r.error);
  return { ...r.data, source };
}

/**
 * Validates overrides.
 *
 * @throws {BrError} `invalid_data` naming where they came from and the field.
 */
export function parseOverrides(data: unknown, where: string): DesignOverrides {
  const r = OverridesSchema.safeParse(data ?? {});
  if (!r.success) fail(where, r.error);
  return r.data as DesignOverrides;
}
