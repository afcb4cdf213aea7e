// Task Master's tasks.json both ways. Every task and subtask becomes a feature that keeps the
// task as it was last read (its "base"): a field br mirrors is written back only when it was
// changed in br, so a round trip gives back the same JSON values, and a re-import is a
// three-way merge (a change on one side wins, a change on both sides is a conflict).
import { isAbsolute, relative, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import { readTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { sha256Hex } from "../core/hash.ts";
import type { Project } from "../core/project.ts";
import {
  type Feature,
  type FeaturePriority,
  type FeaturesFile,
  type FeatureStatus,
  idProblem,
  loadFeatures,
  PRIORITIES,
  saveFeatures,
  serializeFeatures,
  slugify,
} from "../features/mod.ts";

type Json = Record<string, unknown>;
type TmId = number | string;

/** Where Task Master keeps its tasks, in the order `br import taskmaster` looks. */
export const TASKMASTER_FILES: readonly string[] = [
  ".taskmaster/tasks/tasks.json",
  "tasks/tasks.json",
];

/** What the features file remembers of the last import (top-level `taskmaster`). */
interface TmMeta {
  /** The file imported (relative to the root when inside it). */
  source: string;
  /** `tagged` (Task Master 0.17+) or `legacy` (`{"tasks": [...]}`). */
  layout: "tagged" | "legacy";
  /** SHA-256 of the file as last imported or exported. */
  sha256: string;
  /** Each tag in file order with its other keys (metadata...). */
  tags: { name: string; rest: Json }[];
  /** Top-level keys that are not tags. */
  extra: Json;
}

/** What a feature remembers of its task (the `taskmaster` field). */
interface TmLink {
  tag: string;
  id: TmId;
  /** The parent task's id, for a subtask. */
  parent?: TmId;
  /** The task as last imported or exported (a task's `subtasks` emptied). */
  task: Json | null;
}

const TO_BR: Record<string, FeatureStatus | "deferred" | "cancelled"> = {
  pending: "planned",
  "in-progress": "in_progress",
  review: "testing",
  done: "complete",
  blocked: "blocked",
  deferred: "deferred",
  cancelled: "cancelled",
};
const TO_TM: Record<string, string> = {
  planned: "pending",
  in_progress: "in-progress",
  testing: "review",
  complete: "done",
  blocked: "blocked",
  deferred: "deferred",
  cancelled: "cancelled",
};

/** The fields br mirrors; `status` is br's status, or the parked reason. */
interface Mirror {
  name: string;
  description: string;
  status: string;
  priority: FeaturePriority;
  dependencies: string[];
  acceptance: string[];
}
const MIRRORED = [
  "name",
  "description",
  "status",
  "priority",
  "dependencies",
  "acceptance",
] as const;
/** A field br mirrors from Task Master. */
export type MirroredField =
  | "name"
  | "description"
  | "status"
  | "priority"
  | "dependencies"
  | "acceptance";

/** A change that cannot be decided: both sides changed the field differently. */
export interface TmConflict {
  /** Feature id. */
  id: string;
  /** The field, or null when the task was removed on one side. */
  field: MirroredField | null;
  /** What happened. */
  reason: string;
  /** The value in br. */
  br: unknown;
  /** The value in Task Master. */
  taskmaster: unknown;
}

/** What {@link importTaskMaster} did. */
export interface TmImportResult {
  /** The file read. */
  source: string;
  /** Features added (new tasks and subtasks). */
  added: string[];
  /** Features changed by changes made in Task Master. */
  updated: { id: string; fields: string[] }[];
  /** Features removed (tasks removed in Task Master, unchanged in br). */
  removed: string[];
  /** Conflicts, left as br has them. */
  conflicts: TmConflict[];
}

/** What {@link exportTaskMaster} wrote. */
export interface TmExportResult {
  /** The file written. */
  target: string;
  /** Tasks written. */
  tasks: number;
  /** Subtasks written. */
  subtasks: number;
  /** Tags written. */
  tags: number;
}

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** The groups of a Task Master file: `[tag, tag object]`, and its layout. */
function parseTm(
  text: string,
  label: string,
): { layout: TmMeta["layout"]; data: Json; groups: [string, Json][] } {
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${label}: ${(err as Error).message}`, {
      hint: "fix the JSON (nothing was imported)",
    });
  }
  const groups: [string, Json][] = [];
  let layout: TmMeta["layout"] = "tagged";
  if (isObj(data) && Array.isArray(data.tasks)) {
    layout = "legacy";
    groups.push(["master", data]);
  } else if (isObj(data)) {
    for (const [tag, value] of Object.entries(data)) {
      if (isObj(value) && Array.isArray(value.tasks)) groups.push([tag, value]);
    }
  }
  if (groups.length === 0) {
    throw new BrError("invalid_data", `${label} has no "tasks" list`, {
      hint: "expected Task Master's tasks.json (legacy or tagged layout)",
    });
  }
  for (const [tag, group] of groups) {
    (group.tasks as unknown[]).forEach((t, i) => {
      const where = `${label}: ${
        tag === "master" && layout === "legacy" ? "" : `${tag}.`
      }tasks[${i}]`;
      if (!isObj(t) || !validId(t.id)) {
        throw new BrError("invalid_data", `${where} has no valid "id"`, {
          hint: "every Task Master task needs an id (nothing was imported)",
        });
      }
      if (t.subtasks !== undefined && !Array.isArray(t.subtasks)) {
        throw new BrError("invalid_data", `${where}.subtasks is not a list`, {
          hint: "fix the file (nothing was imported)",
        });
      }
      for (const s of (t.subtasks ?? []) as unknown[]) {
        if (!isObj(s) || !validId(s.id)) {
          throw new BrError("invalid_data", `${where} has a subtask without a valid "id"`, {
            hint: "fix the file (nothing was imported)",
          });
        }
      }
    });
  }
  return { layout, data: data as Json, groups };
}

function validId(v: unknown): v is TmId {
  return (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && v !== "");
}

function tagPart(tag: string): string {
  return tag === "master" ? "" : `${slugify(tag) || "tag"}-`;
}

function idPart(id: TmId): string {
  const s = String(id);
  return idProblem(`x${s}`) === null ? s : slugify(s) || "0";
}

function taskFid(tag: string, id: TmId): string {
  return `tm-${tagPart(tag)}${idPart(id)}`;
}

function subFid(tag: string, parent: TmId, id: TmId): string {
  return `tm-${tagPart(tag)}${idPart(parent)}.${idPart(id)}`;
}

/** The feature ids a task's dependency entries name. */
function depFids(tag: string, deps: unknown, parent: TmId | undefined): string[] {
  if (!Array.isArray(deps)) return [];
  return deps.filter(validId).map((d) => {
    const s = String(d);
    if (s.includes(".")) {
      const [p, ...rest] = s.split(".");
      return subFid(tag, p, rest.join("."));
    }
    return parent === undefined ? taskFid(tag, d) : subFid(tag, parent, d);
  });
}

/** What br shows of a task. */
function mirrorOf(
  task: Json,
  link: Omit<TmLink, "task">,
  known: Set<string>,
  self: string,
): Mirror {
  const title = typeof task.title === "string" ? task.title.replace(/\s+/g, " ").trim() : "";
  const status = TO_BR[String(task.status ?? "pending").toLowerCase()] ?? "planned";
  const priority = (PRIORITIES as readonly string[]).includes(String(task.priority))
    ? task.priority as FeaturePriority
    : "medium";
  const test = typeof task.testStrategy === "string" ? task.testStrategy.trim() : "";
  return {
    name: (title || self).slice(0, 200),
    description: typeof task.description === "string" ? task.description.slice(0, 10_000) : "",
    status,
    priority,
    dependencies: [
      ...new Set(depFids(link.tag, task.dependencies, link.parent)),
    ].filter((d) => d !== self && known.has(d)),
    acceptance: test ? [test.slice(0, 1_000)] : [],
  };
}

function currentOf(f: Feature): Mirror {
  const parked = f.parked === "deferred" || f.parked === "cancelled" ? f.parked : null;
  return {
    name: f.name,
    description: f.description,
    status: f.status === "planned" && parked ? parked : f.status,
    priority: f.priority,
    dependencies: f.dependencies,
    acceptance: f.acceptance,
  };
}

/** Puts mirrored values on a feature. */
function applyField(f: Feature, field: MirroredField, value: unknown, now: string): void {
  if (field !== "status") {
    (f as Json)[field] = clone(value);
    return;
  }
  const v = value as string;
  const status: FeatureStatus = v === "deferred" || v === "cancelled"
    ? "planned"
    : v as FeatureStatus;
  if (v === "deferred" || v === "cancelled") f.parked = v;
  else delete f.parked;
  if (status === f.status) return;
  f.status = status;
  f.blocked_reason = status === "blocked" ? (f.blocked_reason ?? "blocked in Task Master") : null;
  f.completed_at = status === "complete" ? (f.completed_at ?? now) : null;
}

function linkOf(f: Feature): TmLink | null {
  const l = f.taskmaster;
  return isObj(l) && typeof l.tag === "string" && validId(l.id) ? l as unknown as TmLink : null;
}

/** One task or subtask of the file, with the feature it maps to. */
interface Entry {
  fid: string;
  link: Omit<TmLink, "task">;
  task: Json;
  /** Fid of the parent task, for a subtask. */
  parent: string | null;
}

function entriesOf(groups: [string, Json][]): Entry[] {
  const out: Entry[] = [];
  for (const [tag, group] of groups) {
    for (const t of group.tasks as Json[]) {
      const fid = taskFid(tag, t.id as TmId);
      const base = { ...t };
      if (Array.isArray(t.subtasks)) base.subtasks = [];
      out.push({ fid, link: { tag, id: t.id as TmId }, task: base, parent: null });
      for (const s of (t.subtasks ?? []) as Json[]) {
        out.push({
          fid: subFid(tag, t.id as TmId, s.id as TmId),
          link: { tag, id: s.id as TmId, parent: t.id as TmId },
          task: s,
          parent: fid,
        });
      }
    }
  }
  return out;
}

/** The source path as stored: relative to the root when inside it. */
function sourceOf(project: Project, path: string): string {
  const rel = relative(project.root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : path;
}

/**
 * Imports (or re-imports) a Task Master `tasks.json`, tagged or legacy: each task becomes
 * `tm-<id>` (`tm-<tag>-<id>` outside the master tag), each subtask `tm-<id>.<sub>` with its
 * own status, its dependencies and a `parent` link. Statuses map without loss: `pending`
 * planned, `in-progress` in_progress, `review` testing, `done` complete, `blocked` blocked,
 * `deferred` and `cancelled` planned with `parked` set (never next, no open work). A re-import
 * brings Task Master's changes since the last one, keeps br's, and reports a field changed on
 * both sides as a conflict (br's value stays).
 *
 * @throws {BrError} `invalid_data` when the file is not Task Master JSON or the result is
 * invalid (nothing is written).
 */
export async function importTaskMaster(
  project: Project,
  text: string,
  label: string,
  path?: string,
): Promise<TmImportResult> {
  const { layout, data, groups } = parseTm(text, label);
  const entries = entriesOf(groups);
  const known = new Set(entries.map((e) => e.fid));
  const result: TmImportResult = {
    source: label,
    added: [],
    updated: [],
    removed: [],
    conflicts: [],
  };
  const now = project.clock.now().toISOString();
  const events: BrEvent[] = [];
  await project.withLock(async () => {
    const file = await loadFeatures(project);
    const before = serializeFeatures(file);
    const byId = new Map(file.features.map((f) => [f.id, f]));
    for (const e of entries) {
      const self = e.fid;
      const fresh = mirrorOf(e.task, e.link, known, self);
      const f = byId.get(self);
      if (!f) {
        const feature = newFeature(file, e, fresh, now);
        file.features.push(feature);
        byId.set(self, feature);
        result.added.push(self);
        events.push(
          project.bus.create("feature.added", { id: self, fields: { ...feature } }, {
            feature: self,
          }) as BrEvent,
        );
        continue;
      }
      const link = linkOf(f);
      if (!link) {
        result.conflicts.push({
          id: self,
          field: null,
          reason: "exists in br and was not imported from Task Master (left as it is)",
          br: f.name,
          taskmaster: fresh.name,
        });
        continue;
      }
      const base = link.task ? mirrorOf(link.task, link, known, self) : null;
      const current = currentOf(f);
      const changed: string[] = [];
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      let clash = false;
      for (const field of MIRRORED) {
        const n = fresh[field];
        const c = current[field];
        if (same(n, c)) continue;
        if (base && same(c, base[field])) {
          changes[field] = { from: clone(c), to: clone(n) };
          applyField(f, field, n, now);
          changed.push(field);
        } else if (base && same(n, base[field])) {
          continue; // changed in br only
        } else {
          clash = true;
          result.conflicts.push({
            id: self,
            field,
            reason: base
              ? "changed differently in br and in Task Master"
              : "differs between br and Task Master, and there is no earlier import to decide",
            br: c,
            taskmaster: n,
          });
        }
      }
      if (!clash || !link.task) f.taskmaster = { ...e.link, task: clone(e.task) };
      if (changed.length) {
        f.updated_at = now;
        result.updated.push({ id: self, fields: changed });
        events.push(
          project.bus.create("feature.updated", { id: self, changes }, {
            feature: self,
          }) as BrEvent,
        );
      }
    }
    // Tasks gone from Task Master: removed when br did not change them since.
    for (const f of [...file.features]) {
      const link = linkOf(f);
      if (!link || known.has(f.id) || !link.task) continue;
      const base = mirrorOf(link.task, link, new Set(file.features.map((x) => x.id)), f.id);
      const cur = currentOf(f);
      const dependents = file.features.filter((x) => x.dependencies.includes(f.id));
      if (
        !same({ ...base, dependencies: [] }, { ...cur, dependencies: [] }) ||
        dependents.some((d) => !known.has(d.id))
      ) {
        result.conflicts.push({
          id: f.id,
          field: null,
          reason: "removed in Task Master but changed in br (left as it is)",
          br: cur.status,
          taskmaster: null,
        });
        continue;
      }
      file.features = file.features.filter((x) => x !== f);
      for (const d of file.features) d.dependencies = d.dependencies.filter((x) => x !== f.id);
      result.removed.push(f.id);
      events.push(
        project.bus.create("feature.removed", { id: f.id, fields: { ...f } }, {
          feature: f.id,
        }) as BrEvent,
      );
    }
    const meta: TmMeta = {
      source: path ? sourceOf(project, path) : label,
      layout,
      sha256: sha256Hex(text),
      tags: groups.map(([name, g]) => {
        const { tasks: _t, ...rest } = g;
        return { name, rest: layout === "legacy" ? {} : rest };
      }),
      extra: Object.fromEntries(
        Object.entries(data).filter(([k]) =>
          layout === "legacy" ? k !== "tasks" : !groups.some(([g]) => g === k)
        ),
      ),
    };
    file.taskmaster = meta;
    for (const event of events) await project.bus.check(event);
    if (serializeFeatures(file) !== before) await saveFeatures(project, file);
  });
  for (const event of events) project.bus.emit(event);
  result.conflicts.sort((a, b) =>
    a.id.localeCompare(b.id) || String(a.field).localeCompare(String(b.field))
  );
  return result;
}

function newFeature(file: FeaturesFile, e: Entry, m: Mirror, now: string): Feature {
  const f: Feature = {
    id: e.fid,
    name: m.name,
    description: m.description,
    status: "planned",
    priority: m.priority,
    version: file.version,
    dependencies: m.dependencies,
    acceptance: m.acceptance,
    files: [],
    tags: ["taskmaster", ...(e.link.tag === "master" ? [] : [e.link.tag.slice(0, 100)])],
    owner: null,
    week: null,
    build: null,
    blocked_reason: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
  applyField(f, "status", m.status, now);
  if (e.parent) f.parent = e.parent;
  f.taskmaster = { ...e.link, task: clone(e.task) };
  return f;
}

/** Task Master's form of a dependency on feature `fid`, from a task or subtask `from`. */
function tmDep(byId: Map<string, Feature>, fid: string, from: TmLink): TmId | null {
  const target = byId.get(fid);
  const link = target ? linkOf(target) : null;
  if (!link || link.tag !== from.tag) return null;
  if (link.parent === undefined) return link.id;
  if (from.parent !== undefined && same(link.parent, from.parent)) return link.id;
  return `${link.parent}.${link.id}`;
}

/** A task as br has it: the base with the fields br changed since. */
function taskOf(f: Feature, link: TmLink, byId: Map<string, Feature>, known: Set<string>): Json {
  const task: Json = link.task ? clone(link.task) : { id: link.id };
  const base = link.task ? mirrorOf(link.task, link, known, f.id) : null;
  const cur = currentOf(f);
  for (const field of MIRRORED) {
    if (base && same(base[field], cur[field])) continue;
    switch (field) {
      case "name":
        task.title = cur.name;
        break;
      case "description":
        task.description = cur.description;
        break;
      case "status":
        task.status = TO_TM[cur.status] ?? "pending";
        break;
      case "priority":
        if (link.parent === undefined || "priority" in task || cur.priority !== "medium") {
          task.priority = cur.priority;
        }
        break;
      case "dependencies":
        task.dependencies = cur.dependencies.map((d) => tmDep(byId, d, link)).filter((d) =>
          d !== null
        );
        break;
      case "acceptance":
        task.testStrategy = cur.acceptance.join("\n");
        break;
    }
  }
  return task;
}

/**
 * Writes br's features back to a Task Master file (default: the one last imported): every
 * field br mirrors that was changed in br is written, everything else stays as Task Master
 * wrote it (unknown fields included). Refuses to overwrite the imported file when it changed
 * since the last import (those changes would be lost), unless `force`.
 *
 * @throws {BrError} `not_found` when nothing was imported, `conflict` when the file changed.
 */
export async function exportTaskMaster(
  project: Project,
  target: string | null,
  options: { force?: boolean } = {},
): Promise<TmExportResult> {
  return await project.withLock(async () => {
    const file = await loadFeatures(project);
    const meta = file.taskmaster as TmMeta | undefined;
    if (!isObj(meta) || typeof meta.source !== "string" || !Array.isArray(meta.tags)) {
      throw new BrError("not_found", "Cannot export to Task Master: nothing was imported from it", {
        hint: 'run "br import taskmaster [file]" first',
      });
    }
    const sourcePath = resolve(project.root, meta.source);
    const path = target ? resolve(project.root, target) : sourcePath;
    const label = sourceOf(project, path);
    const toSource = path === sourcePath;
    if (toSource && !options.force) {
      const now = await readTextOrNull(path);
      if (now !== null && sha256Hex(now) !== meta.sha256) {
        throw new BrError(
          "conflict",
          `Cannot export to ${label}: it changed since the last import`,
          { hint: 'run "br import taskmaster" first to bring those changes in, or pass --force' },
        );
      }
    }
    const byId = new Map(file.features.map((f) => [f.id, f]));
    const known = new Set(
      file.features.filter((f) => linkOf(f)).map((f) => f.id),
    );
    const out: Json = {};
    const result: TmExportResult = { target: label, tasks: 0, subtasks: 0, tags: 0 };
    const exported: [Feature, Json][] = [];
    for (const { name, rest } of meta.tags) {
      const tasks: Json[] = [];
      for (const f of file.features) {
        const link = linkOf(f);
        if (!link || link.tag !== name || link.parent !== undefined) continue;
        const task = taskOf(f, link, byId, known);
        const subs: Json[] = [];
        for (const s of file.features) {
          const sl = linkOf(s);
          if (!sl || sl.tag !== name || sl.parent === undefined || !same(sl.parent, link.id)) {
            continue;
          }
          const sub = taskOf(s, sl, byId, known);
          subs.push(sub);
          exported.push([s, sub]);
          result.subtasks++;
        }
        if (subs.length || Array.isArray(task.subtasks)) task.subtasks = subs;
        tasks.push(task);
        exported.push([f, { ...task, ...(Array.isArray(task.subtasks) ? { subtasks: [] } : {}) }]);
        result.tasks++;
      }
      result.tags++;
      if (meta.layout === "legacy") Object.assign(out, { tasks }, meta.extra);
      else out[name] = { tasks, ...rest };
    }
    if (meta.layout !== "legacy") Object.assign(out, meta.extra);
    const text = JSON.stringify(out, null, 2) + "\n";
    // Inside the project a link to another file of it is written through; elsewhere no link.
    const inside = !relative(project.root, path).startsWith("..");
    await writeFileAtomic(path, text, inside ? { linksWithin: project.root } : {});
    if (toSource) {
      // What Task Master now holds is what br has: the new base of the next re-import.
      for (const [f, task] of exported) {
        f.taskmaster = { ...(f.taskmaster as Json), task: clone(task) };
      }
      file.taskmaster = { ...meta, sha256: sha256Hex(text) };
      await saveFeatures(project, file);
    }
    return result;
  });
}
