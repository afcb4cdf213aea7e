/** Runs `importUsage` once on a project (used by `bench/cost.ts` under GNU time). */
import { importUsage } from "../src/cost/mod.ts";
import { openProject } from "../src/core/project.ts";

const [root, ...dirs] = Deno.args;
const project = await openProject({ cwd: root });
const report = await importUsage(project, { dirs });
await project.close();
console.log(JSON.stringify({ added: report.added, cost_usd: report.cost_usd }));
