import { relative, resolve } from "node:path";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { mdCode, mdInline } from "../core/text.ts";
import { type Feature, loadFeatures, PRIORITIES, readyFeatures } from "../features/mod.ts";
import { readSpec, specLabel } from "./store.ts";
import type { ParsedSpec } from "./types.ts";
import { lockMismatch } from "./validate.ts";

/** The first line of the managed block (matched by its prefix). */
export const CONTEXT_BEGIN =
  "<!-- BEGIN BUILDRUNNER CONTEXT: managed by `br context`; edits between these markers are replaced -->";
/** The last line of the managed block. */
export const CONTEXT_END = "<!-- END BUILDRUNNER CONTEXT -->";
const BEGIN_PREFIX = "<!-- BEGIN BUILDRUNNER CONTEXT";

/**
 * Puts `block` between the markers of `text`: replaces the existing managed block, or
 * appends one (after a blank line) when there is none. Every byte outside the markers is
 * kept; a file without markers only gains the block at its end.
 *
 * @throws {BrError} `invalid_data` when the markers are unbalanced or repeated.
 */
export function replaceManagedBlock(text: string | null, block: string, file = "file"): string {
  const full = `${CONTEXT_BEGIN}\n${block.replace(/\n+$/, "")}\n${CONTEXT_END}`;
  if (text === null || text === "") return full + "\n";
  const begins = markerLines(text, (l) => l.startsWith(BEGIN_PREFIX));
  const ends = markerLines(text, (l) => l.trimEnd() === CONTEXT_END);
  if (begins.length === 0 && ends.length === 0) {
    const sep = text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n";
    return text + sep + full + "\n";
  }
  if (begins.length !== 1 || ends.length !== 1 || ends[0].start < begins[0].start) {
    throw new BrError(
      "invalid_data",
      `${file}: the BuildRunner context markers are unbalanced (${begins.length} begin, ${ends.length} end)`,
      { hint: "keep exactly one begin and one end marker, in that order; nothing was written" },
    );
  }
  return text.slice(0, begins[0].start) + full + text.slice(ends[0].end);
}

function markerLines(text: string, test: (line: string) => boolean) {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  while (start <= text.length) {
    let nl = text.indexOf("\n", start);
    if (nl < 0) nl = text.length;
    const line = text.slice(start, nl).replace(/\r$/, "");
    if (test(line)) out.push({ start, end: start + line.length });
    start = nl + 1;
  }
  return out;
}

/** The text of the managed block (without markers) for the project as it is now. */
export async function renderContextBlock(project: Project): Promise<string> {
  await import("./config.ts");
  const config = await project.config();
  const file = await loadFeatures(project);
  const spec = await readSpec(project);
  const name = spec?.front?.name ?? spec?.title ?? file.project;
  // The spec's overview is the user's own Markdown (made one line); text from features.json
  // is escaped, like every value below.
  const summary = overview(spec) || mdInline(file.description || "");
  const lines = ["## BuildRunner context", ""];
  lines.push(`**${mdInline(name)}**${summary ? `: ${summary}` : ""}`, "");
  if (spec?.front) {
    const f = spec.front;
    const parts = [
      f.industry ? `industry ${mdInline(f.industry)}` : null,
      f.use_case ? `use case ${mdInline(f.use_case)}` : null,
      f.stack.length ? `stack ${f.stack.map(mdInline).join(", ")}` : null,
    ].filter(Boolean);
    if (parts.length) lines.push(`- Kind: ${parts.join("; ")}`);
    const lock = f.lock ? (lockMismatch(spec) ? ", locked but edited" : ", locked") : "";
    lines.push(`- Spec: ${mdCode(specLabel(project))} (${mdInline(f.status)}${lock})`);
  }
  const m = file.metrics;
  lines.push(
    `- Progress: ${m.completion_percentage}% complete (${m.features_complete}/${m.features_total} features, ${m.features_in_progress} in progress, ${m.features_blocked} blocked)`,
    "",
  );
  lines.push("### Rules", "");
  lines.push(
    "- Features live in `.buildrunner/features.json`: change them with `br feature ...`, not by hand.",
    "- Run `br feature start <id>` before working on a feature and `br feature complete <id>` once every acceptance criterion holds.",
    "- Get the full brief of a feature with `br handoff <id>`.",
  );
  if (spec) {
    lines.push(
      spec.front?.lock
        ? `- \`${specLabel(project)}\` is locked: do not edit it.`
        : `- After editing \`${
          specLabel(project)
        }\`, run \`br spec validate\` and \`br spec sync\`.`,
    );
  }
  for (const r of spec?.architecture_rules ?? []) {
    lines.push(`- Layer rule: code in ${mdCode(r.from)} must not import from ${mdCode(r.to)}.`);
  }
  const commands = verifyCommands(
    config.get<string | null>("project.test_command"),
    config.get("spec.verify_commands"),
  );
  if (commands.length) {
    lines.push(`- Before committing, run: ${commands.map(mdCode).join(", ")}.`);
  }
  lines.push("");
  const item = (f: Feature) =>
    `- ${mdCode(f.id)} ${mdInline(f.name)} (${f.priority})${
      f.dependencies.length ? `, after ${f.dependencies.map(mdInline).join(", ")}` : ""
    }`;
  const byPriority = (a: Feature, b: Feature) =>
    PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.id.localeCompare(b.id);
  const active = file.features.filter((f) => f.status === "in_progress" || f.status === "testing")
    .sort(byPriority);
  lines.push("### In progress", "");
  lines.push(...(active.length ? active.map((f) => `${item(f)} — ${f.status}`) : ["- none"]), "");
  const next = readyFeatures(file.features).slice(0, 5);
  lines.push("### Next up", "");
  lines.push(...(next.length ? next.map(item) : ["- none ready"]), "");
  const blocked = file.features.filter((f) => f.status === "blocked").sort(byPriority);
  if (blocked.length) {
    lines.push("### Blocked", "");
    lines.push(
      ...blocked.map((f) => `${item(f)} — ${mdInline(f.blocked_reason ?? "no reason given")}`),
      "",
    );
  }
  return lines.join("\n").replace(/\n+$/, "");
}

