/**
 * What a capability contributes to the MCP server: a small list of tool definitions, each
 * naming the capability function it calls. The server knows nothing about features, gates
 * or costs; it serves whatever the lists in `catalog.ts` hold.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { z } from "zod";
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import type { FeaturesFile } from "../features/mod.ts";

/** The tool sets of `BR_MCP_TOOLS`: each includes the ones before it. */
export const TOOL_SETS = ["default", "standard", "all"] as const;
/** A tool set. */
export type ToolSet = typeof TOOL_SETS[number];

/** The MCP tool annotations (hints to the client, never security). */
export interface ToolAnnotations {
  /** The tool changes nothing. */
  readOnlyHint: boolean;
  /** A change it makes may remove or overwrite data (meaningful when not read-only). */
  destructiveHint?: boolean;
  /** Calling it again with the same arguments changes nothing more. */
  idempotentHint?: boolean;
  /** It reaches outside the project (network, other machines). */
  openWorldHint?: boolean;
}

/** What a tool's `run` receives besides its arguments. */
export interface ToolContext {
  /** The project, opened for this call and closed after it. */
  project: Project;
  /** Resolves a path argument inside the project root (see {@link confinePath}). */
  path(value: string, argument: string): Promise<string>;
  /**
   * `features.json` as `loadFeatures` returns it, parsed again only when its bytes changed
   * since the last call of this server. Read-only: never change the object it returns.
   */
  features(): Promise<FeaturesFile>;
}

/** One MCP tool: its schema, annotations and the capability function it calls. */
export interface ToolDefinition<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodObject = z.ZodObject,
> {
  /** Short snake_case name starting with `br_`. */
  name: string;
  /** Human title. */
  title: string;
  /** What it does and when to use it (the model reads this). */
  description: string;
  /** The smallest set that serves it. */
  set: ToolSet;
  /** Arguments (validated before `run`). */
  input: I;
  /** The `structuredContent` it returns. */
  output: O;
  /** Hints for the client. */
  annotations: ToolAnnotations;
  /** Calls the capability; throws `BrError` for failures the caller can act on. */
  run(ctx: ToolContext, args: z.output<I>): Promise<z.input<O>>;
}

/** Keeps the argument and result types of one definition tied to its schemas. */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<I, O>,
): ToolDefinition {
  return tool as unknown as ToolDefinition;
}

/**
 * Resolves `value` (relative to the project root, or absolute) and refuses anything that
 * leaves the root, also through a symbolic link. Returns the absolute path.
 *
 * @throws {BrError} `usage` naming the argument.
 */
export async function confinePath(root: string, value: string, argument: string): Promise<string> {
  const refuse = () =>
    new BrError("usage", `Path "${value}" of "${argument}" is outside the project`, {
      hint: "pass a path inside the project root, relative to it",
    });
  if (value.includes("\0")) throw refuse();
  const target = resolve(root, value);
  if (!inside(root, target)) throw refuse();
  // The nearest existing ancestor decides where a link really points.
  const realRoot = await Deno.realPath(root).catch(() => root);
  let probe = target;
  while (true) {
    try {
      const real = await Deno.realPath(probe);
      if (!inside(realRoot, real)) throw refuse();
      break;
    } catch (err) {
      if (err instanceof BrError) throw err;
      const parent = resolve(probe, "..");
      if (parent === probe) break;
      probe = parent;
    }
  }
  return target;
}

/** Checks a glob such as `src/auth/**` the same way: relative, without `..` leaving the root. */
export function confineGlob(value: string, argument: string): string {
  const bad = isAbsolute(value) || /^[A-Za-z]:/.test(value) || value.includes("\0") ||
    !inside("/r", resolve("/r", value.replaceAll("\\", "/")));
  if (bad) {
    throw new BrError("usage", `Path "${value}" of "${argument}" is outside the project`, {
      hint: "use a glob relative to the project root, such as src/auth/**",
    });
  }
  return value;
}

function inside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel) && !rel.startsWith(sep));
}

/** A page of a list: `limit` items after the opaque `cursor`. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** Pass it as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
  /** How many items match in all. */
  total: number;
}

/**
 * Cuts one page out of `items`. The cursor is opaque to the client (an encoded offset).
 *
 * @throws {BrError} `usage` for a cursor this server did not hand out.
 */
export function paginate<T>(items: readonly T[], limit: number, cursor?: string): Page<T> {
  let offset = 0;
  if (cursor) {
    const m = /^o(\d+)$/.exec(decodeCursor(cursor) ?? "");
    if (!m) {
      throw new BrError("usage", `Invalid cursor "${cursor}"`, {
        hint: "pass the next_cursor of the previous page, or leave cursor out for the first",
      });
    }
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + limit);
  const end = offset + page.length;
  return {
    items: page,
    next_cursor: end < items.length ? encodeCursor(`o${end}`) : null,
    total: items.length,
  };
}

function encodeCursor(raw: string): string {
  return btoa(raw).replace(/=+$/, "");
}

function decodeCursor(cursor: string): string | null {
  try {
    return atob(cursor);
  } catch {
    return null;
  }
}
