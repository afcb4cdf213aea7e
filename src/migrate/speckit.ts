// Spec Kit's tasks.md (and the acceptance scenarios of the feature's spec.md) as features.
import { basename, dirname, join } from "node:path";
import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import { readTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import {
  type Feature,
  type FeaturePriority,
  type FeatureStatus,
  loadFeatures,
  saveFeatures,
  serializeFeatures,
  slugify,
} from "../features/mod.ts";

/** One task line of tasks.md. */
export interface SpecKitTask {
  /** `T001`. */
  id: string;
  /** The text after the markers. */
  text: string;
  /** Checked (`[x]`). */
  done: boolean;
  /** `[P]`: parallel-safe, no dependency on its siblings. */
  parallel: boolean;
  /** `[US1]` -> 1. */
  story: number | null;
  /** The phase (`## Phase 3: ...`) it is in, or null before the first phase. */
  phase: string | null;
  /** Task ids named by "depends on T012, T013" in its text. */
  depends_on: string[];
  /** 1-based line. */
  line: number;
}

/** One user story of spec.md. */
export interface SpecKitStory {
  /** Its number. */
  number: number;
  /** Its title. */
  title: string;
  /** `P1` -> 1, or null. */
  priority: number | null;
  /** Its acceptance scenarios. */
  acceptance: string[];
}

const PHASE = /^##\s+(Phase\s+\S+?[:.]?\s+.*|Phase\s+\S+)\s*$/i;
const TASK = /^\s*[-*]\s+\[([ xX])\]\s+(T\d+)\b(.*)$/;
const STORY = /^###\s+User Story\s+(\d+)\s*(?:[-–—:]\s*)?(.*?)\s*$/i;

/**
 * Reads the tasks of a Spec Kit tasks.md.
 *
 * @throws {BrError} `invalid_data` for a repeated task id or a file without tasks.
 */
export function parseSpecKitTasks(text: string, label: string): SpecKitTask[] {
  const tasks: SpecKitTask[] = [];
  const seen = new Map<string, number>();
  let phase: string | null = null;
  let fence = false;
  let tail = -1; // the last line of the last task
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) fence = !fence;
    if (fence) return;
    const p = raw.match(PHASE);
    if (p) {
      phase = p[1].replace(/\s+/g, " ").trim();
      return;
    }
    const m = raw.match(TASK);
    if (!m) {
      // An indented line right after a task continues it (a wrapped list item).
      const last = tasks.at(-1);
      if (last && tail === i - 1 && /^\s+\S/.test(raw) && !/^\s*([-*+]|\d+\.)\s/.test(raw)) {
        last.text = `${last.text} ${raw.trim()}`;
        tail = i;
        const more = last.text.match(/depends on ((?:T\d+(?:\s*(?:,|and)\s*)?)+)/i);
        if (more) last.depends_on = [...more[1].matchAll(/T\d+/g)].map((d) => d[0]);
      }
      return;
    }
    let rest = m[3].trim();
    let parallel = false;
    let story: number | null = null;
    for (;;) {
      const marker = rest.match(/^\[(P|US(\d+))\]\s*/i);
      if (!marker) break;
      if (marker[2]) story = Number(marker[2]);
      else parallel = true;
      rest = rest.slice(marker[0].length);
    }
    const first = seen.get(m[2]);
    if (first !== undefined) {
      throw new BrError(
        "invalid_data",
        `${label}:${i + 1}: task ${m[2]} appears twice (first at line ${first})`,
        { hint: "give every task its own id (nothing was imported)" },
      );
    }
    seen.set(m[2], i + 1);
    const deps = rest.match(/depends on ((?:T\d+(?:\s*(?:,|and)\s*)?)+)/i);
    tasks.push({
      id: m[2],
      text: rest,
      done: m[1] !== " ",
      parallel,
      story,
      phase,
      depends_on: deps ? [...deps[1].matchAll(/T\d+/g)].map((d) => d[0]) : [],
      line: i + 1,
    });
    tail = i;
  });
  if (tasks.length === 0) {
    throw new BrError("invalid_data", `${label} has no tasks ("- [ ] T001 ...")`, {
      hint: "pass the tasks.md that /speckit.tasks wrote",
    });
  }
  return tasks;
}

