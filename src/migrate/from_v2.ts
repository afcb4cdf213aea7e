import { basename, join, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import type { Clock } from "../core/project.ts";
import {
  emptyFeaturesFile,
  type Feature,
  type FeaturePriority,
  type FeaturesFile,
  type FeatureStatus,
  slugify,
} from "../features/mod.ts";
import {
  applyMigration,
  type MigrationOutcome,
  type MigrationWrite,
  readRecord,
} from "./record.ts";

/** One feature a migration creates, as the plan shows it. */
export interface PlannedFeature {
  /** The new id. */
  id: string;
  /** Its name. */
  name: string;
  /** Its v3 status. */
  status: FeatureStatus;
  /** Its priority. */
  priority: FeaturePriority;
  /** Ids it depends on. */
  dependencies: string[];
  /** Where it came from (`hrpo.features[1]`, `build_plan.phases[0].steps[1]`, ...). */
  source: string;
}

/** What `br migrate from-v2` does (or did). */
export interface V2Plan {
  /** The project root. */
  root: string;
  /** The project name. */
  project: string;
  /** The project description (HRPO executive summary). */
  description: string;
  /** The features created, in file order. */
  features: PlannedFeature[];
  /** Files written, relative to the root, with what happens to each. */
  files: { path: string; action: "create" | "update" | "keep" }[];
  /** Governance data carried over (policies, semver, stages, defaults). */
  governance: Record<string, unknown>;
  /** What BuildRunner 2 recorded that does not add up (never fatal). */
  warnings: string[];
  /** True when the folder is in a git repository (the migration is committed and tagged). */
  git: boolean;
  /** The tag of the migration commit (null outside git). */
  tag: string | null;
}

/** Options of {@link migrateFromV2}. */
export interface FromV2Options {
  /** Print the plan and write nothing. */
  dryRun?: boolean;
  /** Migrate even with uncommitted changes. */
  force?: boolean;
  /** Clock (tests). */
  clock?: Clock;
}

/** The tag of a BuildRunner 2 migration commit. */
export const V2_TAG = "br-migrate-v2";

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads one `.runner/` JSON file (null when missing). */
async function readRunnerJson(root: string, name: string): Promise<Json | null> {
  const label = `.runner/${name}`;
  const text = await readOwnTextOrNull(join(root, ".runner", name), `"${label}"`);
  if (text === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new BrError("invalid_data", `Cannot parse ${label}: ${(err as Error).message}`, {
      hint: "fix the JSON in .runner/ first; nothing was written",
    });
  }
  if (!isObj(data)) corrupt(label, "(top level)", "an object");
  return data as Json;
}

function corrupt(file: string, field: string, want: string): never {
  throw new BrError("invalid_data", `Invalid ${file}: "${field}" must be ${want}`, {
    hint: "fix the field in .runner/ first; nothing was written",
  });
}

const STATUS_V2: Record<string, FeatureStatus> = {
  planned: "planned",
  pending: "planned",
  todo: "planned",
  "not-started": "planned",
  "in-progress": "in_progress",
  in_progress: "in_progress",
  active: "in_progress",
  testing: "testing",
  review: "testing",
  complete: "complete",
  completed: "complete",
  done: "complete",
  blocked: "blocked",
};

const PRIORITY_V2: Record<string, FeaturePriority> = {
  p0: "critical",
  critical: "critical",
  p1: "high",
  high: "high",
  p2: "medium",
  medium: "medium",
  p3: "low",
  low: "low",
};

/** The parsed `.runner/` and the v3 data it becomes. */
interface Converted {
  plan: V2Plan;
  features: FeaturesFile;
  hrpo: Json;
  extra: Json;
}

/**
 * Reads and checks `.runner/` and builds everything the migration writes.
 *
 * @throws {BrError} `not_found` without `.runner/`, `invalid_data` when a file is corrupt.
 */
async function convert(root: string, now: Date): Promise<Converted> {
  const info = await Deno.lstat(join(root, ".runner")).catch(() => null);
  if (!info) {
    throw new BrError("not_found", `Cannot find ".runner/" in "${root}"`, {
      hint: "pass the folder of a BuildRunner 2 project (the one holding .runner/)",
    });
  }
  if (!info.isDirectory) {
    throw new BrError("invalid_data", `Cannot migrate: ".runner" in "${root}" is not a folder`, {
      hint: "a BuildRunner 2 project keeps its data in the folder .runner/",
    });
  }
  const hrpo = await readRunnerJson(root, "hrpo.json");
  if (!hrpo) {
    throw new BrError("invalid_data", `Cannot migrate: ".runner/hrpo.json" is missing`, {
      hint: "restore .runner/hrpo.json (BuildRunner 2 keeps the project's plan there)",
    });
  }
  const gov = await readRunnerJson(root, "governance.json") ?? {};
  const config = await readRunnerJson(root, "config.json");
  const supabase = await readRunnerJson(root, "supabase.json");
  const H = ".runner/hrpo.json";
  const G = ".runner/governance.json";
  const str = (file: string, v: unknown, field: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") corrupt(file, field, "a string");
    return v as string;
  };
  const project = isObj(gov.project) ? gov.project : gov.project === undefined ? {} : corrupt(
    G,
    "project",
    "an object",
  );
  const name = str(G, (project as Json).name, "project.name") ?? basename(root);
  for (const key of ["policies", "versioning", "stages", "defaults"]) {
    if (gov[key] !== undefined && !isObj(gov[key])) corrupt(G, key, "an object");
  }
  const summary = str(H, hrpo.executive_summary, "executive_summary") ?? "";
  const value = str(H, hrpo.value_proposition, "value_proposition") ?? "";
  const audience = str(H, hrpo.intended_audience, "intended_audience") ?? "";

  const file = emptyFeaturesFile(name, now);
  file.description = summary;
  const stamp = now.toISOString();
  const planned: PlannedFeature[] = [];
  const taken = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = base || "feature";
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  };
  const add = (
    fields: Partial<Feature> & Pick<Feature, "id" | "name" | "status" | "priority">,
    source: string,
  ) => {
    const f: Feature = {
      description: "",
      version: file.version,
      dependencies: [],
      acceptance: [],
      files: [],
      tags: [],
      owner: null,
      week: null,
      build: null,
      blocked_reason: fields.status === "blocked" ? "blocked in BuildRunner 2" : null,
      created_at: stamp,
      updated_at: stamp,
      completed_at: fields.status === "complete" ? stamp : null,
      ...fields,
    };
    file.features.push(f);
    planned.push({
      id: f.id,
      name: f.name,
      status: f.status,
      priority: f.priority,
      dependencies: f.dependencies,
      source,
    });
  };
  const warnings: string[] = [];

  if (hrpo.features !== undefined && !Array.isArray(hrpo.features)) {
    corrupt(H, "features", "a list");
  }
  ((hrpo.features ?? []) as unknown[]).forEach((raw, i) => {
    const field = `features[${i}]`;
    if (typeof raw === "string") {
      if (!raw.trim()) corrupt(H, field, "a non-empty name");
      add({
        id: uniqueId(slugify(raw)),
        name: oneLine(raw),
        status: "planned",
        priority: "medium",
        tags: ["hrpo"],
      }, `hrpo.${field}`);
      return;
    }
    if (!isObj(raw)) corrupt(H, field, "a name or an object with a name");
    const fname = str(H, raw.name ?? raw.title, `${field}.name`);
    if (!fname?.trim()) corrupt(H, `${field}.name`, "a non-empty string");
    const rawStatus = str(H, raw.status, `${field}.status`);
    const status = rawStatus === undefined ? "planned" : STATUS_V2[rawStatus.toLowerCase()];
    if (!status) {
      warnings.push(`hrpo.${field}: unknown status "${rawStatus}" read as planned`);
    }
    const rawPriority = str(H, raw.priority, `${field}.priority`);
    const priority = rawPriority === undefined ? "medium" : PRIORITY_V2[rawPriority.toLowerCase()];
    if (!priority) {
      warnings.push(`hrpo.${field}: unknown priority "${rawPriority}" read as medium`);
    }
    const { name: _n, title: _t, description, status: _s, priority: _p, ...rest } = raw;
    add({
      id: uniqueId(slugify(fname!)),
      name: oneLine(fname!),
      description: str(H, description, `${field}.description`) ?? "",
      status: status ?? "planned",
      priority: priority ?? "medium",
      tags: ["hrpo"],
      ...(Object.keys(rest).length ? { buildrunner2: rest } : {}),
    }, `hrpo.${field}`);
  });

  const plan = hrpo.build_plan;
  if (plan !== undefined && !isObj(plan)) corrupt(H, "build_plan", "an object");
  const phases = (plan as Json | undefined)?.phases ?? [];
  if (!Array.isArray(phases)) corrupt(H, "build_plan.phases", "a list");
  let stepsTotal = 0;
  let stepsDone = 0;
  (phases as unknown[]).forEach((phase, p) => {
    const pf = `build_plan.phases[${p}]`;
    if (!isObj(phase)) corrupt(H, pf, "an object");
    const phaseName = str(H, phase.name, `${pf}.name`) ?? `Phase ${p + 1}`;
    if (!Array.isArray(phase.steps ?? [])) corrupt(H, `${pf}.steps`, "a list");
    let previous: string | null = null;
    ((phase.steps ?? []) as unknown[]).forEach((step, s) => {
      const sf = `${pf}.steps[${s}]`;
      if (!isObj(step)) corrupt(H, sf, "an object");
      const sname = str(H, step.name, `${sf}.name`);
      if (!sname?.trim()) corrupt(H, `${sf}.name`, "a non-empty string");
      if (step.done !== undefined && typeof step.done !== "boolean") {
        corrupt(H, `${sf}.done`, "true or false");
      }
      const rawId = step.id === undefined ? `${p + 1}.${s + 1}` : String(step.id);
      const id = uniqueId(`step-${rawId.toLowerCase().replace(/[^a-z0-9.]+/g, "-")}`);
      stepsTotal++;
      if (step.done === true) stepsDone++;
      add({
        id,
        name: oneLine(sname!),
        status: step.done === true ? "complete" : "planned",
        priority: "medium",
        dependencies: previous ? [previous] : [],
        tags: ["build-plan", slugify(phaseName) || `phase-${p + 1}`],
        build: oneLine(phaseName),
      }, `hrpo.${sf}`);
      previous = id;
    });
  });

  if (hrpo.next_version_features !== undefined && !Array.isArray(hrpo.next_version_features)) {
    corrupt(H, "next_version_features", "a list");
  }
  ((hrpo.next_version_features ?? []) as unknown[]).forEach((raw, i) => {
    const field = `next_version_features[${i}]`;
    const nname = typeof raw === "string" ? raw : isObj(raw) ? raw.name : undefined;
    if (typeof nname !== "string" || !nname.trim()) corrupt(H, field, "a name");
    add({
      id: uniqueId(slugify(nname as string)),
      name: oneLine(nname as string),
      description: isObj(raw) && typeof raw.description === "string" ? raw.description : "",
      status: "planned",
      priority: "low",
      tags: ["next-version"],
    }, `hrpo.${field}`);
  });

  const progress = hrpo.progress;
  if (progress !== undefined && !isObj(progress)) corrupt(H, "progress", "an object");
  if (isObj(progress)) {
    if (
      typeof progress.steps_completed === "number" && progress.steps_completed !== stepsDone
    ) {
      warnings.push(
        `hrpo.progress.steps_completed is ${progress.steps_completed}, the build plan has ${stepsDone} done steps (the steps count)`,
      );
    }
    if (typeof progress.total_steps === "number" && progress.total_steps !== stepsTotal) {
      warnings.push(
        `hrpo.progress.total_steps is ${progress.total_steps}, the build plan has ${stepsTotal} steps (the steps count)`,
      );
    }
  }

  const governance: Json = {};
  for (const key of ["project", "policies", "versioning", "stages", "defaults"]) {
    if (gov[key] !== undefined) governance[key] = gov[key];
  }
  const extra: Json = {
    value_proposition: value || undefined,
    intended_audience: audience || undefined,
    config: config ?? undefined,
    supabase: supabase ?? undefined,
  };
  return {
    plan: {
      root,
      project: name,
      description: summary,
      features: planned,
      files: [],
      governance,
      warnings,
      git: false,
      tag: null,
    },
    features: file,
    hrpo,
    extra,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Migrates the BuildRunner 2 project at `dir` (`.runner/`) to a `.buildrunner/` every `br`
 * command accepts: features with v3 statuses (HRPO features, build-plan steps, next-version
 * items), the HRPO summary as the project description and the Overview of a new
 * PROJECT_SPEC.md, governance.json's policies, semver rules and stages kept in a
 * governance.yaml that validates, with its checksum. `.runner/` stays as it is and is backed
 * up with everything else the migration changes; in a git repository the migration is
 * committed and tagged. `dryRun` returns the plan and writes nothing.
 *
 * @throws {BrError} `not_found` without `.runner/`, `invalid_data` for a corrupt file,
 * `conflict` for a dirty tree (without `force`) or a project already migrated.
 */
export async function migrateFromV2(
  dir: string,
  options: FromV2Options = {},
): Promise<MigrationOutcome<V2Plan>> {
  const root = resolve(dir);
  const now = (options.clock ?? { now: () => new Date() }).now();
  const { plan, features, extra } = await convert(root, now);
  const current = await readOwnTextOrNull(
    join(root, ".buildrunner", "features.json"),
    '".buildrunner/features.json"',
  );
  // A migrated project is refused for that reason, by applyMigration.
  if (current !== null && !(await readRecord(root))) {
    const { parseFeaturesText } = await import("../features/mod.ts");
    const existing = await parseFeaturesText(current, ".buildrunner/features.json");
    if (existing.features.length > 0) {
      throw new BrError(
        "conflict",
        `Cannot migrate "${root}": .buildrunner/features.json already holds ${existing.features.length} features`,
        {
          hint:
            "from-v2 fills an empty project; move those features aside first (nothing was written)",
        },
      );
    }
  }
  const { DEFAULT_GOVERNANCE_YAML } = await import("../quality/mod.ts");
  const { dump } = await import("js-yaml");
  const carried = Object.keys(plan.governance).length
    ? '\n# Carried over from BuildRunner 2 (.runner/governance.json) by "br migrate from-v2".\n' +
      "# Kept for reference: br does not enforce these keys.\n" +
      dump({ buildrunner2: plan.governance }, { lineWidth: -1, noRefs: true })
    : "";
  const governanceYaml = DEFAULT_GOVERNANCE_YAML + carried;
  const { renderSpec } = await import("../spec/write.ts");
  const overview = [plan.description, extra.value_proposition as string | undefined]
    .filter((s): s is string => !!s).join("\n\n");
  const spec = await renderSpec({
    name: plan.project,
    description: overview || "_Not described in BuildRunner 2._",
    users: extra.intended_audience ? [extra.intended_audience as string] : [],
    industry: "unknown",
    use_case: "unknown",
    stack: [],
    features: features.features.map((f) => ({
      id: f.id,
      name: f.name,
      description: f.description,
      priority: f.priority,
      depends_on: f.dependencies,
      acceptance: f.acceptance,
    })),
  });
  const writes: MigrationWrite[] = [
    { path: ".buildrunner/features.json", features },
    { path: ".buildrunner/governance.yaml", text: governanceYaml },
    { path: "PROJECT_SPEC.md", text: spec, keepExisting: true },
  ];
  return applyMigration(root, {
    kind: "buildrunner2",
    source: ".runner",
    tag: V2_TAG,
    message: `Migrate from BuildRunner 2 (${features.features.length} features)`,
    plan,
    writes,
    extra: {
      buildrunner2: Object.fromEntries(
        Object.entries(extra).filter(([, v]) => v !== undefined),
      ),
    },
    projectName: plan.project,
    dryRun: !!options.dryRun,
    force: !!options.force,
    now,
    clock: options.clock,
  });
}
