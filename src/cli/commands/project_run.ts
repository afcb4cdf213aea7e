import { resolve } from "../../core/path.ts";
import { ExitCode } from "../../core/errors.ts";
import { existsIn, readTextOrNull } from "../../core/fs.ts";
import { importOptional } from "../../core/optional.ts";
import { generateStatus, statusMarkdown, statusView } from "../../features/status.ts";
import type { SetupResult } from "../../project/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  usage,
  warn,
  withProject,
} from "../output.ts";

async function renderSetup(ctx: BrContext, verb: string, r: SetupResult): Promise<void> {
  const c = await colors(ctx);
  print(ctx, `${c.green("✓")} ${verb} ${c.bold(r.root)}`);
  if (r.git_initialized) print(ctx, "  git init: done");
  for (const f of r.created) print(ctx, `  created   ${f}`);
  for (const f of r.updated) print(ctx, `  updated   ${f}`);
  for (const f of r.rewritten) print(ctx, `  rewritten ${f}`);
  for (const f of r.kept) print(ctx, c.dim(`  kept      ${f}`));
  if (r.backup_dir) print(ctx, `  backups in ${r.backup_dir}`);
  if (r.detected) {
    const d = r.detected;
    print(ctx, `  languages:        ${d.languages.join(", ") || "none found"}`);
    print(ctx, `  package managers: ${d.package_managers.join(", ") || "none found"}`);
    print(ctx, `  test command:     ${d.test_command ?? "none found"}`);
  }
  if (r.imported) print(ctx, `  imported ${r.imported.count} features from ${r.imported.source}`);
  print(ctx, 'next: br feature add "<name>"  ·  br status');
}

/**
 * `br init [name]`: the argument is the project's name (as in BuildRunner 3.1); the project
 * starts in the current folder, or in `--dir`.
 */
export async function init(
  this: BrContext,
  flags: JsonFlags & { name?: string; dir?: string; force?: boolean },
  name?: string,
): Promise<void> {
  // "br init ." (the old way to say "here"): the folder's name, as without an argument.
  if (name !== undefined && resolve(this.cwd, name) === resolve(this.cwd)) name = undefined;
  if (name !== undefined && flags.name !== undefined) {
    usage(
      `Cannot take two project names: "${name}" and --name "${flags.name}"`,
      `run "br init ${name}" (the argument is the name), and --dir <folder> to start elsewhere`,
    );
  }
  if (name !== undefined && flags.dir === undefined) {
    const stat = await Deno.stat(resolve(this.cwd, name)).catch(() => null);
    if (stat?.isDirectory) {
      warn(
        this,
        `note: "${name}" is the project's name; starting it in the current folder (to start it in the folder "${name}", run "br init --dir ${name}")`,
      );
    }
  }
  const { initProject } = await import("../../project/mod.ts");
  const result = await initProject(resolve(this.cwd, flags.dir ?? "."), {
    name: name ?? flags.name,
    force: flags.force,
    env: this.env,
    clock: this.clock,
  });
  if (flags.json) printJson(this, result);
  else await renderSetup(this, "Initialized", result);
}

/** `br attach` */
export async function attach(
  this: BrContext,
  flags: JsonFlags & { force?: boolean },
  dir?: string,
): Promise<void> {
  const { attachProject } = await import("../../project/mod.ts");
  const result = await attachProject(resolve(this.cwd, dir ?? "."), {
    force: flags.force,
    env: this.env,
    clock: this.clock,
  });
  if (flags.json) printJson(this, result);
  else await renderSetup(this, "Attached", result);
}

/** `br status` */
export function status(this: BrContext, flags: ProjectFlags & JsonFlags): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { summary: s, active } = await statusView(project);
    // Only a project where br pipe/watch recorded something has blockers to read (one stat).
    const debugBlockers = existsIn(project.paths.dir, "context", "debug.json")
      ? await (await importOptional<typeof import("../../debug/blockers.ts")>(
        "src/debug/blockers.ts",
      )).recordedBlockers(project)
      : [];
    if (flags.json) return printJson(this, { ...s, debug_blockers: debugBlockers });
    const c = await colors(this);
    const m = s.metrics;
    print(this, `${c.bold(s.project)} ${c.dim(`v${s.version} · ${s.status}`)}`);
    const width = 30;
    const filled = Math.round((m.completion_percentage / 100) * width);
    print(
      this,
      `${c.green("█".repeat(filled))}${
        c.dim("░".repeat(width - filled))
      } ${m.completion_percentage}% complete`,
    );
    print(
      this,
      `${m.features_total} features: ${m.features_complete} complete · ${m.features_in_progress} in progress · ` +
        `${m.features_testing} testing · ${m.features_planned} planned · ${m.features_blocked} blocked` +
        (m.features_parked ? ` · ${m.features_parked} parked (deferred or cancelled)` : ""),
    );
    if (active.length) {
      print(this, "");
      print(this, c.bold("Active"));
      const { statusColor } = await import("../render.ts");
      for (const f of active) print(this, `  ${f.id} ${statusColor(c, f.status)} — ${f.name}`);
    }
    if (s.blockers.length) {
      print(this, "");
      print(this, c.bold(c.red("Blocked")));
      for (const b of s.blockers) print(this, `  ${b.id} — ${b.reason ?? "no reason recorded"}`);
    }
    if (debugBlockers.length) {
      print(this, "");
      print(this, c.bold(c.red("Errors seen by br watch")) + c.dim(' (details: "br debug")'));
      for (const b of debugBlockers) {
        const at = b.file ? ` at ${b.file}${b.line ? `:${b.line}` : ""}` : "";
        print(this, `  ${b.feature} — ${b.kind}: ${b.message}${at}`);
      }
    }
    print(this, "");
    print(
      this,
      s.next
        ? `Next up: ${c.bold(s.next.id)} — ${s.next.name} (${s.next.priority})`
        : "Next up: nothing ready",
    );
  });
}

/** `br generate` */
export function generate(
  this: BrContext,
  flags: ProjectFlags & JsonFlags & { check?: boolean },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    if (flags.check) {
      const expected = (await statusMarkdown(project)).markdown;
      const upToDate = (await readTextOrNull(project.paths.status)) === expected;
      if (flags.json) printJson(this, { path: "STATUS.md", up_to_date: upToDate });
      else {print(
          this,
          upToDate ? "STATUS.md is up to date" : "STATUS.md is out of date: run br generate",
        );}
      if (!upToDate) setExit(this, ExitCode.checkFailed);
      return;
    }
    const r = await generateStatus(project);
    if (flags.json) return printJson(this, r);
    print(
      this,
      r.changed ? `Wrote ${r.path} (${r.completion}% complete)` : `${r.path} is up to date`,
    );
  });
}
