import { ExitCode } from "../../core/errors.ts";
import { checkEnv, detectEnv, writeEnvTemplate } from "../../env/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

const where = (s: { file: string; line: number | null; how: string }) =>
  `${s.file}${s.line ? `:${s.line}` : ""} (${s.how})`;

/** `br env detect` */
export function detect(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const found = detectEnv(project);
    if (flags.json) return printJson(this, found);
    const c = await colors(this);
    if (!found.variables.length && !found.services.length) {
      return print(this, "No environment variables or services found.");
    }
    if (found.variables.length) print(this, c.bold(`Variables (${found.variables.length})`));
    for (const v of found.variables) {
      print(this, `  ${v.name}  ${c.dim(v.sources.map(where).join(", "))}`);
    }
    if (found.services.length) print(this, c.bold(`Services (${found.services.length})`));
    for (const s of found.services) {
      print(
        this,
        `  ${s.name}${s.image ? ` (${s.image})` : ""}  ${c.dim(s.sources.map(where).join(", "))}`,
      );
    }
  });
}

/** `br env template` */
export function template(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const result = await project.withLock(() => writeEnvTemplate(project));
    if (flags.json) return printJson(this, result);
    print(
      this,
      `${result.changed ? "Updated" : "Unchanged"} ${result.file}: ${result.managed.length} ` +
        `variables in br's block, ${result.kept.length} in your own lines.`,
    );
  });
}

/** `br env check` */
export function check(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const report = await checkEnv(project);
    if (report.problems.length) setExit(this, ExitCode.checkFailed);
    if (flags.json) return printJson(this, report);
    const c = await colors(this);
    if (!report.problems.length) {
      return print(
        this,
        `${
          c.green("✓")
        } .env has the ${report.expected.length} variables of ${report.expected_from}.`,
      );
    }
    if (!report.exists) print(this, c.yellow(".env does not exist."));
    for (const p of report.problems) {
      const shape = p.shape ? c.dim(` (${p.shape}${p.line ? `, line ${p.line}` : ""})`) : "";
      print(this, `  ${c.red(p.problem.replace("_", " "))} ${p.name}${shape}`);
    }
    print(
      this,
      `${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} ` +
        `(expected from ${report.expected_from}); hint: set them in .env`,
    );
  });
}
