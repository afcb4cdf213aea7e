import { BrError } from "../core/errors.ts";
import type { BrEvent, EventPayloads, FieldChange } from "../core/events.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import {
  assertValidGraph,
  computeMetrics,
  type Feature,
  type FeaturePriority,
  type FeaturesFile,
  loadFeatures,
  saveFeatures,
  serializeFeatures,
} from "../features/mod.ts";
import { featuresLabel } from "../features/registry.ts";
import {
  readBase,
  sameBase,
  sortBase,
  type SyncBase,
  syncBasePath,
  SYNCED_FIELDS,
  type SyncedField,
  type SyncedValues,
} from "./sync_base.ts";
import { assertSpecWritable, problemLine, requireSpec, specLabel } from "./store.ts";
import type { SpecFeature } from "./types.ts";
import { lockMismatch, validateSpec } from "./validate.ts";
import { applySpecEdits, type SpecFeatureInput } from "./write.ts";

/** A change the sync cannot decide; left for the user. */
export interface SyncConflict {
  /** Feature id. */
  id: string;
  /** The field in conflict, or null when the feature was removed on one side. */
  field: SyncedField | null;
  /** What happened. */
  reason: string;
  /** The spec's value (null when absent). */
  spec: unknown;
  /** The value in `features.json` (null when absent). */
  features: unknown;
  /** The value at the last sync (null when unknown). */
  base: unknown;
}

/** A feature whose fields change on one side. */
export interface SyncUpdate {
  /** Feature id. */
  id: string;
  /** The fields that change, in {@link SYNCED_FIELDS} order. */
  fields: SyncedField[];
}

/** What a sync did (or would do, with `dry_run`). */
export interface SyncResult {
  /** True when nothing was written. */
  dry_run: boolean;
  /** Ids added to `features.json` (new in the spec). */
  added_to_features: string[];
  /** Features updated in `features.json` (edited in the spec). */
  updated_in_features: SyncUpdate[];
  /** Ids removed from `features.json` (removed from the spec, still planned). */
  removed_from_features: string[];
  /** Ids added to the spec (created on the command line). */
  added_to_spec: string[];
  /** Features updated in the spec (edited on the command line). */
  updated_in_spec: SyncUpdate[];
  /** Ids removed from the spec (removed on the command line). */
  removed_from_spec: string[];
  /** Conflicts left for the user, sorted by id and field. */
  conflicts: SyncConflict[];
  /** The unified diff of the files that change (dry run only, else null). */
  diff: string | null;
}

/** Options of {@link syncSpec}. */
export interface SyncOptions {
  /** Compute the plan and its diff, write nothing. */
  dryRun?: boolean;
  /** Resolve field conflicts in favour of one side. */
  prefer?: "spec" | "features";
}

function fromSpec(f: SpecFeature): SyncedValues {
  return {
    name: f.name,
    description: f.description,
    priority: f.priority as FeaturePriority,
    dependencies: f.depends_on,
    acceptance: f.acceptance,
    files: f.files,
  };
}

function fromFeature(f: Feature): SyncedValues {
  const out = {} as Record<SyncedField, unknown>;
  for (const k of SYNCED_FIELDS) out[k] = copy(f[k]);
  return out as SyncedValues;
}

// Synced values are strings or lists of strings; structuredClone is much slower.
const copy = (v: unknown) => Array.isArray(v) ? [...v] : v;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const allSame = (a: Partial<SyncedValues>, b: Partial<SyncedValues>) =>
  SYNCED_FIELDS.every((k) => same(a[k], b[k]));

/** A feature event the sync causes, before it gets its id, time and session. */
export type SyncEvent =
  | { type: "feature.added"; payload: EventPayloads["feature.added"] }
  | { type: "feature.updated"; payload: EventPayloads["feature.updated"] }
  | { type: "feature.removed"; payload: EventPayloads["feature.removed"] };

