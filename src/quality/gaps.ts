import { compareText } from "../core/text.ts";
import { join } from "../core/path.ts";
import { readOwnTextOrNull, readTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import type { Feature, FeaturesFile } from "../features/types.ts";
import { isParked } from "../features/graph.ts";
import { loadFeatures, parseFeaturesText } from "../features/registry.ts";
import { sourceMasker } from "../security/scan.ts";
import { type Analysis, analyzeTree } from "./_analysis.ts";
import { analysisCacheLocation } from "./_analysis_cache.ts";
import { matchesAny } from "./_files.ts";
import { countGaps, type Gap, type GapReport, type GapSeverity } from "./model.ts";

/** Options of {@link analyzeGaps}. */
export interface GapOptions {
  /** The tree to analyze (default: the project root; a worktree for parallel runs). */
  cwd?: string;
  /** A tree analysis already made (shared by `runGates`). */
  analysis?: Analysis;
}

const RANK: Record<GapSeverity, number> = { high: 0, medium: 1, low: 2 };

/** The length a TODO comment is cut to in a gap's message (after masking). */
const MARKER_CHARS = 120;

/**
 * The features as the checked tree holds them. Another tree than the project root (a task
 * worktree) is judged by its own committed features.json: the main checkout's statuses move
 * while the task runs (a feature merged meanwhile is complete there, but its evidence is not
 * in this tree yet), and a task answers only for the tree it produced.
 */
async function featuresOfTree(project: Project, root: string): Promise<FeaturesFile> {
  if (root !== project.root) {
    const path = join(root, ".buildrunner", "features.json");
    const text = await readOwnTextOrNull(path);
    if (text !== null) return await parseFeaturesText(text, path);
  }
  return await loadFeatures(project);
}

/**
 * Finds what is missing between what the project claims and what the code holds
 * (docs/gates.md, "Gaps"):
 *
 * - high: a stub or TODO inside the `files` of a feature marked complete; a complete feature
 *   without acceptance evidence (no acceptance criteria, or no test file that names its id
 *   or lies inside its `files`, or an `evidence` path that does not exist); an import cycle;
 *   an import of a package no manifest declares;
 * - medium: open features (not complete); stubs elsewhere; spec features missing from
 *   features.json and the other way round;
 * - low: TODO/FIXME/XXX/HACK elsewhere.
 *
 * @throws {BrError} `invalid_data` when features.json is corrupt.
 */
export async function analyzeGaps(project: Project, options: GapOptions = {}): Promise<GapReport> {
  const root = options.cwd ?? project.root;
  const file = await featuresOfTree(project, root);
  const analysis = options.analysis ??
    await analyzeTree(root, { cache: analysisCacheLocation(root, project.env) });
  // every excerpt of source (a TODO comment, a name, a parser message) is masked like the
  // scanner masks a secret, in every output and in what is stored
  const mask = await sourceMasker(project);
  const gaps: Gap[] = [];
  const complete = file.features.filter((f) => f.status === "complete");
  const claimedBy = (path: string): Feature | undefined =>
    complete.find((f) => f.files.length > 0 && matchesAny(path, f.files));

  for (const f of file.features) {
    // A parked feature (deferred, cancelled) is no open work.
    if (f.status !== "complete" && !isParked(f)) {
      gaps.push({
        severity: "medium",
        kind: "open_feature",
        message: `Feature "${f.id}" is ${f.status}${
          f.status === "blocked" && f.blocked_reason ? `: ${f.blocked_reason}` : ""
        }`,
        file: null,
        line: null,
        feature: f.id,
      });
    }
  }
  for (const f of complete) {
    const problem = await evidenceProblem(root, f, analysis);
    if (problem) {
      gaps.push({
        severity: "high",
        kind: "missing_evidence",
        message: `Feature "${f.id}" is marked complete but ${problem}`,
        file: null,
        line: null,
        feature: f.id,
      });
    }
  }
  for (const facts of analysis.files) {
    const owner = claimedBy(facts.file);
    if (facts.parse_error) {
      gaps.push({
        severity: "medium",
        kind: "parse_error",
        message: `Cannot parse: ${mask(facts.parse_error, facts.file).split("\n")[0]}`,
        file: facts.file,
        line: null,
        feature: owner?.id ?? null,
      });
    }
    for (const s of facts.stubs) {
      gaps.push({
        severity: owner ? "high" : "medium",
        kind: "stub",
        message: `Stub ${
          s.name === "<anonymous>" ? "function" : `"${mask(s.name, facts.file)}"`
        }: ${mask(s.reason, facts.file)}${
          owner ? ` (in the files of complete feature "${owner.id}")` : ""
        }`,
        file: facts.file,
        line: s.line,
        feature: owner?.id ?? null,
      });
    }
    for (const m of facts.markers) {
      gaps.push({
        severity: owner ? "high" : "low",
        kind: "todo",
        message: `${m.text ? mask(m.text, facts.file).slice(0, MARKER_CHARS) : m.kind}${
          owner ? ` (in the files of complete feature "${owner.id}")` : ""
        }`,
        file: facts.file,
        line: m.line,
        feature: owner?.id ?? null,
      });
    }
  }
  for (const cycle of analysis.cycles) {
    gaps.push({
      severity: "high",
      kind: "import_cycle",
      message: `Import cycle: ${cycle.join(" → ")}`,
      file: cycle[0],
      line: analysis.edges.find((e) => e.from === cycle[0] && e.to === cycle[1])?.line ?? null,
      feature: null,
    });
  }
  for (const u of analysis.undeclared) {
    const where = u.manifests.length ? u.manifests.join(", ") : "no manifest found";
    gaps.push({
      severity: "high",
      kind: "undeclared_dependency",
      message: `"${mask(u.package, u.file)}" is imported but not declared (${where})`,
      file: u.file,
      line: u.line,
      feature: null,
    });
  }
  gaps.push(...await specGaps(project, file.features));
  gaps.sort((a, b) =>
    RANK[a.severity] - RANK[b.severity] || compareText(a.kind, b.kind) ||
    compareText(a.file ?? "", b.file ?? "") || (a.line ?? 0) - (b.line ?? 0) ||
    compareText(a.feature ?? "", b.feature ?? "") || compareText(a.message, b.message)
  );
  return { gaps, counts: countGaps(gaps), files_analyzed: analysis.files.length };
}

function idPattern(id: string): RegExp {
  const esc = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![A-Za-z0-9_-])${esc}(?![A-Za-z0-9_-])`);
}

async function evidenceProblem(
  root: string,
  f: Feature,
  analysis: Analysis,
): Promise<string | null> {
  if (f.acceptance.length === 0) return "has no acceptance criteria";
  const declared = Array.isArray(f.evidence)
    ? (f.evidence as unknown[]).filter((e): e is string => typeof e === "string")
    : [];
  if (declared.length) {
    const missing = declared.filter((p) => !analysis.all_files.includes(p.replace(/^\.\//, "")));
    return missing.length ? `its evidence is missing: ${missing.join(", ")}` : null;
  }
  const tests = analysis.files.filter((x) => x.test);
  if (f.files.length && tests.some((t) => matchesAny(t.file, f.files))) return null;
  const re = idPattern(f.id);
  for (const t of tests) {
    const text = await readTextOrNull(join(root, t.file));
    if (text !== null && re.test(text)) return null;
  }
  return `no test names "${f.id}" or lies in its files (acceptance evidence is missing)`;
}

/** Whether a feature would pass the evidence rule if it were complete. */
export interface AcceptanceEvidence {
  /** Its number of acceptance criteria (0: the rule cannot apply). */
  criteria: number;
  /** What is missing (null: the evidence is there). */
  problem: string | null;
}

/**
 * Applies the evidence rule of the gaps gate to one feature in the tree `cwd` (default: the
 * project root), as if it were complete: its declared `evidence` paths exist, or a test file
 * names its id or lies inside its `files`.
 */
export async function acceptanceEvidence(
  project: Project,
  feature: Feature,
  options: GapOptions = {},
): Promise<AcceptanceEvidence> {
  const root = options.cwd ?? project.root;
  if (feature.acceptance.length === 0) {
    return { criteria: 0, problem: "has no acceptance criteria" };
  }
  const analysis = options.analysis ?? await analyzeTree(root);
  return {
    criteria: feature.acceptance.length,
    problem: await evidenceProblem(root, feature, analysis),
  };
}

/**
 * The feature ids of `PROJECT_SPEC.md` (read with the spec parser), or null when there is no
 * spec or it has no Features section.
 */
export async function specFeatureIds(project: Project): Promise<string[] | null> {
  const text = await readOwnTextOrNull(project.paths.spec);
  if (text === null) return null;
  const { parseSpec } = await import("../spec/mod.ts");
  const spec = await parseSpec(text);
  if (!spec.sections.some((sec) => sec.title.toLowerCase() === "features")) return null;
  return spec.features.map((f) => f.id);
}

async function specGaps(project: Project, features: readonly Feature[]): Promise<Gap[]> {
  const ids = await specFeatureIds(project);
  if (ids === null) return [];
  const inFile = new Set(features.map((f) => f.id));
  const inSpec = new Set(ids);
  const out: Gap[] = [];
  for (const id of ids) {
    if (!inFile.has(id)) {
      out.push({
        severity: "medium",
        kind: "spec_feature_missing",
        message: `Spec feature "${id}" is not in features.json (run "br spec sync")`,
        file: "PROJECT_SPEC.md",
        line: null,
        feature: id,
      });
    }
  }
  for (const f of features) {
    if (!inSpec.has(f.id)) {
      out.push({
        severity: "medium",
        kind: "feature_not_in_spec",
        message: `Feature "${f.id}" is not in PROJECT_SPEC.md`,
        file: ".buildrunner/features.json",
        line: null,
        feature: f.id,
      });
    }
  }
  return out;
}
