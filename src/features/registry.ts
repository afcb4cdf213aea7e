import { relative } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import type { BrEvent, EventType, FieldChange } from "../core/events.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { MAX_JSON_DEPTH, tooDeepAt } from "../core/json_depth.ts";
import type { Project } from "../core/project.ts";
import { assertValidGraph, isParked, openDependencies } from "./graph.ts";
import { idProblem, slugify } from "./ids.ts";
import { quickCheck } from "./fields.ts";
import {
  type Feature,
  type FeatureMetrics,
  type FeaturePriority,
  type FeaturesFile,
  type FeatureStatus,
  PRIORITIES,
  STATUSES,
} from "./types.ts";

/** Computes the metrics block from the features. */
export function computeMetrics(features: readonly Pick<Feature, "status">[]): FeatureMetrics {
  const counts: Record<string, number> = {
    planned: 0,
    in_progress: 0,
    testing: 0,
    blocked: 0,
    complete: 0,
  };
  let parked = 0;
  for (const f of features) {
    if (isParked(f)) parked++;
    else counts[f.status] = (counts[f.status] ?? 0) + 1;
  }
  const open = features.length - parked;
  return {
    features_total: features.length,
    features_complete: counts.complete,
    features_in_progress: counts.in_progress,
    features_testing: counts.testing,
    features_planned: counts.planned,
    features_blocked: counts.blocked,
    features_parked: parked,
    completion_percentage: open ? Math.round((counts.complete / open) * 100) : 0,
  };
}

/** A new, empty features file. */
export function emptyFeaturesFile(project: string, now: Date): FeaturesFile {
  return {
    project,
    version: "1.0.0",
    status: "in_development",
    description: "",
    last_updated: now.toISOString(),
    features: [],
    metrics: computeMetrics([]),
  };
}

/**
 * Parses the text of a features file (BuildRunner 3.1 files included): fills defaults for
 * missing fields and keeps every unknown field.
 *
 * @throws {BrError} `invalid_data` naming the file and the field.
 */
export async function parseFeaturesText(text: string, file: string): Promise<FeaturesFile> {
  let data: unknown;
  try {
    // A leading byte order mark (which some editors write) is accepted; br writes none.
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${file}: ${jsonProblem(err)}`, {
      hint: "fix the JSON (the file was not changed), or restore it with git",
      cause: err,
    });
  }
  const deep = tooDeepAt(data);
  if (deep !== null) {
    throw new BrError(
      "invalid_data",
      `Invalid ${file}: the value at ${deep} nests deeper than ${MAX_JSON_DEPTH} levels`,
      { hint: "flatten that value (the file was not changed)" },
    );
  }
  resolveNotedDependencies(data);
  if (!quickCheck(data)) {
    const { FeaturesFileShape, schemaProblem } = await import("./schema.ts");
    const problem = schemaProblem(data, FeaturesFileShape) ?? "unexpected structure";
    throw new BrError("invalid_data", `Invalid ${file}: ${problem}`, {
      hint: "fix that field (the file was not changed)",
    });
  }
  return normalize(data as Record<string, unknown>);
}

/**
 * JSON.parse's complaint on one line: without the excerpt of the file it may quote (which
 * spans lines and shows invisible characters), and with any character it names escaped.
 */
function jsonProblem(err: unknown): string {
  const message = String((err as Error)?.message ?? err)
    .replace(/, ("|\.\.\.").*(is not valid JSON)$/s, "");
  return message.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g,
    (c) => `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
  );
}

/** The path of the features file relative to the project root, for messages. */
export function featuresLabel(project: Project): string {
  return relative(project.root, project.paths.features) || project.paths.features;
}

/**
 * Loads `features.json`. A project without one has no features yet.
 *
 * @throws {BrError} `invalid_data` when the file is corrupt or violates the schema.
 */
export async function loadFeatures(project: Project): Promise<FeaturesFile> {
  const text = await readOwnTextOrNull(project.paths.features, featuresLabel(project));
  if (text === null) return emptyFeaturesFile(projectNameOf(project), project.clock.now());
  return parseFeaturesText(text, featuresLabel(project));
}