/** What {@link planSync} merges: the spec's features, `features.json` and the last base. */
export interface SyncInput {
  /** The spec's features, in spec order. */
  spec: readonly SpecFeature[];
  /** The loaded `features.json` (not changed by the planning). */
  file: FeaturesFile;
  /** The merge base of the last sync. */
  base: SyncBase;
  /** The time of the sync (ISO), for `updated_at`, `created_at` and the base. */
  now: string;
  /** The options of the sync. */
  options: SyncOptions;
}

/** What a sync writes; computed by {@link planSync} without reading or writing anything. */
export interface SyncPlan {
  /** The report (`dry_run` from the options, `diff` still null). */
  result: SyncResult;
  /** The feature events, in id order. */
  events: SyncEvent[];
  /** The features after the sync, or null when `features.json` does not change. */
  features: Feature[] | null;
  /** The edits of the spec's Features section, or null when the spec does not change. */
  specEdits: { upsert: SpecFeatureInput[]; remove: string[] } | null;
  /** The new merge base. */
  base: SyncBase;
}

/**
 * Keeps the spec's Features section and `features.json` in step with a three-way merge
 * against the state of the last sync (`.buildrunner/spec-sync.json`). For each feature and
 * field: a change on one side is applied to the other; the same change on both sides is
 * kept; different changes are a conflict, left as they are and reported. Ids, statuses,
 * timestamps and every field outside {@link SYNCED_FIELDS} are never touched. A feature
 * removed from the spec leaves `features.json` only while it is still `planned`. `prefer`
 * decides every conflict for one side, removals included: `features` puts a feature removed
 * from the spec back into it, `spec` removes it from `features.json` whatever its status.
 *
 * @throws {BrError} `not_found` without a spec; `invalid_data` for a spec with problems or
 * a result with a broken dependency graph; `conflict` when the spec is locked and would be
 * written, or was edited after locking. Nothing is written when it throws: every check runs
 * before the first write, and a failed write puts back the files already written.
 */
export async function syncSpec(project: Project, options: SyncOptions = {}): Promise<SyncResult> {
  const { result, events } = await project.withLock(() => sync(project, options));
  for (const e of events) project.bus.emit(e);
  return result;
}

async function sync(
  project: Project,
  options: SyncOptions,
): Promise<{ result: SyncResult; events: BrEvent[] }> {
  const spec = await requireSpec(project);
  const label = specLabel(project);
  if (lockMismatch(spec)) assertSpecWritable(project, spec, "sync");
  const problems = validateSpec(spec).filter((p) => !p.code.startsWith("lock_"));
  if (problems.length) {
    throw new BrError(
      "invalid_data",
      `Cannot sync: ${label} has ${problems.length} problem(s): ${
        problems.slice(0, 3).map((p) => problemLine(label, p)).join("; ")
      }`,
      { hint: 'run "br spec validate" to see them all; nothing was written' },
    );
  }
  const featuresText = await readOwnTextOrNull(project.paths.features, featuresLabel(project));
  const file = await loadFeatures(project);
  const base = await readBase(project);
  const now = project.clock.now().toISOString();
  const plan = planSync({ spec: spec.features, file, base, now, options });
  const { result } = plan;
  const next: FeaturesFile | null = plan.features && { ...file, features: plan.features };
  if (plan.specEdits) assertSpecWritable(project, spec, "write feature changes into the spec");
  const specText = plan.specEdits ? await applySpecEdits(spec, plan.specEdits) : spec.text;

  if (options.dryRun) {
    result.diff = await syncDiff(label, spec.text, specText, file, next, now);
    return { result, events: [] };
  }

  const events = plan.events.map((e) =>
    project.bus.create(e.type, e.payload as never, { feature: e.payload.id }) as BrEvent
  );
  const specEvent = project.bus.create("spec.synced", {
    added: [...result.added_to_features, ...result.added_to_spec].sort(),
    changed: [
      ...new Set([...result.updated_in_features, ...result.updated_in_spec].map((u) => u.id)),
    ]
      .sort(),
    removed: [...result.removed_from_features, ...result.removed_from_spec].sort(),
    problems: result.conflicts.map((c) => `${c.id}${c.field ? `.${c.field}` : ""}: ${c.reason}`),
  }) as BrEvent;
  for (const e of [...events, specEvent]) await project.bus.check(e);
  if (next) await assertSavable(project, next);

  const basePath = syncBasePath(project);
  const oldBase = await readOwnTextOrNull(basePath);
  const writeBase = !!next || !!plan.specEdits || oldBase === null ||
    !sameBase(oldBase, plan.base);
  // Each write with what puts its file back; a failure undoes the writes before it.
  const steps: { write: () => Promise<void>; undo: () => Promise<void> }[] = [];
  if (plan.specEdits) {
    steps.push({
      write: () => writeFileAtomic(project.paths.spec, specText, { linksWithin: project.root }),
      undo: () => writeFileAtomic(project.paths.spec, spec.text, { linksWithin: project.root }),
    });
  }
  if (next) {
    steps.push({
      write: () => saveFeatures(project, next),
      undo: async () => {
        if (featuresText === null) await Deno.remove(project.paths.features);
        else {
          await writeFileAtomic(project.paths.features, featuresText, {
            linksWithin: project.root,
          });
        }
        await (await import("../features/status.ts")).writeStatus(project);
      },
    });
  }
  if (writeBase) {
    const baseText = JSON.stringify(sortBase(plan.base), null, 2) + "\n";
    steps.push({ write: () => writeFileAtomic(basePath, baseText), undo: () => Promise.resolve() });
  }
  await writeAllOrNone(steps);
  return { result, events: [...events, specEvent] };
}

