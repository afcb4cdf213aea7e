import { flatLine } from "../core/text.ts";
import type { ParsedSpec, SpecFeature } from "./types.ts";

/** The fields of a feature the writer renders (positions are not needed). */
export type SpecFeatureInput =
  & Pick<SpecFeature, "id" | "name" | "description" | "priority" | "depends_on" | "acceptance">
  & Partial<Pick<SpecFeature, "checked" | "files" | "notes">>;

/**
 * A line of free text (a description or notes) that the spec parser would read as structure
 * (a heading, a code fence, a field) gets a leading backslash, which the parser removes.
 */
export const STRUCTURE_LINE = /^(?:#|```|~~~|(?:priority|depends on|files|acceptance)\s*:)/i;

function textLines(text: string): string[] {
  return text.split("\n").map((l) => STRUCTURE_LINE.test(l) ? `\\${l}` : l);
}

/**
 * Renders one feature block of the Features section, ending with a blank line. Parsing the
 * result gives back the same fields.
 */
export function renderFeatureBlock(f: SpecFeatureInput): string[] {
  const out = [`### ${flatLine(f.name)} {#${f.id}}`, ""];
  if (f.description.trim()) out.push(...textLines(f.description), "");
  out.push(`Priority: ${f.priority}`);
  out.push(`Depends on: ${f.depends_on.length ? f.depends_on.join(", ") : "none"}`);
  if (f.files?.length) out.push(`Files: ${f.files.join(", ")}`);
  out.push("Acceptance:");
  const checked = new Set(f.checked ?? []);
  for (const a of f.acceptance) out.push(`- [${checked.has(a) ? "x" : " "}] ${flatLine(a)}`);
  out.push("");
  if (f.notes?.trim()) out.push(...textLines(f.notes), "");
  return out;
}

/** What a new spec says (what the wizard collects). */
export interface NewSpec {
  /** Project name. */
  name: string;
  /** What it is (the Overview). */
  description: string;
  /** Who uses it. */
  users: string[];
  /** Industry (kebab-case or `unknown`). */
  industry: string;
  /** Use case (kebab-case or `unknown`). */
  use_case: string;
  /** Stack items. */
  stack: string[];
  /** Features. */
  features: SpecFeatureInput[];
  /** How the industry was chosen (shown in the Design section). */
  industry_note?: string;
  /** How the use case was chosen (shown in the Design section). */
  use_case_note?: string;
}

/** Renders a whole `PROJECT_SPEC.md` (status `draft`). */
export async function renderSpec(spec: NewSpec): Promise<string> {
  const front = await renderFront({
    name: spec.name,
    status: "draft",
    industry: spec.industry,
    use_case: spec.use_case,
    stack: spec.stack,
  });
  const lines = ["---", ...front, "---", `# ${flatLine(spec.name)}`, "", "## Overview", ""];
  lines.push(...textLines(spec.description.trim()), "");
  lines.push("## Users", "");
  if (spec.users.length) lines.push(...spec.users.map((u) => `- ${flatLine(u)}`));
  else lines.push("_Not described yet._");
  lines.push("", "## Features", "");
  for (const f of spec.features) lines.push(...renderFeatureBlock(f));
  lines.push("## Architecture", "");
  lines.push(`Stack: ${spec.stack.length ? spec.stack.join(", ") : "not chosen yet"}`, "");
  lines.push(
    "Layer rules: list items such as `- src/ui -/-> src/db` (src/ui must not import src/db).",
    "",
  );
  lines.push("## Design", "");
  const note = (n?: string) => n ? ` (${n})` : "";
  lines.push(`- Industry: ${spec.industry}${note(spec.industry_note)}`);
  lines.push(`- Use case: ${spec.use_case}${note(spec.use_case_note)}`);
  lines.push("", "## Non-functional", "", "_Not described yet._", "");
  lines.push("## Out of scope", "", "_Not described yet._");
  return lines.join("\n") + "\n";
}

async function renderFront(values: Record<string, unknown>): Promise<string[]> {
  const { stringify } = await import("yaml");
  return stringify(values, { flowCollectionPadding: false, lineWidth: 0 })
    .replace(
      /^stack:\n((?:\s+- .*\n)+)/m,
      (_all, items: string) =>
        `stack: [${items.trim().split("\n").map((l) => l.trim().slice(2)).join(", ")}]\n`,
    )
    .replace(/\n$/, "").split("\n");
}

/** Changes {@link applySpecEdits} makes. */
export interface SpecEdits {
  /** Front matter keys to set (`undefined` removes the key). */
  front?: Record<string, unknown>;
  /** Features to write: an existing id has its block replaced, a new one is appended. */
  upsert?: SpecFeatureInput[];
  /** Ids whose blocks are removed. */
  remove?: string[];
}

/**
 * Applies edits to a parsed spec and returns the new text. Everything the edits do not
 * touch (other sections, other feature blocks, text around them) is kept byte for byte.
 */
export async function applySpecEdits(spec: ParsedSpec, edits: SpecEdits): Promise<string> {
  const replace = new Map<number, string[]>(); // start index -> new lines (for [start, end))
  const ends = new Map<number, number>();
  const byId = new Map(spec.features.map((f, i) => [f.id, i]));
  const appended: string[][] = [];
  for (const f of edits.upsert ?? []) {
    const i = byId.get(f.id);
    if (i === undefined) appended.push(renderFeatureBlock(f));
    else {
      const [start, end] = spec.feature_ranges[i];
      replace.set(start, renderFeatureBlock(f));
      ends.set(start, end);
    }
  }
  for (const id of edits.remove ?? []) {
    const i = byId.get(id);
    if (i === undefined) continue;
    const [start, end] = spec.feature_ranges[i];
    replace.set(start, []);
    ends.set(start, end);
  }
  const lines = [...spec.lines];
  const featSection = spec.sections.find((s) => s.title.toLowerCase() === "features");
  let insertAt = -1;
  if (appended.length) {
    if (featSection) insertAt = featSection.end;
    else {
      while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
      lines.push("", "## Features", "");
      insertAt = lines.length;
    }
  }
  const out: string[] = [];
  let front: string[] | null = null;
  if (edits.front && spec.front_range) front = await editFront(spec, edits.front);
  else if (edits.front) {
    out.push("---", ...(await renderFront(stripUndefined(edits.front))), "---");
  }
  for (let i = 0; i <= lines.length; i++) {
    if (i === insertAt) {
      if (out.length && out[out.length - 1].trim() !== "") out.push("");
      for (const block of appended) out.push(...block);
    }
    if (i >= lines.length) break;
    if (front && i === spec.front_range![0]) {
      out.push(...front);
      i = spec.front_range![1];
      continue;
    }
    const rep = replace.get(i);
    if (rep) {
      out.push(...rep);
      i = ends.get(i)! - 1;
      continue;
    }
    out.push(lines[i]);
  }
  // Blocks bring a blank line after them; at the end of the file keep what the file had.
  const blankEnd = (l: string[]) => {
    let n = 0;
    while (n < l.length && l[l.length - 1 - n].trim() === "") n++;
    return n;
  };
  const keep = blankEnd(spec.lines);
  while (blankEnd(out) > keep) out.pop();
  return out.join("\n") + "\n";
}

function stripUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/**
 * Sets or removes top-level keys of the front matter line by line, so that every other
 * line (comments, unknown keys, their formatting) stays as written.
 */
async function editFront(spec: ParsedSpec, values: Record<string, unknown>): Promise<string[]> {
  const { stringify } = await import("yaml");
  const [open, close] = spec.front_range!;
  const body = spec.lines.slice(open + 1, close);
  for (const [key, value] of Object.entries(values)) {
    const at = body.findIndex((l) => l.startsWith(`${key}:`));
    let end = at + 1; // a block value continues on indented lines
    while (at >= 0 && end < body.length && /^\s+\S/.test(body[end])) end++;
    if (value === undefined) {
      if (at >= 0) body.splice(at, end - at);
      continue;
    }
    const line = stringify({ [key]: value }, { flowCollectionPadding: false, lineWidth: 0 })
      .replace(/\n$/, "").split("\n");
    if (at >= 0) body.splice(at, end - at, ...line);
    else body.push(...line);
  }
  return [spec.lines[open], ...body, spec.lines[close]];
}
