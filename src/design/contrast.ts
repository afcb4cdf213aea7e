/**
 * WCAG 2.x contrast: the checked pairs, and the lightness adjustment that makes every pair
 * pass the profile's level.
 */
import { BrError } from "../core/errors.ts";
import {
  contrastRatio,
  emitForm,
  formatOklch,
  type Oklch,
  parseColor,
  relativeLuminance,
} from "./color.ts";
import type { ColorRole, Palette, WcagLevel } from "./types.ts";

/** Light or dark. */
export type ColorMode = "light" | "dark";

/** Kind of pair: text must meet the level's text ratio, UI graphics 3:1 (WCAG 1.4.11). */
export type PairKind = "text" | "ui";

/** One checked foreground/background pair. */
export interface ContrastPair {
  /** The role drawn on top. */
  foreground: ColorRole;
  /** The role underneath. */
  background: ColorRole;
  /** Text or non-text UI. */
  kind: PairKind;
}

/** The result of checking one pair. */
export interface ContrastCheck extends ContrastPair {
  /** Light or dark. */
  mode: ColorMode;
  /** The ratio, rounded to 2 decimals. */
  ratio: number;
  /** The minimum the level demands. */
  required: number;
  /** True when `ratio >= required`. */
  passes: boolean;
}

/** One lightness change made to meet a pair. */
export interface ContrastAdjustment {
  /** Light or dark. */
  mode: ColorMode;
  /** The role whose color changed. */
  role: ColorRole;
  /** The pair that failed (`primary-foreground on primary`). */
  pair: string;
  /** Color before. */
  from: string;
  /** Color after. */
  to: string;
  /** Ratio before, rounded to 2 decimals. */
  ratio_before: number;
  /** Ratio after, rounded to 2 decimals. */
  ratio_after: number;
  /** The minimum demanded. */
  required: number;
}

/** Every pair checked in each mode. */
export const CONTRAST_PAIRS: readonly ContrastPair[] = [
  { foreground: "foreground", background: "background", kind: "text" },
  { foreground: "card-foreground", background: "card", kind: "text" },
  { foreground: "popover-foreground", background: "popover", kind: "text" },
  { foreground: "primary-foreground", background: "primary", kind: "text" },
  { foreground: "secondary-foreground", background: "secondary", kind: "text" },
  { foreground: "muted-foreground", background: "muted", kind: "text" },
  { foreground: "muted-foreground", background: "background", kind: "text" },
  { foreground: "accent-foreground", background: "accent", kind: "text" },
  { foreground: "destructive-foreground", background: "destructive", kind: "text" },
  { foreground: "ring", background: "background", kind: "ui" },
  ...([1, 2, 3, 4, 5] as const).map((n) => ({
    foreground: `chart-${n}` as ColorRole,
    background: "background" as ColorRole,
    kind: "ui" as const,
  })),
];

/** The minimum ratio of a pair kind at a level: text 4.5 (AA) / 7 (AAA); UI 3. */
export function requiredRatio(kind: PairKind, level: WcagLevel): number {
  if (kind === "ui") return 3;
  return level === "AAA" ? 7 : 4.5;
}

/**
 * Safety margin our adjustment aims above the minimum, so that a different (browser or
 * library) implementation of the sRGB conversion still sees a passing ratio.
 */
export const MARGIN = 0.02;

const r2 = (n: number) => Math.floor(n * 100) / 100;

/** Roles that are surfaces; we prefer moving the color on top of them. */
const SURFACES = new Set<ColorRole>(["background", "card", "popover"]);

function parse(palette: Palette, role: ColorRole): Oklch {
  const c = parseColor(palette[role]);
  if (!c) {
    throw new BrError("invalid_data", `Color of "${role}" is not valid: ${palette[role]}`, {
      hint: "use a CSS color: #rrggbb, rgb(...), hsl(...) or oklch(...)",
    });
  }
  return c;
}

function withL(c: Oklch, l: number): Oklch {
  return emitForm({ ...c, l: Math.min(1, Math.max(0, l)) });
}

/** Smallest lightness move of `move` (up or down) so that it contrasts `fixed` by `target`. */
function solve(move: Oklch, fixed: Oklch, target: number, dir: 1 | -1): Oklch | null {
  for (let l = move.l; dir > 0 ? l <= 1.0001 : l >= -0.0001; l += dir * 0.002) {
    const cand = withL(move, l);
    if (contrastRatio(cand, fixed) >= target) return cand;
  }
  return null;
}

