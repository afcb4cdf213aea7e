import { agentHandoff, debugReport, pipeCommand } from "../../debug/mod.ts";
import { sessionFatalError } from "../../project/session.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  usage,
  withProject,
} from "../output.ts";

/** `br pipe -- <cmd> [args]` */
export function pipe(
  this: BrContext,
  flags: ProjectFlags & { tty?: boolean },
  ...argv: string[]
): Promise<void> {
  const out = new TextDecoder();
  const err = new TextDecoder();
  return withProject(this, flags, async (project) => {
    const record = await pipeCommand(project, {
      argv,
      cwd: this.cwd,
      tty: flags.tty,
      onStdout: (c) => this.process.stdout.write(out.decode(c, { stream: true })),
      onStderr: (c) => this.process.stderr.write(err.decode(c, { stream: true })),
    });
    this.process.stdout.write(out.decode());
    this.process.stderr.write(err.decode());
    if (record.exit_code !== 0) {
      const n = record.errors.length;
      this.process.stderr.write(
        `br: exit ${record.exit_code}` +
          (n ? `, ${n} error${n === 1 ? "" : "s"} recorded (see "br debug")` : "") + "\n",
      );
    }
    setExit(this, record.exit_code);
  });
}

/** `br debug` */
export function debug(
  this: BrContext,
  flags: ProjectFlags & JsonFlags & { forAgent?: boolean; all?: boolean },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    const report = await debugReport(project, { all: flags.all });
    if (flags.json) return printJson(this, report);
    if (flags.forAgent) return void this.process.stdout.write(agentHandoff(report));
    const c = await colors(this);
    if (!report.failures.length) {
      print(
        this,
        report.runs
          ? `No open failures in ${report.runs} recorded runs.`
          : 'No runs recorded yet: run commands through "br pipe -- <cmd>".',
      );
      return;
    }
    for (const f of report.failures) {
      const at = f.file ? `${f.file}${f.line ? `:${f.line}` : ""}` : "(no file)";
      print(
        this,
        `${f.resolved ? c.green("resolved") : c.red(f.kind)} ${c.bold(at)} ${c.dim(f.signature)}`,
      );
      print(this, `  ${f.message}`);
      print(
        this,
        c.dim(
          `  seen ${f.count}x, first ${f.first_seen}, last ${f.last_seen}` +
            (f.features.length ? `; feature ${f.features.join(", ")}` : ""),
        ),
      );
      print(this, `  next: ${f.next}`);
    }
  });
}

/** `br watch [paths]` */
export function watch(
  this: BrContext,
  flags: ProjectFlags & JsonFlags & { interval?: number },
  ...paths: string[]
): Promise<void> {
  if (flags.interval !== undefined && !(flags.interval >= 50)) {
    usage(`Invalid --interval "${flags.interval}"`, "give milliseconds, at least 50");
  }
  return withProject(this, flags, async (project) => {
    const { watchFiles } = await import("../../debug/watch.ts");
    const c = await colors(this);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
    // Events that cannot be recorded (the PostgreSQL server is gone) end the watch, which
    // then fails with that error (exit 8) instead of watching on while nothing is recorded.
    const recording = setInterval(() => {
      if (sessionFatalError(project)) stop.abort();
    }, 250);
    try {
      await watchFiles(project, {
        patterns: paths,
        cwd: this.cwd,
        intervalMs: flags.interval,
        signal: stop.signal,
        onEvent: (e) => {
          if (flags.json) return this.process.stdout.write(JSON.stringify(e) + "\n");
          if (e.type === "watching") {
            print(
              this,
              `Watching ${e.files.length} file(s) for ${e.patterns.join(", ")} (Ctrl-C stops)`,
            );
          } else if (e.type === "passed") print(this, `${c.green("passed")} ${e.file}`);
          else {
            for (const x of e.errors) {
              const at = x.file ? ` at ${x.file}${x.line ? `:${x.line}` : ""}` : "";
              const feature = x.features.length ? ` — blocks ${x.features.join(", ")}` : "";
              print(this, `${c.red(x.kind)} in ${e.file}: ${x.message}${at}${feature}`);
            }
          }
        },
      });
    } finally {
      clearInterval(recording);
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
  });
}
