import { readOwnTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";

/** The state of the spec lock. */
export interface SpecLockState {
  /** PROJECT_SPEC.md exists. */
  present: boolean;
  /** The front matter records a lock checksum. */
  locked: boolean;
  /** True unless the spec is locked and changed since. */
  passed: boolean;
  /** What is wrong, if anything. */
  problem: string | null;
}

/** The `lock:` value of a spec's front matter, or null. */
export function specLockOf(text: string): string | null {
  const lines = text.split("\n");
  if (lines[0]?.replace(/\r$/, "") !== "---") return null;
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i].replace(/\r$/, "");
    if (l === "---" || l === "...") break;
    const m = /^lock\s*:\s*(.*?)\s*$/.exec(l);
    if (m) {
      const v = m[1].replace(/^["']|["']$/g, "");
      return v && v !== "null" && v !== "~" ? v : null;
    }
  }
  return null;
}

/**
 * Checks the lock of PROJECT_SPEC.md: when its front matter holds `lock: sha256:<hex>`, the
 * checksum `br spec lock` computes must still equal it. `text` lets the
 * hooks check staged content.
 */
export async function checkSpecLock(
  project: Project,
  text?: string | null,
): Promise<SpecLockState> {
  const spec = text !== undefined ? text : await readOwnTextOrNull(project.paths.spec);
  if (spec === null) return { present: false, locked: false, passed: true, problem: null };
  const lock = specLockOf(spec);
  if (!lock) return { present: true, locked: false, passed: true, problem: null };
  const want = lock.startsWith("sha256:") ? lock.toLowerCase() : `sha256:${lock.toLowerCase()}`;
  // The spec capability owns the checksum; it is loaded only for a locked spec.
  const { specChecksum } = await import("../spec/mod.ts");
  const ok = specChecksum(spec).toLowerCase() === want;
  return {
    present: true,
    locked: true,
    passed: ok,
    problem: ok
      ? null
      : 'PROJECT_SPEC.md changed after it was locked: run "br spec unlock" to edit it, then lock it again',
  };
}