/**
 * Runs the writes in order. When one fails, the ones already done are undone (latest first)
 * and the first error is thrown: the files are as they were.
 */
async function writeAllOrNone(
  steps: { write: () => Promise<void>; undo: () => Promise<void> }[],
): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    try {
      await steps[i].write();
    } catch (err) {
      for (let j = i - 1; j >= 0; j--) await steps[j].undo().catch(() => {});
      throw err;
    }
  }
}

/** Throws what {@link saveFeatures} would throw for `file`, before anything is written. */
async function assertSavable(project: Project, file: FeaturesFile): Promise<void> {
  const label = featuresLabel(project);
  const problem = (await import("../features/schema.ts")).schemaProblem(file);
  if (problem) {
    throw new BrError("invalid_data", `Invalid ${label}: ${problem}`, {
      hint: "nothing was written",
    });
  }
}

/** The unified diff of a dry run: the spec, then `features.json`. */
async function syncDiff(
  label: string,
  specBefore: string,
  specAfter: string,
  file: FeaturesFile,
  next: FeaturesFile | null,
  now: string,
): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  let diff = "";
  if (specAfter !== specBefore) {
    diff += createTwoFilesPatch(`a/${label}`, `b/${label}`, specBefore, specAfter, "", "", {
      context: 2,
    }).replace(/^=+\n/, "");
  }
  if (next) {
    const after = serializeFeatures({
      ...next,
      last_updated: now,
      metrics: { ...next.metrics, ...computeMetrics(next.features) },
    });
    diff += createTwoFilesPatch(
      "a/.buildrunner/features.json",
      "b/.buildrunner/features.json",
      serializeFeatures(file),
      after,
      "",
      "",
      { context: 2 },
    ).replace(/^=+\n/, "");
  }
  return diff;
}

/**
 * The three-way merge of {@link syncSpec}, without reading or writing anything: what changes
 * on each side, the conflicts, the events and the new base. `input.file` is not changed.
 *
 * @throws {BrError} `invalid_data` when the features after the sync have an unknown
 * dependency or a cycle.
 */