function projectNameOf(project: Project): string {
  return project.root.split(/[\\/]/).filter(Boolean).pop() ?? "project";
}

/**
 * Serializes a features file the way `br` writes it. A dependency read as an id with a note
 * (`"auth-7 (needs the login page)"`, as BuildRunner 3.1 files hold them) is written back in
 * the form it was read, as long as the feature still depends on that id.
 */
export function serializeFeatures(file: FeaturesFile): string {
  let out: FeaturesFile = file;
  if (file.features.some((f) => NOTED.has(f))) {
    out = {
      ...file,
      features: file.features.map((f) => {
        const read = NOTED.get(f);
        if (!read || !Array.isArray(f.dependencies)) return f;
        // Unchanged since the read: the entries exactly as they were (duplicates included).
        if (JSON.stringify(f.dependencies) === JSON.stringify(read.ids)) {
          return { ...f, dependencies: read.original as string[] };
        }
        return { ...f, dependencies: f.dependencies.map((d) => read.entries.get(d) ?? d) };
      }),
    };
  }
  return JSON.stringify(out, null, 2) + "\n";
}

/**
 * Dependencies read with a note, per feature object: in memory a dependency is always a bare
 * id (every rule works on ids), on disk it keeps its note.
 */
const NOTED = new WeakMap<object, NotedRead>();

interface NotedRead {
  /** The ids as resolved at the read. */
  ids: unknown[];
  /** The entries as read. */
  original: unknown[];
  /** The first noted entry of each id. */
  entries: Map<string, string>;
}

/** An id followed by a note: `auth-7 (needs the login page)`, `auth-7: the API`. */
const NOTED_ENTRY = /^([A-Za-z0-9][A-Za-z0-9._-]*?)(?:\s*\((.*)\)|[\s:]+(.*?))\s*$/s;

/** Splits a dependency entry into its id and note (null: a bare id or not an id at all). */
export function splitNotedDependency(entry: string): { id: string; note: string } | null {
  if (idProblem(entry) === null) return null;
  const m = entry.trim().match(NOTED_ENTRY);
  if (!m || idProblem(m[1]) !== null) return null;
  const note = (m[2] ?? m[3] ?? "").trim();
  return { id: m[1], note };
}

function resolveNotedDependencies(data: unknown): void {
  if (!isObject(data) || !Array.isArray(data.features)) return;
  for (const f of data.features) {
    if (!isObject(f) || !Array.isArray(f.dependencies)) continue;
    let entries: Map<string, string> | undefined;
    const original = f.dependencies;
    const ids = original.map((d: unknown) => {
      if (typeof d !== "string") return d;
      const split = splitNotedDependency(d);
      if (!split) return d;
      entries ??= new Map();
      if (!entries.has(split.id)) entries.set(split.id, d);
      return split.id;
    });
    if (entries) {
      f.dependencies = ids;
      NOTED.set(f, { ids: [...ids], original, entries });
    }
  }
}

/**
 * The note of a feature's dependency on `id`: from a noted entry (`"auth-7 (why)"`) or from
 * the `dependency_notes` map `br migrate from-v3` writes; null when there is none.
 */
export function dependencyNote(feature: Feature, id: string): string | null {
  const entry = NOTED.get(feature)?.entries.get(id);
  if (entry !== undefined) return splitNotedDependency(entry)?.note || null;
  const notes = feature.dependency_notes;
  if (isObject(notes) && typeof notes[id] === "string" && notes[id]) return notes[id] as string;
  return null;
}

/**
 * Validates and writes a features file atomically (metrics recomputed), then STATUS.md.
 * Call it under the project lock.
 *
 * @throws {BrError} `invalid_data` for a schema violation, unknown dependency or cycle.
 */
