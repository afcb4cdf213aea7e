import { BrError } from "../../core/errors.ts";
import {
  addFeature,
  dependencyWaves,
  type Feature,
  type FeaturePatch,
  isParked,
  loadFeatures,
  nextFeature,
  parsePriority,
  parseStatus,
  removeFeature,
  setFeatureStatus,
  updateFeature,
} from "../../features/mod.ts";
import { featureDetail, findFeature } from "../../features/registry.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  withProject,
} from "../output.ts";
import { featureTable, statusColor } from "../render.ts";

type Common = ProjectFlags & JsonFlags;

interface FieldFlags {
  description?: string;
  priority?: string;
  dependsOn?: string;
  acceptance?: string[];
  files?: string[];
  tag?: string[];
  week?: number;
  build?: string;
  owner?: string;
}

function splitIds(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return raw.split(",").map((s) => s.trim()).filter(Boolean);
}

async function done(
  ctx: BrContext,
  flags: JsonFlags,
  feature: Feature,
  verb: string,
): Promise<void> {
  if (flags.json) return printJson(ctx, feature);
  const c = await colors(ctx);
  print(ctx, `${c.green("✓")} ${verb} ${c.bold(feature.id)} (${statusColor(c, feature.status)})`);
}

/** `br feature add` */
export function add(
  this: BrContext,
  flags: Common & FieldFlags & { id?: string; status?: string; reason?: string },
  name: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const feature = await addFeature(project, {
      name,
      id: flags.id,
      description: flags.description,
      priority: flags.priority,
      status: flags.status,
      blocked_reason: flags.reason,
      dependencies: splitIds(flags.dependsOn),
      acceptance: flags.acceptance,
      files: flags.files,
      tags: flags.tag,
      week: flags.week,
      build: flags.build,
      owner: flags.owner,
    });
    await done(this, flags, feature, "Added");
  });
}

/** `br feature list` */
export function list(
  this: BrContext,
  flags: Common & { status?: string; priority?: string; tag?: string },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const status = flags.status ? parseStatus(flags.status) : undefined;
    const priority = flags.priority ? parsePriority(flags.priority) : undefined;
    const file = await loadFeatures(project);
    const features = file.features.filter((f) =>
      (!status || f.status === status) && (!priority || f.priority === priority) &&
      (!flags.tag || f.tags.includes(flags.tag))
    );
    if (flags.json) return printJson(this, features);
    if (features.length === 0) {
      print(
        this,
        file.features.length
          ? "No feature matches."
          : 'No features yet. Add one: br feature add "Login"',
      );
      return;
    }
    print(this, await featureTable(this, features));
  });
}

/** `br feature show` */
export function show(this: BrContext, flags: Common, id: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const detail = featureDetail(await loadFeatures(project), id);
    const { recordedBlockers } = await import("../../debug/blockers.ts");
    const errors = await recordedBlockers(project, detail.feature.id);
    if (flags.json) return printJson(this, { ...detail, debug_blockers: errors });
    const f = detail.feature;
    const c = await colors(this);
    print(this, `${c.bold(f.name)} ${c.dim(`(${f.id})`)}`);
    print(
      this,
      `  status:       ${statusColor(c, f.status)}${
        f.blocked_reason ? ` — ${f.blocked_reason}` : ""
      }`,
    );
    print(this, `  priority:     ${f.priority}`);
    if (f.description) print(this, `  description:  ${f.description}`);
    const deps = detail.dependencies.map((d) =>
      `${d.id} (${d.status})${d.note ? ` — ${d.note}` : ""}`
    );
    print(this, `  depends on:   ${deps.join(", ") || "none"}`);
    print(this, `  needed by:    ${detail.needed_by.join(", ") || "none"}`);
    if (f.files.length) print(this, `  files:        ${f.files.join(", ")}`);
    if (f.tags.length) print(this, `  tags:         ${f.tags.join(", ")}`);
    if (f.owner) print(this, `  owner:        ${f.owner}`);
    if (f.week !== null) print(this, `  week:         ${f.week}`);
    if (f.build !== null) print(this, `  build:        ${f.build}`);
    print(this, `  updated:      ${f.updated_at}`);
    for (const b of errors) {
      const at = b.file ? ` at ${b.file}${b.line ? `:${b.line}` : ""}` : "";
      print(this, `  ${c.red("blocker:")}      ${b.kind}: ${b.message}${at} (br watch)`);
    }
    if (f.acceptance.length) {
      print(this, "  acceptance:");
      for (const a of f.acceptance) {
        print(this, `    - [${f.status === "complete" ? "x" : " "}] ${a}`);
      }
    } else print(this, `  acceptance:   ${c.yellow("none recorded")}`);
  });
}

