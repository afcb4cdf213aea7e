import { join } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import type { Feature } from "../features/mod.ts";

/** The feature fields kept in step between the spec and `features.json`. */
export const SYNCED_FIELDS = [
  "name",
  "description",
  "priority",
  "dependencies",
  "acceptance",
  "files",
] as const;
/** One synced field. */
export type SyncedField = typeof SYNCED_FIELDS[number];
/** The synced fields of one feature. */
export type SyncedValues = { [K in SyncedField]: Feature[K] };

/** The merge base stored in `.buildrunner/spec-sync.json`. */
export interface SyncBase {
  /** Format version. */
  version: 1;
  /** When the last sync wrote it. */
  synced_at: string;
  /** The agreed values per feature id (a field is absent while it is in conflict). */
  features: Record<string, Partial<SyncedValues>>;
}

/** Path of the merge base. */
export function syncBasePath(project: Project): string {
  return join(project.paths.dir, "spec-sync.json");
}

/** Reads the merge base (empty when there is none). @throws {BrError} `invalid_data` when corrupt. */
export async function readBase(project: Project): Promise<SyncBase> {
  const path = syncBasePath(project);
  const text = await readOwnTextOrNull(path);
  if (text === null) return { version: 1, synced_at: "", features: {} };
  try {
    const data = JSON.parse(text);
    if (!data || typeof data.features !== "object" || Array.isArray(data.features)) {
      throw new Error("no features object");
    }
    return data as SyncBase;
  } catch (err) {
    throw new BrError("invalid_data", `Cannot read ${path}: ${(err as Error).message}`, {
      hint: "delete it to sync from scratch (conflicts are then decided field by field)",
      cause: err,
    });
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** True when the stored base text holds the same agreed values as `next`. */
export function sameBase(oldText: string, next: SyncBase): boolean {
  try {
    return same(sortBase(JSON.parse(oldText)).features, sortBase(next).features);
  } catch {
    return false;
  }
}

/** The base with ids and fields in a fixed order (stable file contents). */
export function sortBase(base: SyncBase): SyncBase {
  const features: SyncBase["features"] = {};
  for (const id of Object.keys(base.features).sort()) {
    const v = base.features[id];
    const out: Record<string, unknown> = {};
    for (const k of SYNCED_FIELDS) if (v[k] !== undefined) out[k] = v[k];
    features[id] = out as Partial<SyncedValues>;
  }
  return { version: 1, synced_at: base.synced_at, features };
}
