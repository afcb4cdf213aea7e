import { BrError } from "../core/errors.ts";
import { type FeatureStatus, STATUSES } from "../features/types.ts";

/** What happens when a governance rule is broken. */
export type GovernancePolicy = "strict" | "warn" | "off";

/** A forbidden import between two parts of the tree. */
export interface ForbiddenImport {
  /** Importing files (glob or folder). */
  from: string;
  /** Imported files (glob or folder). */
  to: string;
}

/** A package that a part of the tree must not import. */
export interface ForbiddenDependency {
  /** Package name (npm name or Python top-level module). */
  package: string;
  /** Only in these files (glob; default: everywhere). */
  from?: string;
}

/** A file naming rule. */
export interface NamingRule {
  /** Which files (glob). */
  files: string;
  /** A regular expression the file name (not the path) must match. */
  pattern: string;
}

/**
 * Private files: a file matching `files` may be imported only from its own folder and the
 * folders below it, and from files matching `allow` (e.g. tests of internals).
 */
export interface PrivateRule {
  /** Which files are private (glob), e.g. `src/**\/_*.ts`. */
  files: string;
  /** Importers allowed anyway (glob), or null. */
  allow: string | null;
}

/** The parsed `.buildrunner/governance.yaml`. */
export interface Governance {
  /** Schema version (1). */
  version: number;
  /** strict blocks, warn reports, off disables the rules. */
  policy: GovernancePolicy;
  /** Allowed status transitions: from → allowed targets. Empty = any. */
  transitions: Partial<Record<FeatureStatus, FeatureStatus[]>>;
  /** Dependency rules. */
  dependencies: { require_complete_to_start: boolean };
  /** Commit message rule. */
  commit: { pattern: string | null; max_subject_length: number | null };
  /** Branch name globs allowed for commits (empty = any). */
  branches: { allowed: string[] };
  /** Gates each hook runs, and what pre-push requires of the features. */
  gates: { pre_commit: string[]; pre_push: string[]; pre_push_require: PrePushRequire };
  /** Architecture rules for `br guard check`. */
  architecture: {
    forbidden: ForbiddenImport[];
    layers: string[];
    forbidden_dependencies: ForbiddenDependency[];
    naming: NamingRule[];
    /** Private files, importable only from their own folder and below. */
    private: PrivateRule[];
  };
}

/**
 * What pre-push requires of the features (`gates.pre_push_require`): `no-high-gaps` (the
 * default: the gaps gate decides) or `complete` (every feature in scope is complete), for all
 * features or only those whose `files` globs the pushed commits touch.
 */
export interface PrePushRequire {
  /** no-high-gaps or complete. */
  level: "no-high-gaps" | "complete";
  /** all features, or those whose files the pushed commits touch (with `complete`). */
  scope: "all" | "touched";
}

/** Gates a pre-commit hook may run. */
export const PRE_COMMIT_GATES: readonly string[] = [
  "features",
  "governance",
  "security",
  "spec",
];
/**
 * The pre-commit checks that keep a commit intact (features.json valid, the governance
 * checksum, no secret): they run whatever `gates.pre_commit` lists, since a gate must not be
 * switched off by editing a file it guards.
 */
export const INTEGRITY_GATES: readonly string[] = ["features", "governance", "security"];

/** The checks pre-commit runs under `gov` (null: no governance.yaml), in run order. */
export function preCommitGates(gov: Governance | null): string[] {
  const listed = gov?.gates.pre_commit ?? PRE_COMMIT_GATES;
  return PRE_COMMIT_GATES.filter((g) => INTEGRITY_GATES.includes(g) || listed.includes(g));
}

/** Gates a pre-push hook may run. */
export const PRE_PUSH_GATES: readonly string[] = [
  "quality",
  "security",
  "gaps",
  "guard",
  "features",
];
/** The pre-push gates of a governance.yaml that does not list them. */
const DEFAULT_PRE_PUSH_GATES: readonly string[] = ["quality", "security", "gaps"];

