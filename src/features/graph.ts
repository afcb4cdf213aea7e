import { BrError } from "../core/errors.ts";
import { type Feature, PRIORITIES } from "./types.ts";

/** The fields of a feature the graph functions read. */
export type GraphNode = Pick<Feature, "id" | "dependencies" | "status" | "priority">;

/**
 * A dependency cycle as a list of ids (first = last), or null when there is none. The walk
 * keeps its own stack: a chain of any length is followed without recursion.
 */
export function findCycle(features: readonly GraphNode[]): string[] | null {
  const byId = new Map(features.map((f) => [f.id, f]));
  // A graph has a cycle whatever order it is walked in; the order by id only picks the cycle
  // reported, and its collation (ICU's data: 20-30 ms at the first compare) is loaded only then.
  return cycleFrom(byId, features) &&
    cycleFrom(byId, [...features].sort((a, b) => a.id.localeCompare(b.id)));
}

/** The first cycle a walk from each feature of `order` in turn meets, or null. */
function cycleFrom(
  byId: ReadonlyMap<string, GraphNode>,
  order: readonly GraphNode[],
): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1 = on the path, 2 = done
  const path: string[] = [];
  const next: number[] = []; // per entry of `path`: the index of its next dependency to visit
  const walk = (root: string): string[] | null => {
    state.set(root, 1);
    path.push(root);
    next.push(0);
    while (path.length) {
      const top = path.length - 1;
      const deps = byId.get(path[top])?.dependencies ?? [];
      if (next[top] < deps.length) {
        const dep = deps[next[top]++];
        if (!byId.has(dep)) continue;
        const s = state.get(dep);
        if (s === 1) return [...path.slice(path.lastIndexOf(dep)), dep];
        if (s === undefined) {
          state.set(dep, 1);
          path.push(dep);
          next.push(0);
        }
        continue;
      }
      state.set(path.pop()!, 2);
      next.pop();
    }
    return null;
  };
  for (const f of order) {
    if (!state.has(f.id)) {
      const found = walk(f.id);
      if (found) return found;
    }
  }
  return null;
}

/**
 * A cycle for a one-line message: every id of a short one; the first and last ids of a long
 * one (a cycle through a chain of thousands would fill the screen).
 */
export function cycleText(cycle: readonly string[]): string {
  if (cycle.length <= 12) return cycle.join(" -> ");
  return `${cycle.slice(0, 5).join(" -> ")} -> ... (${cycle.length - 10} more) -> ${
    cycle.slice(-5).join(" -> ")
  }`;
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
    throw new BrError("invalid_data", `${file}: dependency cycle ${cycleText(cycle)}`, {
      hint: "remove one of these dependencies to break the cycle",
    });
  }
}

/**
 * Groups features into waves: every feature's dependencies are in earlier waves, so the
 * features of one wave can be worked on in parallel. With `openOnly`, complete features
 * are left out and count as satisfied. Ids within a wave are sorted. Each feature and each
 * dependency is looked at once (plus the sort of each wave), whatever the shape of the graph.
 *
 * @throws {BrError} `invalid_data` naming a cycle.
 */
export function dependencyWaves(features: readonly GraphNode[], openOnly = false): string[][] {
  const included = openOnly
    ? features.filter((f) => f.status !== "complete" && !isParked(f))
    : [...features];
  const ids = new Set(included.map((f) => f.id));
  // per feature: how many of its dependencies are not placed yet; per id: who waits for it
  const unmet = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const f of included) {
    const deps = new Set((f.dependencies ?? []).filter((d) => ids.has(d)));
    unmet.set(f.id, deps.size);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(f.id);
      else dependents.set(d, [f.id]);
    }
  }
  const waves: string[][] = [];
  let wave = [...unmet].filter(([, n]) => n === 0).map(([id]) => id);
  let placed = 0;
  while (wave.length > 0) {
    wave.sort();
    waves.push(wave);
    placed += wave.length;
    const following: string[] = [];
    for (const id of wave) {
      for (const d of dependents.get(id) ?? []) {
        const n = unmet.get(d)! - 1;
        unmet.set(d, n);
        if (n === 0) following.push(d);
      }
    }
    wave = following;
  }
  if (placed < unmet.size) {
    const cycle = findCycle(included) ?? [...unmet].filter(([, n]) => n > 0).map(([id]) => id);
    throw new BrError("invalid_data", `Dependency cycle ${cycleText(cycle)}`, {
      hint: "remove one of these dependencies to break the cycle",
    });
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
