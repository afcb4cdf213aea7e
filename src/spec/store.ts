import { relative } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { parseSpec } from "./parse.ts";
import type { ParsedSpec, SpecProblem } from "./types.ts";
import { lockMismatch, specChecksum, validateSpec } from "./validate.ts";
import { applySpecEdits } from "./write.ts";

/** The spec path relative to the project root, for messages. */
export function specLabel(project: Project): string {
  return relative(project.root, project.paths.spec) || "PROJECT_SPEC.md";
}

/**
 * Reads and parses `PROJECT_SPEC.md`, or returns null when there is none.
 *
 * @throws {BrError} `invalid_data` for broken front matter.
 */
export async function readSpec(project: Project): Promise<ParsedSpec | null> {
  const text = await readOwnTextOrNull(project.paths.spec, specLabel(project));
  if (text === null) return null;
  return parseSpec(text, specLabel(project));
}

/**
 * Reads the spec, which must exist.
 *
 * @throws {BrError} `not_found` when there is no spec, `invalid_data` for broken front matter.
 */
export async function requireSpec(project: Project): Promise<ParsedSpec> {
  const spec = await readSpec(project);
  if (!spec) {
    throw new BrError("not_found", `No ${specLabel(project)} in "${project.root}"`, {
      hint: 'run "br spec wizard" to write one',
    });
  }
  return spec;
}

/** A problem as one line: `PROJECT_SPEC.md:12: message`. */
export function problemLine(label: string, p: SpecProblem): string {
  return p.line > 0 ? `${label}:${p.line}: ${p.message}` : `${label}: ${p.message}`;
}

/** What `br spec validate` reports. */
export interface SpecValidation {
  /** The spec path (relative). */
  path: string;
  /** True when there is no problem. */
  valid: boolean;
  /** Front matter status. */
  status: string;
  /** True when the spec carries a lock checksum. */
  locked: boolean;
  /** True when it is locked and unchanged since (null when not locked). */
  lock_intact: boolean | null;
  /** How many features the spec declares. */
  features: number;
  /** Every problem, sorted by line. */
  problems: SpecProblem[];
}

/**
 * Validates the project's spec and emits `spec.validated`.
 *
 * @throws {BrError} `not_found` without a spec, `invalid_data` for broken front matter.
 */
export async function checkSpec(project: Project): Promise<SpecValidation> {
  const spec = await requireSpec(project);
  const problems = validateSpec(spec);
  const label = specLabel(project);
  project.bus.emit("spec.validated", { problems: problems.map((p) => problemLine(label, p)) });
  const lock = spec.front?.lock ?? null;
  return {
    path: label,
    valid: problems.length === 0,
    status: spec.front?.status ?? "draft",
    locked: lock !== null,
    lock_intact: lock === null ? null : !lockMismatch(spec),
    features: spec.features.length,
    problems,
  };
}

/**
 * Refuses to write a locked spec.
 *
 * @throws {BrError} `conflict` when the spec is locked (edited by hand or not).
 */
export function assertSpecWritable(project: Project, spec: ParsedSpec, action: string): void {
  if (!spec.front?.lock && spec.front?.status !== "locked") return;
  const edited = lockMismatch(spec);
  throw new BrError(
    "conflict",
    `Cannot ${action}: ${specLabel(project)} is locked${
      edited ? " and was edited by hand after locking" : ""
    }`,
    {
      hint: edited
        ? 'review the edits, then run "br spec unlock" to accept them'
        : 'run "br spec unlock" first',
    },
  );
}

/** Throws when the spec has problems other than the lock ones. */
function assertValid(project: Project, spec: ParsedSpec, action: string): void {
  const problems = validateSpec(spec).filter((p) => !p.code.startsWith("lock_"));
  if (problems.length === 0) return;
  const label = specLabel(project);
  throw new BrError(
    "check_failed",
    `Cannot ${action}: ${problems.length} problem(s): ${
      problems.slice(0, 3).map((p) => problemLine(label, p)).join("; ")
    }`,
    { hint: 'run "br spec validate" to see them all; nothing was written' },
  );
}

/** The outcome of confirm, lock and unlock. */
export interface SpecStateChange {
  /** Status before. */
  from: string;
  /** Status after. */
  to: string;
  /** The lock checksum after (null when unlocked). */
  lock: string | null;
  /** False when nothing had to change. */
  changed: boolean;
}

/**
 * Marks a valid spec `confirmed`.
 *
 * @throws {BrError} `conflict` when locked, `check_failed` when it has problems.
 */
export function confirmSpec(project: Project): Promise<SpecStateChange> {
  return project.withLock(async () => {
    const spec = await requireSpec(project);
    assertSpecWritable(project, spec, "confirm the spec");
    assertValid(project, spec, "confirm the spec");
    const from = spec.front?.status ?? "draft";
    if (from === "confirmed") return { from, to: from, lock: null, changed: false };
    await writeFileAtomic(
      project.paths.spec,
      await applySpecEdits(spec, { front: { status: "confirmed" } }),
      { linksWithin: project.root },
    );
    project.bus.emit("spec.validated", { problems: [] });
    return { from, to: "confirmed", lock: null, changed: true };
  });
}

/**
 * Locks a valid spec: status `locked` and the checksum in the front matter. Later edits
 * are reported by `validate` and refused by every command that would write the spec.
 *
 * @throws {BrError} `conflict` when it is locked but was edited, `check_failed` when it has
 * problems.
 */
export function lockSpec(project: Project): Promise<SpecStateChange> {
  return project.withLock(async () => {
    const spec = await requireSpec(project);
    const from = spec.front?.status ?? "draft";
    if (spec.front?.lock) {
      if (lockMismatch(spec)) assertSpecWritable(project, spec, "lock the spec again");
      return { from, to: from, lock: spec.front.lock, changed: false };
    }
    assertValid(project, spec, "lock the spec");
    const draft = await applySpecEdits(spec, { front: { status: "locked", lock: "pending" } });
    const lock = specChecksum(draft);
    const text = await applySpecEdits(await parseSpec(draft), { front: { lock } });
    await writeFileAtomic(project.paths.spec, text, { linksWithin: project.root });
    project.bus.emit("spec.locked", { problems: [] });
    return { from, to: "locked", lock, changed: true };
  });
}

/** Unlocks the spec (status back to `confirmed`, checksum removed); accepts hand edits. */
export function unlockSpec(project: Project): Promise<SpecStateChange> {
  return project.withLock(async () => {
    const spec = await requireSpec(project);
    const from = spec.front?.status ?? "draft";
    if (!spec.front?.lock && from !== "locked") {
      return { from, to: from, lock: null, changed: false };
    }
    const edited = lockMismatch(spec);
    await writeFileAtomic(
      project.paths.spec,
      await applySpecEdits(spec, { front: { status: "confirmed", lock: undefined } }),
      { linksWithin: project.root },
    );
    project.bus.emit("spec.unlocked", { problems: edited ? ["edited after locking"] : [] });
    return { from, to: "confirmed", lock: null, changed: true };
  });
}
