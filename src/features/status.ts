import { relative } from "../core/path.ts";
import { writeIfChanged } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { derivedFromFile, jsonCodec } from "../core/cache.ts";
import type { Feature, FeatureMetrics } from "./types.ts";

// What the status is derived from (features.json loaded, validated, summarized, rendered) is
// in status_render.ts, loaded only when the cache cannot answer.

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
    async () => (await import("./status_render.ts")).deriveStatusView(project),
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
      const { deriveStatusMarkdown } = await import("./status_render.ts");
      const { markdown, completion } = await deriveStatusMarkdown(project);
      return { bytes: encoder.encode(markdown), completion };
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

/** Result of {@link generateStatus}. */
export interface GenerateResult {
  /** Path written, relative to the project root. */
  path: string;
  /** False when STATUS.md was already up to date. */
  changed: boolean;
  /** Completion percentage. */
  completion: number;
}

/**
 * Writes `STATUS.md` from `features.json` (only when its content changes), without an event:
 * every write of features.json calls it, so that STATUS.md never goes stale.
 */
export async function writeStatus(project: Project): Promise<GenerateResult> {
  const { bytes, completion } = await statusBytes(project);
  // Not flushed to disk before the rename: STATUS.md is derived, `br generate` rebuilds it.
  const changed = await writeIfChanged(project.paths.status, bytes, {
    durable: false,
    linksWithin: project.root,
  });
  return { path: relative(project.root, project.paths.status), changed, completion };
}

/** Writes `STATUS.md` from `features.json` (only when its content changes); `br generate`. */
export async function generateStatus(project: Project): Promise<GenerateResult> {
  const result = await writeStatus(project);
  project.bus.emit("status.generated", result);
  return result;
}