export function planSync(input: SyncInput): SyncPlan {
  const { spec, file, base, now, options } = input;
  const S = new Map(spec.map((f) => [f.id, f]));
  const F = new Map(file.features.map((f) => [f.id, f]));
  const B = new Map(Object.entries(base.features));
  const ids = [...new Set([...S.keys(), ...F.keys(), ...B.keys()])].sort();

  const result: SyncResult = {
    dry_run: !!options.dryRun,
    added_to_features: [],
    updated_in_features: [],
    removed_from_features: [],
    added_to_spec: [],
    updated_in_spec: [],
    removed_from_spec: [],
    conflicts: [],
    diff: null,
  };
  const events: SyncEvent[] = [];
  const specUpserts: SpecFeatureInput[] = [];
  const specRemovals: string[] = [];
  const newBase: SyncBase = { version: 1, synced_at: now, features: {} };
  const newFeatures: Feature[] = [];
  const updated = new Map<string, Feature>();
  const added = (feature: Feature) => {
    newFeatures.push(feature);
    result.added_to_features.push(feature.id);
    events.push({ type: "feature.added", payload: { id: feature.id, fields: { ...feature } } });
  };

  for (const id of ids) {
    const sf = S.get(id);
    const s = sf ? fromSpec(sf) : undefined;
    const ff = F.get(id);
    const f = ff ? fromFeature(ff) : undefined;
    const b = B.get(id);
    if (s && f && ff && sf) {
      const merged = {} as Record<SyncedField, unknown>;
      const agreed: Partial<SyncedValues> = {};
      for (const k of SYNCED_FIELDS) {
        const bv = b?.[k];
        if (same(s[k], f[k])) {
          merged[k] = s[k];
          (agreed as Record<string, unknown>)[k] = s[k];
        } else if (b && bv !== undefined && same(s[k], bv)) {
          merged[k] = f[k];
          (agreed as Record<string, unknown>)[k] = f[k];
        } else if (b && bv !== undefined && same(f[k], bv)) {
          merged[k] = s[k];
          (agreed as Record<string, unknown>)[k] = s[k];
        } else if (options.prefer) {
          merged[k] = options.prefer === "spec" ? s[k] : f[k];
          (agreed as Record<string, unknown>)[k] = merged[k];
        } else {
          merged[k] = undefined; // each side keeps its value
          if (bv !== undefined) (agreed as Record<string, unknown>)[k] = bv;
          result.conflicts.push({
            id,
            field: k,
            reason: b && bv !== undefined
              ? "changed differently in the spec and in features.json"
              : "differs between the spec and features.json, and there is no earlier sync to decide",
            spec: s[k],
            features: f[k],
            base: bv ?? null,
          });
        }
      }
      const toFeatures = SYNCED_FIELDS.filter((k) =>
        merged[k] !== undefined && !same(merged[k], f[k])
      );
      const toSpec = SYNCED_FIELDS.filter((k) => merged[k] !== undefined && !same(merged[k], s[k]));
      if (toFeatures.length) {
        const changes: Record<string, FieldChange> = {};
        const next: Record<string, unknown> = { ...ff, updated_at: now };
        for (const k of toFeatures) {
          changes[k] = { from: ff[k], to: merged[k] };
          next[k] = copy(merged[k]);
        }
        updated.set(id, next as Feature);
        result.updated_in_features.push({ id, fields: toFeatures });
        events.push({ type: "feature.updated", payload: { id, changes } });
      }
      if (toSpec.length) {
        const values = { ...s } as Record<SyncedField, unknown>;
        for (const k of toSpec) values[k] = merged[k];
        specUpserts.push(toSpecInput(id, values as SyncedValues, sf));
        result.updated_in_spec.push({ id, fields: toSpec });
      }
      newBase.features[id] = agreed;
    } else if (s && sf && !f) {
      if (!b) {
        added(newFeature(id, s, file.version, now));
        newBase.features[id] = s;
      } else if (allSame(s, b) || options.prefer === "features") {
        specRemovals.push(id);
        result.removed_from_spec.push(id);
      } else if (options.prefer === "spec") {
        // Removed on the command line, edited in the spec: the spec wins, it comes back.
        added(newFeature(id, s, file.version, now));
        newBase.features[id] = s;
      } else {
        newBase.features[id] = b;
        result.conflicts.push({
          id,
          field: null,
          reason: "removed from features.json but edited in the spec",
          spec: s,
          features: null,
          base: b,
        });
      }
    } else if (f && ff && !s) {
      if (!b) {
        specUpserts.push(toSpecInput(id, f));
        result.added_to_spec.push(id);
        newBase.features[id] = f;
      } else if ((allSame(f, b) && ff.status === "planned") || options.prefer === "spec") {
        // Started or edited work leaves only when the spec is preferred: asked for by name.
        result.removed_from_features.push(id);
        events.push({ type: "feature.removed", payload: { id, fields: { ...ff } } });
      } else if (options.prefer === "features") {
        specUpserts.push(toSpecInput(id, f));
        result.added_to_spec.push(id);
        newBase.features[id] = f;
      } else {
        newBase.features[id] = b;
        result.conflicts.push({
          id,
          field: null,
          reason: allSame(f, b)
            ? `removed from the spec but "${ff.status}" in features.json (only planned features are removed)`
            : "removed from the spec but edited in features.json",
          spec: null,
          features: f,
          base: b,
        });
      }
    }
  }

  const removed = new Set(result.removed_from_features);
  const features = file.features.filter((x) => !removed.has(x.id))
    .map((x) => updated.get(x.id) ?? x);
  const specOrder = new Map(spec.map((x, i) => [x.id, i]));
  newFeatures.sort((a, b) => specOrder.get(a.id)! - specOrder.get(b.id)!);
  features.push(...newFeatures);
  const fileOrder = new Map(features.map((x, i) => [x.id, i]));
  specUpserts.sort((a, b) => (fileOrder.get(a.id) ?? 0) - (fileOrder.get(b.id) ?? 0));
  const featuresChanged = result.added_to_features.length + result.updated_in_features.length +
      result.removed_from_features.length > 0;
  const specChanged = specUpserts.length + specRemovals.length > 0;
  if (featuresChanged) assertValidGraph(features, "features.json after the sync");
  return {
    result: sortResult(result),
    events,
    features: featuresChanged ? features : null,
    specEdits: specChanged ? { upsert: specUpserts, remove: specRemovals } : null,
    base: newBase,
  };
}

