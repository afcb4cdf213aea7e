import { BrError } from "../core/errors.ts";
import { globToRegExp } from "../core/glob.ts";
import { join, relative, resolve } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import { emitError, recordMasker } from "./pipe.ts";
import { featuresOfFiles } from "./report.ts";
import { detectErrors, type ErrorSignature, plainOutput } from "./signatures.ts";
import { appendRuns, type RunRecord } from "./store.ts";

/** What {@link watchFiles} reports as it goes. */
export type WatchEvent =
  | { type: "watching"; patterns: string[]; files: string[] }
  | { type: "errors"; file: string; errors: (ErrorSignature & { features: string[] })[] }
  | { type: "passed"; file: string };

/** Options of {@link watchFiles}. */
export interface WatchOptions {
  /** Paths or globs (relative to `cwd`); default: the `debug.watch` setting. */
  patterns?: string[];
  /** Where relative patterns start (default: the project root). */
  cwd?: string;
  /** Milliseconds between two looks (default 1000). */
  intervalMs?: number;
  /** Stops watching. */
  signal: AbortSignal;
  /** Receives what was found. */
  onEvent?: (event: WatchEvent) => void;
}

// A test run that passed: Deno, Jest/Vitest, pytest, cargo, go and mocha summaries.
const PASSED = [
  /\bok \| \d+ passed(?: \(\d+ steps?\))? \| 0 failed\b/,
  /^Tests?:\s+(?!.*failed).*\d+ passed/m,
  /^=+ \d+ passed(?!.*failed).* =+$/m,
  /^test result: ok\./m,
  /^ok\s+\S+\s+[\d.]+s$/m,
  /^\s*\d+ passing\b(?![\s\S]*\d+ failing)/m,
];

const GLOB_CHARS = /[*?[{]/;

/** The files the patterns match now (globs walk the project, links not followed). */
function expand(project: Project, patterns: string[], cwd: string): string[] {
  const out = new Set<string>();
  const globs: RegExp[] = [];
  for (const p of patterns) {
    if (!GLOB_CHARS.test(p)) {
      out.add(resolve(cwd, p));
      continue;
    }
    const rel = relative(project.root, resolve(cwd, p));
    globs.push(globToRegExp(rel));
  }
  if (globs.length) {
    const walk = (dir: string) => {
      let entries: Deno.DirEntry[];
      try {
        entries = [...Deno.readDirSync(dir)];
      } catch {
        return;
      }
      for (const e of entries) {
        const path = join(dir, e.name);
        if (e.isDirectory && ![".git", ".buildrunner", "node_modules"].includes(e.name)) walk(path);
        else if (e.isFile && globs.some((g) => g.test(relative(project.root, path)))) out.add(path);
      }
    };
    walk(project.root);
  }
  return [...out].sort();
}

/**
 * Watches log and test-output files: text appended to them (or a file rewritten) is searched
 * for errors; errors are recorded as runs of that file in `.buildrunner/context/debug.json`
 * (blockers of the features whose files they point at, until a later run in the same file
 * passes) and emitted as `debug.error`. Returns when `signal` aborts.
 *
 * @throws {BrError} `usage` when there is nothing to watch.
 */
export async function watchFiles(project: Project, opts: WatchOptions): Promise<void> {
  await import("./config.ts");
  const patterns = opts.patterns?.length
    ? opts.patterns
    : (await project.config()).get<string[]>("debug.watch") ?? [];
  if (!patterns.length) {
    throw new BrError("usage", "Nothing to watch", {
      hint: 'name files ("br watch logs/test.log") or set them: ' +
        `br config set debug.watch '["logs/*.log"]'`,
    });
  }
  const cwd = opts.cwd ?? project.root;
  const interval = opts.intervalMs ?? 1000;
  const mask = await recordMasker(project);
  const offsets = new Map<string, number>();
  // Files present at the start are read from their end: only what comes next counts.
  const first = expand(project, patterns, cwd);
  for (const f of first) offsets.set(f, statSize(f) ?? 0);
  opts.onEvent?.({
    type: "watching",
    patterns,
    files: first.map((f) => relative(project.root, f)),
  });
  const pending = new Map<string, string>();
  while (!opts.signal.aborted) {
    await sleep(interval, opts.signal);
    if (opts.signal.aborted) break;
    const runs: RunRecord[] = [];
    const found: WatchEvent[] = [];
    for (const file of expand(project, patterns, cwd)) {
      const size = statSize(file);
      if (size === null) continue;
      let from = offsets.get(file) ?? 0;
      if (size < from) from = 0; // rewritten
      if (size === from) continue;
      const chunk = readRange(file, from, size);
      offsets.set(file, size);
      // Only whole lines: a line still being written waits for the next look.
      const text = (pending.get(file) ?? "") + chunk;
      const cut = text.lastIndexOf("\n") + 1;
      pending.set(file, text.slice(cut));
      if (cut === 0) continue;
      const seen = await look(project, file, mask(plainOutput(text.slice(0, cut))));
      if (seen) {
        runs.push(seen.run);
        found.push(seen.event);
      }
    }
    // Recorded first, then reported: what is reported is what `br debug` and `br status` show.
    if (runs.length) await appendRuns(project, runs);
    for (const r of runs) {
      for (const e of r.errors) emitError(project, e, "watch");
    }
    for (const e of found) opts.onEvent?.(e);
  }
}

async function look(
  project: Project,
  path: string,
  text: string,
): Promise<{ run: RunRecord; event: WatchEvent } | null> {
  const file = relative(project.root, path).startsWith("..") ? path : relative(project.root, path);
  const errors = detectErrors(text, project.root);
  const passed = !errors.length && PASSED.some((re) => re.test(text));
  if (!errors.length && !passed) return null;
  const lines = text.replace(/\n+$/, "").split("\n");
  const record: RunRecord = {
    id: crypto.randomUUID(),
    source: "watch",
    command: file,
    started_at: project.clock.now().toISOString(),
    duration_ms: 0,
    exit_code: errors.length ? 1 : 0,
    tail: lines.slice(-40),
    errors,
  };
  if (!errors.length) return { run: record, event: { type: "passed", file } };
  const featuresOf = await featuresOfFiles(project);
  return {
    run: record,
    event: {
      type: "errors",
      file,
      errors: errors.map((e) => ({ ...e, features: featuresOf(e.file) })),
    },
  };
}

function statSize(path: string): number | null {
  try {
    const st = Deno.statSync(path);
    return st.isFile ? st.size : null;
  } catch {
    return null;
  }
}

function readRange(path: string, from: number, to: number): string {
  const file = Deno.openSync(path, { read: true });
  try {
    file.seekSync(from, Deno.SeekMode.Start);
    const buf = new Uint8Array(Math.min(to - from, 4 * 1024 * 1024));
    let n = 0;
    while (n < buf.length) {
      const r = file.readSync(buf.subarray(n));
      if (r === null || r === 0) break;
      n += r;
    }
    return new TextDecoder().decode(buf.subarray(0, n));
  } finally {
    file.close();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const t = setTimeout(finish, ms);
    function finish() {
      clearTimeout(t);
      signal.removeEventListener("abort", finish);
      done();
    }
    signal.addEventListener("abort", finish);
  });
}
