/** Shared helpers of the design tests. */
import { parse, wcagContrast } from "culori";

/** The custom properties of one CSS block (`:root {` or `.dark {`) of a stylesheet. */
export function cssVars(css: string, selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block`);
  const body = css.slice(start, css.indexOf("}", start));
  const out: Record<string, string> = {};
  for (const m of body.matchAll(/--([a-z0-9-]+):\s*([^;]+);/g)) out[m[1]] = m[2].trim();
  return out;
}

/** WCAG 2 contrast computed by culori (an implementation independent of ours). */
export function culoriContrast(a: string, b: string): number {
  const ca = parse(a);
  const cb = parse(b);
  if (!ca || !cb) throw new Error(`culori cannot parse ${a} or ${b}`);
  return wcagContrast(ca, cb);
}

/** The pairs WCAG demands, written out here independently of src/design/contrast.ts. */
export const TEXT_PAIRS: [string, string][] = [
  ["foreground", "background"],
  ["card-foreground", "card"],
  ["popover-foreground", "popover"],
  ["primary-foreground", "primary"],
  ["secondary-foreground", "secondary"],
  ["muted-foreground", "muted"],
  ["muted-foreground", "background"],
  ["accent-foreground", "accent"],
  ["destructive-foreground", "destructive"],
];
/** Non-text pairs (WCAG 1.4.11: 3:1). */
export const UI_PAIRS: [string, string][] = [
  ["ring", "background"],
  ["chart-1", "background"],
  ["chart-2", "background"],
  ["chart-3", "background"],
  ["chart-4", "background"],
  ["chart-5", "background"],
];

export const PROFILES = [
  "e-commerce",
  "education",
  "enterprise",
  "fintech",
  "healthcare",
  "media",
  "real-estate",
  "saas",
];
export const PATTERNS = [
  "admin-panel",
  "analytics",
  "api-service",
  "content-platform",
  "crm",
  "dashboard",
  "marketplace",
  "onboarding",
];
