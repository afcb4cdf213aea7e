import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import type { Project } from "../core/project.ts";
import { type Feature, type FeatureStatus, mutateFeatures } from "../features/mod.ts";

interface TmTask {
  id: number | string;
  title?: string;
  description?: string;
  details?: string;
  testStrategy?: string;
  status?: string;
  priority?: string;
  dependencies?: (number | string)[];
  subtasks?: TmTask[];
}

const STATUS_MAP: Record<string, FeatureStatus> = {
  pending: "planned",
  "in-progress": "in_progress",
  in_progress: "in_progress",
  review: "testing",
  done: "complete",
  completed: "complete",
  blocked: "blocked",
  deferred: "planned",
  cancelled: "planned",
};

/**
 * Imports the tasks of a Task Master `tasks.json` (tagged or legacy layout) as features:
 * `tm-<id>` (`tm-<tag>-<id>` outside the master tag); subtasks become acceptance criteria
 * and are kept whole in the `taskmaster` field. Returns how many features were added.
 *
 * @throws {BrError} `invalid_data` when the file is not Task Master JSON.
 */
export function importTaskMaster(
  project: Project,
  text: string,
  label: string,
): Promise<number> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${label}: ${(err as Error).message}`, {
      hint: "fix the JSON or remove the file",
    });
  }
  const groups: [string, TmTask[]][] = [];
  const obj = data as Record<string, { tasks?: TmTask[] }> & { tasks?: TmTask[] };
  if (Array.isArray(obj?.tasks)) groups.push(["master", obj.tasks]);
  else if (obj && typeof obj === "object") {
    for (const [tag, value] of Object.entries(obj as Record<string, { tasks?: TmTask[] }>)) {
      if (Array.isArray(value?.tasks)) groups.push([tag, value.tasks]);
    }
  }
  if (groups.length === 0) {
    throw new BrError("invalid_data", `${label} has no "tasks" list`, {
      hint: "expected Task Master's tasks.json (legacy or tagged layout)",
    });
  }
  const now = project.clock.now().toISOString();
  return mutateFeatures(project, (file) => {
    const events: BrEvent[] = [];
    const existing = new Set(file.features.map((f) => f.id));
    const added: Feature[] = [];
    for (const [tag, tasks] of groups) {
      const idOf = (raw: number | string) =>
        `tm-${tag === "master" ? "" : `${tag}-`}${String(raw).split(".")[0]}`;
      for (const t of tasks) {
        const id = idOf(t.id);
        if (existing.has(id)) continue;
        existing.add(id);
        const status = STATUS_MAP[String(t.status ?? "pending").toLowerCase()] ?? "planned";
        const acceptance = (t.subtasks ?? []).map((s) => s.title ?? String(s.id));
        if (t.testStrategy) acceptance.push(t.testStrategy);
        const priority = ["critical", "high", "medium", "low"].includes(t.priority ?? "")
          ? t.priority as Feature["priority"]
          : "medium";
        const extraTags = t.status === "deferred" || t.status === "cancelled" ? [t.status] : [];
        added.push({
          id,
          name: t.title ?? id,
          description: [t.description, t.details].filter(Boolean).join("\n\n"),
          status,
          priority,
          version: file.version,
          dependencies: [...new Set((t.dependencies ?? []).map(idOf))].filter((d) => d !== id),
          acceptance,
          files: [],
          tags: ["taskmaster", ...(tag === "master" ? [] : [tag]), ...extraTags],
          owner: null,
          week: null,
          build: null,
          blocked_reason: status === "blocked" ? "blocked in Task Master" : null,
          created_at: now,
          updated_at: now,
          completed_at: status === "complete" ? now : null,
          taskmaster: { tag, id: t.id, subtasks: t.subtasks ?? [] },
        });
      }
    }
    const ids = new Set([...file.features.map((f) => f.id), ...added.map((f) => f.id)]);
    for (const f of added) {
      f.dependencies = f.dependencies.filter((d) => ids.has(d));
      file.features.push(f);
      events.push(
        project.bus.create("feature.added", { id: f.id, fields: { ...f } }, {
          feature: f.id,
        }) as BrEvent,
      );
    }
    return { result: added.length, events };
  });
}
