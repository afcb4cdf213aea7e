/**
 * The one description of a feature's fields and of the features file's own fields: what type
 * each holds, its limits, whether it may be missing or null. The zod schema (`schema.ts`, for
 * writes and for messages naming the field), the quick check of reads ({@link quickCheck},
 * which keeps zod off read-only commands) and MCP's feature output are all built from it.
 *
 * This module does not import zod.
 */
import { ONE_LINE } from "../core/text.ts";
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
  /** 0 id, 1 line, 2 text, 3 list of lines, 4 list of texts, 5 enum, 6 int, 7 string, 8 record. */
  code: number;
  max: number;
  nonEmpty: boolean;
  values: readonly string[];
  required: boolean;
  nullable: boolean;
  orNumber: boolean;
}

const CODES = { id: 0, line: 1, text: 2, enum: 5, int: 6, string: 7, record: 8 } as const;

function flatten(fields: Record<string, FieldSpec>): Flat[] {
  return Object.entries(fields).map(([key, spec]) => {
    const r = spec.rule;
    const item = r.type === "list" ? r.item : null;
    const limited = item ?? r;
    return {
      key,
      code: item ? (item.type === "line" ? 3 : 4) : CODES[r.type as keyof typeof CODES],
      max: "max" in limited ? limited.max : 0,
      nonEmpty: limited.type === "line" && !!limited.nonEmpty,
      values: r.type === "enum" ? r.values : [],
      required: spec.required === true,
      nullable: spec.nullable === true,
      orNumber: spec.orNumber === true,
    };
  });
}

const FILE_FLAT = flatten(FILE_FIELDS);
const FEATURE_FLAT = flatten(FEATURE_FIELDS);

/** True when every field of `flat` accepts its value in `obj` (missing: `undefined`). */
function fieldsAccepted(flat: Flat[], obj: Record<string, unknown>): boolean {
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
        if (typeof v !== "string" || v.length > FEATURE_LIMITS.id || idProblem(v) !== null) {
          return false;
        }
        break;
      case 1:
        if (!isLine(v, f.max, f.nonEmpty)) return false;
        break;
      case 2:
        if (typeof v !== "string" || v.length > f.max) return false;
        break;
      case 3:
      case 4:
        if (!Array.isArray(v) || v.length > FEATURE_LIMITS.items) return false;
        for (let j = 0; j < v.length; j++) {
          const x = v[j];
          if (f.code === 3 ? !isLine(x, f.max, false) : typeof x !== "string" || x.length > f.max) {
            return false;
          }
        }
        break;
      case 5:
        if (typeof v !== "string" || !f.values.includes(v)) return false;
        break;
      case 6:
        if (!Number.isSafeInteger(v)) return false;
        break;
      case 7:
        if (typeof v !== "string") return false;
        break;
      case 8:
        if (!isObject(v)) return false;
        break;
    }
  }
  return true;
}

function isLine(v: unknown, max: number, nonEmpty: boolean): boolean {
  return typeof v === "string" && v.length <= max && (v !== "" || !nonEmpty) && ONE_LINE.test(v);
}

/**
 * The structural check of a features file on read, derived from {@link FEATURE_FIELDS} and
 * {@link FILE_FIELDS}: true exactly when the zod schema accepts the data. When false, the
 * schema is loaded to name the field.
 */
export function quickCheck(data: unknown): boolean {
  if (!isObject(data) || !Array.isArray(data.features)) return false;
  if (!fieldsAccepted(FILE_FLAT, data)) return false;
  const ids = new Set<string>();
  for (const f of data.features) {
    if (!isObject(f) || !fieldsAccepted(FEATURE_FLAT, f)) return false;
    const id = f.id as string;
    if (ids.has(id)) return false;
    ids.add(id);
  }
  return true;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
