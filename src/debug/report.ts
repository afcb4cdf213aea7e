import { matchesAny } from "../core/glob.ts";
import type { Project } from "../core/project.ts";
import type { ErrorKind } from "./signatures.ts";
import { readDebugLog, type RunRecord } from "./store.ts";
import { shellJoin } from "./pipe.ts";

/** One error as it recurs across runs. */
export interface FailureGroup {
  /** Its signature. */
  signature: string;
  /** What kind of error. */
  kind: ErrorKind;
  /** The message of its latest occurrence (masked). */
  message: string;
  /** The file it points at, or null. */
  file: string | null;
  /** The line, or null. */
  line: number | null;
  /** In how many runs it was seen. */
  count: number;
  /** When it was first seen (ISO). */
  first_seen: string;
  /** When it was last seen (ISO). */
  last_seen: string;
  /** The commands (or watched files) that showed it, sorted. */
  commands: string[];
  /** Ids of the features whose `files` globs match its file, sorted. */
  features: string[];
  /** True when every command that showed it passed in a later run. */
  resolved: boolean;
  /** The command to run next. */
  next: string;
  /**
   * True for an open error `br watch` saw that points at a feature's files: a blocker of
   * those features (their status is not changed) until a later run in the same file passes.
   */
  blocker: boolean;
}

/** An open error `br watch` saw, as a blocker of one feature. */
export interface DebugBlocker {
  /** The feature's id. */
  feature: string;
  /** The error's signature. */
  signature: string;
  /** What kind of error. */
  kind: ErrorKind;
  /** Its message (masked). */
  message: string;
  /** The file and line it points at. */
  file: string | null;
  /** The line, or null. */
  line: number | null;
  /** When it was first seen (ISO). */
  since: string;
  /** The watched files that showed it. */
  seen_in: string[];
}

/** What `br debug` reports. */
export interface DebugReport {
  /** Runs recorded. */
  runs: number;
  /** Runs that failed. */
  failed_runs: number;
  /** The error groups, open ones first, latest first. */
  failures: FailureGroup[];
}

/** Options of {@link debugReport}. */
export interface DebugReportOptions {
  /** Keep resolved groups too. */
  all?: boolean;
}

/** The features a file belongs to (by their `files` globs). */
export async function featuresOfFiles(
  project: Project,
): Promise<(file: string | null) => string[]> {
  const { existsSync } = await import("../core/fs.ts");
  if (!existsSync(project.paths.features)) return () => [];
  const { loadFeatures } = await import("../features/registry.ts");
  const features = (await loadFeatures(project)).features.filter((f) => f.files?.length);
  return (file) =>
    file === null ? [] : features.filter((f) => matchesAny(file, f.files)).map((f) => f.id).sort();
}

function nextCommand(run: RunRecord): string {
  return run.source === "pipe"
    ? `br pipe -- ${run.command}`
    : `br watch ${shellJoin([run.command])}`;
}

/** The recorded failures grouped by signature. */
export async function debugReport(
  project: Project,
  opts: DebugReportOptions = {},
): Promise<DebugReport> {
  const { runs } = await readDebugLog(project);
  const featuresOf = await featuresOfFiles(project);
  // The last passing run of each command.
  const lastPass = new Map<string, string>();
  for (const r of runs) if (r.exit_code === 0) lastPass.set(r.command, r.started_at);
  const groups = new Map<string, FailureGroup & { lastRun: Map<string, string> }>();
  for (const run of runs) {
    for (const e of run.errors) {
      let g = groups.get(e.signature);
      if (!g) {
        g = {
          signature: e.signature,
          kind: e.kind,
          message: e.message,
          file: e.file,
          line: e.line,
          count: 0,
          first_seen: run.started_at,
          last_seen: run.started_at,
          commands: [],
          features: featuresOf(e.file),
          resolved: false,
          next: nextCommand(run),
          blocker: false,
          lastRun: new Map(),
        };
        groups.set(e.signature, g);
      }
      g.count++;
      g.message = e.message;
      g.line = e.line;
      g.last_seen = run.started_at;
      g.next = nextCommand(run);
      g.lastRun.set(run.command, run.started_at);
      if (run.source === "watch") g.blocker = true;
    }
  }
  const out: FailureGroup[] = [];
  for (const { lastRun, ...g } of groups.values()) {
    g.commands = [...lastRun.keys()].sort();
    g.resolved = [...lastRun].every(([cmd, at]) => (lastPass.get(cmd) ?? "") > at);
    g.blocker &&= !g.resolved && g.features.length > 0;
    if (g.resolved && !opts.all) continue;
    out.push(g);
  }
  out.sort((a, b) =>
    Number(a.resolved) - Number(b.resolved) || (a.last_seen < b.last_seen ? 1 : -1) ||
    (a.signature < b.signature ? -1 : 1)
  );
  return {
    runs: runs.length,
    failed_runs: runs.filter((r) => r.exit_code !== 0).length,
    failures: out,
  };
}

/** The open errors `br watch` saw, one entry per feature they block, by feature. */
export async function debugBlockers(project: Project): Promise<DebugBlocker[]> {
  const { failures } = await debugReport(project);
  const out: DebugBlocker[] = [];
  for (const f of failures) {
    if (!f.blocker) continue;
    for (const feature of f.features) {
      out.push({
        feature,
        signature: f.signature,
        kind: f.kind,
        message: f.message,
        file: f.file,
        line: f.line,
        since: f.first_seen,
        seen_in: f.commands,
      });
    }
  }
  return out.sort((a, b) =>
    a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : a.since < b.since ? -1 : 1
  );
}

/** A compact handoff an agent can act on: one block per open failure. */
export function agentHandoff(report: DebugReport): string {
  const open = report.failures.filter((f) => !f.resolved);
  if (!open.length) return "No open failures recorded by br pipe or br watch.\n";
  const lines = [`${open.length} open failure${open.length === 1 ? "" : "s"}:`];
  open.forEach((f, i) => {
    const at = f.file ? ` at ${f.file}${f.line ? `:${f.line}` : ""}` : "";
    lines.push(`${i + 1}. [${f.kind}] ${f.message}${at}${f.blocker ? " (blocker)" : ""}`);
    lines.push(
      `   seen ${f.count}x since ${f.first_seen}` +
        (f.features.length ? `; feature ${f.features.join(", ")}` : ""),
    );
    lines.push(`   next: ${f.next}`);
  });
  return lines.join("\n") + "\n";
}