/** The `governance.yaml` that `br init` writes. */
export const DEFAULT_GOVERNANCE_YAML: string =
  `# BuildRunner governance: the rules "br hooks" and "br" enforce.
# After editing, run "br governance update" to record the new checksum
# (the pre-commit hook refuses a governance.yaml whose checksum does not match).
version: 1
# strict: a broken rule blocks; warn: it is reported only; off: rules are not checked.
policy: strict
# Allowed feature status transitions (from: [to, ...]). Empty: any transition.
# Example:
#   planned: [in_progress, blocked]
#   in_progress: [testing, complete, blocked, planned]
#   testing: [complete, in_progress, blocked]
#   blocked: [planned, in_progress]
#   complete: [in_progress]
transitions: {}
dependencies:
  # Refuse to start a feature while one of its dependencies is not complete.
  require_complete_to_start: false
commit:
  # A regular expression every commit subject must match (null: any), e.g.
  # "^(feat|fix|docs|refactor|test|chore|perf|build|ci)(\\\\(.+\\\\))?!?: .+"
  pattern: null
  max_subject_length: null
branches:
  # Globs of branch names commits are allowed on (empty: any), e.g. [main, "feature/*"].
  allowed: []
gates:
  pre_commit: [features, governance, security, spec]
  pre_push: [quality, security, gaps]
  # What pre-push requires of the features in the pushed commits: no-high-gaps (the gaps
  # gate decides) or complete (every feature complete); {level: complete, scope: touched}
  # asks it only of the features whose "files" the pushed commits change.
  pre_push_require: no-high-gaps
architecture:
  # Imports that must not happen, e.g. {from: src/ui, to: src/db}.
  forbidden: []
  # Layers from top to bottom (globs or folders); a lower layer must not import a higher one.
  layers: []
  # Packages that must not be imported, e.g. {package: lodash} or {package: fs, from: "src/ui/**"}.
  forbidden_dependencies: []
  # File naming rules, e.g. {files: "src/**/*.ts", pattern: "^[a-z0-9_]+\\\\.ts$"}.
  naming: []
  # Private files, importable only from their own folder and below (and from "allow"),
  # e.g. {files: "src/**/_*.ts", allow: "tests/**"}; a plain glob is {files: <glob>}.
  private: []
`;

/**
 * Parses and checks a governance text ({@link governanceFromData}). A missing section takes
 * its default.
 *
 * @throws {BrError} `invalid_data` naming the field.
 */
export async function parseGovernance(
  text: string,
  label = "governance.yaml",
): Promise<Governance> {
  const { load } = await import("js-yaml");
  let raw: unknown;
  try {
    raw = load(text) ?? {};
  } catch (err) {
    throw new BrError(
      "invalid_data",
      `Cannot parse ${label}: ${(err as Error).message.split("\n")[0]}`,
      {
        hint: "fix the YAML syntax",
        cause: err,
      },
    );
  }
  return governanceFromData(raw, label);
}

/** A field that is not what it must be: `field` must be `want`. */
class FieldProblem {
  constructor(readonly field: string, readonly want: string) {}
}

/** Checks one field's value (`undefined` when absent) and returns what the field holds. */
type Check<T> = (v: unknown, field: string) => T;

const bad = (field: string, want: string): never => {
  throw new FieldProblem(field, want);
};

/** A mapping (absent or null: empty). */
const mapping: Check<Record<string, unknown>> = (v, field) =>
  v === undefined || v === null
    ? {}
    : isObj(v)
    ? v as Record<string, unknown>
    : bad(field || "(top level)", "a mapping");

/** A mapping whose fields follow the checks of `fields`; absent or null means all defaults. */
function section<T>(fields: { [K in keyof T]: Check<T[K]> }): Check<T> {
  return (v, field) => {
    const r = mapping(v, field);
    const out = {} as T;
    for (const key of Object.keys(fields) as (keyof T & string)[]) {
      const value = fields[key](r[key], field ? `${field}.${key}` : key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  };
}

/** A list of strings (absent or null: empty). */
const strings: Check<string[]> = (v, field) =>
  v === undefined || v === null
    ? []
    : Array.isArray(v) && v.every((x) => typeof x === "string")
    ? v
    : bad(field, "a list of strings");

/** A non-empty string. */
const text: Check<string> = (v, field) =>
  typeof v === "string" && v ? v : bad(field, "a non-empty string");

/** A string that compiles as a regular expression. */
function regex(want: string): Check<string> {
  return (v, field) => {
    try {
      new RegExp(v as string);
    } catch {
      bad(field, want);
    }
    return v as string;
  };
}

/** A list of mappings (absent or null: empty), each checked by `item`. */
function mappings<T>(item: Check<T>): Check<T[]> {
  return (v, field) => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every(isObj)) bad(field, "a list of mappings");
    return (v as unknown[]).map((x, i) => item(x, `${field}[${i}]`));
  };
}

/** A list of gate names from `known` (absent: `dflt`). */
function gates(known: readonly string[], dflt: readonly string[]): Check<string[]> {
  return (v, field) => {
    if (v === undefined) return [...dflt];
    const list = strings(v, field);
    for (const g of list) if (!known.includes(g)) bad(field, `a list of: ${known.join(", ")}`);
    return list;
  };
}

const isStatus = (s: unknown) => (STATUSES as readonly unknown[]).includes(s);

/** A private rule in its long form `{files, allow}`. */
const privateRule = section<PrivateRule>({
  files: text,
  allow: (v, field) => v === undefined || v === null ? null : text(v, field),
});

