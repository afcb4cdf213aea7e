import { createHash } from "node:crypto";
import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import { readTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { type FeatureStatus, loadFeatures, STATUSES } from "../features/mod.ts";

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
  /** Gates each hook runs. */
  gates: { pre_commit: string[]; pre_push: string[] };
  /** Architecture rules for `br guard check`. */
  architecture: {
    forbidden: ForbiddenImport[];
    layers: string[];
    forbidden_dependencies: ForbiddenDependency[];
    naming: NamingRule[];
  };
}

/** Gates a pre-commit hook may run. */
export const PRE_COMMIT_GATES: readonly string[] = [
  "features",
  "governance",
  "security",
  "spec",
];
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
architecture:
  # Imports that must not happen, e.g. {from: src/ui, to: src/db}.
  forbidden: []
  # Layers from top to bottom (globs or folders); a lower layer must not import a higher one.
  layers: []
  # Packages that must not be imported, e.g. {package: lodash} or {package: fs, from: "src/ui/**"}.
  forbidden_dependencies: []
  # File naming rules, e.g. {files: "src/**/*.ts", pattern: "^[a-z0-9_]+\\\\.ts$"}.
  naming: []
`;

/** The SHA-256 (hex) of a text, as `br governance update` records it. */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

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
    },
    architecture: {
      forbidden: list(arch.forbidden, "architecture.forbidden").map((x, i) => ({
        from: str(x.from, `architecture.forbidden[${i}].from`),
        to: str(x.to, `architecture.forbidden[${i}].to`),
      })),
      layers: strList(arch.layers, "architecture.layers"),
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

function isObj(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Loads `.buildrunner/governance.yaml`, or null when the project has none.
 *
 * @throws {BrError} `invalid_data` when it is malformed.
 */
export async function loadGovernance(project: Project): Promise<Governance | null> {
  const text = await readTextOrNull(project.paths.governance);
  return text === null ? null : parseGovernance(text, ".buildrunner/governance.yaml");
}

/** The result of {@link verifyGovernance}. */
export interface GovernanceVerification {
  /** True when governance.yaml exists. */
  present: boolean;
  /** True when the file parses and the recorded checksum matches. */
  passed: boolean;
  /** The SHA-256 of governance.yaml now. */
  actual: string | null;
  /** The SHA-256 recorded in governance.sha256. */
  expected: string | null;
  /** What is wrong (empty when passed). */
  problems: string[];
}

/** Reads the checksum recorded in `governance.sha256` (`<hex>  governance.yaml`). */
export function parseChecksumFile(text: string | null): string | null {
  const m = text ? /^([0-9a-f]{64})\b/i.exec(text.trim()) : null;
  return m ? m[1].toLowerCase() : null;
}

/**
 * Checks governance.yaml against its recorded checksum and its schema. A project without
 * governance.yaml passes (nothing to enforce). `texts` lets the hooks check staged content.
 */
export async function verifyGovernance(
  project: Project,
  texts?: { yaml: string | null; sum: string | null },
): Promise<GovernanceVerification> {
  const yaml = texts ? texts.yaml : await readTextOrNull(project.paths.governance);
  const sum = texts ? texts.sum : await readTextOrNull(project.paths.governanceSum);
  if (yaml === null) {
    return { present: false, passed: true, actual: null, expected: null, problems: [] };
  }
  const actual = sha256Hex(yaml);
  const expected = parseChecksumFile(sum);
  const problems: string[] = [];
  if (expected === null) {
    problems.push('governance.sha256 is missing or malformed: run "br governance update"');
  } else if (expected !== actual) {
    problems.push(
      'governance.yaml changed since its checksum was recorded: review it, then run "br governance update"',
    );
  }
  try {
    await parseGovernance(yaml);
  } catch (err) {
    problems.push((err as Error).message);
  }
  return { present: true, passed: problems.length === 0, actual, expected, problems };
}

/** The result of {@link updateGovernance}. */
export interface GovernanceUpdate {
  /** The recorded checksum. */
  checksum: string;
  /** True when governance.sha256 changed. */
  changed: boolean;
  /** True when governance.yaml was created from the default. */
  created: boolean;
}

/**
 * Records the checksum of governance.yaml (validating it first); writes the default
 * governance.yaml when there is none.
 *
 * @throws {BrError} `invalid_data` when governance.yaml is malformed (nothing is written).
 */
export function updateGovernance(project: Project): Promise<GovernanceUpdate> {
  return project.withLock(async () => {
    let yaml = await readTextOrNull(project.paths.governance);
    let created = false;
    if (yaml === null) {
      yaml = DEFAULT_GOVERNANCE_YAML;
      await writeFileAtomic(project.paths.governance, yaml);
      created = true;
    }
    await parseGovernance(yaml, ".buildrunner/governance.yaml");
    const checksum = sha256Hex(yaml);
    const line = `${checksum}  governance.yaml\n`;
    const before = await readTextOrNull(project.paths.governanceSum);
    if (before !== line) await writeFileAtomic(project.paths.governanceSum, line);
    return { checksum, changed: before !== line, created };
  });
}

function transitionOf(event: BrEvent): { id: string; from: string; to: string } | null {
  const p = event.payload as Record<string, unknown>;
  if (typeof p.from === "string" && typeof p.to === "string" && typeof p.id === "string") {
    return { id: p.id, from: p.from, to: p.to };
  }
  const change = (p.changes as Record<string, { from: unknown; to: unknown }> | undefined)?.status;
  if (change && typeof p.id === "string") {
    return { id: p.id, from: String(change.from), to: String(change.to) };
  }
  return null;
}

/**
 * The governance veto for a feature event: returns the reason when a `strict` governance
 * forbids the status transition (or starting a feature whose dependencies are open), and
 * nothing otherwise. Register it with `project.bus.before(...)`.
 */
export async function governanceVeto(
  project: Project,
  event: BrEvent,
): Promise<string | undefined> {
  const t = event.type.startsWith("feature.") ? transitionOf(event) : null;
  if (!t) return undefined;
  // Read at each check (a long-lived MCP server sees edits); the file is small.
  const gov = await loadGovernance(project);
  if (!gov || gov.policy !== "strict") return undefined;
  const allowed = gov.transitions[t.from as FeatureStatus];
  if (Object.keys(gov.transitions).length > 0 && !(allowed ?? []).includes(t.to as FeatureStatus)) {
    return `governance does not allow "${t.id}" to move from ${t.from} to ${t.to}` +
      ` (allowed from ${t.from}: ${allowed?.length ? allowed.join(", ") : "none"})`;
  }
  if (t.to === "in_progress" && gov.dependencies.require_complete_to_start) {
    const file = await loadFeatures(project);
    const byId = new Map(file.features.map((f) => [f.id, f]));
    const open = (byId.get(t.id)?.dependencies ?? []).filter((d) =>
      byId.get(d)?.status !== "complete"
    );
    if (open.length) {
      return `governance requires the dependencies of "${t.id}" to be complete first: ${
        open.join(", ")
      }`;
    }
  }
  return undefined;
}

/** Registers the governance veto on the project's bus (a no-op without governance.yaml). */
export function enforceGovernance(project: Project): () => void {
  return project.bus.before("*", (event) => governanceVeto(project, event));
}

/** The problem with a commit message under the governance commit rule, or null. */
export function commitMessageProblem(gov: Governance, message: string): string | null {
  const lines = message.split("\n").filter((l) => !l.startsWith("#"));
  const subject = (lines.find((l) => l.trim() !== "") ?? "").trim();
  if (!subject) return "the commit message is empty";
  if (/^(Merge |Revert "|fixup! |squash! |amend! )/.test(subject)) return null;
  if (gov.commit.pattern && !new RegExp(gov.commit.pattern).test(subject)) {
    return `the subject "${subject}" does not match the governance pattern ${gov.commit.pattern}`;
  }
  if (gov.commit.max_subject_length && subject.length > gov.commit.max_subject_length) {
    return `the subject has ${subject.length} characters (at most ${gov.commit.max_subject_length})`;
  }
  return null;
}