export async function saveFeatures(project: Project, file: FeaturesFile): Promise<void> {
  const label = featuresLabel(project);
  const { schemaProblem } = await import("./schema.ts");
  const problem = schemaProblem(file);
  if (problem) {
    throw new BrError("invalid_data", `Invalid ${label}: ${problem}`, {
      hint: "nothing was written",
    });
  }
  assertValidGraph(file.features, label);
  file.metrics = { ...(file.metrics ?? {}), ...computeMetrics(file.features) };
  file.last_updated = project.clock.now().toISOString();
  // A link inside the project (say, to a file a dotfile manager keeps) is written through.
  await writeFileAtomic(project.paths.features, serializeFeatures(file), {
    linksWithin: project.root,
  });
  // STATUS.md follows every write. It is derived: a failure to write it (a folder or a link
  // in its place) must not fail the change that is already saved; "br generate" reports it.
  await (await import("./status.ts")).writeStatus(project).catch(() => {});
}

/**
 * Runs a read-modify-write of `features.json` under the project lock: `change` edits the
 * loaded file and returns the events it causes; every event passes the veto hooks before
 * anything is written, and is emitted after the write.
 */
export async function mutateFeatures<R>(
  project: Project,
  change: (
    file: FeaturesFile,
  ) => { result: R; events: BrEvent[] } | Promise<{ result: R; events: BrEvent[] }>,
): Promise<R> {
  const { result, events } = await project.withLock(async () => {
    const file = await loadFeatures(project);
    const out = await change(file);
    for (const event of out.events) await project.bus.check(event);
    if (out.events.length > 0) await saveFeatures(project, file);
    return out;
  });
  for (const event of events) project.bus.emit(event);
  return result;
}

/** Input of {@link addFeature}. */
export interface AddFeatureInput {
  /** Human name (required). */
  name: string;
  /** Id; default: the slug of the name. */
  id?: string;
  /** Description. */
  description?: string;
  /** Priority (default medium). */
  priority?: string;
  /** Status (default planned). */
  status?: string;
  /** Ids this depends on. */
  dependencies?: string[];
  /** Acceptance criteria. */
  acceptance?: string[];
  /** Globs of where the work lives. */
  files?: string[];
  /** Tags. */
  tags?: string[];
  /** Planned week. */
  week?: number | null;
  /** Build label. */
  build?: string | null;
  /** Owner. */
  owner?: string | null;
  /** Version (default: the project's). */
  version?: string;
  /** Blocked reason (needed when status is blocked). */
  blocked_reason?: string | null;
}

/** Checks a status name. @throws {BrError} `invalid_data` listing the valid ones. */
export function parseStatus(value: string): FeatureStatus {
  const v = value.trim().toLowerCase().replace(/[- ]/g, "_");
  if ((STATUSES as readonly string[]).includes(v)) return v as FeatureStatus;
  throw new BrError("invalid_data", `Unknown status "${value}"`, {
    hint: `use one of: ${STATUSES.join(", ")}`,
  });
}

/** Checks a priority name. @throws {BrError} `invalid_data` listing the valid ones. */
export function parsePriority(value: string): FeaturePriority {
  const v = value.trim().toLowerCase();
  if ((PRIORITIES as readonly string[]).includes(v)) return v as FeaturePriority;
  throw new BrError("invalid_data", `Unknown priority "${value}"`, {
    hint: `use one of: ${PRIORITIES.join(", ")}`,
  });
}

/**
 * Adds a feature.
 *
 * @throws {BrError} `conflict` for a duplicate id, `invalid_data` for a bad id, status,
 * priority, unknown dependency or cycle.
 */
