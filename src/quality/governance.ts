import { type CacheCodec, derivedFromFile } from "../core/cache.ts";
import { BrError } from "../core/errors.ts";
import type { BrEvent } from "../core/events.ts";
import { sha256Hex } from "../core/hash.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import type { FeatureStatus } from "../features/types.ts";
import { DEFAULT_GOVERNANCE_YAML, type Governance, parseGovernance } from "./governance_schema.ts";

/** The SHA-256 (hex) of a text (`br governance update` records {@link governanceChecksum}). */
export { sha256Hex };

const GOV_LABEL = ".buildrunner/governance.yaml";
const SUM_LABEL = ".buildrunner/governance.sha256";

/**
 * The checksum `br governance update` records for a governance text: the SHA-256 of the text
 * with its CRLF line ends read as LF, so that a checkout with CRLF line endings (git's
 * `core.autocrlf`) matches, and a checksum recorded for an LF text stays valid.
 */
export function governanceChecksum(text: string): string {
  // A run checks one text several times (the governance and guard gates, the hooks): it is
  // hashed once (in JavaScript: about 2 ms a time).
  if (lastChecksum?.text !== text) {
    lastChecksum = { text, sum: sha256Hex(text.replaceAll("\r\n", "\n")) };
  }
  return lastChecksum.sum;
}

let lastChecksum: { text: string; sum: string } | null = null;

/** Why governance.yaml cannot be trusted (message and hint), or null when it can. */
function tamperOf(
  yaml: string | null,
  sum: string | null,
): { message: string; hint: string } | null {
  if (yaml === null) {
    return sum === null ? null : {
      message: `Cannot find "${GOV_LABEL}" while "${SUM_LABEL}" records its checksum`,
      hint: `restore it with "git checkout -- ${GOV_LABEL}", or run "br governance update" ` +
        "to write and record the default rules",
    };
  }
  const expected = parseChecksumFile(sum);
  if (expected === null) {
    return {
      message: `Cannot trust "${GOV_LABEL}": "${SUM_LABEL}" is missing or malformed`,
      hint: 'review governance.yaml, then run "br governance update" to record its checksum',
    };
  }
  if (expected !== governanceChecksum(yaml)) {
    return {
      message: `Cannot trust "${GOV_LABEL}": it changed since its checksum was recorded`,
      hint: 'review the change, then run "br governance update" to accept it, or restore the file',
    };
  }
  return null;
}

/** A cached parse, with the checksum of the text it was parsed from. */
interface ParsedGovernance {
  sha: string;
  gov: Governance;
}

const parsedCodec: CacheCodec<ParsedGovernance> = {
  encode: (value) => JSON.stringify(value),
  decode: (entry) => {
    const v = JSON.parse(new TextDecoder().decode(entry));
    if (typeof v?.sha !== "string" || typeof v.gov?.gates !== "object") {
      throw new Error("not a parsed governance.yaml"); // an older format: a miss
    }
    return v as ParsedGovernance;
  },
};

/**
 * Loads `.buildrunner/governance.yaml` once it is verified against the checksum
 * `br governance update` recorded in `governance.sha256`; null when the project has neither
 * file (the defaults apply). Rules that were not recorded are never obeyed: an edited
 * governance.yaml, one without a checksum and a deleted one whose checksum remains all fail.
 *
 * @throws {BrError} `check_failed` when governance.yaml does not match its checksum (or one
 * of the two files is missing), `invalid_data` when it is malformed.
 */
export async function loadGovernance(project: Project): Promise<Governance | null> {
  const [yaml, sum] = await Promise.all([
    readOwnTextOrNull(project.paths.governance),
    readOwnTextOrNull(project.paths.governanceSum),
  ]);
  const tamper = tamperOf(yaml, sum);
  if (tamper) throw new BrError("check_failed", tamper.message, { hint: tamper.hint });
  if (yaml === null) return null;
  return await parsedGovernance(project, yaml, governanceChecksum(yaml));
}

/**
 * `yaml` (the text of governance.yaml, with checksum `sha`) parsed and checked, once per change
 * of the file (`.buildrunner/cache/`). The entry carries the checksum of the text it was parsed
 * from: one left from another text is not used.
 *
 * @throws {BrError} `invalid_data` when the text is malformed.
 */
async function parsedGovernance(project: Project, yaml: string, sha: string): Promise<Governance> {
  const parse = async () => ({ sha, gov: await parseGovernance(yaml, GOV_LABEL) });
  const cached = await derivedFromFile(
    project.paths.cache,
    project.paths.governance,
    "governance.json",
    parsedCodec,
    parse,
  );
  return cached.sha === sha ? cached.gov : (await parse()).gov;
}

/** The result of {@link verifyGovernance}. */
export interface GovernanceVerification {
  /** True when governance.yaml exists. */
  present: boolean;
  /** True when the file parses and the recorded checksum matches (or neither file exists). */
  passed: boolean;
  /** The checksum of governance.yaml now (see {@link governanceChecksum}). */
  actual: string | null;
  /** The checksum recorded in governance.sha256. */
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
 * Checks governance.yaml against its recorded checksum and its schema. A project with neither
 * governance.yaml nor governance.sha256 passes (nothing to enforce); a governance.sha256
 * without its governance.yaml does not. `texts` lets the hooks check staged content.
 */
export async function verifyGovernance(
  project: Project,
  texts?: { yaml: string | null; sum: string | null },
): Promise<GovernanceVerification> {
  const yaml = texts ? texts.yaml : await readOwnTextOrNull(project.paths.governance);
  const sum = texts ? texts.sum : await readOwnTextOrNull(project.paths.governanceSum);
  const tamper = tamperOf(yaml, sum);
  const problems = tamper ? [`${tamper.message} (${tamper.hint})`] : [];
  const expected = parseChecksumFile(sum);
  if (yaml === null) {
    return { present: false, passed: !tamper, actual: null, expected, problems };
  }
  const actual = governanceChecksum(yaml);
  try {
    // Staged content is parsed as it is; the file on disk through the parse cache.
    if (texts) await parseGovernance(yaml, GOV_LABEL);
    else await parsedGovernance(project, yaml, actual);
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
    await parseGovernance(yaml, GOV_LABEL);
    const checksum = governanceChecksum(yaml);
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
