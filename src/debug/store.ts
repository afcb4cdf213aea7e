import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { join } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import type { ErrorSignature } from "./signatures.ts";

/** One recorded run of a command (`br pipe`) or one scan of a watched file (`br watch`). */
export interface RunRecord {
  /** Unique id. */
  id: string;
  /** Where it came from. */
  source: "pipe" | "watch";
  /** The command line (masked), or the watched file. */
  command: string;
  /** ISO start time. */
  started_at: string;
  /** How long it ran, in milliseconds (0 for a watched file). */
  duration_ms: number;
  /** Its exit code (for a watched file: 1 when it showed errors, 0 when a run passed). */
  exit_code: number;
  /** The last lines of its output (masked). */
  tail: string[];
  /** The errors found in its output (masked). */
  errors: ErrorSignature[];
}

/** The recorded runs (`.buildrunner/context/debug.json`). */
export interface DebugLog {
  /** Format version. */
  version: 1;
  /** Runs, oldest first (the last {@link MAX_RUNS} kept). */
  runs: RunRecord[];
}

/** How many runs the log keeps. */
export const MAX_RUNS = 200;

/** The log's path. */
export function debugLogPath(project: Project): string {
  return join(project.paths.context, "debug.json");
}

/**
 * The recorded runs (none when the log does not exist yet).
 *
 * @throws {BrError} `invalid_data` when the log is corrupt (it is then left as it is).
 */
export async function readDebugLog(project: Project): Promise<DebugLog> {
  const path = debugLogPath(project);
  const text = await readOwnTextOrNull(path);
  if (text === null) return { version: 1, runs: [] };
  const corrupt = (why: string) =>
    new BrError("invalid_data", `Cannot read "${path}": ${why}`, {
      hint: "move the file away to start a new log (it holds only recorded runs)",
    });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw corrupt((err as Error).message);
  }
  const log = data as DebugLog;
  if (!log || typeof log !== "object" || log.version !== 1 || !Array.isArray(log.runs)) {
    throw corrupt('not a br debug log (field "runs")');
  }
  return log;
}

/** Appends runs to the log under the project lock (the oldest beyond {@link MAX_RUNS} go). */
export function appendRuns(project: Project, runs: RunRecord[]): Promise<void> {
  return project.withLock(async () => {
    const log = await readDebugLog(project);
    log.runs.push(...runs);
    log.runs = log.runs.slice(-MAX_RUNS);
    await Deno.mkdir(project.paths.context, { recursive: true });
    await writeFileAtomic(debugLogPath(project), JSON.stringify(log, null, 2) + "\n");
  });
}
