import { fromFileUrl } from "./path.ts";

/** The permission flags `br` is compiled with; tests and self-invocations use the same. */
export const RUN_PERMISSIONS: readonly string[] = ["--allow-all"];

/** True when running as a `deno compile` binary. */
export function isCompiled(): boolean {
  return import.meta.url.includes("/deno-compile-") || import.meta.url.includes("\\deno-compile-");
}

/**
 * The argv that starts `br` again (for hooks, MCP client configs, agents): `BR_BIN` when
 * set, the compiled binary itself, or `deno run` with the binary's permissions on this
 * checkout's `main.ts`.
 */
export function selfCommand(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): string[] {
  if (env.BR_BIN) return [env.BR_BIN];
  if (isCompiled()) return [Deno.execPath()];
  const mainTs = fromFileUrl(new URL("../../main.ts", import.meta.url));
  const config = fromFileUrl(new URL("../../deno.json", import.meta.url));
  return [Deno.execPath(), "run", "--quiet", ...RUN_PERMISSIONS, "--config", config, mainTs];
}

/** {@link selfCommand} as one POSIX-shell-quoted string. */
export function selfCommandLine(env?: Record<string, string | undefined>): string {
  return selfCommand(env).map(shellQuote).join(" ");
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_\/.:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
