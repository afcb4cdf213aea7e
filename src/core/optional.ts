/**
 * Imports a module that only some runs need, without adding it to the module graph Deno
 * builds before a program starts: a string-literal `import()` makes Deno load and analyse the
 * target (and everything it imports) on every start, even when it is never called, which the
 * start-up path of `br status` and the hooks cannot afford. `deno compile` embeds these
 * modules through `--include` (scripts/_compile.ts lists {@link OPTIONAL_MODULES}).
 *
 * @module
 */

/** The modules imported through {@link importOptional}, relative to the repository root. */
export const OPTIONAL_MODULES: readonly string[] = [
  "src/plugins/events.ts",
  "src/hooks/watch.ts",
  "src/debug/blockers.ts",
  "src/core/store_postgres.ts",
];

/** Imports `path` (relative to the repository root; one of {@link OPTIONAL_MODULES}). */
export function importOptional<T>(path: string): Promise<T> {
  return import(new URL(`../../${path}`, import.meta.url).href) as Promise<T>;
}