function toSpecInput(id: string, v: SyncedValues, old?: SpecFeature): SpecFeatureInput {
  return {
    id,
    name: v.name,
    description: v.description,
    priority: v.priority,
    depends_on: v.dependencies,
    acceptance: v.acceptance,
    files: v.files,
    checked: old?.checked.filter((c) => v.acceptance.includes(c)) ?? [],
    notes: old?.notes ?? "",
  };
}

function newFeature(id: string, v: SyncedValues, version: string, now: string): Feature {
  return {
    id,
    name: v.name,
    description: v.description,
    status: "planned",
    priority: v.priority,
    version,
    dependencies: [...v.dependencies],
    acceptance: [...v.acceptance],
    files: [...v.files],
    tags: [],
    owner: null,
    week: null,
    build: null,
    blocked_reason: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
}

function sortResult(r: SyncResult): SyncResult {
  const ids = (a: string[]) => a.sort();
  const ups = (a: SyncUpdate[]) => a.sort((x, y) => x.id.localeCompare(y.id));
  ids(r.added_to_features);
  ids(r.removed_from_features);
  ids(r.added_to_spec);
  ids(r.removed_from_spec);
  ups(r.updated_in_features);
  ups(r.updated_in_spec);
  r.conflicts.sort((a, b) =>
    a.id.localeCompare(b.id) || (a.field ?? "").localeCompare(b.field ?? "")
  );
  return r;
}
