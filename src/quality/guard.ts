import { compareText } from "../core/text.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { sourceMasker } from "../security/scan.ts";
import { type Analysis, analyzeTree } from "./_analysis.ts";
import { analysisCacheLocation } from "./_analysis_cache.ts";
import { globToRegExp } from "./_files.ts";
import { loadGovernance } from "./governance.ts";
import type { Governance } from "./governance_schema.ts";

/** One broken architecture rule. */
export interface GuardViolation {
  /** Rule kind: forbidden_import, layer, forbidden_dependency, naming, private. */
  rule: string;
  /** The file that breaks it. */
  file: string;
  /** Line, when known. */
  line: number | null;
  /** One-line description. */
  message: string;
}

/** The result of {@link checkGuard}. */
export interface GuardReport {
  /** No violation. */
  passed: boolean;
  /** How many rules were checked. */
  rules: number;
  /** Where the rules came from (`PROJECT_SPEC.md`, `governance.yaml`). */
  sources: string[];
  /** Violations sorted by file and line. */
  violations: GuardViolation[];
}

/** Options of {@link checkGuard}. */
export interface GuardOptions {
  /** Tree to check (default: the project root). */
  cwd?: string;
  /** A tree analysis already made, or a function that makes it only when a rule needs it. */
  analysis?: Analysis | (() => Promise<Analysis>);
  /** Governance already loaded. */
  governance?: Governance | null;
}

function specifierName(spec: string, lang: string): string {
  if (lang === "py") return spec;
  return spec.replace(/^(node|npm|jsr):/, "").replace(/^(@[^/]+\/[^/@]+|[^/@]+)@[^/]*/, "$1");
}

/**
 * Checks the layer and import rules of the spec's Architecture section and of
 * governance.yaml (`architecture.forbidden`, `layers`, `forbidden_dependencies`, `naming`,
 * `private`).
 *
 * @throws {BrError} `invalid_data` when governance.yaml is malformed.
 */
export async function checkGuard(
  project: Project,
  options: GuardOptions = {},
): Promise<GuardReport> {
  const root = options.cwd ?? project.root;
  const gov = options.governance !== undefined ? options.governance : await loadGovernance(project);
  const spec = await readOwnTextOrNull(project.paths.spec);
  const specRules = spec
    ? (await (await import("../spec/mod.ts")).parseSpec(spec)).architecture_rules.map((r) => ({
      from: r.from,
      to: r.to,
    }))
    : [];
  const arch = gov?.architecture;
  const forbidden = [...specRules, ...(arch?.forbidden ?? [])];
  const layers = arch?.layers ?? [];
  const deps = arch?.forbidden_dependencies ?? [];
  const naming = arch?.naming ?? [];
  const privates = arch?.private ?? [];
  const rules = forbidden.length + (layers.length > 1 ? 1 : 0) + deps.length + naming.length +
    privates.length;
  const sources = [
    ...(specRules.length ? ["PROJECT_SPEC.md"] : []),
    ...(arch && rules - specRules.length > 0 ? [".buildrunner/governance.yaml"] : []),
  ];
  if (rules === 0) return { passed: true, rules: 0, sources, violations: [] };
  const analysis = typeof options.analysis === "function"
    ? await options.analysis()
    : options.analysis ??
      await analyzeTree(root, { cache: analysisCacheLocation(root, project.env) });
  const violations: GuardViolation[] = [];
  const runtimeEdges = analysis.edges.filter((e) => !e.type_only);

  for (const r of forbidden) {
    const from = globToRegExp(r.from);
    const to = globToRegExp(r.to);
    for (const e of runtimeEdges) {
      if (from.test(e.from) && to.test(e.to) && !to.test(e.from)) {
        violations.push({
          rule: "forbidden_import",
          file: e.from,
          line: e.line,
          message: `imports ${e.to}, but ${r.from} must not import ${r.to}`,
        });
      }
    }
  }
  if (layers.length > 1) {
    const res = layers.map((l) => globToRegExp(l));
    const layerOf = (f: string) => res.findIndex((re) => re.test(f));
    for (const e of runtimeEdges) {
      const a = layerOf(e.from);
      const b = layerOf(e.to);
      if (a >= 0 && b >= 0 && b < a) {
        violations.push({
          rule: "layer",
          file: e.from,
          line: e.line,
          message: `layer ${layers[a]} imports ${e.to} of the higher layer ${layers[b]}`,
        });
      }
    }
  }
  for (const d of deps) {
    const scope = d.from ? globToRegExp(d.from) : null;
    for (const f of analysis.files) {
      if (scope && !scope.test(f.file)) continue;
      for (const imp of f.imports) {
        if (imp.spec.startsWith(".")) continue;
        const name = specifierName(imp.spec, f.lang);
        const sep = f.lang === "py" ? "." : "/";
        if (name === d.package || name.startsWith(d.package + sep)) {
          violations.push({
            rule: "forbidden_dependency",
            file: f.file,
            line: imp.line,
            message: `imports "${imp.spec}", which is forbidden${d.from ? ` in ${d.from}` : ""}`,
          });
        }
      }
    }
  }
  for (const n of naming) {
    const files = globToRegExp(n.files);
    const re = new RegExp(n.pattern);
    for (const f of analysis.all_files) {
      if (!files.test(f)) continue;
      const name = f.split("/").pop()!;
      if (!re.test(name)) {
        violations.push({
          rule: "naming",
          file: f,
          line: null,
          message: `file name "${name}" does not match ${n.pattern}`,
        });
      }
    }
  }
  if (privates.length > 0) {
    const res = privates.map((p) => ({
      files: globToRegExp(p.files),
      allow: p.allow === null ? null : globToRegExp(p.allow),
    }));
    // Type-only imports count too: a private file's types are as private as its code.
    for (const e of analysis.edges) {
      const i = res.findIndex((r) => r.files.test(e.to));
      if (i < 0 || res[i].allow?.test(e.from)) continue;
      const folder = e.to.includes("/") ? e.to.slice(0, e.to.lastIndexOf("/") + 1) : "";
      if (!e.from.startsWith(folder)) {
        violations.push({
          rule: "private",
          file: e.from,
          line: e.line,
          message: `imports ${e.to}, which is private to ${folder || "./"} (${privates[i].files})`,
        });
      }
    }
  }
  // import specifiers and file names come from the source: masked like the scanner masks a
  // secret
  const mask = await sourceMasker(project);
  for (const v of violations) v.message = mask(v.message, v.file);
  violations.sort((a, b) =>
    compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.rule, b.rule) ||
    compareText(a.message, b.message)
  );
  return { passed: violations.length === 0, rules, sources, violations };
}
