import type { Project } from "../core/project.ts";
import { mdBlock, mdCode, mdFence, mdInline } from "../core/text.ts";
import { findFeature, loadFeatures } from "../features/mod.ts";
import { overview, verifyCommands } from "./context.ts";
import { readSpec, specLabel } from "./store.ts";

/** A dependency of the handed-off feature and where it stands. */
export interface HandoffDependency {
  /** Id. */
  id: string;
  /** Name. */
  name: string;
  /** Status (`missing` when the id is unknown). */
  status: string;
}

/** Everything an agent needs to work on one feature (the `br handoff --json` shape). */
export interface Handoff {
  /** The project. */
  project: {
    /** Name. */
    name: string;
    /** One-paragraph summary (spec Overview, else features.json description). */
    summary: string;
    /** Industry from the spec, or null. */
    industry: string | null;
    /** Use case from the spec, or null. */
    use_case: string | null;
    /** Stack from the spec. */
    stack: string[];
  };
  /** The feature. */
  feature: {
    /** Id. */
    id: string;
    /** Name. */
    name: string;
    /** Description. */
    description: string;
    /** Status. */
    status: string;
    /** Priority. */
    priority: string;
    /** Acceptance criteria. */
    acceptance: string[];
    /** Declared file globs. */
    files: string[];
    /** Tags. */
    tags: string[];
    /** Blocked reason, if blocked. */
    blocked_reason: string | null;
  };
  /** Its dependencies, in declared order. */
  dependencies: HandoffDependency[];
  /** True when every dependency is complete. */
  ready: boolean;
  /** Features that wait for this one, sorted by id. */
  dependents: HandoffDependency[];
  /** The feature's block of the spec, verbatim, or null when the spec has none. */
  spec_excerpt: string | null;
  /** Where the excerpt comes from (`PROJECT_SPEC.md:12`), or null. */
  spec_source: string | null;
  /** Layer rules of the spec's Architecture section. */
  architecture_rules: { from: string; to: string }[];
  /** Commands that verify the work (`project.test_command`, then `spec.verify_commands`). */
  commands: string[];
}

/**
 * Builds the handoff package of one feature: project summary, the feature and its
 * acceptance criteria, dependencies and their state, declared files, the spec excerpt,
 * layer rules and the commands to verify.
 *
 * @throws {BrError} `not_found` for an unknown feature id.
 */
export async function buildHandoff(project: Project, featureId: string): Promise<Handoff> {
  await import("./config.ts");
  const config = await project.config();
  const file = await loadFeatures(project);
  const f = findFeature(file, featureId);
  const byId = new Map(file.features.map((x) => [x.id, x]));
  const spec = await readSpec(project);
  const index = spec?.features.findIndex((x) => x.id === f.id) ?? -1;
  let excerpt: string | null = null;
  let source: string | null = null;
  if (spec && index >= 0) {
    const [start, end] = spec.feature_ranges[index];
    excerpt = spec.lines.slice(start, end).join("\n").replace(/\s+$/, "");
    source = `${specLabel(project)}:${start + 1}`;
  }
  const dependencies = f.dependencies.map((id) => ({
    id,
    name: byId.get(id)?.name ?? id,
    status: byId.get(id)?.status ?? "missing",
  }));
  return {
    project: {
      name: spec?.front?.name ?? spec?.title ?? file.project,
      summary: overview(spec) || file.description || "",
      industry: spec?.front?.industry ?? null,
      use_case: spec?.front?.use_case ?? null,
      stack: spec?.front?.stack ?? [],
    },
    feature: {
      id: f.id,
      name: f.name,
      description: f.description,
      status: f.status,
      priority: f.priority,
      acceptance: [...f.acceptance],
      files: [...f.files],
      tags: [...f.tags],
      blocked_reason: f.blocked_reason,
    },
    dependencies,
    ready: dependencies.every((d) => d.status === "complete"),
    dependents: file.features.filter((x) => x.dependencies.includes(f.id))
      .map((x) => ({ id: x.id, name: x.name, status: x.status }))
      .sort((a, b) => a.id.localeCompare(b.id)),
    spec_excerpt: excerpt,
    spec_source: source,
    architecture_rules: (spec?.architecture_rules ?? []).map(({ from, to }) => ({ from, to })),
    commands: verifyCommands(
      config.get<string | null>("project.test_command"),
      config.get("spec.verify_commands"),
    ),
  };
}

/**
 * Renders a handoff as the prompt given to an agent (Markdown).
 *
 * @example
 * ```ts
 * import { buildHandoff, openProject, renderHandoff } from "@buildrunner/br";
 * const project = await openProject();
 * console.log(renderHandoff(await buildHandoff(project, "auth-login")));
 * ```
 */
export function renderHandoff(h: Handoff): string {
  const f = h.feature;
  const out: string[] = [];
  // Every value is escaped (names, criteria, reasons inline; the description as a block), so
  // no text of features.json can add a section or a checklist item to the prompt.
  const name = mdInline(f.name);
  out.push(`# Feature ${f.id}: ${name}`, "");
  out.push(
    `You are implementing the feature "${name}" (id ${
      mdCode(f.id)
    }, priority ${f.priority}, status ${f.status}) of the project ${mdInline(h.project.name)}.`,
  );
  if (h.project.summary) out.push("", `Project: ${mdInline(h.project.summary)}`);
  const kind = [
    h.project.industry ? `industry ${mdInline(h.project.industry)}` : null,
    h.project.use_case ? `use case ${mdInline(h.project.use_case)}` : null,
    h.project.stack.length ? `stack ${h.project.stack.map(mdInline).join(", ")}` : null,
  ].filter(Boolean);
  if (kind.length) out.push(`Kind: ${kind.join("; ")}.`);
  if (f.description) out.push("", "## What to build", "", mdBlock(f.description));
  out.push("", "## Acceptance criteria", "");
  if (f.acceptance.length) out.push(...f.acceptance.map((a) => `- [ ] ${mdInline(a)}`));
  else out.push("- none recorded: ask for them before you start");
  out.push("", "## Dependencies", "");
  if (h.dependencies.length) {
    out.push(...h.dependencies.map((d) => `- ${mdCode(d.id)} ${mdInline(d.name)}: ${d.status}`));
    if (!h.ready) {
      out.push(
        "",
        "Some dependencies are not complete: build against their declared interfaces only.",
      );
    }
  } else out.push("- none");
  if (h.dependents.length) {
    out.push("", "Waiting on this feature: " + h.dependents.map((d) => mdCode(d.id)).join(", "));
  }
  out.push("", "## Files", "");
  if (f.files.length) {
    out.push(
      ...f.files.map((g) => `- ${mdCode(g)}`),
      "",
      "Keep changes within these paths where you can.",
    );
  } else out.push("- not declared");
  if (h.architecture_rules.length) {
    out.push("", "## Architecture rules", "");
    out.push(
      ...h.architecture_rules.map((r) =>
        `- ${mdCode(r.from)} must not import from ${mdCode(r.to)}`
      ),
    );
  }
  if (h.spec_excerpt) {
    out.push(
      "",
      `## Spec excerpt (${h.spec_source})`,
      "",
      ...mdFence(h.spec_excerpt, "markdown", 4),
    );
  }
  out.push("", "## Verify", "");
  if (h.commands.length) out.push(...h.commands.map((c) => `- ${mdCode(c)}`));
  else out.push("- no verify command configured (set `project.test_command`)");
  if (f.status === "blocked" && f.blocked_reason) {
    out.push("", `Note: this feature is blocked: ${mdInline(f.blocked_reason)}`);
  }
  return out.join("\n") + "\n";
}
