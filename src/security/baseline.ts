import { join } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";

/** The baseline file, relative to `.buildrunner/`. */
export const SECURITY_BASELINE_FILE = "security-baseline.json";

/** The baseline on disk: accepted fingerprints only (never a secret, never a line). */
export interface SecurityBaseline {
  /** Format version (1). */
  version: 1;
  /** Accepted fingerprints, sorted. */
  fingerprints: string[];
}

/** Path of the project's baseline. */
export function securityBaselinePath(project: Project): string {
  return join(project.paths.dir, SECURITY_BASELINE_FILE);
}

/**
 * Reads the accepted fingerprints (empty when there is no baseline).
 *
 * @throws {BrError} `invalid_data` when the file is not a baseline.
 */
export async function readSecurityBaseline(project: Project): Promise<Set<string>> {
  const path = securityBaselinePath(project);
  const text = await readOwnTextOrNull(path);
  if (text === null) return new Set();
  try {
    const data = JSON.parse(text) as Partial<SecurityBaseline>;
    if (!Array.isArray(data.fingerprints)) throw new Error('no "fingerprints" list');
    return new Set(data.fingerprints.filter((f): f is string => typeof f === "string"));
  } catch (err) {
    throw new BrError("invalid_data", `Cannot read "${path}": ${(err as Error).message}`, {
      hint: 'run "br security baseline" to rewrite it',
      cause: err,
    });
  }
}

/** Writes the baseline atomically (sorted, deduplicated); returns the count written. */
export async function writeSecurityBaseline(
  project: Project,
  fingerprints: Iterable<string>,
): Promise<number> {
  const list = [...new Set(fingerprints)].sort();
  const data: SecurityBaseline = { version: 1, fingerprints: list };
  await writeFileAtomic(securityBaselinePath(project), JSON.stringify(data, null, 2) + "\n");
  return list.length;
}
