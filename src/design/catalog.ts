/**
 * The catalog: built-in profiles and patterns plus the user's files in
 * `.buildrunner/design/profiles/` and `.buildrunner/design/patterns/` (JSON or YAML).
 * A user file whose id matches a built-in is deep-merged over it (change one color, keep the
 * rest); a new id must be complete. Everything is validated with zod.
 */
import { join } from "node:path";
import { BrError } from "../core/errors.ts";
import { BUILTIN_PATTERNS, BUILTIN_PROFILES } from "./data/index.ts";
import { parsePattern, parseProfile } from "./schema.ts";
import type { Pattern, Profile } from "./types.ts";

/** All known profiles and patterns, sorted by id. */
export interface DesignCatalog {
  /** Profiles by id order. */
  profiles: Profile[];
  /** Patterns by id order. */
  patterns: Pattern[];
}

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, anything else (arrays too) is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isTree(base) || !isTree(over)) return over === undefined ? base : over;
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

async function readUserFiles(dir: string): Promise<{ path: string; data: unknown }[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.(json|ya?ml)$/i.test(e.name)) names.push(e.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw new BrError("invalid_data", `Cannot read "${dir}"`, {
      hint: "make it a readable folder of .json/.yaml files, or remove it",
      cause: err,
    });
  }
  names.sort();
  const out: { path: string; data: unknown }[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const text = await Deno.readTextFile(path);
    try {
      const data = name.endsWith(".json")
        ? JSON.parse(text)
        : (await import("yaml")).parse(text) as unknown;
      out.push({ path, data });
    } catch (err) {
      throw new BrError("invalid_data", `Cannot parse "${path}": ${(err as Error).message}`, {
        hint: "fix the file's syntax",
        cause: err,
      });
    }
  }
  return out;
}

function mergeUser<T extends { id: string }>(
  builtins: Map<string, unknown>,
  files: { path: string; data: unknown }[],
  parse: (data: unknown, where: string, source: "builtin" | "user") => T,
): T[] {
  const result = new Map<string, T>();
  for (const [id, data] of builtins) result.set(id, parse(data, `built-in "${id}"`, "builtin"));
  for (const { path, data } of files) {
    const id = isTree(data) && typeof data.id === "string" ? data.id : null;
    if (!id) {
      throw new BrError("invalid_data", `${path}: id: required`, {
        hint: "every design file needs a kebab-case id",
      });
    }
    const base = builtins.get(id);
    result.set(id, parse(base ? deepMerge(base, data) : data, path, "user"));
  }
  return [...result.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Loads the catalog: built-ins, then the user's files under `designDir` (usually
 * `.buildrunner/design`; null for built-ins only).
 *
 * @throws {BrError} `invalid_data` when a file does not parse or fails its schema.
 */
export async function loadCatalog(designDir: string | null): Promise<DesignCatalog> {
  const byId = (list: readonly unknown[]) =>
    new Map(list.map((d) => [String((d as { id: string }).id), d]));
  const userProfiles = designDir ? await readUserFiles(join(designDir, "profiles")) : [];
  const userPatterns = designDir ? await readUserFiles(join(designDir, "patterns")) : [];
  return {
    profiles: mergeUser(byId(BUILTIN_PROFILES), userProfiles, parseProfile),
    patterns: mergeUser(byId(BUILTIN_PATTERNS), userPatterns, parsePattern),
  };
}

/**
 * Finds a profile by id.
 *
 * @throws {BrError} `not_found` (exit 4) listing the known ids.
 */
export function findProfile(catalog: DesignCatalog, id: string): Profile {
  const p = catalog.profiles.find((x) => x.id === id);
  if (!p) {
    const known = catalog.profiles.map((x) => x.id).join(", ");
    throw new BrError("not_found", `Unknown industry profile "${id}"`, {
      hint: `known profiles: ${known}`,
    });
  }
  return p;
}

/**
 * Finds a pattern by id.
 *
 * @throws {BrError} `not_found` (exit 4) listing the known ids.
 */
export function findPattern(catalog: DesignCatalog, id: string): Pattern {
  const p = catalog.patterns.find((x) => x.id === id);
  if (!p) {
    const known = catalog.patterns.map((x) => x.id).join(", ");
    throw new BrError("not_found", `Unknown use-case pattern "${id}"`, {
      hint: `known patterns: ${known}`,
    });
  }
  return p;
}
