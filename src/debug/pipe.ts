import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import { urlPasswords } from "../core/store.ts";
import { sourceMasker } from "../security/scan.ts";
import { dotenvValues, maskValues } from "../env/dotenv.ts";
import { detectErrors, plainOutput } from "./signatures.ts";
import { appendRuns, type RunRecord } from "./store.ts";

/** Options of {@link pipeCommand}. */
export interface PipeOptions {
  /** The command and its arguments. */
  argv: string[];
  /** Working directory (default: the project root). */
  cwd?: string;
  /** Run it under `script -qec` so that it sees a terminal. */
  tty?: boolean;
  /** Receives its standard output as it comes. */
  onStdout?: (chunk: Uint8Array) => void;
  /** Receives its standard error as it comes. */
  onStderr?: (chunk: Uint8Array) => void;
  /** Lines of output the record keeps (default 40). */
  tailLines?: number;
}

/** How much of the output is kept for error detection (the end of it). */
const KEEP_BYTES = 512 * 1024;

/**
 * Masks what br records from a command's output: secret rules, the values of `.env`, and the
 * store's database password (`BR_DATABASE_URL`, `PGPASSWORD`), which a failing command may
 * print on its own.
 */
export async function recordMasker(project: Project): Promise<(text: string) => string> {
  const mask = await sourceMasker(project);
  const env = project.env;
  const store = [
    ...urlPasswords(env.BR_DATABASE_URL ?? ""),
    ...(env.PGPASSWORD ? [env.PGPASSWORD] : []),
  ].filter((v) => v.length >= 4);
  const values = [...new Set([...dotenvValues(project.root), ...store])]
    .sort((a, b) => b.length - a.length);
  return (text) => mask(maskValues(text, values));
}

/** A command line as one shell word list. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)
    .join(" ");
}

/**
 * Runs a command with its output passed on as it comes, then records its exit code, duration,
 * output tail and the errors found in it (all masked) in `.buildrunner/context/debug.json`
 * and emits `debug.error` for each error.
 *
 * @throws {BrError} `external` when the command cannot be started.
 */
export async function pipeCommand(project: Project, opts: PipeOptions): Promise<RunRecord> {
  const [cmd, ...args] = opts.tty
    ? ["script", "-qec", shellJoin(opts.argv), "/dev/null"]
    : opts.argv;
  const started = project.clock.now();
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      cwd: opts.cwd ?? project.root,
      stdin: "inherit",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new BrError("external", `Cannot run "${cmd}": ${(err as Error).message}`, {
      cause: err,
      hint: opts.tty && err instanceof Deno.errors.NotFound
        ? "install util-linux (it has script) or run without --tty"
        : "check the command's name and that it is on PATH",
    });
  }
  const chunks: Uint8Array[] = [];
  let kept = 0;
  const keep = (c: Uint8Array) => {
    chunks.push(c);
    kept += c.length;
    while (kept - chunks[0].length > KEEP_BYTES) kept -= chunks.shift()!.length;
  };
  const pump = async (s: ReadableStream<Uint8Array>, to?: (c: Uint8Array) => void) => {
    for await (const c of s) {
      to?.(c);
      keep(c);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, opts.onStdout),
    pump(child.stderr, opts.onStderr),
  ]);
  const duration = Math.round(performance.now() - t0);
  const code = status.signal ? 128 + signalNumber(status.signal) : status.code;
  const bytes = new Uint8Array(kept);
  let off = 0;
  for (const c of chunks) bytes.set(c, (off += c.length) - c.length);
  const mask = await recordMasker(project);
  const text = mask(plainOutput(new TextDecoder().decode(bytes)));
  const errors = code === 0 ? [] : detectErrors(text, project.root);
  const lines = text.replace(/\n+$/, "").split("\n");
  const record: RunRecord = {
    id: crypto.randomUUID(),
    source: "pipe",
    command: mask(shellJoin(opts.argv)),
    started_at: started.toISOString(),
    duration_ms: duration,
    exit_code: code,
    tail: lines.slice(-(opts.tailLines ?? 40)),
    errors,
  };
  await appendRuns(project, [record]);
  for (const e of errors) emitError(project, e, "pipe");
  return record;
}

/** Emits `debug.error` for one error seen by `pipe` or `watch`. */
export function emitError(
  project: Project,
  e: { signature: string; kind: string; file: string | null; line: number | null },
  source: "pipe" | "watch",
): void {
  project.bus.emit("debug.error", {
    signature: e.signature,
    kind: e.kind,
    file: e.file ?? undefined,
    line: e.line ?? undefined,
    source,
  });
}

function signalNumber(signal: Deno.Signal): number {
  const n: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGTERM: 15,
  };
  return n[signal] ?? 0;
}
