/** Reading the fields of a usage log line, the same way for every source. */

// What `toISOString()` writes: a digit where this has a 0, the same character elsewhere.
const ISO_FORM = "0000-00-00T00:00:00.000Z";

/** Whether `time` is written as `toISOString()` writes it (a loop: faster than a regex). */
function isIsoUtc(time: string): boolean {
  if (time.length !== ISO_FORM.length) return false;
  for (let i = 0; i < ISO_FORM.length; i++) {
    const c = time.charCodeAt(i);
    const f = ISO_FORM.charCodeAt(i);
    if (f === 0x30 ? c < 0x30 || c > 0x39 : c !== f) return false;
  }
  return true;
}

/** The time as `toISOString()` writes it (most logs already do). */
export function isoUtc(time: string): string {
  return isIsoUtc(time) ? time : new Date(time).toISOString();
}

/** A token count: a finite positive number, else 0. */
export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0;
}

/** A text field without surrounding blanks, or null when it is not a string or blank. */
export function str(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const t = v.trim();
  return t === "" ? null : t;
}
