import { isBrError } from "../../core/errors.ts";
import type { Project } from "../../core/project.ts";
import {
  COLOR_ROLES,
  type ComponentNode,
  designPattern,
  designPatterns,
  designProfile,
  designProfiles,
  type DesignSystem,
  generateDesign,
  type Palette,
  parseColor,
  parseFormat,
  previewDesign,
  toHex,
} from "../../design/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  openFor,
  print,
  printJson,
  type ProjectFlags,
  useColor,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

/** Runs `fn` with the project when there is one, else with null (built-ins only). */
async function withOptionalProject<T>(
  ctx: BrContext,
  flags: ProjectFlags,
  fn: (project: Project | null) => Promise<T>,
): Promise<T> {
  let project: Project | null = null;
  try {
    project = await openFor(ctx, flags);
  } catch (err) {
    if (!(isBrError(err) && err.code === "no_project" && !flags.project)) throw err;
  }
  try {
    return await fn(project);
  } finally {
    await project?.close();
  }
}

/** A color swatch: a true-color block on a terminal, nothing when colors are off. */
function swatch(on: boolean, css: string): string {
  if (!on) return "";
  const hex = toHex(parseColor(css)!);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `\x1b[48;2;${r};${g};${b}m    \x1b[0m `;
}

function paletteLines(on: boolean, p: Palette): string[] {
  return COLOR_ROLES.map((r) => `    ${swatch(on, p[r])}${r.padEnd(24)}${p[r]}`);
}

function treeLines(nodes: ComponentNode[], depth = 2): string[] {
  return nodes.flatMap((n) => [
    `${"  ".repeat(depth)}${n.name}`,
    ...treeLines(n.children ?? [], depth + 1),
  ]);
}

/** `br design profiles` */
export function profiles(this: BrContext, flags: Common): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const list = await designProfiles(project);
    if (flags.json) return printJson(this, list);
    const c = await colors(this);
    const on = useColor(this);
    for (const p of list) {
      print(
        this,
        `${swatch(on, p.primary.light)}${swatch(on, p.primary.dark)}${c.bold(p.id.padEnd(14))}${
          p.wcag_level.padEnd(5)
        }${p.compliance.join(", ")}${p.source === "user" ? c.dim(" (user)") : ""}`,
      );
    }
  });
}

/** `br design profile <industry>` */
export function profile(this: BrContext, flags: Common, id: string): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const p = await designProfile(project, id);
    if (flags.json) return printJson(this, p);
    const c = await colors(this);
    const on = useColor(this);
    const t = p.typography;
    print(this, `${c.bold(p.name)} ${c.dim(`(${p.id}, ${p.source})`)}`);
    print(this, `  ${p.description}`);
    print(this, `  WCAG level:   ${p.wcag_level}`);
    print(this, `  fonts:        ${t.font_sans} / headings ${t.font_heading}`);
    print(
      this,
      `  type:         ${t.base_size_px}px base, ratio ${t.scale_ratio}, line ${t.line_height}`,
    );
    print(this, `  radius:       ${p.radius_rem}rem; density at least ${p.min_density}`);
    print(this, "  light:");
    for (const l of paletteLines(on, p.colors.light)) print(this, l);
    print(this, "  dark:");
    for (const l of paletteLines(on, p.colors.dark)) print(this, l);
    print(this, "  compliance:");
    for (const n of p.compliance) {
      print(this, `    ${c.bold(n.name)}: ${n.summary}`);
      for (const u of n.ui) print(this, `      - ${u}`);
    }
    print(this, "  components:");
    for (const x of p.components) print(this, `    - ${x}`);
    if (p.restrictions.length) {
      print(this, "  clashes with:");
      for (const r of p.restrictions) print(this, `    ${r.trait}: ${r.problem}`);
    }
  });
}

/** `br design patterns` */
export function patterns(this: BrContext, flags: Common): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const list = await designPatterns(project);
    if (flags.json) return printJson(this, list);
    const c = await colors(this);
    for (const p of list) {
      print(
        this,
        `${c.bold(p.id.padEnd(18))}${p.navigation.padEnd(14)}${p.density.padEnd(13)}${
          p.traits.join(", ")
        }${p.source === "user" ? c.dim(" (user)") : ""}`,
      );
    }
  });
}

