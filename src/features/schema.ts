/**
 * The zod schema of `features.json`: used on every write, and on reads whenever the quick
 * structural check finds something wrong, so that the error names the exact field.
 */
import { z } from "zod";
import { PARKED, PRIORITIES, STATUSES } from "./types.ts";
import { ID_RULE, idProblem } from "./ids.ts";
import { ONE_LINE } from "../core/text.ts";

/**
 * Size limits of a feature's fields, the same for the CLI, the library and MCP (whose tool
 * schemas carry them as `maxLength`/`maxItems`). Lengths count UTF-16 code units, as
 * JavaScript and JSON Schema do.
 */
export const FEATURE_LIMITS = {
  /** Characters of an id (ids name git branches). */
  id: 100,
  /** Characters of a name. */
  name: 200,
  /** Characters of a description. */
  description: 10_000,
  /** Characters of one list item (criterion, glob, tag, dependency) and of short texts. */
  text: 1_000,
  /** Items of a list (dependencies, acceptance, files, tags). */
  items: 200,
} as const;

/** A one-line text of at most `max` characters. */
function line(what: string, max: number) {
  return z.string()
    .max(max, `${what} has at most ${max} characters`)
    .regex(ONE_LINE, `${what} is one line (no line breaks, tabs or control characters)`);
}

/** Text (line breaks allowed) of at most `max` characters. */
function text(what: string, max: number) {
  return z.string().max(max, `${what} has at most ${max} characters`);
}

/** A list of at most {@link FEATURE_LIMITS.items} items. */
function list<T extends z.ZodType>(what: string, item: T) {
  return z.array(item).max(
    FEATURE_LIMITS.items,
    `${what} have at most ${FEATURE_LIMITS.items} items`,
  );
}

/**
 * The field schemas of a feature, shared by {@link FeatureSchema} and the MCP tool inputs.
 * Names, tags, owners, versions, builds, file globs and dependencies are one line; a
 * description, a blocked reason and an acceptance criterion may span lines.
 */
export const FeatureFields = {
  id: z.string().max(FEATURE_LIMITS.id, `an id has at most ${FEATURE_LIMITS.id} characters`)
    .refine((id) => idProblem(id) === null, { message: ID_RULE }),
  name: line("a name", FEATURE_LIMITS.name).min(1, "a feature needs a name"),
  description: text("a description", FEATURE_LIMITS.description),
  version: line("a version", 100),
  dependencies: list("dependencies", line("a dependency", FEATURE_LIMITS.id)),
  acceptance: list("acceptance criteria", text("a criterion", FEATURE_LIMITS.text)),
  files: list("files", line("a file glob", FEATURE_LIMITS.text)),
  tags: list("tags", line("a tag", 100)),
  owner: line("an owner", FEATURE_LIMITS.name),
  build: line("a build", 100),
  blocked_reason: text("a blocked reason", FEATURE_LIMITS.text),
};

/** Schema of one feature (unknown fields allowed). */
export const FeatureSchema = z.looseObject({
  id: FeatureFields.id,
  name: FeatureFields.name,
  description: FeatureFields.description.optional(),
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  version: FeatureFields.version.optional(),
  dependencies: FeatureFields.dependencies.optional(),
  acceptance: FeatureFields.acceptance.optional(),
  files: FeatureFields.files.optional(),
  tags: FeatureFields.tags.optional(),
  owner: FeatureFields.owner.nullable().optional(),
  week: z.number().int().nullable().optional(),
  build: z.union([FeatureFields.build, z.number()]).nullable().optional(),
  blocked_reason: FeatureFields.blocked_reason.nullable().optional(),
  created_at: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
  completed_at: z.string().nullable().optional(),
  parked: z.enum(PARKED).nullable().optional(),
});

/** Schema of the whole file (unknown fields allowed). */
export const FeaturesFileSchema = z.looseObject({
  project: z.string().optional(),
  version: z.string().optional(),
  status: z.string().optional(),
  description: z.string().optional(),
  last_updated: z.string().nullable().optional(),
  features: z.array(FeatureSchema),
  metrics: z.record(z.string(), z.unknown()).optional(),
}).superRefine((data, ctx) => {
  const seen = new Map<string, number>();
  data.features.forEach((f, i) => {
    const first = seen.get(f.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["features", i, "id"],
        message: `duplicate id "${f.id}" (also features[${first}])`,
      });
    } else seen.set(f.id, i);
  });
});

/** The first problem zod finds, as `path: message`, or null when the data is valid. */
export function schemaProblem(data: unknown): string | null {
  const result = FeaturesFileSchema.safeParse(data);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`)
    .join("").replace(/^\./, "");
  let where = path || "(root)";
  const m = path.match(/^features\[(\d+)\]/);
  if (m) {
    const f = (data as { features: { id?: unknown }[] }).features[Number(m[1])];
    if (f && typeof f.id === "string") where += ` (feature "${f.id}")`;
  }
  let value = "";
  if (
    issue.code === "invalid_value" || issue.code === "custom" ||
    (issue.code === "invalid_format" && issue.format === "regex")
  ) {
    const v = getAt(data, issue.path);
    if (typeof v === "string") value = ` (got ${shown(v)})`;
  }
  return `${where}: ${issue.message}${value}`;
}

/**
 * The problem of the given fields of a feature (`name`, `tags`, ...) as `field: message`, or
 * null when they are valid: input is checked before it is applied, with the limits of
 * {@link FEATURE_LIMITS}.
 */
export function featureFieldsProblem(fields: Record<string, unknown>): string | null {
  const shape = FeatureSchema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || !(key in shape)) continue;
    const result = shape[key].safeParse(value);
    if (result.success) continue;
    const issue = result.error.issues[0];
    const path = [key, ...issue.path].map((p, i) =>
      typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`
    ).join("");
    const v = getAt(value, issue.path);
    const got = typeof v === "string" && issue.code !== "too_big" ? ` (got ${shown(v)})` : "";
    return `${path}: ${issue.message}${got}`;
  }
  return null;
}

/** A value quoted for a one-line message: escaped (JSON) and cut after 60 characters. */
function shown(v: string): string {
  return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
}

function getAt(data: unknown, path: PropertyKey[]): unknown {
  let node = data;
  for (const p of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node;
}