/** Reads the user stories and their acceptance scenarios of a Spec Kit spec.md. */
export function parseSpecKitStories(text: string): SpecKitStory[] {
  const stories: SpecKitStory[] = [];
  let current: SpecKitStory | null = null;
  let inScenarios = false;
  for (const raw of text.split(/\r?\n/)) {
    const s = raw.match(STORY);
    if (s) {
      const prio = s[2].match(/\(Priority:\s*P(\d+)\)/i);
      current = {
        number: Number(s[1]),
        title: s[2].replace(/\(Priority:[^)]*\)/i, "").replace(/[🎯]|\bMVP\b/gu, "").trim(),
        priority: prio ? Number(prio[1]) : null,
        acceptance: [],
      };
      stories.push(current);
      inScenarios = false;
      continue;
    }
    if (/^#{1,3}\s/.test(raw)) {
      current = null;
      continue;
    }
    if (!current) continue;
    if (/^\s*\*\*[^*]+\*\*\s*:?/.test(raw)) {
      inScenarios = /^\s*\*\*Acceptance Scenarios\*\*/i.test(raw);
      continue;
    }
    const item = inScenarios ? raw.match(/^\s*\d+\.\s+(.+)$/) : null;
    if (item) {
      current.acceptance.push(item[1].replace(/\*\*/g, "").trim().slice(0, 1_000));
    } else if (inScenarios && /^\s+\S/.test(raw) && current.acceptance.length) {
      // A wrapped scenario continues on an indented line.
      const i = current.acceptance.length - 1;
      current.acceptance[i] = `${current.acceptance[i]} ${raw.replace(/\*\*/g, "").trim()}`
        .slice(0, 1_000);
    }
  }
  return stories;
}

/** What {@link importSpecKit} did. */
export interface SpecKitImportResult {
  /** The tasks.md read. */
  source: string;
  /** The spec.md read, or null. */
  spec: string | null;
  /** Features added. */
  added: string[];
  /** Features changed by changes made in tasks.md or spec.md. */
  updated: { id: string; fields: string[] }[];
  /** Fields changed in both places (br's value stays). */
  conflicts: { id: string; field: string; br: unknown; speckit: unknown }[];
}