/** `br design pattern <use-case>` */
export function pattern(this: BrContext, flags: Common, id: string): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const p = await designPattern(project, id);
    if (flags.json) return printJson(this, p);
    const c = await colors(this);
    print(this, `${c.bold(p.name)} ${c.dim(`(${p.id}, ${p.source})`)}`);
    print(this, `  ${p.description}`);
    print(
      this,
      `  layout:       ${p.layout.navigation} navigation, ${p.layout.density}, max ${p.layout.max_width}, ${p.layout.grid_columns} columns`,
    );
    print(this, `  pages:        ${p.page_types.join(", ")}`);
    print(this, `  traits:       ${p.traits.join(", ") || "none"}`);
    print(this, "  components:");
    for (const l of treeLines(p.component_hierarchy)) print(this, l);
    print(this, "  data flows:");
    for (const x of p.data_flows) print(this, `    - ${x}`);
    print(this, "  interactions:");
    for (const x of p.interactions) print(this, `    - ${x}`);
    print(this, "  stack:");
    for (const [k, v] of Object.entries(p.recommended_stack)) print(this, `    ${k}: ${v}`);
  });
}

async function report(ctx: BrContext, d: DesignSystem): Promise<void> {
  const c = await colors(ctx);
  for (const i of d.issues) {
    const tag = i.kind === "incompatibility" ? c.red(i.kind) : c.yellow(i.kind);
    print(ctx, `  ${tag} ${i.subject}: ${i.profile} | ${i.pattern}`);
    print(ctx, `    → ${i.resolution}`);
  }
  for (const a of d.adjustments) {
    print(
      ctx,
      `  ${
        c.cyan("contrast")
      } ${a.mode} ${a.role}: ${a.from} → ${a.to} (${a.pair} ${a.ratio_before}:1 → ${a.ratio_after}:1, needs ${a.required}:1)`,
    );
  }
  const min = Math.min(...d.contrast.filter((x) => x.kind === "text").map((x) => x.ratio));
  print(
    ctx,
    `${
      c.green("✓")
    } ${d.contrast.length} contrast pairs pass WCAG ${d.wcag_level} (lowest text ratio ${min}:1)`,
  );
}

function summary(d: DesignSystem) {
  return {
    industry: d.industry,
    use_case: d.use_case,
    title: d.title,
    wcag_level: d.wcag_level,
    issues: d.issues,
    adjustments: d.adjustments,
    contrast: d.contrast,
  };
}

/** `br design generate [industry] [use-case]` */
export function generate(
  this: BrContext,
  flags: Common & { format?: string; out?: string; "dtcg-compat"?: boolean },
  industry?: string,
  useCase?: string,
): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const r = await generateDesign(project, {
      dtcgCompat: flags["dtcg-compat"],
      industry,
      use_case: useCase,
      format: flags.format ? parseFormat(flags.format) : undefined,
      out: flags.out,
      cwd: this.cwd,
    });
    if (flags.json) {
      return printJson(this, {
        ...summary(r.design),
        source: r.input.source,
        format: r.format,
        out_dir: r.out_dir,
        files: r.files,
      });
    }
    const c = await colors(this);
    print(this, `${c.bold(r.design.title)} → ${r.out_dir}`);
    for (const f of r.files) print(this, `  wrote ${f.path} (${f.bytes} bytes)`);
    await report(this, r.design);
  });
}

/** `br design preview [industry] [use-case]` */
export function preview(
  this: BrContext,
  flags: Common & { out?: string },
  industry?: string,
  useCase?: string,
): Promise<void> {
  return withOptionalProject(this, flags, async (project) => {
    const r = await previewDesign(project, {
      industry,
      use_case: useCase,
      out: flags.out,
      cwd: this.cwd,
    });
    if (flags.json) {
      return printJson(this, {
        ...summary(r.design),
        source: r.input.source,
        path: r.path,
        bytes: r.bytes,
      });
    }
    const c = await colors(this);
    print(this, `${c.bold(r.design.title)}: wrote ${r.path} (${r.bytes} bytes)`);
    await report(this, r.design);
  });
}
