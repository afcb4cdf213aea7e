/**
 * The collector: subscribes to the project's event bus, keeps events in memory and writes
 * them to the store in batches (when a batch is full, after a short delay in long-running
 * processes, and when the project closes). A command that emits nothing never opens the store;
 * one that ends without having opened it (and without alert inputs) spools its events to
 * `.buildrunner/spool/`, which the next opening of the store ingests. With a PostgreSQL store
 * nothing is spooled (a CI runner's folder is thrown away): events go to the server, and a
 * server that cannot be reached fails the command (exit 8), with nothing written locally.
 *
 * This module is loaded by every command: it imports no schema library.
 */
import type { BrEvent, EventType } from "../core/events.ts";
import type { Project } from "../core/project.ts";

/** Options of {@link attachCollector}. */
export interface CollectorOptions {
  /** The command being run (`feature add`), recorded on the session events. */
  command?: string;
  /** When the command started (default: now). */
  startedAt?: Date;
  /** Events per write (default 500). */
  batchSize?: number;
  /**
   * Longest time an event waits in memory in a long-running process (default 1000 ms);
   * `null` arms no timer (a short command writes at batch size and when it closes; the first
   * timer of a Deno process costs more than a small command's whole work).
   */
  flushIntervalMs?: number | null;
  /**
   * Never open the store: every event goes to the spool, alert inputs too (git hooks, which
   * must stay fast and must not create br.db; `br validate`). The next command that opens
   * the store ingests them, and its collector checks the alerts over them as it closes (or
   * as it writes). Default false.
   */
  spoolOnly?: boolean;
}

/** How a command ended, for `session.ended`. */
export interface SessionOutcome {
  /** The process exit code. */
  exitCode: number;
  /** The error code when it did not succeed (`not_found`, `check_failed`, ...). */
  error?: string;
}

/** A collector attached to one project. */
export interface Collector {
  /** False when telemetry is off (`BR_NO_TELEMETRY=1`); the config switch is read on write. */
  readonly enabled: boolean;
  /** Events written so far. */
  readonly written: number;
  /** The last write failure, if any (a failure never fails the command). */
  readonly lastError: unknown;
  /**
   * Set when events could not be stored because `BR_DATABASE_URL` names a store br lacks, or
   * the PostgreSQL store cannot be written: unlike other write failures, this fails the
   * command (exit 8), as the events must not land in the local file instead.
   */
  readonly fatal: Error | null;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Records how the command ended; `session.started`/`ended` are written at close. */
  end(outcome: SessionOutcome): void;
}

/** True when `BR_NO_TELEMETRY` turns collection off. */
export function telemetryDisabledByEnv(env: Record<string, string | undefined>): boolean {
  const v = env.BR_NO_TELEMETRY;
  return v !== undefined && v !== "" && v !== "0" && v.toLowerCase() !== "false";
}

const ALERT_EVERY_MS = 10_000;
// The events that may bring a figure to its threshold. A passed gate only lowers the error rate
// (the success rate counts tasks and builds): it may resolve an alert, which the next check
// does, never fire one.
const ALERT_INPUTS = /^(task\.|build\.|gate\.failed|cost\.recorded|security\.finding)/;

/**
 * Attaches a collector to `project.bus`. Sessions are recorded only for commands that emitted
 * other events or failed: a read-only command that succeeds leaves no trace and opens nothing.
 *
 * @example
 * ```ts
 * import { createProject } from "../core/project.ts";
 * import { attachCollector } from "./collector.ts";
 * const project = createProject(await Deno.makeTempDir(), {});
 * attachCollector(project, { command: "demo" });
 * project.bus.emit("gate.passed", { gate: "lint", duration_ms: 12 });
 * await project.close(); // writes gate.passed plus session.started/ended
 * ```
 */
