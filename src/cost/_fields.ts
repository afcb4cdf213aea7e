/** Reading the fields of a usage log line, the same way for every source. */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The time as `toISOString()` writes it (most logs already do). */
export function isoUtc(time: string): string {
  return ISO_UTC.test(time) ? time : new Date(time).toISOString();
}

/** A token count: a finite positive number, else 0. */
export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0;
}

/** A text field without surrounding blanks, or null when it is not a string or blank. */
export function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}
