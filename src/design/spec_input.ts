/**
 * Reads the design inputs of `PROJECT_SPEC.md`: `industry` and `use_case` from the YAML
 * front matter (or `Industry:` / `Use case:` lines in `## Design`), and token overrides from
 * the first fenced `yaml` or `json` block of `## Design`, through the spec's parser.
 */
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import { parseSpec } from "../spec/mod.ts";

/** What the spec says about the design. */
export interface SpecDesign {
  /** Industry, normalized to kebab-case, or null. */
  industry: string | null;
  /** Use case, normalized to kebab-case, or null. */
  use_case: string | null;
  /** Raw overrides (validated by the caller), or null. */
  overrides: unknown;
}

/** `Real Estate` → `real-estate`, `admin_panel` → `admin-panel`. */
export function kebab(name: string): string {
  return name.trim().toLowerCase().replace(/["']/g, "").replace(/[\s_]+/g, "-");
}

function scalar(raw: string | undefined): string | null {
  const v = raw?.trim().replace(/\s+#.*$/, "").replace(/^["']|["']$/g, "").trim();
  return v && v !== "null" && v !== "~" ? kebab(v) : null;
}

/**
 * Parses the spec text with the spec capability's parser: `industry` / `use_case` from the
 * front matter (or `Industry:` / `Use case:` lines of `## Design`), overrides from the first
 * fenced `yaml` or `json` block of `## Design`. `unknown` counts as not given.
 *
 * @throws {BrError} `invalid_data` for broken front matter or an overrides block that does
 * not parse.
 */
export async function parseSpecDesign(
  text: string,
  where = "PROJECT_SPEC.md",
): Promise<SpecDesign> {
  const spec = await parseSpec(text, where);
  const known = (v: string | null | undefined) => {
    const k = v ? scalar(v) : null;
    return k === "unknown" ? null : k;
  };
  const out: SpecDesign = {
    industry: known(spec.front?.industry),
    use_case: known(spec.front?.use_case),
    overrides: null,
  };
  const section = spec.sections.find((s) => s.title.trim().toLowerCase() === "design");
  if (section) {
    const body = spec.lines.slice(section.start + 1, section.end).join("\n");
    const ind = /^\s*[-*]?\s*\**Industry\**\s*:\s*(.+)$/im.exec(body);
    const use = /^\s*[-*]?\s*\**Use[ _-]case\**\s*:\s*(.+)$/im.exec(body);
    out.industry ??= known(ind?.[1]);
    out.use_case ??= known(use?.[1]);
    const block = /```(ya?ml|json)\s*\n([\s\S]*?)```/i.exec(body);
    if (block) {
      try {
        out.overrides = block[1].toLowerCase() === "json"
          ? JSON.parse(block[2])
          : (await import("yaml")).parse(block[2]);
      } catch (err) {
        throw new BrError(
          "invalid_data",
          `${where}: the Design overrides block does not parse: ${(err as Error).message}`,
          { hint: "fix the fenced yaml/json block under ## Design", cause: err },
        );
      }
    }
  }
  return out;
}

/**
 * Reads the design inputs from a spec file; all null when it does not exist.
 *
 * @throws {BrError} `invalid_data` when the overrides block does not parse.
 */
export async function readSpecDesign(path: string): Promise<SpecDesign> {
  const text = await readOwnTextOrNull(path);
  if (text === null) return { industry: null, use_case: null, overrides: null };
  return await parseSpecDesign(text, path);
}
