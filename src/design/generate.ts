/** Resolving the inputs, rendering every format and writing the files. */
import { isAbsolute, join, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { type DesignCatalog, findPattern, findProfile, loadCatalog } from "./catalog.ts";
import { dtcgTokens } from "./emit_dtcg.ts";
import { designMarkdown } from "./emit_markdown.ts";
import { previewHtml } from "./emit_preview.ts";
import { tailwind3Config, tailwind3Css, tailwind4Css } from "./emit_tailwind.ts";
import { type DesignSystem, mergeDesign } from "./merge.ts";
import { parseOverrides } from "./schema.ts";
import { kebab, readSpecDesign } from "./spec_input.ts";
import type { DesignOverrides } from "./types.ts";

/** An output format; `all` means every one. */
export type DesignFormat = "tailwind4" | "tailwind3" | "dtcg" | "all";

/** The formats `--format` accepts. */
export const DESIGN_FORMATS: readonly DesignFormat[] = ["tailwind4", "tailwind3", "dtcg", "all"];

/** One rendered file. */
export interface DesignFile {
  /** File name inside the output folder. */
  name: string;
  /** The format it belongs to (`summary` for DESIGN.md). */
  format: "tailwind4" | "tailwind3" | "dtcg" | "summary";
  /** Its text. */
  content: string;
}

/** Where each input came from. */
export type DesignInputSource = "argument" | "spec" | "config";

/** The inputs of a generation after defaults were applied. */
export interface DesignInput {
  /** Profile id. */
  industry: string;
  /** Pattern id. */
  use_case: string;
  /** Overrides (spec Design block merged over config `design.overrides`). */
  overrides: DesignOverrides;
  /** Where the industry and the use case came from. */
  source: { industry: DesignInputSource; use_case: DesignInputSource };
}

/** What a caller may give; missing values come from the spec, then the config. */
export interface DesignRequest {
  /** Profile id (kebab-case). */
  industry?: string;
  /** Pattern id (kebab-case). */
  use_case?: string;
}

/**
 * Parses a `--format` value.
 *
 * @throws {BrError} `usage` for an unknown format.
 */
export function parseFormat(raw: string): DesignFormat {
  if ((DESIGN_FORMATS as readonly string[]).includes(raw)) return raw as DesignFormat;
  throw new BrError("usage", `Unknown format "${raw}"`, {
    hint: `use one of: ${DESIGN_FORMATS.join(", ")}`,
  });
}

/** Options of {@link renderDesign}. */
export interface RenderOptions {
  /** `tokens.json` in the earlier DTCG draft form that Style Dictionary 4 reads. */
  dtcgCompat?: boolean;
}

/** Renders the files of a format (DESIGN.md always comes along). */
export function renderDesign(
  design: DesignSystem,
  format: DesignFormat,
  options: RenderOptions = {},
): DesignFile[] {
  const files: DesignFile[] = [];
  if (format === "tailwind4" || format === "all") {
    files.push({ name: "theme.css", format: "tailwind4", content: tailwind4Css(design) });
  }
  if (format === "tailwind3" || format === "all") {
    files.push({
      name: "tailwind.config.js",
      format: "tailwind3",
      content: tailwind3Config(design),
    });
    files.push({ name: "theme-vars.css", format: "tailwind3", content: tailwind3Css(design) });
  }
  if (format === "dtcg" || format === "all") {
    files.push({
      name: "tokens.json",
      format: "dtcg",
      content: dtcgTokens(design, { compat: options.dtcgCompat }),
    });
  }
  const names = [...files.map((f) => f.name), "DESIGN.md"];
  files.push({ name: "DESIGN.md", format: "summary", content: designMarkdown(design, names) });
  return files;
}

/** The preview page of a design. */
export function renderPreview(design: DesignSystem): string {
  return previewHtml(design);
}

/**
 * Loads the catalog of a project (built-ins plus `.buildrunner/design/`), or the built-ins
 * alone without a project.
 *
 * @throws {BrError} `invalid_data` for a user file that fails its schema.
 */
export function loadDesignCatalog(project: Project | null): Promise<DesignCatalog> {
  return loadCatalog(project ? join(project.paths.dir, "design") : null);
}

async function designConfig(project: Project | null): Promise<Record<string, unknown>> {
  if (!project) return {};
  await import("./config.ts");
  const cfg = await project.config();
  return (cfg.get<Record<string, unknown>>("design") ?? {}) as Record<string, unknown>;
}

/**
 * Fills the inputs: arguments first, then the spec (`PROJECT_SPEC.md` front matter and
 * Design section), then the config (`design.industry`, `design.use_case`). Overrides: config
 * `design.overrides`, then the spec's block over it.
 *
 * @throws {BrError} `usage` when the industry or use case is nowhere to be found;
 * `invalid_data` for bad overrides.
 */
export async function resolveDesignInput(
  project: Project | null,
  request: DesignRequest,
): Promise<DesignInput> {
  const spec = project
    ? await readSpecDesign(project.paths.spec)
    : { industry: null, use_case: null, overrides: null };
  const cfg = await designConfig(project);
  const pick = (
    arg: string | undefined,
    fromSpec: string | null,
    fromCfg: unknown,
  ): [string | null, DesignInputSource] => {
    if (arg) return [kebab(arg), "argument"];
    if (fromSpec) return [fromSpec, "spec"];
    if (typeof fromCfg === "string" && fromCfg) return [kebab(fromCfg), "config"];
    return [null, "argument"];
  };
  const [industry, iSrc] = pick(request.industry, spec.industry, cfg.industry);
  const [useCase, uSrc] = pick(request.use_case, spec.use_case, cfg.use_case);
  if (!industry || !useCase) {
    throw new BrError(
      "usage",
      `Missing ${!industry ? "industry" : "use case"}: give it as an argument`,
      {
        hint:
          'e.g. "br design generate saas dashboard", or set industry/use_case in PROJECT_SPEC.md',
      },
    );
  }
  const base = parseOverrides(cfg.overrides ?? {}, "config design.overrides");
  const fromSpec = spec.overrides ? parseOverrides(spec.overrides, "PROJECT_SPEC.md Design") : {};
  const overrides: DesignOverrides = {
    ...base,
    ...fromSpec,
    colors: {
      light: { ...base.colors?.light, ...fromSpec.colors?.light },
      dark: { ...base.colors?.dark, ...fromSpec.colors?.dark },
    },
    typography: { ...base.typography, ...fromSpec.typography },
  };
  return { industry, use_case: useCase, overrides, source: { industry: iSrc, use_case: uSrc } };
}

/**
 * Resolves the inputs and merges profile and pattern into a design (contrast enforced).
 *
 * @throws {BrError} `not_found` (exit 4) for an unknown industry or use case.
 */
export async function designFor(
  project: Project | null,
  request: DesignRequest,
): Promise<{ design: DesignSystem; input: DesignInput }> {
  const input = await resolveDesignInput(project, request);
  const catalog = await loadDesignCatalog(project);
  const profile = findProfile(catalog, input.industry);
  const pattern = findPattern(catalog, input.use_case);
  return { design: mergeDesign(profile, pattern, input.overrides), input };
}

/** Options of {@link generateDesign}. */
export interface GenerateDesignOptions extends DesignRequest {
  /** Format (default: config `design.format`, else `all`). */
  format?: DesignFormat;
  /** Output folder; relative paths resolve against `cwd` (default: config `design.out` under the project root, else `design/` under `cwd`). */
  out?: string;
  /** Working directory for relative paths. */
  cwd: string;
  /** `tokens.json` for Style Dictionary 4 (default: config `design.dtcg_compat`, else false). */
  dtcgCompat?: boolean;
}

/** One written file. */
export interface DesignWrittenFile {
  /** Absolute path. */
  path: string;
  /** Its format. */
  format: DesignFile["format"];
  /** Size in bytes. */
  bytes: number;
}

/** What {@link generateDesign} did. */
export interface GenerateDesignResult {
  /** The merged design. */
  design: DesignSystem;
  /** The inputs. */
  input: DesignInput;
  /** The format written. */
  format: DesignFormat;
  /** The output folder. */
  out_dir: string;
  /** Files written, by name. */
  files: DesignWrittenFile[];
}

/**
 * Generates the design files of one industry × use case into a folder (each file written
 * atomically).
 *
 * @throws {BrError} `not_found` for unknown names, `usage` for missing ones, `storage` when
 * a file cannot be written.
 */
export async function generateDesign(
  project: Project | null,
  options: GenerateDesignOptions,
): Promise<GenerateDesignResult> {
  const { design, input } = await designFor(project, options);
  const cfg = await designConfig(project);
  const format = options.format ?? parseFormat(String(cfg.format ?? "all"));
  const outDir = options.out
    ? (isAbsolute(options.out) ? options.out : resolve(options.cwd, options.out))
    : project
    ? resolve(project.root, String(cfg.out ?? "design"))
    : resolve(options.cwd, "design");
  const files: DesignWrittenFile[] = [];
  const dtcgCompat = options.dtcgCompat ?? cfg.dtcg_compat === true;
  for (const f of renderDesign(design, format, { dtcgCompat })) {
    const path = join(outDir, f.name);
    await writeFileAtomic(path, f.content);
    files.push({ path, format: f.format, bytes: new TextEncoder().encode(f.content).length });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { design, input, format, out_dir: outDir, files };
}

/** Options of {@link previewDesign}. */
export interface PreviewDesignOptions extends DesignRequest {
  /** Output file (default: `design/preview.html` beside the generated files). */
  out?: string;
  /** Working directory for relative paths. */
  cwd: string;
}

/**
 * Writes the self-contained preview page of one industry × use case.
 *
 * @throws {BrError} `not_found` for unknown names, `usage` for missing ones, `storage` when
 * the file cannot be written.
 */
export async function previewDesign(
  project: Project | null,
  options: PreviewDesignOptions,
): Promise<{ design: DesignSystem; input: DesignInput; path: string; bytes: number }> {
  const { design, input } = await designFor(project, options);
  const cfg = await designConfig(project);
  const path = options.out
    ? (isAbsolute(options.out) ? options.out : resolve(options.cwd, options.out))
    : join(
      project ? resolve(project.root, String(cfg.out ?? "design")) : resolve(options.cwd, "design"),
      "preview.html",
    );
  const html = renderPreview(design);
  await writeFileAtomic(path, html);
  return { design, input, path, bytes: new TextEncoder().encode(html).length };
}
