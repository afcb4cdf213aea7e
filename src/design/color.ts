/**
 * OKLCH colors: parsing, formatting, conversion to sRGB (with chroma reduction into the sRGB
 * gamut) and WCAG 2.x relative luminance and contrast ratio.
 */

/** A color in OKLCH: lightness 0..1, chroma >= 0, hue in degrees. */
export interface Oklch {
  /** Lightness, 0 (black) to 1 (white). */
  l: number;
  /** Chroma, 0 (grey) upward; about 0.37 is the most sRGB holds. */
  c: number;
  /** Hue angle in degrees, 0..360. */
  h: number;
}

type Rgb = [number, number, number];

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** OKLCH → linear-light sRGB (unclamped; out-of-gamut colors give channels outside 0..1). */
export function oklchToLinearRgb({ l, c, h }: Oklch): Rgb {
  const hr = (h * Math.PI) / 180;
  const a = c * Math.cos(hr);
  const b = c * Math.sin(hr);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_,
    -1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_,
    -0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_,
  ];
}

/** Linear-light sRGB → OKLCH. */
export function linearRgbToOklch([r, g, b]: Rgb): Oklch {
  const l_ = Math.cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const m_ = Math.cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const s_ = Math.cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  const L = 0.2104542553 * l_ + 0.793617785 * m_ - 0.0040720468 * s_;
  const A = 1.9779984951 * l_ - 2.428592205 * m_ + 0.4505937099 * s_;
  const B = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.808675766 * s_;
  const c = Math.hypot(A, B);
  let h = (Math.atan2(B, A) * 180) / Math.PI;
  if (h < 0) h += 360;
  return { l: L, c, h: c < 1e-4 ? 0 : h };
}

const GAMUT_EPS = 1e-4;

/** True when the color is inside the sRGB gamut. */
export function inGamut(color: Oklch): boolean {
  return oklchToLinearRgb(color).every((v) => v >= -GAMUT_EPS && v <= 1 + GAMUT_EPS);
}

/** Reduces chroma (same lightness and hue) until the color fits sRGB. */
export function toGamut(color: Oklch): Oklch {
  const l = Math.min(1, Math.max(0, color.l));
  const base = { ...color, l };
  if (inGamut(base)) return base;
  let lo = 0;
  let hi = base.c;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (inGamut({ ...base, c: mid })) lo = mid;
    else hi = mid;
  }
  // Round down so that the rounded value stays inside the gamut.
  return { l, c: Math.floor(lo * 1000) / 1000, h: base.h };
}

/** Rounds to the precision we emit (L and C to 3 decimals, hue to 1). */
export function roundOklch(color: Oklch): Oklch {
  return { l: round(color.l, 3), c: round(color.c, 3), h: round(color.h, 1) };
}

/**
 * The emitted form of a color: inside sRGB and rounded, with chroma lowered by 0.001 steps
 * when rounding pushed it just outside (so a strict gamut check agrees).
 */
export function emitForm(color: Oklch): Oklch {
  let r = roundOklch(toGamut(color));
  while (r.c > 0 && !oklchToLinearRgb(r).every((v) => v >= -1e-9 && v <= 1 + 1e-9)) {
    r = { ...r, c: round(r.c - 0.001, 3) };
  }
  return r;
}

/** `oklch(0.553 0.195 262.9)` */
export function formatOklch(color: Oklch): string {
  const r = roundOklch(color);
  return `oklch(${r.l.toFixed(3)} ${r.c.toFixed(3)} ${r.h.toFixed(1)})`;
}

/** The channels alone (`0.553 0.195 262.9`), for `oklch(var(--x) / <alpha-value>)` in Tailwind v3. */
export function oklchChannels(color: Oklch): string {
  const r = roundOklch(color);
  return `${r.l.toFixed(3)} ${r.c.toFixed(3)} ${r.h.toFixed(1)}`;
}

const OKLCH_RE = /^oklch\(\s*([\d.]+)(%?)\s+([\d.]+)\s+([\d.]+)(?:deg)?\s*\)$/i;
const HEX_RE = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

/**
 * Parses `oklch(L C H)` (L as 0..1 or a percentage) or `#rgb` / `#rrggbb`.
 * Returns null for anything else.
 */
export function parseColor(text: string): Oklch | null {
  const s = text.trim();
  const m = OKLCH_RE.exec(s);
  if (m) {
    const l = Number(m[1]) / (m[2] ? 100 : 1);
    const c = Number(m[3]);
    const h = Number(m[4]) % 360;
    if (![l, c, h].every(Number.isFinite) || l < 0 || l > 1) return null;
    return { l, c, h };
  }
  const x = HEX_RE.exec(s);
  if (x) {
    const hex = x[1].length === 3 ? [...x[1]].map((ch) => ch + ch).join("") : x[1];
    const rgb = [0, 2, 4].map((i) => srgbToLinear(parseInt(hex.slice(i, i + 2), 16) / 255));
    return linearRgbToOklch(rgb as Rgb);
  }
  return null;
}

function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}

/** The gamma-encoded sRGB channels 0..1 a browser paints (clipped to the gamut). */
export function toSrgb(color: Oklch): Rgb {
  return oklchToLinearRgb(color).map((v) => Math.min(1, Math.max(0, linearToSrgb(v)))) as Rgb;
}

/** `#rrggbb` of the color (for terminals and fallbacks). */
export function toHex(color: Oklch): string {
  return "#" + toSrgb(color).map((v) => Math.round(v * 255).toString(16).padStart(2, "0")).join("");
}

/** WCAG 2.x relative luminance of the painted sRGB color. */
export function relativeLuminance(color: Oklch): number {
  const [r, g, b] = toSrgb(color).map((v) =>
    v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio (1..21) between two colors. */
export function contrastRatio(a: Oklch, b: Oklch): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}