export function addFeature(project: Project, input: AddFeatureInput): Promise<Feature> {
  const name = input.name.trim();
  if (!name) {
    throw new BrError("usage", "A feature needs a name", { hint: 'br feature add "Login"' });
  }
  const id = input.id ?? slugify(name);
  if (!id) {
    throw new BrError("invalid_data", `Cannot derive an id from the name "${name}"`, {
      hint: "pass --id",
    });
  }
  const problem = idProblem(id);
  if (problem) {
    throw new BrError("invalid_data", `Invalid feature id "${id}": ${problem}`, {
      hint: "pass a valid --id",
    });
  }
  const status = input.status ? parseStatus(input.status) : "planned";
  const priority = input.priority ? parsePriority(input.priority) : "medium";
  if (status === "blocked" && !input.blocked_reason) {
    throw new BrError("usage", "A blocked feature needs a reason", { hint: "pass --reason" });
  }
  return mutateFeatures(project, async (file) => {
    await checkFields("add the feature", { ...input, name, id, status, priority });
    if (file.features.some((f) => f.id === id)) {
      throw new BrError("conflict", `Feature "${id}" already exists`, {
        hint: input.id ? "choose another --id" : "pass --id to choose a different id",
      });
    }
    const now = project.clock.now().toISOString();
    const feature: Feature = {
      id,
      name,
      description: input.description ?? "",
      status,
      priority,
      version: input.version ?? file.version ?? "1.0.0",
      dependencies: unique(input.dependencies ?? []),
      acceptance: input.acceptance ?? [],
      files: input.files ?? [],
      tags: unique(input.tags ?? []),
      owner: input.owner ?? null,
      week: input.week ?? null,
      build: input.build ?? null,
      blocked_reason: status === "blocked" ? input.blocked_reason ?? null : null,
      created_at: now,
      updated_at: now,
      completed_at: status === "complete" ? now : null,
    };
    if (status === "complete") assertDepsComplete(file, feature, false, "add");
    file.features.push(feature);
    const event = project.bus.create("feature.added", { id, fields: { ...feature } }, {
      feature: id,
    });
    return { result: feature, events: [event as BrEvent] };
  });
}

/**
 * Refuses input over the limits of the features schema (a name on one line, sizes), before
 * anything changes.
 *
 * @throws {BrError} `invalid_data` naming the field.
 */
async function checkFields(action: string, fields: object): Promise<void> {
  const { featureFieldsProblem } = await import("./schema.ts");
  const problem = featureFieldsProblem(fields as Record<string, unknown>);
  if (problem) {
    throw new BrError("invalid_data", `Cannot ${action}: ${problem}`, {
      hint: /at most/.test(problem)
        ? "shorten it; nothing was written"
        : "write it on one line; nothing was written",
    });
  }
}

/** Fields {@link updateFeature} can change. */
export type FeaturePatch = Partial<
  Pick<
    Feature,
    | "name"
    | "description"
    | "priority"
    | "dependencies"
    | "acceptance"
    | "files"
    | "tags"
    | "owner"
    | "week"
    | "build"
    | "version"
  >
>;

/**
 * Changes fields of a feature (not its status: see {@link setFeatureStatus}).
 *
 * @throws {BrError} `not_found` for an unknown id, `invalid_data` for bad values.
 */
export function updateFeature(project: Project, id: string, patch: FeaturePatch): Promise<Feature> {
  if (patch.priority !== undefined) patch.priority = parsePriority(patch.priority);
  if (patch.name !== undefined && !patch.name.trim()) {
    throw new BrError("invalid_data", "A feature name cannot be empty", { hint: "pass a name" });
  }
  return mutateFeatures(project, async (file) => {
    await checkFields(`change feature "${id}"`, patch);
    const feature = findFeature(file, id);
    const changes: Record<string, FieldChange> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      const before = feature[key];
      if (JSON.stringify(before) === JSON.stringify(value)) continue;
      changes[key] = { from: before ?? null, to: value };
      feature[key] = value;
    }
    if (Object.keys(changes).length === 0) return { result: feature, events: [] };
    feature.updated_at = project.clock.now().toISOString();
    const event = project.bus.create("feature.updated", { id, changes }, { feature: id });
    return { result: feature, events: [event as BrEvent] };
  });
}

/** Options of {@link setFeatureStatus}. */
export interface StatusOptions {
  /** Why (required for blocked). */
  reason?: string;
  /** Complete even though dependencies are not complete (recorded in the event). */
  force?: boolean;
  /** Allow leaving `blocked` for any status (what `unblock` does). */
  unblock?: boolean;
}

/**
 * Moves a feature to another status, with the workflow rules: `blocked` needs a reason;
 * `complete` needs every dependency complete unless forced; a blocked feature must be
 * unblocked (moved to another status) before it is started or completed. Setting the
 * current status again changes nothing and emits nothing.
 *
 * @throws {BrError} `not_found`, `usage` (missing reason), `conflict` (dependencies open,
 * blocked feature, or a governance veto).
 */
