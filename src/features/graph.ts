import { BrError } from "../core/errors.ts";
import { type Feature, PRIORITIES } from "./types.ts";

/** The fields of a feature the graph functions read. */
export type GraphNode = Pick<Feature, "id" | "dependencies" | "status" | "priority">;

/** A dependency cycle as a list of ids (first = last), or null when there is none. */
export function findCycle(features: readonly GraphNode[]): string[] | null {
  const byId = new Map(features.map((f) => [f.id, f]));
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    state.set(id, 1);
    stack.push(id);
    for (const dep of byId.get(id)?.dependencies ?? []) {
      if (!byId.has(dep)) continue;
      const s = state.get(dep);
      if (s === 1) return [...stack.slice(stack.indexOf(dep)), dep];
      if (s === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 2);
    return null;
  };
  for (const f of [...features].sort((a, b) => a.id.localeCompare(b.id))) {
    if (!state.has(f.id)) {
      const found = visit(f.id);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Checks that every dependency exists and that there is no cycle.
 *
 * @throws {BrError} `invalid_data` naming the feature and the missing id or the cycle.
 */
export function assertValidGraph(features: readonly GraphNode[], file: string): void {
  const ids = new Set(features.map((f) => f.id));
  for (const f of features) {
    for (const dep of f.dependencies ?? []) {
      if (dep === f.id) {
        throw new BrError("invalid_data", `${file}: feature "${f.id}" depends on itself`, {
          hint: "remove the id from its own dependencies",
        });
      }
      if (!ids.has(dep)) {
        throw new BrError(
          "invalid_data",
          `${file}: feature "${f.id}" depends on unknown feature "${dep}"`,
          { hint: `add "${dep}" first or remove it from the dependencies` },
        );
      }
    }
  }
  const cycle = findCycle(features);
  if (cycle) {
    throw new BrError("invalid_data", `${file}: dependency cycle ${cycle.join(" -> ")}`, {
      hint: "remove one of these dependencies to break the cycle",
    });
  }
}

/**
 * Groups features into waves: every feature's dependencies are in earlier waves, so the
 * features of one wave can be worked on in parallel. With `openOnly`, complete features
 * are left out and count as satisfied. Ids within a wave are sorted.
 */
export function dependencyWaves(features: readonly GraphNode[], openOnly = false): string[][] {
  const included = openOnly
    ? features.filter((f) => f.status !== "complete" && !isParked(f))
    : [...features];
  const ids = new Set(included.map((f) => f.id));
  const remaining = new Map(
    included.map((f) => [f.id, new Set((f.dependencies ?? []).filter((d) => ids.has(d)))]),
  );
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id).sort();
    if (wave.length === 0) {
      const cycle = findCycle(included) ?? [...remaining.keys()];
      throw new BrError("invalid_data", `Dependency cycle ${cycle.join(" -> ")}`, {
        hint: "remove one of these dependencies to break the cycle",
      });
    }
    for (const id of wave) remaining.delete(id);
    for (const deps of remaining.values()) for (const id of wave) deps.delete(id);
    waves.push(wave);
  }
  return waves;
}

/** How many features that are not complete depend directly on each id. */
export function waitingDependents(features: readonly GraphNode[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of features) {
    if (f.status === "complete") continue;
    for (const dep of f.dependencies ?? []) counts.set(dep, (counts.get(dep) ?? 0) + 1);
  }
  return counts;
}

/** True when every dependency of `feature` is complete. */
export function dependenciesComplete(feature: GraphNode, byId: Map<string, GraphNode>): boolean {
  return (feature.dependencies ?? []).every((d) => byId.get(d)?.status === "complete");
}

/** The dependencies of `feature` that are not complete. */
export function openDependencies(feature: GraphNode, byId: Map<string, GraphNode>): string[] {
  return (feature.dependencies ?? []).filter((d) => byId.get(d)?.status !== "complete");
}

/**
 * True when a feature is parked: `planned` with a `parked` reason (deferred, cancelled), as
 * Task Master's deferred and cancelled tasks are imported. It is never next and is no open
 * work.
 */
export function isParked(feature: Pick<Feature, "status">): boolean {
  const parked = (feature as { parked?: unknown }).parked;
  return feature.status === "planned" && (parked === "deferred" || parked === "cancelled");
}

/**
 * Features that could start now (planned and not parked, every dependency complete), in the order `next`
 * picks them: highest priority, fewest dependents waiting, then id.
 */
export function readyFeatures<T extends GraphNode>(features: readonly T[]): T[] {
  const byId = new Map<string, GraphNode>(features.map((f) => [f.id, f]));
  const waiting = waitingDependents(features);
  return features
    .filter((f) => f.status === "planned" && !isParked(f) && dependenciesComplete(f, byId))
    .sort((a, b) =>
      PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) ||
      (waiting.get(a.id) ?? 0) - (waiting.get(b.id) ?? 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    );
}

/** The feature to work on next (first of {@link readyFeatures}), or null when none is ready. */
export function nextFeature<T extends GraphNode>(features: readonly T[]): T | null {
  return readyFeatures(features)[0] ?? null;
}
