/**
 * Reads the design inputs of `PROJECT_SPEC.md`: `industry` and `use_case` from the YAML
 * front matter (or `Industry:` / `Use case:` lines in `## Design`), and token overrides from
 * the first fenced `yaml` or `json` block of `## Design`. A small reader of our own, until
 * the spec capability offers one.
 */
import { BrError } from "../core/errors.ts";
import { readTextOrNull } from "../core/fs.ts";

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
 * Parses the spec text.
 *
 * @throws {BrError} `invalid_data` when the overrides block does not parse.
 */
export async function parseSpecDesign(
  text: string,
  where = "PROJECT_SPEC.md",
): Promise<SpecDesign> {
  const out: SpecDesign = { industry: null, use_case: null, overrides: null };
  const fm = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (fm) {
    for (const line of fm[1].split(/\r?\n/)) {
      const m = /^(industry|use_case|use-case)\s*:\s*(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === "industry") out.industry = scalar(m[2]);
      else out.use_case = scalar(m[2]);
    }
  }
  const section = /^## Design[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(text);
  if (section) {
    const body = section[1];
    const ind = /^\s*[-*]?\s*\**Industry\**\s*:\s*(.+)$/im.exec(body);
    const use = /^\s*[-*]?\s*\**Use[ _-]case\**\s*:\s*(.+)$/im.exec(body);
    out.industry ??= scalar(ind?.[1]);
    out.use_case ??= scalar(use?.[1]);
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
  const text = await readTextOrNull(path);
  if (text === null) return { industry: null, use_case: null, overrides: null };
  return await parseSpecDesign(text, path);
}
