/**
 * Test helpers: temp dirs and projects, isolated git, and `br` run in-process (output
 * captured) or as a real subprocess with the binary's flags.
 */
import { fileURLToPath } from "node:url";
import { runCli } from "../src/cli/app.ts";
import { runTree } from "../src/cli/tree.ts";
import type { BrContext } from "../src/cli/context.ts";
import type { Clock, Project } from "../src/core/project.ts";
import { RUN_FLAGS } from "../src/core/self.ts";

/** Fixed git identity and no user/system config, for every git call in tests. */
export const GIT_ENV: Record<string, string> = {
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};
for (const [k, v] of Object.entries(GIT_ENV)) Deno.env.set(k, v);
Deno.env.set("NO_COLOR", "1");

/** Absolute path of main.ts. */
export const MAIN_TS: string = fileURLToPath(new URL("../main.ts", import.meta.url));
/** Absolute path of deno.json. */
export const DENO_JSON: string = fileURLToPath(new URL("../deno.json", import.meta.url));
/** Absolute path of tests/fixtures. */
export const FIXTURES: string = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** A temp folder removed at the end of the scope (`await using dir = await tempDir()`). */
export interface TempDir extends AsyncDisposable {
  /** Its path. */
  path: string;
}

/** Creates a temp folder. */
export async function tempDir(prefix = "br-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** A temp project (`br init` done) removed at the end of the scope. */
export async function tempProject(name = "demo"): Promise<TempDir> {
  const dir = await tempDir();
  const res = await br(["init", "--name", name], { cwd: dir.path });
  if (res.code !== 0) throw new Error(`init failed: ${res.stderr}`);
  return dir;
}

/** A clock fixed at `iso` that moves only when told. */
export function fixedClock(iso = "2026-11-25T12:00:00.000Z"): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return { now: () => new Date(now), set: (v: string) => (now = new Date(v)) };
}

/** Result of running `br`. */
export interface BrRun {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Options of {@link br}. */
export interface BrOptions {
  /** Working directory. */
  cwd: string;
  /** Extra environment variables (on top of the process env, with BR_HOME isolated). */
  env?: Record<string, string>;
  /** Fixed clock. */
  clock?: Clock;
  /** Sees every project the command opens. */
  onProject?: (project: Project) => void;
  /** Pretend stdout is a terminal. */
  tty?: boolean;
  /** Read the command line with the full command tree, never `runCli`'s shortcuts. */
  tree?: boolean;
  /** What the command reads on stdin (default: nothing). */
  stdin?: string;
}

/** Runs `br <args>` in-process with captured output. */
export async function br(args: string[], options: BrOptions): Promise<BrRun> {
  let stdout = "";
  let stderr = "";
  const ctx: BrContext = {
    process: {
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
    },
    env: { ...Deno.env.toObject(), BR_HOME: `${options.cwd}/.br-home`, ...options.env },
    cwd: options.cwd,
    stdoutIsTTY: options.tty ?? false,
    stdinIsTTY: false,
    // In-process runs never read the test runner's stdin.
    stdin: ReadableStream.from([new TextEncoder().encode(options.stdin ?? "")]),
    clock: options.clock,
    onProject: options.onProject,
  };
  if (!options.tree) return { code: await runCli(args, ctx), stdout, stderr };
  await runTree(args, ctx);
  const code = Number(ctx.process.exitCode ?? 0);
  return { code: code < 0 ? 2 : code, stdout, stderr };
}

/** The `deno` arguments that run `br <args>` with the binary's flags. */
export function brArgv(args: string[]): string[] {
  return ["run", "--quiet", ...RUN_FLAGS, "--config", DENO_JSON, MAIN_TS, ...args];
}

/** Runs `br <args>` as a real subprocess (`deno run` with the binary's flags). */
export async function brProcess(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; stdin?: string },
): Promise<BrRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(args),
    cwd: options.cwd,
    env: { BR_HOME: `${options.cwd}/.br-home`, NO_COLOR: "1", ...options.env },
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(options.stdin));
    await w.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Reads and parses a JSON file. */
export async function readJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(path)) as T;
}

/** Runs git with the fixed test identity; returns its exit code and output (never throws). */
export async function gitTry(args: string[], cwd: string): Promise<BrRun> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: GIT_ENV,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs git in `cwd` with the isolated test environment; throws on failure. */
export async function gitRun(args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command("git", {
    args,
    cwd,
    env: GIT_ENV,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  if (out.code !== 0) throw new Error(`git ${args.join(" ")}: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout).trim();
}

/**
 * The modules `entry` (a file URL) can load, as `deno info --json` sees them: its static
 * imports, and with `dynamic` also the string-literal `import()`s (types are never loaded).
 */
export async function moduleGraph(
  entry: URL,
  options: { dynamic?: boolean } = {},
): Promise<Set<string>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", fileURLToPath(entry)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) throw new Error(`deno info ${entry}: ${dec.decode(out.stderr)}`);
  const info = JSON.parse(dec.decode(out.stdout)) as {
    roots: string[];
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
    redirects: Record<string, string>;
  };
  const byId = new Map(info.modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>();
  const visit = (spec: string) => {
    const id = info.redirects[spec] ?? spec;
    if (seen.has(id)) return;
    seen.add(id);
    for (const d of byId.get(id)?.dependencies ?? []) {
      if (d.code && (options.dynamic || !d.isDynamic)) visit(d.code.specifier);
    }
  };
  for (const root of info.roots) visit(root);
  return seen;
}

/**
 * A child's output read as it comes: `until(re)` waits until everything read so far matches
 * (and throws when the output ends first, naming `what`); `cancel()` stops reading.
 */
export function outputReader(stdout: ReadableStream<Uint8Array>, what: string) {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  return {
    async until(re: RegExp): Promise<string> {
      while (!re.test(out)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`${what} ended: ${out}`);
        out += value;
      }
      return out;
    },
    cancel: (): Promise<void> => reader.cancel().catch(() => {}),
  };
}
