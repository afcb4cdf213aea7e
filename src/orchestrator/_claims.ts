/**
 * File claims: do two sets of globs (the `files` of two features) name a common path?
 * Decided exactly by intersecting the patterns (src/core/glob.ts, the glob every other part
 * of br matches with), without looking at the disk, so a file that does not exist yet is
 * claimed too.
 */

import { globsOverlap } from "../core/glob.ts";

/** The first pair of overlapping globs of two lists, or null. */
export function claimOverlap(
  mine: readonly string[],
  theirs: readonly string[],
): [string, string] | null {
  for (const a of mine) for (const b of theirs) if (globsOverlap(a, b)) return [a, b];
  return null;
}
