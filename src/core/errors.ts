/** Exit codes shared by every command (docs/cli.md, "Exit codes", carries the same table). */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  invalidData: 3,
  notFound: 4,
  conflict: 5,
  plugin: 6,
  external: 7,
  storage: 8,
  checkFailed: 10,
  interrupted: 130,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** Machine-readable error codes; each maps to one exit code. */
export type BrErrorCode =
  | "usage"
  | "invalid_data"
  | "not_found"
  | "no_project"
  | "conflict"
  | "lock_timeout"
  | "plugin"
  | "external"
  | "storage"
  | "check_failed"
  | "interrupted";

const EXIT_BY_CODE: Record<BrErrorCode, ExitCodeValue> = {
  usage: ExitCode.usage,
  invalid_data: ExitCode.invalidData,
  not_found: ExitCode.notFound,
  no_project: ExitCode.notFound,
  conflict: ExitCode.conflict,
  lock_timeout: ExitCode.conflict,
  plugin: ExitCode.plugin,
  external: ExitCode.external,
  storage: ExitCode.storage,
  check_failed: ExitCode.checkFailed,
  interrupted: ExitCode.interrupted,
};

/** Options of a {@link BrError}. */
export interface BrErrorOptions {
  /** What the user can do about it, printed as `hint: ...`. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error type of BuildRunner: a code, a one-line message, a hint and an exit code.
 *
 * @example
 * ```ts
 * import { BrError } from "./errors.ts";
 * const err = new BrError("not_found", 'Cannot find feature "x"', { hint: 'run "br feature list"' });
 * console.log(err.exitCode); // 4
 * ```
 */
export class BrError extends Error {
  /** Machine-readable code. */
  readonly code: BrErrorCode;
  /** What to do about it. */
  readonly hint?: string;
  /** The process exit code for this error. */
  readonly exitCode: ExitCodeValue;

  /** Creates an error; the exit code follows from `code`. */
  constructor(code: BrErrorCode, message: string, options: BrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BrError";
    this.code = code;
    this.hint = options.hint;
    this.exitCode = EXIT_BY_CODE[code];
  }
}

/**
 * An error as one thread posts it to another: a structured clone keeps neither its class nor
 * its code and hint.
 */
export interface PostedError {
  /** The error's name. */
  name: string;
  /** Its message. */
  message: string;
  /** A {@link BrError}'s code. */
  code?: BrErrorCode;
  /** A {@link BrError}'s hint. */
  hint?: string;
}

/** `err` as a thread posts it ({@link revivedError} on the other side). */
export function postedError(err: unknown): PostedError {
  const e = err as Error;
  return {
    name: e?.name ?? "Error",
    message: String(e?.message ?? err),
    code: err instanceof BrError ? err.code : undefined,
    hint: err instanceof BrError ? err.hint : undefined,
  };
}

/** The error another thread posted ({@link postedError}): a {@link BrError} when it was one. */
export function revivedError(posted: PostedError): Error {
  if (posted.code) return new BrError(posted.code, posted.message, { hint: posted.hint });
  const err = new Error(posted.message);
  err.name = posted.name;
  return err;
}

/** True when `err` is a {@link BrError}. */
export function isBrError(err: unknown): err is BrError {
  return err instanceof BrError;
}