export function attachCollector(project: Project, options: CollectorOptions = {}): Collector {
  const startedAt = options.startedAt ?? project.clock.now();
  const batchSize = options.batchSize ?? 500;
  const interval = options.flushIntervalMs === undefined ? 1000 : options.flushIntervalMs;
  let buffer: BrEvent[] = [];
  let seen = 0;
  // Alerts are checked after writing outcomes, at most every ALERT_EVERY_MS while the process
  // runs, and always when it closes.
  let alertInputs = false;
  let alertsPending = false;
  let lastAlertCheck = Number.NEGATIVE_INFINITY;
  let closing = false;
  let outcome: SessionOutcome | null = null;
  let chain: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let allowed: boolean | null = null;
  const state = {
    enabled: !telemetryDisabledByEnv(project.env),
    written: 0,
    lastError: null as unknown,
    fatal: null as Error | null,
  };
  // The store a BR_DATABASE_URL names may be one this build lacks; without the variable there
  // is nothing to check, and the store's module stays unloaded (a warm `br status`).
  const unusable = state.enabled && project.env.BR_DATABASE_URL
    ? import("../core/store.ts").then(({ storeUrlError }) => storeUrlError(project.env))
    : null;

  const isAllowed = async (): Promise<boolean> => {
    if (allowed === null) {
      // On by default: the configuration (and the section's schema library) is loaded only
      // when something can turn it off; then `BR_TELEMETRY__ENABLED` applies too.
      if (project.configMentions("telemetry")) {
        await import("./config.ts");
        allowed = (await project.config()).get<unknown>("telemetry.enabled") !== false;
      } else allowed = true;
    }
    return allowed;
  };

  // A PostgreSQL store: never spool, and a failure to write fails the command.
  const onServer = async (): Promise<boolean> =>
    (await project.storeChoice()).backend === "postgres";

  const write = async (events: BrEvent[], hasAlertInputs: boolean): Promise<void> => {
    // True while a failure would lose events a server store must get: that fails the command.
    let fatal = false;
    try {
      if (!(await isAllowed())) return;
      const refused = await unusable;
      if (refused) {
        state.fatal = state.lastError = refused;
        return;
      }
      // A store.url that cannot be used is as fatal as a server that cannot be reached.
      fatal = true;
      const server = await onServer();
      fatal = server;
      alertsPending ||= hasAlertInputs;
      const spool = !server && (options.spoolOnly || (closing && !alertsPending));
      if (spool && !project.storeOpened()) {
        // A short command that never needed the store: spool the events (the next open of
        // the store ingests them) instead of loading and opening SQLite for a few rows.
        const { spoolEvents } = await import("../core/event_log.ts");
        await spoolEvents(project.paths.spool, events);
        state.written += events.length;
        return;
      }
      const store = await project.store();
      const { takeIngestedTypes, writeEvents } = await import("../core/event_log.ts");
      // Events another command spooled, ingested as the store opened, may bring an alert.
      alertsPending ||= takeIngestedTypes(store).some((t) => ALERT_INPUTS.test(t));
      state.written += await writeEvents(store, events);
      // Stored: a failure of the alert check below is only a warning, as with SQLite.
      fatal = false;
      const due = closing || Date.now() - lastAlertCheck >= ALERT_EVERY_MS;
      if (alertsPending && due) {
        alertsPending = false;
        lastAlertCheck = Date.now();
        const { evaluateAlerts } = await import("./alerts.ts");
        await evaluateAlerts(project, { offFigures: false });
      }
    } catch (err) {
      state.lastError = err;
      if (fatal) state.fatal = err as Error;
    }
  };

  const alertsOverIngested = async (): Promise<void> => {
    if (!project.storeOpened()) return;
    try {
      const store = await project.store();
      const { takeIngestedTypes } = await import("../core/event_log.ts");
      if (!takeIngestedTypes(store).some((t) => ALERT_INPUTS.test(t))) return;
      if (!(await isAllowed())) return;
      lastAlertCheck = Date.now();
      const { evaluateAlerts } = await import("./alerts.ts");
      await evaluateAlerts(project, { offFigures: false });
    } catch (err) {
      state.lastError = err;
    }
  };

  const flush = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (buffer.length === 0) return chain;
    const events = buffer;
    const hasAlertInputs = alertInputs;
    buffer = [];
    alertInputs = false;
    chain = chain.then(() => write(events, hasAlertInputs));
    return chain;
  };

  const collector: Collector = {
    get enabled() {
      return state.enabled;
    },
    get written() {
      return state.written;
    },
    get lastError() {
      return state.lastError;
    },
    get fatal() {
      return state.fatal;
    },
    flush,
    end(result) {
      outcome = result;
    },
  };
  if (!state.enabled) return collector;
  // Feature and spec changes pass the veto hooks before anything is written: refuse them
  // there, so a change whose events cannot be stored is not made at all.
  project.bus.before("*", async () => {
    const refused = await unusable;
    if (refused) throw refused;
    // With a PostgreSQL store, the server must be reachable before such a change is made.
    if (await onServer() && await isAllowed()) await project.store();
  });

  project.bus.on("*", (event) => {
    buffer.push(event);
    seen++;
    if (ALERT_INPUTS.test(event.type)) alertInputs = true;
    if (buffer.length >= batchSize) return flush();
    if (timer === undefined && interval !== null) {
      const t = setTimeout(flush, interval);
      Deno.unrefTimer(t);
      timer = t;
    }
    return undefined;
  });

  project.onClose(() => {
    closing = true;
    // A check that found problems (exit 10) is a result, not a failure of br.
    const failed = outcome !== null && outcome.exitCode !== 0 && outcome.error !== undefined &&
      outcome.error !== "check_failed";
    if (seen > 0 || failed) {
      const command = options.command ?? "br";
      const started = sessionEvent(project, "session.started", { command }, startedAt);
      const now = project.clock.now();
      const payload: BrEvent<"session.ended">["payload"] = {
        command,
        exit_code: outcome?.exitCode ?? 0,
        duration_ms: Math.max(0, now.getTime() - startedAt.getTime()),
      };
      if (outcome?.error) payload.error = outcome.error;
      buffer.unshift(started);
      buffer.push(sessionEvent(project, "session.ended", payload, now));
    }
    flush();
    // A command that opened the store without writing (a report) may have ingested spooled
    // alert inputs (a failed gate of a hook or `br validate`): their alerts are checked now.
    chain = chain.then(alertsOverIngested);
    return chain;
  });
  return collector;
}

function sessionEvent<T extends EventType>(
  project: Project,
  type: T,
  payload: BrEvent<T>["payload"],
  time: Date,
): BrEvent<T> {
  return { ...project.bus.create(type, payload), time: time.toISOString() };
}
