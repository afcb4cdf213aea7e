/**
 * One `deno compile` of `br` (the flags and embedded worker modules the binary needs), shared
 * by scripts/compile.ts and scripts/release.ts, and the reading of its failure: a runtime
 * download that did not go through becomes one line naming the host instead of Deno's cause
 * chain and stack backtrace.
 */
import { OPTIONAL_MODULES } from "../src/core/optional.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RUN_FLAGS } from "../src/core/self.ts";

/** The checkout's root folder. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** Where `deno compile` downloads the runtime it wraps (`denort-<target>.zip`) by default. */
export const RUNTIME_HOST = "dl.deno.land";

/** Exit code of a failed compile (the STYLE table's "external tool failed"). */
export const EXIT_TOOL = 7;

/** What {@link compileBr} did. */
export interface CompileResult {
  /** Deno's exit code. */
  code: number;
  /** Everything `deno compile` wrote to stderr (its progress, or its error). */
  stderr: string;
  /** Set when the failure is the runtime download. */
  download: DownloadFailure | null;
}

/** A runtime download that failed. */
export interface DownloadFailure {
  /** The host the download needs. */
  host: string;
  /** The innermost cause Deno gave, e.g. "dns error: failed to lookup address information". */
  reason: string;
}

/** Removes ANSI colour sequences. */
function plain(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * Reads a failed `deno compile`'s stderr: a failure while setting up the base binary (the
 * `denort` runtime Deno downloads per target) is a download failure. Returns null for any
 * other failure (type errors, a bad flag, a full disk).
 */
export function downloadFailure(stderr: string): DownloadFailure | null {
  const text = plain(stderr);
  const request = /error sending request for url \((\S+?)\)/.exec(text);
  const runtimeUrl = /(https?:\/\/\S+\/denort-\S+?\.zip)/.exec(text);
  if (!/Setting up base binary/.test(text) && !(request && /denort-/.test(request[1]))) {
    return null;
  }
  const url = request?.[1] ?? runtimeUrl?.[1];
  let host = RUNTIME_HOST;
  try {
    if (url) host = new URL(url).host;
  } catch {
    // Keep the default host.
  }
  // The cause chain ("Caused by:", then "0: ...", "1: ...") comes before the backtrace, whose
  // frames are numbered the same way; its last entry is the most specific.
  const chain = text.split(/^Caused by:$/m)[1]?.split(/^Stack backtrace:$/m)[0] ?? "";
  const causes = [...chain.matchAll(/^\s*\d+: (.+)$/gm)].map((m) => m[1].trim());
  const reason = (causes.at(-1) ?? text.split("\n").find((l) => /error/.test(l)) ?? "failed")
    .replace(/^error: /, "");
  return { host, reason };
}

/** The one-line error and hint for a failed runtime download. */
export function downloadMessage(failure: DownloadFailure, target: string): string {
  return `error: Cannot download the Deno runtime from ${failure.host}: ${failure.reason}\n` +
    `hint: allow HTTPS to ${failure.host} once (Deno then keeps the runtime in DENO_DIR), ` +
    `or set DENORT_BIN to the denort ${Deno.version.deno} binary for ${target}`;
}

/** The target triple of this machine, as `deno compile --target` names it. */
export function hostTarget(): string {
  return Deno.build.target;
}

/**
 * Runs `deno compile` on main.ts with {@link RUN_FLAGS} and the worker modules that are not in
 * the static graph (the secret scanner's, and the cost import's reader and writer threads).
 */
export async function compileBr(
  options: { target?: string; output: string },
): Promise<CompileResult> {
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      ...RUN_FLAGS,
      ...(options.target ? ["--target", options.target] : []),
      "--include",
      join(ROOT, "src", "security", "_scan_worker.ts"),
      "--include",
      join(ROOT, "src", "cost", "_read_worker.ts"),
      "--include",
      join(ROOT, "src", "cost", "_import_worker.ts"),
      // Modules imported outside the module graph (importOptional): embedded explicitly.
      ...OPTIONAL_MODULES.flatMap((m) => ["--include", join(ROOT, m)]),
      "--output",
      options.output,
      join(ROOT, "main.ts"),
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(res.stderr);
  return { code: res.code, stderr, download: res.code === 0 ? null : downloadFailure(stderr) };
}