interface Mirror {
  name: string;
  description: string;
  status: FeatureStatus;
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
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function priorityOf(p: number | null): FeaturePriority {
  return p === null ? "medium" : p <= 1 ? "high" : p === 2 ? "medium" : "low";
}

/**
 * Imports a Spec Kit tasks.md: each task becomes a feature (`sk-<folder>-t001`) with its
 * checkbox state, its phase (`build`), its user story (`us1` tag) and its dependencies: a
 * task without `[P]` depends on the task(s) before it in its phase since the last task
 * without `[P]`, a `[P]` task on none of its siblings, and "depends on T012" in the text
 * counts too. With the feature's spec.md, each user story becomes a feature
 * (`sk-<folder>-us1`) carrying its acceptance scenarios and depending on its tasks.
 * Re-importing changes only what changed in Spec Kit since the last import; a field changed
 * in br as well is a conflict and keeps br's value.
 *
 * @throws {BrError} `not_found` without the file, `invalid_data` for a file without tasks.
 */
export async function importSpecKit(
  project: Project,
  path: string,
  label: string,
): Promise<SpecKitImportResult> {
  const text = await readTextOrNull(path);
  if (text === null) {
    throw new BrError("not_found", `Cannot find ${label}`, {
      hint: "pass the tasks.md of a Spec Kit feature (specs/<feature>/tasks.md)",
    });
  }
  const tasks = parseSpecKitTasks(text, label);
  const specPath = join(dirname(path), "spec.md");
  const specText = await readTextOrNull(specPath);
  const stories = specText === null ? [] : parseSpecKitStories(specText);
  const prefix = `sk-${slugify(basename(dirname(path))) || "tasks"}`;
  const fid = (taskId: string) => `${prefix}-${taskId.toLowerCase()}`;
  const storyFid = (n: number) => `${prefix}-us${n}`;
  const known = new Set(tasks.map((t) => t.id));
  const storyOf = new Map(stories.map((s) => [s.number, s]));

  const mirrors = new Map<string, Mirror & { extra: Partial<Feature> }>();
  let previous: { phase: string | null; group: string[] } = { phase: undefined!, group: [] };
  for (const t of tasks) {
    if (previous.phase !== t.phase) previous = { phase: t.phase, group: [] };
    const deps = new Set<string>();
    if (!t.parallel) { for (const d of previous.group) deps.add(fid(d)); }
    for (const d of t.depends_on) if (known.has(d) && d !== t.id) deps.add(fid(d));
    if (!t.parallel) previous.group = [t.id];
    else previous.group.push(t.id);
    const story = t.story === null ? null : storyOf.get(t.story) ?? null;
    const name = t.text.replace(/\s+/g, " ").trim() || t.id;
    mirrors.set(fid(t.id), {
      name: name.length > 200 ? `${name.slice(0, 199)}…` : name,
      description: name.length > 200 ? t.text : "",
      status: t.done ? "complete" : "planned",
      priority: priorityOf(story?.priority ?? null),
      dependencies: [...deps],
      acceptance: [],
      extra: {
        tags: ["speckit", ...(t.story === null ? [] : [`us${t.story}`])],
        build: t.phase ? t.phase.slice(0, 100) : null,
      },
    });
  }
  for (const s of stories) {
    const own = tasks.filter((t) => t.story === s.number);
    const done = own.filter((t) => t.done).length;
    mirrors.set(storyFid(s.number), {
      name: (s.title || `User story ${s.number}`).slice(0, 200),
      description: "",
      status: own.length > 0 && done === own.length
        ? "complete"
        : done > 0
        ? "in_progress"
        : "planned",
      priority: priorityOf(s.priority),
      dependencies: own.map((t) => fid(t.id)),
      acceptance: s.acceptance,
      extra: { tags: ["speckit", "user-story", `us${s.number}`], build: null },
    });
  }

  const result: SpecKitImportResult = {
    source: label,
    spec: specText === null ? null : join(dirname(label), "spec.md"),
    added: [],
    updated: [],
    conflicts: [],
  };
  const now = project.clock.now().toISOString();
  const events: BrEvent[] = [];
  await project.withLock(async () => {
    const file = await loadFeatures(project);
    const before = serializeFeatures(file);
    const byId = new Map(file.features.map((f) => [f.id, f]));
    for (const [id, m] of mirrors) {
      const { extra, ...fresh } = m;
      const f = byId.get(id);
      if (!f) {
        const feature: Feature = {
          id,
          ...fresh,
          version: file.version,
          files: [],
          tags: extra.tags ?? ["speckit"],
          owner: null,
          week: null,
          build: extra.build ?? null,
          blocked_reason: null,
          created_at: now,
          updated_at: now,
          completed_at: fresh.status === "complete" ? now : null,
          speckit: { source: label, base: fresh },
        };
        file.features.push(feature);
        result.added.push(id);
        events.push(
          project.bus.create("feature.added", { id, fields: { ...feature } }, {
            feature: id,
          }) as BrEvent,
        );
        continue;
      }
      const link = f.speckit as { base?: Mirror } | undefined;
      const base = link?.base ?? null;
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      let clash = false;
      for (const field of MIRRORED) {
        const n = fresh[field];
        const c = f[field];
        if (same(n, c)) continue;
        if (base && same(c, base[field])) {
          changes[field] = { from: c, to: n };
          (f as Record<string, unknown>)[field] = structuredClone(n);
          if (field === "status") {
            f.completed_at = n === "complete" ? now : null;
            f.blocked_reason = null;
          }
        } else if (base && same(n, base[field])) continue;
        else {
          clash = true;
          result.conflicts.push({ id, field, br: c, speckit: n });
        }
      }
      if (!clash || !base) f.speckit = { source: label, base: fresh };
      if (Object.keys(changes).length) {
        f.updated_at = now;
        result.updated.push({ id, fields: Object.keys(changes) });
        events.push(
          project.bus.create("feature.updated", { id, changes }, { feature: id }) as BrEvent,
        );
      }
    }
    for (const event of events) await project.bus.check(event);
    if (serializeFeatures(file) !== before) await saveFeatures(project, file);
  });
  for (const event of events) project.bus.emit(event);
  return result;
}
