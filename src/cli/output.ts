import { BrError, ExitCode, isBrError } from "../core/errors.ts";
import { existsIn } from "../core/fs.ts";
import { importOptional } from "../core/optional.ts";
import type { Project } from "../core/project.ts";
import {
  endSession,
  openSession,
  sessionFatalError,
  sessionTelemetryError,
} from "../project/session.ts";
import type { BrContext } from "./context.ts";
import { boolFlag, textFlag } from "./flags.ts";

/** Flags every project command takes. */
export interface ProjectFlags {
  /** Explicit project root. */
  readonly project?: string;
}

/** Flags of commands that print data. */
export interface JsonFlags {
  /** Print JSON instead of text. */
  readonly json?: boolean;
}

/** The `--project` flag definition. */
export const projectFlag = textFlag(
  "Project root (default: walk up from the current folder; env BR_PROJECT)",
  "dir",
);

/** The `--json` flag definition. */
export const jsonFlag = boolFlag("Print JSON (to stdout only)");

/** `--project` and `--json`, the flags of most commands ({@link ProjectFlags} & {@link JsonFlags}). */
export const commonFlags = { project: projectFlag, json: jsonFlag } as const;

/** USD for people: 2 decimals, 4 below a cent (`$0.0042`). */
export function formatUsd(n: number): string {
  return `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;
}

/** A whole number with thousands separators (`12,345`). */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Writes one line to stdout. */
export function print(ctx: BrContext, text = ""): void {
  ctx.process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/** Writes a value as pretty JSON to stdout. */
export function printJson(ctx: BrContext, value: unknown): void {
  ctx.process.stdout.write(JSON.stringify(value ?? null, null, 2) + "\n");
}

/** Writes a line to stderr. */
export function warn(ctx: BrContext, text: string): void {
  ctx.process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}

/** The color functions commands use. */
export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

const plain: Colors = {
  bold: String,
  dim: String,
  red: String,
  green: String,
  yellow: String,
  cyan: String,
  magenta: String,
};

/** True when output to this context should be colored. */
export function useColor(ctx: BrContext): boolean {
  const env = ctx.env;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return ctx.stdoutIsTTY;
}

/** Wraps text in an SGR code; a nested close code re-opens it (`bold(a + bold(b) + c)`). */
function sgr(open: number, close: number): (s: string) => string {
  const on = `\x1b[${open}m`;
  const off = `\x1b[${close}m`;
  return (s) => on + String(s).replaceAll(off, off + on) + off;
}

/** The ANSI color functions (what {@link colors} returns when colors are on). */
export const ansiColors: Colors = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
  magenta: sgr(35, 39),
};

/** Terminal colors: on a TTY only, never with `NO_COLOR`; `FORCE_COLOR` forces them. */
export function colors(ctx: BrContext): Promise<Colors> {
  return Promise.resolve(useColor(ctx) ? ansiColors : plain);
}

/** Commands that run for long: their events are written at least every second. */
const LONG_RUNNING = new Set([
  "watch",
  "mcp serve",
  "parallel run",
  "parallel start",
  "parallel resume",
  "parallel worker",
]);

/** Commands whose events always go to the spool (see `CollectorOptions.spoolOnly`). */
const SPOOL_ONLY = new Set(["hooks run", "validate"]);

/** Opens the project for a command (flag > `BR_PROJECT` > discovery), as a session. */
export async function openFor(ctx: BrContext, flags: ProjectFlags): Promise<Project> {
  const project = await openSession({
    cwd: ctx.cwd,
    project: flags.project,
    env: ctx.env,
    clock: ctx.clock,
    command: ctx.command,
    startedAt: ctx.clock?.now(),
    longRunning: LONG_RUNNING.has(ctx.command ?? ""),
    // A git hook and a gate run stay fast and never create br.db: their events wait in the
    // spool (the next opening of the store ingests them and checks the alerts over them).
    spoolOnly: SPOOL_ONLY.has(ctx.command ?? ""),
    onHandlerError: ({ event, error }) =>
      warn(
        ctx,
        `warning: a handler of ${event.type} failed: ${(error as Error)?.message ?? error}`,
      ),
  });
  ctx.onProject?.(project);
  return project;
}

function errorCode(err: unknown): string {
  return isBrError(err) ? err.code : "unexpected";
}

// The commands that report the state of the hooks themselves.
const REPORTS_HOOKS = new Set(["hooks install", "hooks uninstall", "hooks status"]);

/**
 * One warning line when hooks br installed no longer run br (another hook manager replaced,
 * renamed or bypassed them). Costs a few file reads when br installed hooks, one when not.
 */
async function warnDisplacedHooks(ctx: BrContext, project: Project): Promise<void> {
  // Only a project whose hooks br installed has a record to check against (one stat otherwise).
  if (!existsIn(project.paths.dir, "cache", "hooks.json")) return;
  const { displacedHooks, displacedWarning } = await importOptional<
    typeof import("../hooks/watch.ts")
  >("src/hooks/watch.ts");
  const line = displacedWarning(await displacedHooks(project).catch(() => []));
  if (line) warn(ctx, line);
}

/**
 * Runs a command body with a project: opens it, runs `fn`, then flushes the event bus and
 * closes the project whatever happened.
 */
export async function withProject<T>(
  ctx: BrContext,
  flags: ProjectFlags,
  fn: (project: Project) => Promise<T>,
): Promise<T> {
  const project = await openFor(ctx, flags);
  let result: T;
  try {
    if (!REPORTS_HOOKS.has(ctx.command ?? "")) await warnDisplacedHooks(ctx, project);
    result = await fn(project);
    const code = Number(ctx.process.exitCode ?? 0) || 0;
    endSession(project, { exitCode: code, error: code === 10 ? "check_failed" : undefined });
  } catch (err) {
    endSession(project, {
      exitCode: isBrError(err) ? err.exitCode : ExitCode.unexpected,
      error: errorCode(err),
    });
    throw err;
  } finally {
    await project.close();
    const failed = sessionTelemetryError(project);
    if (failed && !sessionFatalError(project)) {
      warn(ctx, `warning: telemetry not recorded: ${(failed as Error)?.message}`);
    }
  }
  // Events that must not be stored locally (BR_DATABASE_URL names another store) fail the
  // command; any other failure to record them is only a warning.
  const fatal = sessionFatalError(project);
  if (fatal) throw fatal;
  return result;
}

/** Prints an error the house way and sets the exit code. */
export function reportError(ctx: BrContext, err: unknown): void {
  const verbose = !!ctx.env.BR_DEBUG && ctx.env.BR_DEBUG !== "0";
  if (isBrError(err)) {
    warn(ctx, `error: ${err.message}`);
    if (err.hint) warn(ctx, `hint: ${err.hint}`);
    if (verbose && err.cause) warn(ctx, String((err.cause as Error)?.stack ?? err.cause));
    ctx.process.exitCode = err.exitCode;
    return;
  }
  warn(ctx, `error: unexpected: ${(err as Error)?.message ?? String(err)}`);
  warn(ctx, String((err as Error)?.stack ?? ""));
  warn(ctx, "hint: this is a bug in br; please report it with the command you ran");
  ctx.process.exitCode = ExitCode.unexpected;
}

/** Fails the command with a usage error. */
export function usage(message: string, hint?: string): never {
  throw new BrError("usage", message, { hint });
}

/**
 * Sets the exit code the process ends with, replacing one set earlier (for results such as
 * "check found problems" that print normally and still fail).
 */
export function setExit(ctx: BrContext, code: number): void {
  ctx.process.exitCode = code;
}