/**
 * Finds the smallest change that makes `fg` on `bg` reach `target`: first move the
 * foreground away from the background; if that cannot reach it, move the background (unless
 * it is a surface and the foreground can flip); last, move both.
 */
function fix(
  fg: Oklch,
  bg: Oklch,
  target: number,
  bgIsSurface: boolean,
): { fg: Oklch; bg: Oklch } | null {
  const away: 1 | -1 = relativeLuminance(fg) >= relativeLuminance(bg) ? 1 : -1;
  const a = solve(fg, bg, target, away);
  if (a) return { fg: a, bg };
  const moveBg = solve(bg, fg, target, away === 1 ? -1 : 1);
  const flip = solve(fg, bg, target, away === 1 ? -1 : 1);
  if (moveBg && (!bgIsSurface || !flip)) return { fg, bg: moveBg };
  if (flip) return { fg: flip, bg };
  // Both: push the foreground to its extreme, then move the background.
  const extreme = withL(fg, away === 1 ? 1 : 0);
  const b = solve(bg, extreme, target, away === 1 ? -1 : 1);
  return b ? { fg: extreme, bg: b } : null;
}

/** Checks every pair of one palette. */
export function checkPalette(palette: Palette, mode: ColorMode, level: WcagLevel): ContrastCheck[] {
  return CONTRAST_PAIRS.map((p) => {
    const ratio = contrastRatio(parse(palette, p.foreground), parse(palette, p.background));
    const required = requiredRatio(p.kind, level);
    return { ...p, mode, ratio: r2(ratio), required, passes: ratio >= required };
  });
}

/**
 * Normalizes every color of a palette to the emitted form (sRGB gamut, rounded) and adjusts
 * lightness until every pair reaches its minimum plus {@link MARGIN}. Returns the new
 * palette and each change made.
 *
 * @throws {BrError} `invalid_data` when a pair cannot be made to pass (never for valid colors).
 */
export function enforceContrast(
  palette: Palette,
  mode: ColorMode,
  level: WcagLevel,
): { palette: Palette; adjustments: ContrastAdjustment[] } {
  const colors = new Map<ColorRole, Oklch>();
  for (const role of Object.keys(palette) as ColorRole[]) {
    colors.set(role, emitForm(parse(palette, role)));
  }
  const adjustments: ContrastAdjustment[] = [];
  for (let pass = 0; pass < 8; pass++) {
    let changed = false;
    for (const p of CONTRAST_PAIRS) {
      const fg = colors.get(p.foreground)!;
      const bg = colors.get(p.background)!;
      const required = requiredRatio(p.kind, level);
      const before = contrastRatio(fg, bg);
      if (before >= required + MARGIN) continue;
      const fixed = fix(fg, bg, required + MARGIN, SURFACES.has(p.background));
      if (!fixed) {
        throw new BrError(
          "invalid_data",
          `Cannot reach ${required}:1 for ${p.foreground} on ${p.background} (${mode})`,
          { hint: "choose colors with more lightness difference" },
        );
      }
      const after = contrastRatio(fixed.fg, fixed.bg);
      const pair = `${p.foreground} on ${p.background}`;
      for (
        const [role, oldC, newC] of [
          [p.foreground, fg, fixed.fg],
          [p.background, bg, fixed.bg],
        ] as const
      ) {
        if (formatOklch(oldC) === formatOklch(newC)) continue;
        colors.set(role, newC);
        adjustments.push({
          mode,
          role,
          pair,
          from: formatOklch(oldC),
          to: formatOklch(newC),
          ratio_before: r2(before),
          ratio_after: r2(after),
          required,
        });
        changed = true;
      }
    }
    if (!changed) break;
  }
  const out = Object.fromEntries(
    [...colors].map(([role, c]) => [role, formatOklch(c)]),
  ) as Palette;
  const failing = checkPalette(out, mode, level).filter((c) => !c.passes);
  if (failing.length) {
    const f = failing[0];
    throw new BrError(
      "invalid_data",
      `Contrast of ${f.foreground} on ${f.background} (${mode}) stays at ${f.ratio}:1`,
      { hint: "the palette's colors fight each other; change one of them" },
    );
  }
  return { palette: out, adjustments };
}