export function setFeatureStatus(
  project: Project,
  id: string,
  status: FeatureStatus | string,
  options: StatusOptions = {},
): Promise<Feature> {
  const to = parseStatus(status);
  if (to === "blocked" && !options.reason?.trim()) {
    throw new BrError("usage", `Blocking "${id}" needs a reason`, {
      hint: `br feature block ${id} --reason "waiting for API keys"`,
    });
  }
  return mutateFeatures(project, (file) => {
    const feature = findFeature(file, id);
    const from = feature.status;
    if (from === to) {
      if (to === "blocked" && feature.blocked_reason !== options.reason) {
        const changes = { blocked_reason: { from: feature.blocked_reason, to: options.reason } };
        feature.blocked_reason = options.reason ?? null;
        feature.updated_at = project.clock.now().toISOString();
        const ev = project.bus.create("feature.updated", { id, changes }, { feature: id });
        return { result: feature, events: [ev as BrEvent] };
      }
      return { result: feature, events: [] };
    }
    if (
      from === "blocked" && (to === "in_progress" || to === "complete") && !options.force &&
      !options.unblock
    ) {
      throw new BrError("conflict", `Feature "${id}" is blocked: ${feature.blocked_reason ?? ""}`, {
        hint: `run "br feature unblock ${id}" first`,
      });
    }
    const forced = to === "complete" ? assertDepsComplete(file, feature, !!options.force) : false;
    const now = project.clock.now().toISOString();
    feature.status = to;
    feature.updated_at = now;
    // Moving a parked (deferred, cancelled) feature takes it back into the work.
    if (to !== "planned" && "parked" in feature) delete feature.parked;
    feature.blocked_reason = to === "blocked" ? options.reason!.trim() : null;
    feature.completed_at = to === "complete" ? now : null;
    const type: EventType = to === "complete"
      ? "feature.completed"
      : to === "blocked"
      ? "feature.blocked"
      : from === "blocked"
      ? "feature.unblocked"
      : to === "in_progress"
      ? "feature.started"
      : "feature.updated";
    const event = type === "feature.updated"
      ? project.bus.create("feature.updated", { id, changes: { status: { from, to } } }, {
        feature: id,
      })
      : project.bus.create(type as "feature.started", {
        id,
        from,
        to,
        reason: options.reason ?? null,
        forced,
      }, { feature: id });
    return { result: feature, events: [event as BrEvent] };
  });
}

/**
 * Removes a feature. Features that depend on it keep working only with `force`, which
 * also drops the id from their dependencies.
 *
 * @throws {BrError} `not_found`, or `conflict` when others depend on it.
 */
export function removeFeature(
  project: Project,
  id: string,
  options: { force?: boolean } = {},
): Promise<Feature> {
  return mutateFeatures(project, (file) => {
    const feature = findFeature(file, id);
    const dependents = file.features.filter((f) => f.dependencies.includes(id)).map((f) => f.id);
    if (dependents.length && !options.force) {
      throw new BrError(
        "conflict",
        `Cannot remove "${id}": ${dependents.map((d) => `"${d}"`).join(", ")} ${
          dependents.length === 1 ? "depends" : "depend"
        } on it`,
        { hint: "update those features first, or pass --force to drop the dependency" },
      );
    }
    const now = project.clock.now().toISOString();
    const events: BrEvent[] = [];
    for (const f of file.features) {
      if (!f.dependencies.includes(id)) continue;
      const to = f.dependencies.filter((d) => d !== id);
      events.push(
        project.bus.create("feature.updated", {
          id: f.id,
          changes: { dependencies: { from: f.dependencies, to } },
        }, { feature: f.id }) as BrEvent,
      );
      f.dependencies = to;
      f.updated_at = now;
    }
    file.features = file.features.filter((f) => f.id !== id);
    events.unshift(
      project.bus.create("feature.removed", { id, fields: { ...feature } }, {
        feature: id,
      }) as BrEvent,
    );
    return { result: feature, events };
  });
}

