import { join, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import type { Clock } from "../core/project.ts";
import { type Feature, parseFeaturesText, splitNotedDependency } from "../features/mod.ts";
import { applyMigration, type MigrationOutcome } from "./record.ts";

/** One change `br migrate from-v3` makes to a feature or to the file. */
export interface V3Change {
  /** Feature id, or null for the file itself. */
  id: string | null;
  /** What changes. */
  change: string;
}

/** What `br migrate from-v3` does (or did). */
export interface V3Plan {
  /** The project root. */
  root: string;
  /** Every change, in file order. */
  changes: V3Change[];
  /** Files written, relative to the root. */
  files: { path: string; action: "create" | "update" | "keep" }[];
  /** True when the folder is in a git repository. */
  git: boolean;
  /** The tag of the migration commit (null outside git). */
  tag: string | null;
}

/** The tag of a BuildRunner 3.1 normalisation commit. */
export const V3_TAG = "br-migrate-v3";

const FEATURES = ".buildrunner/features.json";

type Json = Record<string, unknown>;

/**
 * Normalises a BuildRunner 3.1 `features.json` explicitly: every dependency written as an id
 * with a note becomes the bare id, its note moving to the feature's `dependency_notes`
 * (`{id: note}`); missing fields get their defaults; unknown fields stay. With the same
 * backup, record, commit, tag and rollback as `br migrate from-v2`. `dryRun` writes nothing.
 *
 * @throws {BrError} `not_found` without a features.json, `invalid_data` when it is corrupt,
 * `conflict` for a dirty tree (without `force`) or a project already migrated.
 */
export async function migrateFromV3(
  dir: string,
  options: { dryRun?: boolean; force?: boolean; clock?: Clock } = {},
): Promise<MigrationOutcome<V3Plan>> {
  const root = resolve(dir);
  const now = (options.clock ?? { now: () => new Date() }).now();
  const text = await readOwnTextOrNull(join(root, FEATURES), `"${FEATURES}"`);
  if (text === null) {
    throw new BrError("not_found", `Cannot find "${FEATURES}" in "${root}"`, {
      hint: "pass the folder of a BuildRunner 3.1 project",
    });
  }
  const raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Json;
  const file = await parseFeaturesText(text, FEATURES);
  const changes: V3Change[] = [];
  for (const key of ["project", "version", "status", "description", "last_updated"]) {
    if (raw[key] === undefined) changes.push({ id: null, change: `adds "${key}"` });
  }
  const rawFeatures = (raw.features ?? []) as Json[];
  file.features = file.features.map((f, i) => {
    const before = rawFeatures[i] ?? {};
    const added = Object.keys(f).filter((k) => before[k] === undefined);
    if (added.length) changes.push({ id: f.id, change: `adds ${added.join(", ")}` });
    const notes: Record<string, string> = {};
    const entries = Array.isArray(before.dependencies) ? before.dependencies : [];
    for (const entry of entries) {
      if (typeof entry !== "string") continue;
      const split = splitNotedDependency(entry);
      if (!split) continue;
      if (split.note && notes[split.id] === undefined) notes[split.id] = split.note;
      changes.push({
        id: f.id,
        change: `dependency ${JSON.stringify(entry)} -> "${split.id}"${
          split.note ? " (note kept in dependency_notes)" : ""
        }`,
      });
    }
    const dups = f.dependencies.length - new Set(f.dependencies).size;
    if (dups) changes.push({ id: f.id, change: `drops ${dups} repeated dependenc(ies)` });
    // A new object: the noted entries the reader remembered for the old one are not written.
    const copy: Feature = { ...f, dependencies: [...new Set(f.dependencies)] };
    if (Object.keys(notes).length) {
      copy.dependency_notes = {
        ...(typeof f.dependency_notes === "object" && f.dependency_notes ? f.dependency_notes : {}),
        ...notes,
      };
    }
    return copy;
  });
  const plan: V3Plan = { root, changes, files: [], git: false, tag: null };
  if (changes.length === 0) {
    return { plan, dry_run: true, backup: null, commit: null, tag: null };
  }
  return applyMigration(root, {
    kind: "buildrunner3.1",
    source: FEATURES,
    tag: V3_TAG,
    message: `Normalise BuildRunner 3.1 features.json (${changes.length} changes)`,
    plan,
    writes: [{ path: FEATURES, features: file }],
    alsoChanges: ["STATUS.md"],
    extra: {},
    projectName: file.project,
    dryRun: !!options.dryRun,
    force: !!options.force,
    now,
    clock: options.clock,
    noScaffold: true,
  });
}
