/**
 * The one description of a feature's fields and of the features file's own fields: what type
 * each holds, its limits, whether it may be missing or null. Everything that checks a features
 * file is built from it, at one of two levels:
 *
 * - the shape (types, required and nullable fields, statuses, priorities, valid and unique
 *   ids, a non-empty name): what a read requires, so that no code meets a field of another
 *   type. {@link quickCheck} (which keeps zod off read-only commands), the read schema
 *   `FeaturesFileShape` of `schema.ts` and MCP's feature output check it;
 * - the shape and the limits (lengths, list sizes, one-line texts): what every write requires
 *   (`FeaturesFileSchema`). A file an older version or a hand edit left with a text over a
 *   limit still loads (its text is escaped wherever br renders it), and the next write names
 *   the field to fix.
 *
 * This module does not import zod.
 */
import { idProblem } from "./ids.ts";
import { PRIORITIES, STATUSES } from "./types.ts";

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
  /** Characters of a version, a tag or a build label. */
  label: 100,
} as const;

/** A feature id ({@link idProblem}). */
export interface IdRule {
  readonly type: "id";
}
/** One line of text (no line breaks, tabs or control characters), `what` names it in messages. */
export interface LineRule {
  readonly type: "line";
  readonly what: string;
  readonly max: number;
  /** The empty string is refused, with this message. */
  readonly nonEmpty?: string;
}
/** Text that may span lines. */
export interface TextRule {
  readonly type: "text";
  readonly what: string;
  readonly max: number;
}
/** A list of at most {@link FEATURE_LIMITS.items} lines or texts. */
export interface ListRule {
  readonly type: "list";
  readonly what: string;
  readonly item: LineRule | TextRule;
}
/** One of a fixed set of strings. */
export interface EnumRule {
  readonly type: "enum";
  readonly values: readonly string[];
}
/** A whole number. */
export interface IntRule {
  readonly type: "int";
}
/** Any string (times, free project fields). */
export interface StringRule {
  readonly type: "string";
}
/** A JSON object of any content. */
export interface RecordRule {
  readonly type: "record";
}
/** What one field holds. */
export type FieldRule =
  | IdRule
  | LineRule
  | TextRule
  | ListRule
  | EnumRule
  | IntRule
  | StringRule
  | RecordRule;

/** One field: its rule, and whether it may be missing, null or (older files) a number. */
export interface FieldSpec<R extends FieldRule = FieldRule> {
  readonly rule: R;
  /** The field must be present. */
  readonly required?: boolean;
  /** `null` is accepted. */
  readonly nullable?: boolean;
  /** A number is accepted too (BuildRunner 3.1 wrote numeric build labels). */
  readonly orNumber?: boolean;
}

function line(what: string, max: number, nonEmpty?: string): LineRule {
  return { type: "line", what, max, nonEmpty };
}
function text(what: string, max: number): TextRule {
  return { type: "text", what, max };
}
function list(what: string, item: LineRule | TextRule): ListRule {
  return { type: "list", what, item };
}

/** The fields of one feature; any other field is kept as it is. */
export const FEATURE_FIELDS = {
  id: { rule: { type: "id" }, required: true },
  name: { rule: line("a name", FEATURE_LIMITS.name, "a feature needs a name"), required: true },
  description: { rule: text("a description", FEATURE_LIMITS.description) },
  status: { rule: { type: "enum", values: STATUSES } },
  priority: { rule: { type: "enum", values: PRIORITIES } },
  version: { rule: line("a version", FEATURE_LIMITS.label) },
  dependencies: { rule: list("dependencies", line("a dependency", FEATURE_LIMITS.id)) },
  acceptance: { rule: list("acceptance criteria", text("a criterion", FEATURE_LIMITS.text)) },
  files: { rule: list("files", line("a file glob", FEATURE_LIMITS.text)) },
  tags: { rule: list("tags", line("a tag", FEATURE_LIMITS.label)) },
  owner: { rule: line("an owner", FEATURE_LIMITS.name), nullable: true },
  week: { rule: { type: "int" }, nullable: true },
  build: { rule: line("a build", FEATURE_LIMITS.label), nullable: true, orNumber: true },
  blocked_reason: { rule: text("a blocked reason", FEATURE_LIMITS.text), nullable: true },
  created_at: { rule: { type: "string" }, nullable: true },
  updated_at: { rule: { type: "string" }, nullable: true },
  completed_at: { rule: { type: "string" }, nullable: true },
} as const satisfies Record<string, FieldSpec>;

