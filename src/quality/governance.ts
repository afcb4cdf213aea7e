import { readParsedCached } from "../core/cache.ts";
import type { BrEvent } from "../core/events.ts";
import { sha256Hex } from "../core/hash.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import type { FeatureStatus } from "../features/types.ts";
import { DEFAULT_GOVERNANCE_YAML, type Governance, parseGovernance } from "./governance_schema.ts";

/** The SHA-256 (hex) of a text, as `br governance update` records it. */
export { sha256Hex };

/**
 * Loads `.buildrunner/governance.yaml`, or null when the project has none.
 *
 * @throws {BrError} `invalid_data` when it is malformed.
 */
export async function loadGovernance(project: Project): Promise<Governance | null> {
  // Parsed and checked once per change of the file (`.buildrunner/cache/`).
  const gov = await readParsedCached(
    project.paths.cache,
    project.paths.governance,
    "governance.json",
    (text) => parseGovernance(text, ".buildrunner/governance.yaml"),
  );
  return gov as Governance | null;
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
  const yaml = texts ? texts.yaml : await readOwnTextOrNull(project.paths.governance);
  const sum = texts ? texts.sum : await readOwnTextOrNull(project.paths.governanceSum);
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
    let yaml = await readOwnTextOrNull(project.paths.governance);
    let created = false;
    if (yaml === null) {
      yaml = DEFAULT_GOVERNANCE_YAML;
      await writeFileAtomic(project.paths.governance, yaml);
      created = true;
    }
    await parseGovernance(yaml, ".buildrunner/governance.yaml");
    const checksum = sha256Hex(yaml);
    const line = `${checksum}  governance.yaml\n`;
    const before = await readOwnTextOrNull(project.paths.governanceSum);
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
    const { loadFeatures } = await import("../features/registry.ts");
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