/** `br feature update` */
export function update(
  this: BrContext,
  flags: Common & FieldFlags & { name?: string; status?: string; reason?: string; force?: boolean },
  id: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const patch: FeaturePatch = {
      name: flags.name,
      description: flags.description,
      priority: flags.priority as FeaturePatch["priority"],
      dependencies: splitIds(flags.dependsOn),
      acceptance: flags.acceptance?.length ? flags.acceptance : undefined,
      files: flags.files?.length ? flags.files : undefined,
      tags: flags.tag?.length ? flags.tag : undefined,
      week: flags.week,
      build: flags.build,
      owner: flags.owner,
    };
    const hasPatch = Object.values(patch).some((v) => v !== undefined);
    if (!hasPatch && !flags.status) {
      throw new BrError("usage", "Nothing to update", {
        hint: `pass a field such as --priority high or --status testing (br feature update --help)`,
      });
    }
    let feature = hasPatch ? await updateFeature(project, id, patch) : undefined;
    if (flags.status) {
      feature = await setFeatureStatus(project, id, flags.status, {
        reason: flags.reason,
        force: flags.force,
      });
    }
    await done(this, flags, feature!, "Updated");
  });
}

/** A status change; `F` is the flags its command declares (`--force`, `--reason` or neither). */
function transition<F extends Common & { force?: boolean; reason?: string }>(
  to: string,
  verb: string,
) {
  return function (this: BrContext, flags: F, id: string) {
    return withProject(this, flags, async (project) => {
      const feature = await setFeatureStatus(project, id, to, {
        force: flags.force,
        reason: flags.reason,
      });
      await done(this, flags, feature, verb);
    });
  };
}

/** `br feature start` */
export const start = transition<Common>("in_progress", "Started");
/** `br feature complete` */
export const complete = transition<Common & { force?: boolean }>("complete", "Completed");
/** `br feature block` */
export const block = transition<Common & { reason: string }>("blocked", "Blocked");

/** `br feature unblock` */
export function unblock(
  this: BrContext,
  flags: Common & { to?: string },
  id: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const file = await loadFeatures(project);
    const f = findFeature(file, id);
    if (f.status !== "blocked") {
      throw new BrError("conflict", `Feature "${id}" is not blocked (it is ${f.status})`, {
        hint: `run "br feature show ${id}"`,
      });
    }
    const to = flags.to ? parseStatus(flags.to) : "planned";
    if (to === "blocked") {
      throw new BrError("usage", "--to cannot be blocked", { hint: "pick planned or in_progress" });
    }
    const feature = await setFeatureStatus(project, id, to, { unblock: true });
    await done(this, flags, feature, "Unblocked");
  });
}

/** `br feature remove` */
export function remove(
  this: BrContext,
  flags: Common & { force?: boolean },
  id: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const feature = await removeFeature(project, id, { force: flags.force });
    if (flags.json) return printJson(this, feature);
    print(this, `${(await colors(this)).green("✓")} Removed ${feature.id}`);
  });
}

/** `br feature next` */
export function next(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const file = await loadFeatures(project);
    const f = nextFeature(file.features);
    if (flags.json) return printJson(this, f);
    if (!f) {
      const open = file.features.filter((x) => x.status !== "complete" && !isParked(x)).length;
      print(
        this,
        open
          ? "Nothing is ready: every open feature is started, blocked or waiting on a dependency."
          : "Nothing to do: every feature is complete.",
      );
      return;
    }
    const c = await colors(this);
    print(this, `${c.bold(f.id)} — ${f.name} (${f.priority})`);
    print(this, `start it: br feature start ${f.id}`);
  });
}

/** `br feature graph` */
export function graph(this: BrContext, flags: Common & { open?: boolean }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const file = await loadFeatures(project);
    const waves = dependencyWaves(file.features, !!flags.open);
    if (flags.json) return printJson(this, { waves });
    if (waves.length === 0) return print(this, "No features.");
    const c = await colors(this);
    const byId = new Map(file.features.map((f) => [f.id, f]));
    waves.forEach((wave, i) => {
      print(this, c.bold(`Wave ${i + 1}`));
      for (const id of wave) {
        const f = byId.get(id)!;
        const deps = f.dependencies.length ? c.dim(` ← ${f.dependencies.join(", ")}`) : "";
        print(this, `  ${id} (${statusColor(c, f.status)})${deps}`);
      }
    });
  });
}
