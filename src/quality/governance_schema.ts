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
 * Parses and checks a governance text. A missing section takes its default.
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
  const bad = (field: string, want: string): never => {
    throw new BrError("invalid_data", `Invalid ${label}: "${field}" must be ${want}`, {
      hint: 'fix the field (see docs/gates.md), then run "br governance update"',
    });
  };
  if (!isObj(raw)) bad("(top level)", "a mapping");
  const r = raw as Record<string, unknown>;
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    v === undefined || v === null
      ? {}
      : isObj(v)
      ? v as Record<string, unknown>
      : bad(field, "a mapping");
  const strList = (v: unknown, field: string): string[] =>
    v === undefined || v === null
      ? []
      : Array.isArray(v) && v.every((x) => typeof x === "string")
      ? v as string[]
      : bad(field, "a list of strings");
  const policy = r.policy ?? "strict";
  if (!["strict", "warn", "off"].includes(policy as string)) bad("policy", "strict, warn or off");
  const transitions: Governance["transitions"] = {};
  for (const [from, to] of Object.entries(obj(r.transitions, "transitions"))) {
    if (!(STATUSES as readonly string[]).includes(from)) {
      bad(`transitions.${from}`, `a status (${STATUSES.join(", ")})`);
    }
    const list = strList(to, `transitions.${from}`);
    for (const s of list) {
      if (!(STATUSES as readonly string[]).includes(s)) {
        bad(`transitions.${from}`, `a list of statuses (${STATUSES.join(", ")})`);
      }
    }
    transitions[from as FeatureStatus] = list as FeatureStatus[];
  }
  const deps = obj(r.dependencies, "dependencies");
  const commit = obj(r.commit, "commit");
  if (commit.pattern !== undefined && commit.pattern !== null) {
    if (typeof commit.pattern !== "string") {
      bad("commit.pattern", "a regular expression string or null");
    }
    try {
      new RegExp(commit.pattern as string);
    } catch {
      bad("commit.pattern", "a valid regular expression");
    }
  }
  const maxLen = commit.max_subject_length;
  if (
    maxLen !== undefined && maxLen !== null && !(Number.isInteger(maxLen) && (maxLen as number) > 0)
  ) {
    bad("commit.max_subject_length", "a positive whole number or null");
  }
  const gates = obj(r.gates, "gates");
  const gateList = (v: unknown, field: string, known: readonly string[], dflt: string[]) => {
    if (v === undefined) return dflt;
    const list = strList(v, field);
    for (const g of list) if (!known.includes(g)) bad(field, `a list of: ${known.join(", ")}`);
    return list;
  };
  const arch = obj(r.architecture, "architecture");
  const list = (v: unknown, field: string): Record<string, unknown>[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every(isObj)) bad(field, "a list of mappings");
    return v as Record<string, unknown>[];
  };
  const str = (v: unknown, field: string): string =>
    typeof v === "string" && v ? v : bad(field, "a non-empty string");
  return {
    version: typeof r.version === "number" ? r.version : 1,
    policy: policy as GovernancePolicy,
    transitions,
    dependencies: { require_complete_to_start: deps.require_complete_to_start === true },
    commit: {
      pattern: (commit.pattern as string | null | undefined) ?? null,
      max_subject_length: (maxLen as number | null | undefined) ?? null,
    },
    branches: { allowed: strList(obj(r.branches, "branches").allowed, "branches.allowed") },
    gates: {
      pre_commit: gateList(gates.pre_commit, "gates.pre_commit", PRE_COMMIT_GATES, [
        "features",
        "governance",
        "security",
        "spec",
      ]),
      pre_push: gateList(gates.pre_push, "gates.pre_push", PRE_PUSH_GATES, [
        "quality",
        "security",
        "gaps",
      ]),
      pre_push_require: prePushRequire(gates.pre_push_require, bad),
    },
    architecture: {
      forbidden: list(arch.forbidden, "architecture.forbidden").map((x, i) => ({
        from: str(x.from, `architecture.forbidden[${i}].from`),
        to: str(x.to, `architecture.forbidden[${i}].to`),
      })),
      layers: strList(arch.layers, "architecture.layers"),
      private:
        (Array.isArray(arch.private) ? arch.private : list(arch.private, "architecture.private"))
          .map((x: unknown, i: number) => {
            if (typeof x === "string") return { files: x, allow: null };
            if (!isObj(x)) bad(`architecture.private[${i}]`, "a glob or {files, allow}");
            const r = x as Record<string, unknown>;
            return {
              files: str(r.files, `architecture.private[${i}].files`),
              allow: r.allow === undefined || r.allow === null
                ? null
                : str(r.allow, `architecture.private[${i}].allow`),
            };
          }),
      forbidden_dependencies: list(
        arch.forbidden_dependencies,
        "architecture.forbidden_dependencies",
      ).map((x, i) => ({
        package: str(x.package, `architecture.forbidden_dependencies[${i}].package`),
        ...(x.from !== undefined
          ? { from: str(x.from, `architecture.forbidden_dependencies[${i}].from`) }
          : {}),
      })),
      naming: list(arch.naming, "architecture.naming").map((x, i) => {
        const pattern = str(x.pattern, `architecture.naming[${i}].pattern`);
        try {
          new RegExp(pattern);
        } catch {
          bad(`architecture.naming[${i}].pattern`, "a valid regular expression");
        }
        return { files: str(x.files, `architecture.naming[${i}].files`), pattern };
      }),
    },
  };
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