/** The fields of the features file itself, besides `features`; any other field is kept. */
export const FILE_FIELDS = {
  project: { rule: { type: "string" } },
  version: { rule: { type: "string" } },
  status: { rule: { type: "string" } },
  description: { rule: { type: "string" } },
  last_updated: { rule: { type: "string" }, nullable: true },
  metrics: { rule: { type: "record" } },
} as const satisfies Record<string, FieldSpec>;

/** A field spec flattened for {@link quickCheck}: one loop, no call per field. */
interface Flat {
  key: string;
  /** 0 id, 1 line, 2 text, 3 list, 5 enum, 6 int, 7 string, 8 record. */
  code: number;
  nonEmpty: boolean;
  values: readonly string[];
  required: boolean;
  nullable: boolean;
  orNumber: boolean;
}

const CODES = { id: 0, line: 1, text: 2, list: 3, enum: 5, int: 6, string: 7, record: 8 } as const;

function flatten(fields: Record<string, FieldSpec>): Flat[] {
  return Object.entries(fields).map(([key, spec]) => {
    const r = spec.rule;
    return {
      key,
      code: CODES[r.type],
      nonEmpty: r.type === "line" && !!r.nonEmpty,
      values: r.type === "enum" ? r.values : [],
      required: spec.required === true,
      nullable: spec.nullable === true,
      orNumber: spec.orNumber === true,
    };
  });
}

const FILE_FLAT = flatten(FILE_FIELDS);
const FEATURE_FLAT = flatten(FEATURE_FIELDS);

/** True when every field of `flat` has the shape the table says in `obj` (missing: `undefined`). */
function shapeAccepted(flat: Flat[], obj: Record<string, unknown>): boolean {
  for (let i = 0; i < flat.length; i++) {
    const f = flat[i];
    const v = obj[f.key];
    if (v === undefined) {
      if (f.required) return false;
      continue;
    }
    if (v === null) {
      if (!f.nullable) return false;
      continue;
    }
    if (f.orNumber && typeof v === "number" && Number.isFinite(v)) continue;
    switch (f.code) {
      case 0:
        if (typeof v !== "string" || idProblem(v) !== null) return false;
        break;
      case 1:
        if (typeof v !== "string" || (f.nonEmpty && v === "")) return false;
        break;
      case 3:
        if (!Array.isArray(v)) return false;
        for (let j = 0; j < v.length; j++) if (typeof v[j] !== "string") return false;
        break;
      case 5:
        if (typeof v !== "string" || !f.values.includes(v)) return false;
        break;
      case 6:
        if (!Number.isSafeInteger(v)) return false;
        break;
      case 8:
        if (!isObject(v)) return false;
        break;
      default: // text, string
        if (typeof v !== "string") return false;
    }
  }
  return true;
}

/**
 * The check of a features file on read: true exactly when it has the shape of
 * {@link FEATURE_FIELDS} and {@link FILE_FIELDS} (the verdict of zod's read schema, without
 * loading zod), ids unique. When false, the read schema is loaded to name the field.
 */
export function quickCheck(data: unknown): boolean {
  if (!isObject(data) || !Array.isArray(data.features)) return false;
  if (!shapeAccepted(FILE_FLAT, data)) return false;
  const ids = new Set<string>();
  for (const f of data.features) {
    if (!isObject(f) || !shapeAccepted(FEATURE_FLAT, f)) return false;
    const id = f.id as string;
    if (ids.has(id)) return false;
    ids.add(id);
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
