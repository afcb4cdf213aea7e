import { BrError } from "../core/errors.ts";
import { exists, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { idProblem, PRIORITIES, slugify } from "../features/mod.ts";
import {
  DEFAULT_DETECTION_THRESHOLD,
  detectIndustry,
  detectUseCase,
  isIndustry,
  isUseCase,
  type KindDetection,
} from "./detect.ts";
import { parseSpec } from "./parse.ts";
import { assertSpecWritable, problemLine, readSpec, specLabel } from "./store.ts";
import { validateSpec } from "./validate.ts";
import { renderSpec, type SpecFeatureInput } from "./write.ts";

/** One feature of the wizard's answers. */
export interface WizardFeature {
  /** Name (required). */
  name: string;
  /** Id (default: slug of the name). */
  id?: string;
  /** Description. */
  description?: string;
  /** Priority (default medium). */
  priority?: string;
  /** Acceptance criteria (at least one). */
  acceptance: string[];
  /** Ids (or names) of features it depends on. */
  depends_on?: string[];
}

/** The wizard's answers (the `--answers` YAML file and the flags have the same fields). */
export interface WizardAnswers {
  /** Project name. */
  name?: string;
  /** What it is. */
  description?: string;
  /** Who uses it. */
  users?: string[];
  /** Industry; omitted: detected from the description. */
  industry?: string;
  /** Use case; omitted: detected from the description. */
  use_case?: string;
  /** Stack items. */
  stack?: string[];
  /** Features. */
  features?: WizardFeature[];
}

/** The keys of an answers file. */
const ANSWER_KEYS = [
  "name",
  "description",
  "users",
  "industry",
  "use_case",
  "stack",
  "features",
] as const satisfies readonly (keyof WizardAnswers)[];

/** The keys of one feature of an answers file (`dependencies` is read as `depends_on`). */
const FEATURE_KEYS = [
  "name",
  "id",
  "description",
  "priority",
  "acceptance",
  "depends_on",
  "dependencies",
] as const;

/**
 * The key of an answers file that gives what a flag gives (`--feature` -> `features`).
 */
export function answerKey(flag: string): string {
  return flag === "--feature" ? "features" : flag.slice(2);
}

/**
 * Parses an answers file (YAML or JSON).
 *
 * @throws {BrError} `invalid_data` naming the field that is wrong, or a key it does not know.
 */
export async function parseAnswers(text: string, file: string): Promise<WizardAnswers> {
  const { parse } = await import("yaml");
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new BrError(
      "invalid_data",
      `Cannot parse ${file}: ${(err as Error).message.split("\n")[0]}`,
      {
        hint: "fix the YAML; nothing was written",
      },
    );
  }
  if (data === null || data === undefined) data = {};
  const bad = (field: string, what: string): never => {
    throw new BrError("invalid_data", `${file}: "${field}" ${what}`, {
      hint: "see docs/spec.md for the answers format; nothing was written",
    });
  };
  if (typeof data !== "object" || Array.isArray(data)) bad("(root)", "must be a mapping");
  const d = data as Record<string, unknown>;
  // A misspelt key would be dropped silently and its answer asked for again or lost.
  const known = (r: Record<string, unknown>, keys: readonly string[], at: string) => {
    const extra = Object.keys(r).find((k) => !keys.includes(k));
    if (extra === undefined) return;
    throw new BrError("invalid_data", `${file}: unknown key "${at}${extra}"`, {
      hint: `use only ${keys.map((k) => `"${k}"`).join(", ")}${
        at ? ` in ${at.slice(0, -1)}` : ""
      }; nothing was written`,
    });
  };
  known(d, ANSWER_KEYS, "");
  const str = (v: unknown, field: string): string | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" && typeof v !== "number") bad(field, "must be text");
    return String(v);
  };
  const strs = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v.split(",").map((s) => s.trim()).filter(Boolean);
    if (!Array.isArray(v)) bad(field, "must be a list");
    return (v as unknown[]).map((x, i) => str(x, `${field}[${i}]`) ?? "").filter(Boolean);
  };
  let features: WizardFeature[] | undefined;
  if (d.features !== undefined && d.features !== null) {
    if (!Array.isArray(d.features)) bad("features", "must be a list");
    features = (d.features as unknown[]).map((raw, i) => {
      const at = `features[${i}]`;
      if (typeof raw === "string") return { name: raw, acceptance: [] };
      if (!raw || typeof raw !== "object" || Array.isArray(raw)) bad(at, "must be a mapping");
      const r = raw as Record<string, unknown>;
      known(r, FEATURE_KEYS, `${at}.`);
      const name = str(r.name, `${at}.name`);
      if (!name?.trim()) bad(`${at}.name`, "is missing: every feature needs a name");
      return {
        name: name!.trim(),
        id: str(r.id, `${at}.id`),
        description: str(r.description, `${at}.description`),
        priority: str(r.priority, `${at}.priority`),
        acceptance: strs(r.acceptance, `${at}.acceptance`) ?? [],
        depends_on: strs(r.depends_on ?? r.dependencies, `${at}.depends_on`),
      };
    });
  }
  return {
    name: str(d.name, "name"),
    description: str(d.description, "description"),
    users: strs(d.users, "users"),
    industry: str(d.industry, "industry"),
    use_case: str(d.use_case, "use_case"),
    stack: strs(d.stack, "stack"),
    features,
  };
}

