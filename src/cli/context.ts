import type { CommandContext } from "@stricli/core";
import type { Clock, Project } from "../core/project.ts";

/** A text sink (stdout or stderr). */
export interface Sink {
  /** Writes text as is. */
  write(text: string): void;
}

/** What every command runner receives as `this`. Tests build one with captured sinks. */
export interface BrContext extends CommandContext {
  /** Output streams and the exit code. */
  readonly process: { stdout: Sink; stderr: Sink; exitCode?: number | string | null };
  /** The environment. */
  readonly env: Record<string, string | undefined>;
  /** The working directory. */
  readonly cwd: string;
  /** True when stdout is a terminal (colors, tables, progress). */
  readonly stdoutIsTTY: boolean;
  /** True when stdin is a terminal (prompts allowed). */
  readonly stdinIsTTY: boolean;
  /** Stdin for commands that read data from it (default: the process's). */
  readonly stdin?: ReadableStream<Uint8Array>;
  /** A fixed clock for tests. */
  readonly clock?: Clock;
  /** The command being run (`feature add`), resolved from argv by `runCli`. */
  readonly command?: string;
  /** Called with every project a command opens (tests subscribe to its bus here). */
  readonly onProject?: (project: Project) => void;
}

/** The context of the real process. */
export function processContext(): BrContext {
  const enc = new TextEncoder();
  const sink = (fd: typeof Deno.stdout): Sink => ({
    write(text: string) {
      const bytes = enc.encode(text);
      let off = 0;
      try {
        while (off < bytes.length) off += fd.writeSync(bytes.subarray(off));
      } catch (err) {
        // A closed pipe (`br feature list | head`) is not an error of ours.
        if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
      }
    },
  });
  return {
    process: { stdout: sink(Deno.stdout), stderr: sink(Deno.stderr) },
    env: Deno.env.toObject(),
    cwd: Deno.cwd(),
    stdoutIsTTY: Deno.stdout.isTerminal(),
    stdinIsTTY: Deno.stdin.isTerminal(),
  };
}
