/**
 * DTCG (Design Tokens Community Group, format 2025.10) `tokens.json`, or with `compat` the
 * earlier draft form (colors, dimensions and shadow parts as CSS strings) that Style
 * Dictionary 4 reads; Style Dictionary 5 reads both.
 */
import { parseColor, roundOklch, toHex } from "./color.ts";
import type { DesignSystem } from "./merge.ts";
import { COLOR_ROLES, type Palette } from "./types.ts";

type Token = Record<string, unknown>;

/** Options of {@link dtcgTokens}. */
export interface DtcgOptions {
  /**
   * Write colors (`#rrggbb`, `#rrggbbaa` with alpha), dimensions (`0.25rem`) and shadow parts
   * as strings, for tools that predate format 2025.10 (Style Dictionary 4).
   */
  compat?: boolean;
}

let compat = false;

function hexAlpha(hex: string, alpha?: number): string {
  if (alpha === undefined || alpha === 1) return hex;
  return hex + Math.round(alpha * 255).toString(16).padStart(2, "0");
}

function colorToken(css: string, alpha?: number): Token {
  const c = parseColor(css)!;
  if (compat) return { $type: "color", $value: hexAlpha(toHex(c), alpha) };
  const r = roundOklch(c);
  const value: Record<string, unknown> = {
    colorSpace: "oklch",
    components: [r.l, r.c, r.h],
    hex: toHex(c),
  };
  if (alpha !== undefined && alpha !== 1) value.alpha = alpha;
  return { $type: "color", $value: value };
}

const dimValue = (value: number, unit: "rem" | "px") =>
  compat ? `${value}${unit}` : { value, unit };

const dim = (value: number, unit: "rem" | "px"): Token => ({
  $type: "dimension",
  $value: dimValue(value, unit),
});

/** Splits a CSS font stack into family names (quotes removed). */
export function fontList(stack: string): string[] {
  return stack.split(",").map((s) => s.trim().replace(/^["']|["']$/g, "")).filter(Boolean);
}

function lengthOf(s: string): { value: number; unit: "rem" | "px" } | null {
  const m = /^(-?[\d.]+)(px|rem)?$/.exec(s);
  if (!m) return null;
  return { value: Number(m[1]), unit: (m[2] as "rem" | "px" | undefined) ?? "px" };
}

/** Parses `x y blur spread oklch(L C H / a)` (comma-separated layers) into DTCG shadow values. */
function shadowValue(css: string): Record<string, unknown>[] | null {
  const layers: Record<string, unknown>[] = [];
  for (const part of css.split(/,(?![^(]*\))/)) {
    const m = /^\s*((?:-?[\d.]+(?:px|rem)?\s+){2,4})(oklch\([^)]*\)|#[0-9a-f]{3,6})\s*$/i.exec(
      part,
    );
    if (!m) return null;
    const lens = m[1].trim().split(/\s+/).map(lengthOf);
    if (lens.some((l) => l === null)) return null;
    const [x, y, blur = { value: 0, unit: "px" }, spread = { value: 0, unit: "px" }] = lens as {
      value: number;
      unit: "rem" | "px";
    }[];
    let colorCss = m[2];
    let alpha: number | undefined;
    const a = /^oklch\(([^/]+)\/\s*([\d.]+)\s*\)$/i.exec(colorCss);
    if (a) {
      colorCss = `oklch(${a[1].trim()})`;
      alpha = Number(a[2]);
    }
    if (!parseColor(colorCss)) return null;
    layers.push({
      color: colorToken(colorCss, alpha).$value,
      offsetX: dimValue(x.value, x.unit),
      offsetY: dimValue(y.value, y.unit),
      blur: dimValue(blur.value, blur.unit),
      spread: dimValue(spread.value, spread.unit),
    });
  }
  return layers;
}

function palette(p: Palette): Record<string, Token> {
  return Object.fromEntries(COLOR_ROLES.map((r) => [r, colorToken(p[r])]));
}

/** The design as a DTCG token file (JSON text). */
export function dtcgTokens(d: DesignSystem, options: DtcgOptions = {}): string {
  compat = options.compat ?? false;
  try {
    return render(d);
  } finally {
    compat = false;
  }
}

function render(d: DesignSystem): string {
  const t = d.typography;
  const shadows: Record<string, Token> = {};
  for (const k of ["sm", "md", "lg", "xl"] as const) {
    const v = shadowValue(d.shadows[k]);
    shadows[k] = v
      ? { $type: "shadow", $value: v.length === 1 ? v[0] : v }
      : { $value: d.shadows[k], $extensions: { "dev.buildrunner.css": true } };
  }
  const doc = {
    $description:
      `${d.title} (br design): WCAG 2 ${d.wcag_level}; colors in OKLCH for light and dark`,
    color: {
      light: palette(d.colors.light),
      dark: palette(d.colors.dark),
    },
    font: {
      family: {
        sans: { $type: "fontFamily", $value: fontList(t.font_sans) },
        heading: { $type: "fontFamily", $value: fontList(t.font_heading) },
        mono: { $type: "fontFamily", $value: fontList(t.font_mono) },
      },
      weight: {
        body: { $type: "fontWeight", $value: t.body_weight },
        heading: { $type: "fontWeight", $value: t.heading_weight },
      },
      size: Object.fromEntries(d.type_scale.map((s) => [s.name, dim(s.size_rem, "rem")])),
      "line-height": Object.fromEntries(
        d.type_scale.map((s) => [s.name, { $type: "number", $value: s.line_height }]),
      ),
    },
    spacing: {
      unit: dim(d.spacing_rem, "rem"),
      target: dim(d.target_px, "px"),
    },
    radius: Object.fromEntries(
      (["sm", "md", "lg", "xl"] as const).map((k) => [k, dim(d.radius[k], "rem")]),
    ),
    shadow: shadows,
    $extensions: {
      "dev.buildrunner.design": {
        industry: d.industry,
        use_case: d.use_case,
        wcag_level: d.wcag_level,
        density: d.layout.density,
      },
    },
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
