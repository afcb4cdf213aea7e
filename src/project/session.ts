import { existsIn } from "../core/fs.ts";
import { importOptional } from "../core/optional.ts";
import { openProject, type OpenProjectOptions, type Project } from "../core/project.ts";
import { attachCollector, type Collector } from "../telemetry/collector.ts";

/** Options of {@link openSession}. */
export interface SessionOptions extends OpenProjectOptions {
  /**
   * The command this session serves (`"feature add"`, `"mcp br_status"`, a plugin's command),
   * recorded in the `session.*` events. Default `"library"`.
   */
  command?: string;
  /** When the command started (default: now, by the project's clock). */
  startedAt?: Date;
  /**
   * Write events at least every second instead of when the session closes (servers and other
   * long runs). Default false.
   */
  longRunning?: boolean;
  /**
   * Never open the store for the session's events: they go to `.buildrunner/spool/`, which
   * the next command that opens the store ingests (git hooks). Default false.
   */
  spoolOnly?: boolean;
}

/** How a session's command ended, recorded in its `session.ended` event. */
export interface SessionOutcome {
  /** The exit code (0: ok; 10: a check found problems). */
  exitCode: number;
  /** An error code when it failed. */
  error?: string;
}

const collectors = new WeakMap<Project, Collector>();

/**
 * Opens a project with the rules and records every caller gets, whatever started it: the
 * command line, the MCP server, the git hooks, `br parallel`, plugins and library code.
 *
 * - Governance: before a feature event is written, `.buildrunner/governance.yaml` (verified
 *   against its checksum) may veto it; a forbidden status transition is refused (exit code 5)
 *   and an unrecorded edit of the file is refused (exit code 10), and nothing is written.
 * - Telemetry: every event is recorded in the project's store (unless turned off with
 *   `BR_NO_TELEMETRY=1` or `telemetry.enabled: false`), with `session.started` and
 *   `session.ended` around them, when the project is closed.
 * - Plugins: each event reaches the installed plugins that handle it (`.buildrunner/plugins.yaml`),
 *   each in its own sandboxed Worker; a failing plugin is reported through `onHandlerError`.
 *
 * Close the project with `project.close()` when done; {@link endSession} first records how the
 * command ended.
 *
 * @example
 * ```ts
 * import { openSession } from "./session.ts";
 * import { initProject } from "./init.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await initProject(dir, { name: "demo" });
 * const project = await openSession({ cwd: dir, command: "example" });
 * await project.close();
 * ```
 *
 * @throws {BrError} `not_found` when no project is found.
 */
export async function openSession(options: SessionOptions = {}): Promise<Project> {
  const project = await openProject(options);
  collectors.set(
    project,
    attachCollector(project, {
      command: options.command ?? "library",
      startedAt: options.startedAt,
      flushIntervalMs: options.longRunning ? undefined : null,
      spoolOnly: options.spoolOnly,
    }),
  );
  // Governance may veto feature mutations (status transitions); its module and governance.yaml
  // are loaded only when a feature event is about to be written.
  project.bus.before(
    "*",
    async (event) =>
      event.type.startsWith("feature.")
        ? (await import("../quality/governance.ts")).governanceVeto(project, event)
        : undefined,
  );
  // Installed plugins see the events; the plugin host loads only for an event one handles,
  // and nothing of it when no plugin is installed (the everyday case, on every command).
  if (existsIn(project.paths.dir, "plugins.yaml")) {
    (await importOptional<typeof import("../plugins/events.ts")>("src/plugins/events.ts"))
      .attachPluginEvents(project);
  }
  return project;
}

/** Records how the session's command ended (before `project.close()`). */
export function endSession(project: Project, outcome: SessionOutcome): void {
  collectors.get(project)?.end(outcome);
}

/**
 * The last error of the session's telemetry writes (a failure to record never fails the
 * command), or null.
 */
export function sessionTelemetryError(project: Project): unknown {
  return collectors.get(project)?.lastError ?? null;
}

/**
 * An error that must fail the session's command after it ran (events that may not be stored
 * locally because `BR_DATABASE_URL` names another store), or null.
 */
export function sessionFatalError(project: Project): unknown {
  return collectors.get(project)?.fatal ?? null;
}