/** The checks of every field of governance.yaml, section by section. */
const GOVERNANCE = section<Governance>({
  version: (v) => typeof v === "number" ? v : 1,
  policy: (v, field) =>
    v === undefined
      ? "strict"
      : ["strict", "warn", "off"].includes(v as string)
      ? v as GovernancePolicy
      : bad(field, "strict, warn or off"),
  transitions: (v, field) => {
    const out: Governance["transitions"] = {};
    for (const [from, to] of Object.entries(mapping(v, field))) {
      if (!isStatus(from)) bad(`${field}.${from}`, `a status (${STATUSES.join(", ")})`);
      const list = strings(to, `${field}.${from}`);
      if (!list.every(isStatus)) {
        bad(`${field}.${from}`, `a list of statuses (${STATUSES.join(", ")})`);
      }
      out[from as FeatureStatus] = list as FeatureStatus[];
    }
    return out;
  },
  dependencies: section({ require_complete_to_start: (v) => v === true }),
  commit: section<Governance["commit"]>({
    pattern: (v, field) =>
      v === undefined || v === null
        ? null
        : typeof v !== "string"
        ? bad(field, "a regular expression string or null")
        : regex("a valid regular expression")(v, field),
    max_subject_length: (v, field) =>
      v === undefined || v === null
        ? null
        : Number.isInteger(v) && (v as number) > 0
        ? v as number
        : bad(field, "a positive whole number or null"),
  }),
  branches: section({ allowed: strings }),
  gates: section({
    pre_commit: gates(PRE_COMMIT_GATES, PRE_COMMIT_GATES),
    pre_push: gates(PRE_PUSH_GATES, DEFAULT_PRE_PUSH_GATES),
    pre_push_require: (v) => prePushRequire(v, bad),
  }),
  architecture: section<Governance["architecture"]>({
    forbidden: mappings(section({ from: text, to: text })),
    layers: strings,
    private: (v, field) =>
      Array.isArray(v)
        ? v.map((x, i) => {
          if (typeof x === "string") return { files: x, allow: null };
          if (!isObj(x)) bad(`${field}[${i}]`, "a glob or {files, allow}");
          return privateRule(x, `${field}[${i}]`);
        })
        : mappings(privateRule)(v, field),
    forbidden_dependencies: mappings(section<ForbiddenDependency>({
      package: text,
      from: (v, field) => v === undefined ? undefined : text(v, field),
    })),
    naming: mappings((v, field) => {
      const r = v as Record<string, unknown>;
      const pattern = regex("a valid regular expression")(
        text(r.pattern, `${field}.pattern`),
        `${field}.pattern`,
      );
      return { files: text(r.files, `${field}.files`), pattern };
    }),
  }),
});

/**
 * Checks parsed governance data (what the YAML holds) field by field, without reading
 * anything: a missing section or field takes its default.
 *
 * @throws {BrError} `invalid_data` naming the field, with `label` as the file's name.
 */
export function governanceFromData(raw: unknown, label = "governance.yaml"): Governance {
  try {
    return GOVERNANCE(isObj(raw) ? raw : bad("(top level)", "a mapping"), "");
  } catch (err) {
    if (!(err instanceof FieldProblem)) throw err;
    throw new BrError("invalid_data", `Invalid ${label}: "${err.field}" must be ${err.want}`, {
      hint: 'fix the field (see docs/gates.md), then run "br governance update"',
    });
  }
}

/**
 * `gates.pre_push_require`: `no-high-gaps`, `complete`, or `{level, scope}`; `scope: touched`
 * needs `level: complete`.
 */
function prePushRequire(v: unknown, bad: (field: string, want: string) => never): PrePushRequire {
  const field = "gates.pre_push_require";
  const levels = ["no-high-gaps", "complete"];
  if (v === undefined || v === null) return { level: "no-high-gaps", scope: "all" };
  if (typeof v === "string") {
    return levels.includes(v)
      ? { level: v as PrePushRequire["level"], scope: "all" }
      : bad(field, "no-high-gaps, complete or {level: complete, scope: all|touched}");
  }
  if (!isObj(v)) bad(field, "no-high-gaps, complete or {level: complete, scope: all|touched}");
  const r = v as Record<string, unknown>;
  if (!levels.includes(r.level as string)) bad(`${field}.level`, "no-high-gaps or complete");
  const scope = r.scope ?? "all";
  if (scope !== "all" && scope !== "touched") bad(`${field}.scope`, "all or touched");
  if (scope === "touched" && r.level !== "complete") {
    bad(`${field}.scope`, "all when the level is no-high-gaps");
  }
  return { level: r.level as PrePushRequire["level"], scope: scope as PrePushRequire["scope"] };
}

function isObj(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
