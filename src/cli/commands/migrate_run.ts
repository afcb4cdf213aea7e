import { relative, resolve } from "../../core/path.ts";
import { BrError, ExitCode } from "../../core/errors.ts";
import { readTextOrNull } from "../../core/fs.ts";
import type { MigrationOutcome, MigrationStatus, V2Plan } from "../../migrate/mod.ts";
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

type MigrateFlags = JsonFlags & { dryRun?: boolean; force?: boolean };

/** `br migrate from-v2 [path]` */
export async function fromV2(this: BrContext, flags: MigrateFlags, path?: string): Promise<void> {
  const { migrateFromV2 } = await import("../../migrate/mod.ts");
  const out = await migrateFromV2(resolve(this.cwd, path ?? "."), {
    dryRun: flags.dryRun,
    force: flags.force,
    clock: this.clock,
  });
  if (flags.json) return printJson(this, out);
  await renderV2(this, out);
}

async function renderV2(ctx: BrContext, out: MigrationOutcome<V2Plan>): Promise<void> {
  const c = await colors(ctx);
  const p = out.plan;
  print(
    ctx,
    out.dry_run
      ? c.bold(`Plan (dry run, nothing written): migrate ${p.root} from BuildRunner 2`)
      : `${c.green("✓")} Migrated ${c.bold(p.root)} from BuildRunner 2`,
  );
  print(ctx, `  project:     ${p.project}`);
  if (p.description) print(ctx, `  description: ${p.description}`);
  print(ctx, `  features (${p.features.length}):`);
  for (const f of p.features) {
    const deps = f.dependencies.length ? ` ← ${f.dependencies.join(", ")}` : "";
    print(
      ctx,
      `    ${f.id}  ${f.status}/${f.priority}  ${f.name}${c.dim(`  [${f.source}]${deps}`)}`,
    );
  }
  const carried = Object.keys(p.governance);
  print(
    ctx,
    `  governance:  default rules${
      carried.length ? ` + buildrunner2 section (${carried.join(", ")})` : ""
    }, checksum recorded`,
  );
  print(ctx, "  files:");
  for (const f of p.files) print(ctx, `    ${f.action.padEnd(6)} ${f.path}`);
  print(
    ctx,
    `  backup:      ${out.backup ?? ".buildrunner/backups/migrate-buildrunner2-<time>/"}` +
      " (.runner/, .buildrunner/, STATUS.md, PROJECT_SPEC.md, .gitignore)",
  );
  print(ctx, `  git:         ${p.git ? `commit and tag "${p.tag}"` : "not a repository"}`);
  if (out.commit) print(ctx, `  commit:      ${out.commit}`);
  for (const w of p.warnings) print(ctx, c.yellow(`  warning: ${w}`));
  if (!out.dry_run) print(ctx, "next: br status  ·  undo: br migrate rollback");
}

/** `br migrate from-v3 [path]` */
export async function fromV3(this: BrContext, flags: MigrateFlags, path?: string): Promise<void> {
  const { migrateFromV3 } = await import("../../migrate/mod.ts");
  const out = await migrateFromV3(resolve(this.cwd, path ?? "."), {
    dryRun: flags.dryRun,
    force: flags.force,
    clock: this.clock,
  });
  if (flags.json) return printJson(this, out);
  const c = await colors(this);
  const p = out.plan;
  if (p.changes.length === 0) {
    return print(this, `${p.root}: features.json is already normalised; nothing to do.`);
  }
  print(
    this,
    out.dry_run
      ? c.bold(`Plan (dry run, nothing written): normalise ${p.root}/.buildrunner/features.json`)
      : `${c.green("✓")} Normalised ${c.bold(`${p.root}/.buildrunner/features.json`)}`,
  );
  for (const ch of p.changes) print(this, `  ${ch.id ?? "(file)"}: ${ch.change}`);
  print(this, "  files:");
  for (const f of p.files) print(this, `    ${f.action.padEnd(6)} ${f.path}`);
  print(
    this,
    `  backup:      ${out.backup ?? ".buildrunner/backups/migrate-buildrunner3.1-<time>/"}`,
  );
  print(this, `  git:         ${p.git ? `commit and tag "${p.tag}"` : "not a repository"}`);
  if (!out.dry_run) print(this, "undo: br migrate rollback");
}

/** `br migrate rollback [path]` */
export async function rollback(this: BrContext, flags: JsonFlags, path?: string): Promise<void> {
  const { rollbackMigration } = await import("../../migrate/mod.ts");
  const out = await rollbackMigration(resolve(this.cwd, path ?? "."));
  if (flags.json) return printJson(this, out);
  const c = await colors(this);
  print(
    this,
    `${c.green("✓")} Rolled back the migration from ${out.record?.from} of ${out.root}`,
  );
  if (out.record?.tag) print(this, `  tag ${out.record.tag} deleted; branch and index restored`);
}

