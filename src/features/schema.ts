/**
 * The zod schemas of `features.json`, built from the field table of `fields.ts`: the write
 * schema (shape and limits) checks every write; the read schema (shape) names the field
 * whenever the quick check of a read (built from the same table) finds something wrong.
 */
import { z } from "zod";
import { PARKED } from "./types.ts";
import { ID_RULE, idProblem } from "./ids.ts";
import {
  FEATURE_FIELDS,
  FEATURE_LIMITS,
  type FieldRule,
  type FieldSpec,
  FILE_FIELDS,
  type LineRule,
  type ListRule,
  type TextRule,
} from "./fields.ts";
import { ONE_LINE } from "../core/text.ts";

export { FEATURE_LIMITS } from "./fields.ts";

/** The zod schema of a line rule. */
function line(rule: LineRule): z.ZodString {
  const t = z.string()
    .max(rule.max, `${rule.what} has at most ${rule.max} characters`)
    .regex(ONE_LINE, `${rule.what} is one line (no line breaks, tabs or control characters)`);
  return rule.nonEmpty ? t.min(1, rule.nonEmpty) : t;
}

/** The zod schema of a text rule. */
function text(rule: TextRule): z.ZodString {
  return z.string().max(rule.max, `${rule.what} has at most ${rule.max} characters`);
}

/** The zod schema of a list rule. */
function list(rule: ListRule): z.ZodArray<z.ZodString> {
  const item = rule.item.type === "line" ? line(rule.item) : text(rule.item);
  return z.array(item).max(
    FEATURE_LIMITS.items,
    `${rule.what} have at most ${FEATURE_LIMITS.items} items`,
  );
}

/**
 * The zod schema of a rule of the field table: with `limits`, as a write requires it; without,
 * its shape only, as a read requires it (see `fields.ts`).
 */
function ruleSchema(rule: FieldRule, limits: boolean): z.ZodType {
  switch (rule.type) {
    case "id":
      return limits ? FeatureFields.id : z.string().refine((id) => idProblem(id) === null, {
        message: ID_RULE,
      });
    case "line":
      return limits ? line(rule) : rule.nonEmpty ? z.string().min(1, rule.nonEmpty) : z.string();
    case "text":
      return limits ? text(rule) : z.string();
    case "list":
      return limits ? list(rule) : z.array(z.string());
    case "enum":
      return z.enum(rule.values as [string, ...string[]]);
    case "int":
      return z.number().int();
    case "string":
      return z.string();
    case "record":
      return z.record(z.string(), z.unknown());
  }
}

/**
 * The schema of one field of the table. `loaded`: as br hands a feature out after reading it
 * (every field present; the nullable ones may be null), else as a file may hold it.
 */
function fieldSchema(spec: FieldSpec, limits: boolean, loaded: boolean): z.ZodType {
  let t = ruleSchema(spec.rule, limits);
  if (spec.orNumber) t = z.union([t, z.number()]);
  if (spec.nullable) t = t.nullable();
  return spec.required || loaded ? t : t.optional();
}

function shapeOf(
  fields: Record<string, FieldSpec>,
  limits: boolean,
  loaded = false,
): Record<string, z.ZodType> {
  return Object.fromEntries(
    Object.entries(fields).map(([key, spec]) => [key, fieldSchema(spec, limits, loaded)]),
  );
}

const F = FEATURE_FIELDS;

/**
 * The field schemas of a feature, built from {@link FEATURE_FIELDS} and shared by
 * {@link FeatureSchema} and the MCP tool inputs. Names, tags, owners, versions, builds, file
 * globs and dependencies are one line; a description, a blocked reason and an acceptance
 * criterion may span lines.
 */
export const FeatureFields = {
  id: z.string().max(FEATURE_LIMITS.id, `an id has at most ${FEATURE_LIMITS.id} characters`)
    .refine((id) => idProblem(id) === null, { message: ID_RULE }),
  name: line(F.name.rule),
  description: text(F.description.rule),
  version: line(F.version.rule),
  dependencies: list(F.dependencies.rule),
  acceptance: list(F.acceptance.rule),
  files: list(F.files.rule),
  tags: list(F.tags.rule),
  owner: line(F.owner.rule),
  build: line(F.build.rule),
  blocked_reason: text(F.blocked_reason.rule),
};

/** Schema of one feature as a write requires it: shape and limits (unknown fields allowed). */
export const FeatureSchema = z.looseObject({
  ...shapeOf(FEATURE_FIELDS, true),
  // Why a planned feature is set aside (Task Master's deferred and cancelled): an optional
  // field of br's own, outside the BuildRunner 3.1 shape of the table.
  parked: z.enum(PARKED).nullable().optional(),
});

/**
 * One feature as br hands it out after reading: the shape of a read, every field present
 * (unknown ones kept).
 */
export const LoadedFeatureSchema = z.looseObject(shapeOf(FEATURE_FIELDS, false, true));

/** Ids must be unique in a file. */
function uniqueIds(data: { features: unknown[] }, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  data.features.forEach((feature, i) => {
    const f = feature as { id: string };
    const first = seen.get(f.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["features", i, "id"],
        message: `duplicate id "${f.id}" (also features[${first}])`,
      });
    } else seen.set(f.id, i);
  });
}

/** Schema of the whole file as a write requires it (unknown fields allowed). */
export const FeaturesFileSchema = z.looseObject({
  ...shapeOf(FILE_FIELDS, true),
  features: z.array(FeatureSchema),
}).superRefine(uniqueIds);

/**
 * Schema of the whole file as a read requires it: the shape without the limits, the verdict
 * of the quick check of `fields.ts` (unknown fields allowed).
 */
export const FeaturesFileShape = z.looseObject({
  ...shapeOf(FILE_FIELDS, false),
  features: z.array(z.looseObject(shapeOf(FEATURE_FIELDS, false))),
}).superRefine(uniqueIds);

/**
 * The first problem zod finds, as `path: message`, or null when the data is valid: under the
 * write schema, or with `schema` {@link FeaturesFileShape}, under the read schema.
 */
export function schemaProblem(
  data: unknown,
  schema: z.ZodType = FeaturesFileSchema,
): string | null {
  const result = schema.safeParse(data);
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
