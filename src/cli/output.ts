import { BrError, ExitCode, isBrError } from "../core/errors.ts";
import { openProject, type Project } from "../core/project.ts";
import { attachCollector, type Collector } from "../telemetry/collector.ts";
import type { BrContext } from "./context.ts";

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
export const projectFlag = {
  kind: "parsed",
  parse: String,
  brief: "Project root (default: walk up from the current folder; env BR_PROJECT)",
  optional: true,
  placeholder: "dir",
} as const;

/** The `--json` flag definition. */
export const jsonFlag = {
  kind: "boolean",
  brief: "Print JSON (to stdout only)",
  optional: true,
} as const;

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

/**
 * Terminal colors: on a TTY only, never with `NO_COLOR`; `FORCE_COLOR` forces them. The
 * color library is loaded only when colors are on (it costs start-up time).
 */
export async function colors(ctx: BrContext): Promise<Colors> {
  if (!useColor(ctx)) return plain;
  const { createColors } = await import("picocolors");
  return createColors(true);
}

/** Commands that run for long: their events are written at least every second. */
const LONG_RUNNING = new Set(["mcp serve", "parallel run", "parallel resume"]);

/** Opens the project for a command (flag > `BR_PROJECT` > discovery). */
export async function openFor(ctx: BrContext, flags: ProjectFlags): Promise<Project> {
  const project = await openProject({
    cwd: ctx.cwd,
    project: flags.project,
    env: ctx.env,
    clock: ctx.clock,
    onHandlerError: ({ event, error }) =>
      warn(
        ctx,
        `warning: a handler of ${event.type} failed: ${(error as Error)?.message ?? error}`,
      ),
  });
  collectors.set(
    project,
    attachCollector(project, {
      command: ctx.command,
      startedAt: ctx.clock?.now(),
      flushIntervalMs: LONG_RUNNING.has(ctx.command ?? "") ? undefined : null,
    }),
  );
  // Governance may veto feature mutations (status transitions); its module and governance.yaml
  // are loaded only when a feature event is about to be written.
  project.bus.before(
    "*",
    async (event) =>
      event.type.startsWith("feature.")
        ? (await import("../quality/mod.ts")).governanceVeto(project, event)
        : undefined,
  );
  ctx.onProject?.(project);
  return project;
}

const collectors = new WeakMap<Project, Collector>();

function errorCode(err: unknown): string {
  return isBrError(err) ? err.code : "unexpected";
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
  const collector = collectors.get(project);
  let result: T;
  try {
    result = await fn(project);
    const code = Number(ctx.process.exitCode ?? 0) || 0;
    collector?.end({ exitCode: code, error: code === 10 ? "check_failed" : undefined });
  } catch (err) {
    collector?.end({
      exitCode: isBrError(err) ? err.exitCode : ExitCode.unexpected,
      error: errorCode(err),
    });
    throw err;
  } finally {
    await project.close();
    if (collector?.lastError && !collector.fatal) {
      warn(ctx, `warning: telemetry not recorded: ${(collector.lastError as Error)?.message}`);
    }
  }
  // Events that must not be stored locally (BR_DATABASE_URL names another store) fail the
  // command; any other failure to record them is only a warning.
  if (collector?.fatal) throw collector.fatal;
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

/** Sets the exit code when it is not already set (for "check found problems" results). */
export function setExit(ctx: BrContext, code: number): void {
  ctx.process.exitCode = code;
}