/** `br migrate status [path]` */
export async function status(this: BrContext, flags: JsonFlags, path?: string): Promise<void> {
  const { migrationStatus } = await import("../../migrate/mod.ts");
  const out: MigrationStatus = await migrationStatus(resolve(this.cwd, path ?? "."));
  if (flags.json) return printJson(this, out);
  if (!out.record) return print(this, `${out.root}: not migrated`);
  const r = out.record;
  print(this, `${out.root}: migrated from ${r.from} at ${r.migrated_at}`);
  print(this, `  source: ${r.source}`);
  print(this, `  backup: ${r.backup}${out.backup_present ? "" : " (missing)"}`);
  if (r.tag) print(this, `  tag:    ${r.tag}${out.commit ? ` (${out.commit.slice(0, 12)})` : ""}`);
  print(
    this,
    `  rollback: ${
      out.can_roll_back ? 'possible ("br migrate rollback")' : `not possible: ${out.reason}`
    }`,
  );
}

/** `br import taskmaster [file]` */
export function importTm(
  this: BrContext,
  flags: JsonFlags & ProjectFlags,
  file?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { importTaskMaster, TASKMASTER_FILES } = await import("../../project/mod.ts");
    const { loadFeatures } = await import("../../features/mod.ts");
    const meta = (await loadFeatures(project)).taskmaster as { source?: unknown } | undefined;
    const candidates = file !== undefined
      ? [resolve(this.cwd, file)]
      : typeof meta?.source === "string"
      ? [resolve(project.root, meta.source)]
      : TASKMASTER_FILES.map((f) => resolve(project.root, f));
    let path: string | null = null;
    let text: string | null = null;
    for (const c of candidates) {
      text = await readTextOrNull(c);
      if (text !== null) {
        path = c;
        break;
      }
    }
    if (path === null || text === null) {
      throw new BrError(
        "not_found",
        `Cannot find ${file ?? candidates.map((c) => relative(project.root, c)).join(" or ")}`,
        {
          hint: "pass the path of Task Master's tasks.json",
        },
      );
    }
    const label = relative(project.root, path).startsWith("..")
      ? path
      : relative(project.root, path);
    const r = await importTaskMaster(project, text, label, path);
    if (r.conflicts.length) setExit(this, ExitCode.conflict);
    if (flags.json) return printJson(this, r);
    const c = await colors(this);
    for (const id of r.added) print(this, `  added    ${id}`);
    for (const u of r.updated) print(this, `  updated  ${u.id} (${u.fields.join(", ")})`);
    for (const id of r.removed) print(this, `  removed  ${id}`);
    for (const k of r.conflicts) {
      print(
        this,
        `${c.red("conflict")} ${k.id}${k.field ? ` ${k.field}` : ""}: ${k.reason} (br ${
          JSON.stringify(k.br)
        }, Task Master ${JSON.stringify(k.taskmaster)})`,
      );
    }
    const n = r.added.length + r.updated.length + r.removed.length;
    print(
      this,
      n + r.conflicts.length === 0
        ? `Already up to date with ${r.source}.`
        : `Imported ${r.source}: ${r.added.length} added, ${r.updated.length} updated, ${r.removed.length} removed, ${r.conflicts.length} conflict(s).`,
    );
  });
}

/** `br export taskmaster [file]` */
export function exportTm(
  this: BrContext,
  flags: JsonFlags & ProjectFlags & { force?: boolean },
  file?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { exportTaskMaster } = await import("../../project/mod.ts");
    const r = await exportTaskMaster(
      project,
      file === undefined ? null : resolve(this.cwd, file),
      { force: flags.force },
    );
    if (flags.json) return printJson(this, r);
    print(this, `Wrote ${r.target}: ${r.tasks} tasks, ${r.subtasks} subtasks, ${r.tags} tag(s).`);
  });
}

/** `br import speckit <tasks.md>` */
export function importSpeckit(
  this: BrContext,
  flags: JsonFlags & ProjectFlags,
  file: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { importSpecKit } = await import("../../migrate/mod.ts");
    const path = resolve(this.cwd, file);
    const rel = relative(project.root, path);
    const r = await importSpecKit(project, path, rel.startsWith("..") ? path : rel);
    if (r.conflicts.length) setExit(this, ExitCode.conflict);
    if (flags.json) return printJson(this, r);
    const c = await colors(this);
    for (const id of r.added) print(this, `  added    ${id}`);
    for (const u of r.updated) print(this, `  updated  ${u.id} (${u.fields.join(", ")})`);
    for (const k of r.conflicts) {
      print(
        this,
        `${c.red("conflict")} ${k.id} ${k.field}: changed in br and in Spec Kit (br ${
          JSON.stringify(k.br)
        }, Spec Kit ${JSON.stringify(k.speckit)})`,
      );
    }
    const n = r.added.length + r.updated.length + r.conflicts.length;
    print(
      this,
      n === 0
        ? `Already up to date with ${r.source}.`
        : `Imported ${r.source}${
          r.spec ? ` and ${r.spec}` : ""
        }: ${r.added.length} added, ${r.updated.length} updated, ${r.conflicts.length} conflict(s).`,
    );
  });
}