/**
 * Parses a `--feature` flag value: `Name: criterion; criterion` (priority after a `!`:
 * `Name!high: ...`).
 */
export function parseFeatureFlag(raw: string): WizardFeature {
  const colon = raw.indexOf(":");
  let head = (colon < 0 ? raw : raw.slice(0, colon)).trim();
  const rest = colon < 0 ? "" : raw.slice(colon + 1);
  let priority: string | undefined;
  const bang = head.lastIndexOf("!");
  if (bang > 0) {
    priority = head.slice(bang + 1).trim();
    head = head.slice(0, bang).trim();
  }
  return {
    name: head,
    priority,
    acceptance: rest.split(";").map((s) => s.trim()).filter(Boolean),
  };
}

/** The first required answer that is missing, as the flag that provides it, or null. */
export function missingAnswer(a: WizardAnswers): string | null {
  if (!a.name?.trim()) return "--name";
  if (!a.description?.trim()) return "--description";
  if (!a.features?.length) return "--feature";
  return null;
}

/** What the wizard wrote. */
export interface WizardResult {
  /** The spec path (relative). */
  path: string;
  /** Industry chosen, with how it was decided. */
  industry: KindDetection & { source: "answer" | "detected" };
  /** Use case chosen, with how it was decided. */
  use_case: KindDetection & { source: "answer" | "detected" };
  /** Ids of the features written. */
  features: string[];
  /** True when an existing spec was replaced. */
  replaced: boolean;
}

/** Options of {@link writeWizardSpec}. */
export interface WizardOptions {
  /** Replace an existing spec (never a locked one). */
  force?: boolean;
  /** KindDetection threshold (default: config `spec.detection_threshold`). */
  threshold?: number;
}

function choose(
  given: string | undefined,
  detected: KindDetection,
  known: (n: string) => boolean,
  field: string,
): KindDetection & { source: "answer" | "detected" } {
  if (given === undefined || given === "") return { ...detected, source: "detected" };
  const v = given.trim().toLowerCase().replace(/[\s_]+/g, "-");
  if (v !== "unknown" && !known(v)) {
    throw new BrError("invalid_data", `Unknown ${field} "${given}"`, {
      hint: `leave it out to detect it from the description, or use "unknown"`,
    });
  }
  return {
    value: v,
    confidence: 1,
    matched: [],
    candidates: detected.candidates,
    source: "answer",
  };
}

/**
 * Turns answers into a spec text that passes validation.
 *
 * @throws {BrError} `usage` for a missing answer; `invalid_data` for answers that would
 * make an invalid spec (bad priority or id, duplicate ids, unknown dependencies, cycles).
 */
