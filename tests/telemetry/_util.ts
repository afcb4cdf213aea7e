/** Helpers of the telemetry tests: a project with a collector on a fixed clock. */
import { type Clock, createProject, type Project } from "../../src/core/project.ts";
import { attachCollector, type Collector } from "../../src/telemetry/mod.ts";
import { storeEnv } from "../postgres.ts";

/** A project at `root` with a collector and a clock that tests move. */
export function recorder(
  root: string,
  iso = "2026-11-25T12:00:00.000Z",
  env: Record<string, string> = {},
): { project: Project; collector: Collector; at(iso: string): void } {
  let now = new Date(iso);
  const clock: Clock = { now: () => new Date(now) };
  const project = createProject(root, { env: { ...storeEnv(), ...env }, clock });
  const collector = attachCollector(project, { command: "test" });
  return { project, collector, at: (v: string) => void (now = new Date(v)) };
}
