import { relative } from "../core/path.ts";
import { writeIfChanged } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { derivedFromFile, jsonCodec } from "../core/cache.ts";
import { nextFeature } from "./graph.ts";
import { computeMetrics, loadFeatures } from "./registry.ts";
import { type Feature, type FeatureMetrics, type FeaturesFile, PRIORITIES } from "./types.ts";

/** A blocked feature and why. */
export interface Blocker {
  /** Feature id. */
  id: string;
  /** Feature name. */
  name: string;
  /** The recorded reason. */
  reason: string | null;
}

/** The project summary `br status` shows (its `--json` shape). */
export interface StatusSummary {
  /** Project name. */
  project: string;
  /** Project version. */
  version: string;
  /** Project status. */
  status: string;
  /** Last write of features.json. */
  last_updated: string;
  /** Counts by status. */
  metrics: FeatureMetrics;
  /** Blocked features. */
  blockers: Blocker[];
  /** The feature to work on next. */
  next: Feature | null;
}

/** Summarizes a loaded features file. */
export function summarize(file: FeaturesFile): StatusSummary {
  return {
    project: file.project,
    version: file.version,
    status: file.status,
    last_updated: file.last_updated,
    metrics: computeMetrics(file.features),
    blockers: file.features
      .filter((f) => f.status === "blocked")
      .map((f) => ({ id: f.id, name: f.name, reason: f.blocked_reason }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    next: nextFeature(file.features),
  };
}

/** Loads the project's features and summarizes them. */
export async function projectStatus(project: Project): Promise<StatusSummary> {
  return (await statusView(project)).summary;
}

/** What `br status` shows: the summary and the features in progress or testing. */
export interface StatusView {
  /** The summary (`br status --json`). */
  summary: StatusSummary;
  /** Features in progress or testing, in file order. */
  active: Pick<Feature, "id" | "name" | "status">[];
}

/**
 * The status of the project, derived from features.json, or from the cache while the file has
 * not changed since it was derived.
 *
 * @throws {BrError} `invalid_data` when features.json is corrupt.
 */
export function statusView(project: Project): Promise<StatusView> {
  return derivedFromFile(
    project.paths.cache,
    project.paths.features,
    "status.json",
    jsonCodec<StatusView>(),
    async () => {
      const file = await loadFeatures(project);
      return {
        summary: summarize(file),
        active: file.features
          .filter((f) => f.status === "in_progress" || f.status === "testing")
          .map((f) => ({ id: f.id, name: f.name, status: f.status })),
      };
    },
  );
}

/** STATUS.md as UTF-8 bytes, and the completion percentage. */
interface StatusBytes {
  bytes: Uint8Array;
  completion: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * STATUS.md as bytes (from the cache, as they will be written, while features.json has not
 * changed since it was rendered).
 */
function statusBytes(project: Project): Promise<StatusBytes> {
  // The entry: the completion percentage on the first line, then STATUS.md.
  const codec = {
    encode(v: StatusBytes): Uint8Array {
      const head = encoder.encode(`${v.completion}\n`);
      const entry = new Uint8Array(head.length + v.bytes.length);
      entry.set(head);
      entry.set(v.bytes, head.length);
      return entry;
    },
    decode(entry: Uint8Array): StatusBytes {
      const nl = entry.subarray(0, 8).indexOf(10);
      const head = nl > 0 ? decoder.decode(entry.subarray(0, nl)) : "";
      if (!/^\d+$/.test(head)) throw new Error("damaged entry");
      return { completion: Number(head), bytes: entry.subarray(nl + 1) };
    },
  };
  return derivedFromFile(
    project.paths.cache,
    project.paths.features,
    "STATUS.md",
    codec,
    async () => {
      const file = await loadFeatures(project);
      return {
        bytes: encoder.encode(renderStatusMarkdown(file)),
        completion: computeMetrics(file.features).completion_percentage,
      };
    },
  );
}

/**
 * The STATUS.md text for features.json as it is now, and the completion percentage (from
 * the cache while the file has not changed since it was rendered).
 *
 * @throws {BrError} `invalid_data` when features.json is corrupt.
 */
export async function statusMarkdown(
  project: Project,
): Promise<{ markdown: string; completion: number }> {
  const { bytes, completion } = await statusBytes(project);
  return { markdown: decoder.decode(bytes), completion };
}

const SECTIONS = [
  ["in_progress", "In progress"],
  ["testing", "Testing"],
  ["blocked", "Blocked"],
  ["planned", "Planned"],
  ["complete", "Complete"],
] as const;

/**
 * Renders `STATUS.md`. Deterministic: the only date in it is `last_updated`, so the same
 * data always gives the same bytes.
 */
export function renderStatusMarkdown(file: FeaturesFile): string {
  const m = computeMetrics(file.features);
  const lines: string[] = [];
  lines.push(`# ${file.project} — Status`, "");
  lines.push(
    "<!-- Generated by `br generate` from .buildrunner/features.json. Do not edit. -->",
    "",
  );
  lines.push(`- **Version:** ${file.version}`);
  lines.push(`- **Status:** ${file.status}`);
  lines.push(`- **Updated:** ${formatDate(file.last_updated)}`);
  lines.push(
    `- **Completion:** ${m.completion_percentage}% (${m.features_complete} of ${m.features_total} features complete)`,
  );
  lines.push(`- **Progress:** \`${bar(m.completion_percentage)}\``, "");
  lines.push("| Complete | In progress | Testing | Planned | Blocked | Total |");
  lines.push("| ---: | ---: | ---: | ---: | ---: | ---: |");
  lines.push(
    `| ${m.features_complete} | ${m.features_in_progress} | ${m.features_testing} | ${m.features_planned} | ${m.features_blocked} | ${m.features_total} |`,
    "",
  );
  if (file.description.trim()) lines.push(file.description.trim(), "");
  const byId = new Map(file.features.map((f) => [f.id, f]));
  for (const [status, title] of SECTIONS) {
    const list = file.features.filter((f) => f.status === status).sort(byPriorityThenId);
    lines.push(`## ${title} (${list.length})`, "");
    if (list.length === 0) {
      lines.push("_None._", "");
      continue;
    }
    for (const f of list) lines.push(...renderFeature(f, byId), "");
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}

function renderFeature(f: Feature, byId: Map<string, Feature>): string[] {
  const out = [`### ${escapeMd(f.name)} (\`${f.id}\`)`, ""];
  out.push(`- Priority: ${f.priority}`);
  if (f.dependencies.length) {
    const deps = f.dependencies.map((d) => {
      const dep = byId.get(d);
      return `\`${d}\`${dep ? ` (${dep.status})` : " (missing)"}`;
    });
    out.push(`- Depends on: ${deps.join(", ")}`);
  } else out.push("- Depends on: none");
  if (f.status === "blocked" && f.blocked_reason) {
    out.push(`- Blocked: ${escapeMd(f.blocked_reason)}`);
  }
  if (f.description.trim()) out.push(`- Description: ${escapeMd(oneLine(f.description))}`);
  if (f.acceptance.length) {
    out.push("- Acceptance:");
    const mark = f.status === "complete" ? "x" : " ";
    for (const a of f.acceptance) out.push(`  - [${mark}] ${escapeMd(oneLine(a))}`);
  } else out.push("- Acceptance: none recorded");
  return out;
}

function byPriorityThenId(a: Feature, b: Feature): number {
  return PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function bar(pct: number): string {
  const filled = Math.round(pct / 5);
  return "#".repeat(filled) + "-".repeat(20 - filled) + ` ${pct}%`;
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}

function escapeMd(s: string): string {
  return s.replace(/([<>])/g, "\\$1");
}

/** Result of {@link generateStatus}. */
export interface GenerateResult {
  /** Path written, relative to the project root. */
  path: string;
  /** False when STATUS.md was already up to date. */
  changed: boolean;
  /** Completion percentage. */
  completion: number;
}

/** Writes `STATUS.md` from `features.json` (only when its content changes). */
export async function generateStatus(project: Project): Promise<GenerateResult> {
  const { bytes, completion } = await statusBytes(project);
  // Not flushed to disk before the rename: STATUS.md is derived, `br generate` rebuilds it.
  const changed = await writeIfChanged(project.paths.status, bytes, { durable: false });
  const result = {
    path: relative(project.root, project.paths.status),
    changed,
    completion,
  };
  project.bus.emit("status.generated", result);
  return result;
}