export async function specFromAnswers(
  answers: WizardAnswers,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): Promise<{ text: string; result: Omit<WizardResult, "path" | "replaced"> }> {
  const missing = missingAnswer(answers);
  if (missing) {
    throw new BrError("usage", `Missing answer ${answerKey(missing)}`, {
      hint: `pass ${missing} or put "${answerKey(missing)}" in --answers`,
    });
  }
  const description = answers.description!.trim();
  const industry = choose(
    answers.industry,
    detectIndustry(description, threshold),
    isIndustry,
    "industry",
  );
  const useCase = choose(
    answers.use_case,
    detectUseCase(description, threshold),
    isUseCase,
    "use case",
  );
  const ids = new Map<string, string>(); // name slug or id -> id
  const features: SpecFeatureInput[] = answers.features!.map((f) => {
    const id = f.id?.trim() || slugify(f.name);
    const bad = idProblem(id);
    if (!id || bad) {
      throw new BrError(
        "invalid_data",
        `Feature "${f.name}" has an invalid id "${id}": ${bad ?? "empty"}`,
        {
          hint: "give it an id; nothing was written",
        },
      );
    }
    const priority = (f.priority ?? "medium").trim().toLowerCase();
    if (!(PRIORITIES as readonly string[]).includes(priority)) {
      throw new BrError(
        "invalid_data",
        `Feature "${f.name}" has unknown priority "${f.priority}"`,
        {
          hint: `use one of: ${PRIORITIES.join(", ")}`,
        },
      );
    }
    ids.set(id, id);
    ids.set(slugify(f.name), id);
    return {
      id,
      name: f.name.trim(),
      description: f.description?.trim() ?? "",
      priority,
      depends_on: f.depends_on ?? [],
      acceptance: f.acceptance.map((a) => a.trim()).filter(Boolean),
    };
  });
  for (const f of features) {
    f.depends_on = f.depends_on.map((d) => ids.get(d) ?? ids.get(slugify(d)) ?? d);
  }
  const note = (d: KindDetection & { source: string }) =>
    d.source === "answer"
      ? "given"
      : `detected, confidence ${d.confidence}${
        d.matched.length ? `: ${d.matched.join(", ")}` : ""
      }`;
  const text = await renderSpec({
    name: answers.name!.trim(),
    description,
    users: answers.users ?? [],
    industry: industry.value,
    use_case: useCase.value,
    stack: answers.stack ?? [],
    features,
    industry_note: note(industry),
    use_case_note: note(useCase),
  });
  const problems = validateSpec(await parseSpec(text));
  if (problems.length) {
    throw new BrError(
      "invalid_data",
      `The answers make an invalid spec: ${
        problems.slice(0, 3).map((p) => problemLine("PROJECT_SPEC.md", p)).join("; ")
      }`,
      { hint: "fix the answers; nothing was written" },
    );
  }
  return { text, result: { industry, use_case: useCase, features: features.map((f) => f.id) } };
}

/**
 * Writes `PROJECT_SPEC.md` from the wizard's answers.
 *
 * @throws {BrError} `conflict` when a spec exists (without `force`) or is locked, plus the
 * errors of {@link specFromAnswers}.
 */
export async function writeWizardSpec(
  project: Project,
  answers: WizardAnswers,
  options: WizardOptions = {},
): Promise<WizardResult> {
  await import("./config.ts");
  const threshold = options.threshold ??
    (await project.config()).get<number>("spec.detection_threshold") ?? DEFAULT_DETECTION_THRESHOLD;
  const { text, result } = await specFromAnswers(answers, threshold);
  return project.withLock(async () => {
    const replaced = await exists(project.paths.spec);
    if (replaced) {
      const current = await readSpec(project).catch(() => null);
      if (current) assertSpecWritable(project, current, "replace the spec");
      if (!options.force) {
        throw new BrError("conflict", `${specLabel(project)} already exists`, {
          hint: 'pass --force to replace it, or edit it and run "br spec sync"',
        });
      }
    }
    await writeFileAtomic(project.paths.spec, text, { linksWithin: project.root });
    project.bus.emit("spec.validated", { added: result.features, problems: [] });
    return { ...result, path: specLabel(project), replaced };
  });
}

/** The detection threshold configured for the project (`spec.detection_threshold`). */
export async function detectionThreshold(project: Project): Promise<number> {
  await import("./config.ts");
  return (await project.config()).get<number>("spec.detection_threshold") ??
    DEFAULT_DETECTION_THRESHOLD;
}