/** The commands an agent runs to verify its work. */
export function verifyCommands(testCommand: unknown, extra: unknown): string[] {
  const out: string[] = [];
  if (typeof testCommand === "string" && testCommand.trim()) out.push(testCommand.trim());
  if (Array.isArray(extra)) { for (const c of extra) if (typeof c === "string") out.push(c); }
  return [...new Set(out)];
}

/** The first paragraph of the spec's Overview. */
export function overview(spec: ParsedSpec | null): string {
  const sec = spec?.sections.find((s) => s.title.toLowerCase() === "overview");
  if (!spec || !sec) return "";
  const para: string[] = [];
  for (let i = sec.start + 1; i < sec.end; i++) {
    const l = spec.lines[i].trim();
    if (!l) {
      if (para.length) break;
      continue;
    }
    para.push(l);
  }
  return para.join(" ");
}

/** One context file written by {@link writeContext}. */
export interface ContextFileResult {
  /** Path relative to the project root. */
  path: string;
  /** What happened to it. */
  action: "created" | "updated" | "unchanged";
}

/**
 * Writes the managed block of each context file (`spec.context_files`, default `CLAUDE.md`
 * and `AGENTS.md`). Text outside the markers is never changed; an unchanged block is not
 * rewritten.
 *
 * @throws {BrError} `invalid_data` when a file's markers are unbalanced (nothing written).
 */
export async function writeContext(project: Project): Promise<ContextFileResult[]> {
  await import("./config.ts");
  const config = await project.config();
  const files = config.get<string[]>("spec.context_files") ?? ["CLAUDE.md", "AGENTS.md"];
  const block = await renderContextBlock(project);
  return project.withLock(async () => {
    const planned: { path: string; rel: string; text: string | null; next: string }[] = [];
    for (const f of [...new Set(files)].sort()) {
      const path = resolve(project.root, f);
      const rel = relative(project.root, path);
      const text = await readOwnTextOrNull(path, `"${rel}"`);
      planned.push({ path, rel, text, next: replaceManagedBlock(text, block, rel) });
    }
    const out: ContextFileResult[] = [];
    for (const p of planned) {
      if (p.text === p.next) out.push({ path: p.rel, action: "unchanged" });
      else {
        // Links inside the project (AGENTS.md -> CLAUDE.md) are written through; a name
        // that leads outside it is refused.
        await writeFileAtomic(p.path, p.next, { linksWithin: project.root });
        out.push({ path: p.rel, action: p.text === null ? "created" : "updated" });
      }
    }
    return out;
  });
}
