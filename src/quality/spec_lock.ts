import { readTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { sha256Hex } from "./governance.ts";

/** The state of the spec lock. */
export interface SpecLockState {
  /** PROJECT_SPEC.md exists. */
  present: boolean;
  /** The front matter records a lock checksum. */
  locked: boolean;
  /** True unless the spec is locked and its body changed since. */
  passed: boolean;
  /** What is wrong, if anything. */
  problem: string | null;
}

/** Splits a Markdown text into its YAML front matter and body. */
export function splitFrontMatter(text: string): { front: string | null; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  return m ? { front: m[1], body: text.slice(m[0].length) } : { front: null, body: text };
}

/**
 * Checks the lock of PROJECT_SPEC.md: when its front matter holds `lock: <sha256>`, the
 * SHA-256 of the body (everything after the front matter) must still equal it.
 * `text` lets the hooks check staged content.
 */
export async function checkSpecLock(
  project: Project,
  text?: string | null,
): Promise<SpecLockState> {
  const spec = text !== undefined ? text : await readTextOrNull(project.paths.spec);
  if (spec === null) return { present: false, locked: false, passed: true, problem: null };
  const { front, body } = splitFrontMatter(spec);
  if (front === null) return { present: true, locked: false, passed: true, problem: null };
  const { load } = await import("js-yaml");
  let data: Record<string, unknown> = {};
  try {
    data = (load(front) ?? {}) as Record<string, unknown>;
  } catch (err) {
    return {
      present: true,
      locked: false,
      passed: false,
      problem: `PROJECT_SPEC.md front matter does not parse: ${
        (err as Error).message.split("\n")[0]
      }`,
    };
  }
  const lock = typeof data.lock === "string" ? data.lock.replace(/^sha256:/, "") : null;
  if (!lock) return { present: true, locked: false, passed: true, problem: null };
  const ok = sha256Hex(body) === lock.toLowerCase();
  return {
    present: true,
    locked: true,
    passed: ok,
    problem: ok
      ? null
      : 'PROJECT_SPEC.md changed after it was locked: run "br spec unlock" to edit it',
  };
}