/**
 * Finds a feature by id in a loaded file.
 *
 * @throws {BrError} `not_found` with a hint.
 */
export function findFeature(file: FeaturesFile, id: string): Feature {
  const feature = file.features.find((f) => f.id === id);
  if (!feature) {
    const close = file.features.map((f) => f.id).filter((fid) =>
      fid.includes(id) || id.includes(fid)
    ).slice(0, 3);
    throw new BrError("not_found", `Cannot find feature "${id}"`, {
      hint: close.length
        ? `did you mean ${close.map((c) => `"${c}"`).join(", ")}?`
        : 'run "br feature list" to see ids',
    });
  }
  return feature;
}

/**
 * One feature as `br feature show --json` and the `br_get_feature` MCP tool give it: the
 * stored object, the status of each dependency (`missing` for an unknown id) and the ids of
 * the features that depend on it (sorted).
 */
export interface FeatureDetail {
  /** The feature as stored in features.json. */
  feature: Feature;
  /** Each dependency, in the feature's order, with its status and note (when it has one). */
  dependencies: { id: string; status: string; note?: string }[];
  /** Ids of the features that depend on this one, sorted. */
  needed_by: string[];
}

/**
 * The {@link FeatureDetail} of feature `id`.
 *
 * @throws {BrError} `not_found` with a hint.
 */
export function featureDetail(file: FeaturesFile, id: string): FeatureDetail {
  const feature = findFeature(file, id);
  const byId = new Map(file.features.map((f) => [f.id, f]));
  return {
    feature,
    dependencies: feature.dependencies.map((d) => {
      const note = dependencyNote(feature, d);
      return { id: d, status: byId.get(d)?.status ?? "missing", ...(note ? { note } : {}) };
    }),
    needed_by: file.features.filter((f) => f.dependencies.includes(feature.id))
      .map((f) => f.id).sort(),
  };
}

function assertDepsComplete(
  file: FeaturesFile,
  feature: Feature,
  force: boolean,
  action: "add" | "complete" = "complete",
): boolean {
  const byId = new Map(file.features.map((f) => [f.id, f]));
  const open = openDependencies(feature, byId);
  if (open.length === 0) return false;
  if (force) return true;
  const list = open.join(", ");
  // `feature add` has no --force: the way past it is to add, then complete with --force.
  throw new BrError(
    "conflict",
    action === "add"
      ? `Cannot add "${feature.id}" as complete: dependencies not complete: ${list}`
      : `Cannot complete "${feature.id}": dependencies not complete: ${list}`,
    {
      hint: action === "add"
        ? `complete ${list} first, or add it without --status and run ` +
          `"br feature complete ${feature.id} --force" (recorded in the event log)`
        : "complete them first, or pass --force (recorded in the event log)",
    },
  );
}

function unique(items: string[]): string[] {
  return [...new Set(items.map((s) => s.trim()).filter(Boolean))];
}

const ARRAY_FIELDS = ["dependencies", "acceptance", "files", "tags"] as const;
const NULL_FIELDS = ["owner", "week", "build", "blocked_reason", "completed_at"] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function normalize(data: Record<string, unknown>): FeaturesFile {
  const fallbackTime = typeof data.last_updated === "string"
    ? data.last_updated
    : new Date(0).toISOString();
  const file = data as FeaturesFile;
  file.project ??= "project";
  file.version ??= "1.0.0";
  file.status ??= "in_development";
  file.description ??= "";
  if (typeof file.last_updated !== "string") file.last_updated = fallbackTime;
  for (const f of file.features) {
    f.description ??= "";
    f.status ??= "planned";
    f.priority ??= "medium";
    f.version ??= file.version;
    for (const key of ARRAY_FIELDS) f[key] ??= [];
    for (const key of NULL_FIELDS) f[key] ??= null;
    f.created_at ??= fallbackTime;
    f.updated_at ??= f.created_at ?? fallbackTime;
  }
  file.metrics = {
    ...(isObject(data.metrics) ? data.metrics : {}),
    ...computeMetrics(file.features),
  };
  return file;
}
