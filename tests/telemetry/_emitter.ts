/**
 * A process of the concurrency test: waits for the start signal, then emits `count`
 * `task.completed` events through a collector on the project at `root`, and closes it.
 */
import { existsSync } from "node:fs";
import { createProject } from "../../src/core/project.ts";
import { attachCollector } from "../../src/telemetry/mod.ts";
import { storeEnv } from "../postgres.ts";

const [root, goFile, worker, countRaw] = Deno.args;
while (!existsSync(goFile)) await new Promise((r) => setTimeout(r, 5));
const project = createProject(root, { env: storeEnv(), session: worker });
attachCollector(project, { command: "emitter" });
for (let i = 0; i < Number(countRaw); i++) {
  project.bus.emit("task.completed", { task_id: `${worker}-${i}`, worker, duration_ms: i % 1000 });
  if (i % 1000 === 999) await project.bus.flush();
}
await project.close();
