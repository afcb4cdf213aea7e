import { createHash } from "node:crypto";
import { readTextOrNull } from "../core/fs.ts";
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

/**
 * The lock checksum of a spec text, as `br spec lock` records it: `sha256:` + the hex SHA-256
 * of the file with the front matter's `status:` and `lock:` lines left out.
 */
export function specLockChecksum(text: string): string {
  const lines = text.split("\n");
  let inFront = lines[0]?.replace(/\r$/, "") === "---";
  const kept: string[] = [];
  lines.forEach((line, i) => {
    const l = line.replace(/\r$/, "");
    if (inFront && i > 0 && (l === "---" || l === "...")) inFront = false;
    else if (inFront && i > 0 && /^(status|lock)\s*:/.test(l)) return;
    kept.push(line);
  });
  return "sha256:" + createHash("sha256").update(kept.join("\n")).digest("hex");
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
 * checksum of the text (see {@link specLockChecksum}) must still equal it. `text` lets the
 * hooks check staged content.
 */
export async function checkSpecLock(
  project: Project,
  text?: string | null,
): Promise<SpecLockState> {
  const spec = text !== undefined ? text : await readTextOrNull(project.paths.spec);
  if (spec === null) return { present: false, locked: false, passed: true, problem: null };
  const lock = specLockOf(spec);
  if (!lock) return { present: true, locked: false, passed: true, problem: null };
  const want = lock.startsWith("sha256:") ? lock.toLowerCase() : `sha256:${lock.toLowerCase()}`;
  const ok = specLockChecksum(spec) === want;
  return {
    present: true,
    locked: true,
    passed: ok,
    problem: ok
      ? null
      : 'PROJECT_SPEC.md changed after it was locked: run "br spec unlock" to edit it, then lock it again',
  };
}
