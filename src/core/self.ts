import denoJson from "../../deno.json" with { type: "json" };
import { fromFileUrl } from "./path.ts";

/** The permission flags `br` is compiled with; tests and self-invocations use the same. */
export const RUN_PERMISSIONS: readonly string[] = ["--allow-all"];

/**
 * Every flag `br` runs with: {@link RUN_PERMISSIONS}, and a young generation of 2 MB to start
 * with (V8 starts at 1 MB). Nearly everything a short command allocates while it loads
 * survives, so a smaller young generation only copies it: the pre-commit hook spends about
 * 3 ms in two such collections without the flag (bench/hook.ts). Long runs grow it, to 8 MB
 * at most: 4 MB from the start would raise the secret scan's peak memory (bench/secrets.ts),
 * and with V8's own limit a first analysis of a 64k-line tree, which parses one file after
 * another, peaked at 200 MB, mostly young generation (bench/gates.ts: 135 MB with the limit,
 * in the same time). And Maglev as the highest tier (`--max-opt=2`, no TurboFan): a command
 * runs for well under a second, too short for TurboFan's code to pay back its compilation,
 * which runs on a background thread and so competes for the two cores of a parallel `br cost
 * import` (bench/cost.ts: 10–15% faster, 0.1 s less CPU at 96 MB; bench/gates.ts,
 * bench/secrets.ts and bench/graph.ts unchanged within their noise). `deno compile`, the
 * `br` task, main.ts's shebang and self-invocations all use these.
 */
export const RUN_FLAGS: readonly string[] = [
  ...RUN_PERMISSIONS,
  "--v8-flags=--min-semi-space-size=2,--max-semi-space-size=8,--max-opt=2",
];

/**
 * deno.json's unstable features as flags. A checkout's runs get them from deno.json; a run of
 * the published package does not (a package's config does not apply to who runs it), and
 * without `--unstable-worker-options` the cost import's sandboxed reader thread ends the
 * process.
 */
export const UNSTABLE_FLAGS: readonly string[] = denoJson.unstable.map((f) => `--unstable-${f}`);

/** True when running as a `deno compile` binary. */
export function isCompiled(): boolean {
  return import.meta.url.includes("/deno-compile-") || import.meta.url.includes("\\deno-compile-");
}

/**
 * The argv that starts `br` again (for hooks, MCP client configs, agents): `BR_BIN` when
 * set, the compiled binary itself, `deno run` of the same published version when run from
 * JSR (`deno run jsr:@buildrunner/br`), or `deno run` with the binary's flags on this
 * checkout's `main.ts`. `moduleUrl` is where this module was loaded from.
 */
export function selfCommand(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  moduleUrl: string = import.meta.url,
): string[] {
  if (env.BR_BIN) return [env.BR_BIN];
  if (isCompiled()) return [Deno.execPath()];
  const jsr = /^https:\/\/jsr\.io\/(@[^/]+\/[^/]+)\/([^/]+)\//.exec(moduleUrl);
  if (jsr) {
    return [
      Deno.execPath(),
      "run",
      "--quiet",
      ...RUN_FLAGS,
      ...UNSTABLE_FLAGS,
      `jsr:${jsr[1]}@${jsr[2]}`,
    ];
  }
  const mainTs = fromFileUrl(new URL("../../main.ts", moduleUrl));
  const config = fromFileUrl(new URL("../../deno.json", moduleUrl));
  return [Deno.execPath(), "run", "--quiet", ...RUN_FLAGS, "--config", config, mainTs];
}

/** {@link selfCommand} as one POSIX-shell-quoted string. */
export function selfCommandLine(env?: Record<string, string | undefined>): string {
  return selfCommand(env).map(shellQuote).join(" ");
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\/.:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
