import { BrError } from "../core/errors.ts";
import { slugify } from "../features/mod.ts";
import type {
  LayerRule,
  ParsedSpec,
  SpecFeature,
  SpecFrontMatter,
  SpecProblem,
  SpecSection,
} from "./types.ts";
import { STRUCTURE_LINE } from "./write.ts";

const SECTION_RE = /^##\s+(.+?)\s*#*\s*$/;
const FEATURE_RE = /^###\s+(.*?)\s*$/;
const ID_RE = /^(.*?)\s*\{#([^}]*)\}\s*$/;
const FIELD_RE = /^(priority|depends on|files|acceptance)\s*:\s*(.*)$/i;
const ITEM_RE = /^\s*[-*]\s+(?:\[([ xX])\]\s*)?(.*)$/;
const RULE_RE = /^\s*[-*]\s+`?([^\s`]+)`?\s+-\/->\s+`?([^\s`]+)`?\s*(?:[(:—-].*)?$/;

/** Splits a comma list (`none` and `-` mean empty). */
export function splitList(raw: string): string[] {
  const v = raw.trim();
  if (v === "" || /^(none|-|—)$/i.test(v)) return [];
  return v.split(",").map((s) => s.trim().replace(/^`|`$/g, "")).filter(Boolean);
}

/**
 * Parses the text of a `PROJECT_SPEC.md`. Structural problems (duplicate headings, features
 * without a name, ...) are collected in `problems` with line numbers; only a front matter
 * that cannot be read at all throws.
 *
 * @throws {BrError} `invalid_data` for broken front matter, naming the line.
 */
export async function parseSpec(text: string, file = "PROJECT_SPEC.md"): Promise<ParsedSpec> {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const problems: SpecProblem[] = [];
  let front: SpecFrontMatter | null = null;
  let frontRange: [number, number] | null = null;
  let bodyStart = 0;
  if (clean(lines[0] ?? "") === "---") {
    const close = lines.findIndex((l, i) => i > 0 && (clean(l) === "---" || clean(l) === "..."));
    if (close < 0) {
      throw new BrError("invalid_data", `${file}:1: front matter is not closed`, {
        hint: 'end the front matter with a line "---"; nothing was written',
      });
    }
    frontRange = [0, close];
    front = await parseFront(lines.slice(1, close).join("\n"), file);
    bodyStart = close + 1;
  } else {
    problems.push({
      line: 1,
      code: "missing_front_matter",
      message: 'the spec has no front matter (a "---" block with status, industry, ...)',
    });
  }

  let title: string | null = null;
  const sections: SpecSection[] = [];
  const headings: { index: number; level: 2 | 3; text: string }[] = [];
  let fence = false;
  for (let i = bodyStart; i < lines.length; i++) {
    const line = clean(lines[i]);
    if (/^(```|~~~)/.test(line)) fence = !fence;
    if (fence) continue;
    if (title === null && /^#\s+/.test(line)) title = line.replace(/^#\s+/, "").trim();
    let m = line.match(SECTION_RE);
    if (m && !line.startsWith("###")) {
      headings.push({ index: i, level: 2, text: m[1] });
      continue;
    }
    m = line.match(FEATURE_RE);
    if (m) headings.push({ index: i, level: 3, text: m[1] });
  }
  const level2 = headings.filter((h) => h.level === 2);
  level2.forEach((h, k) => {
    const end = k + 1 < level2.length ? level2[k + 1].index : lines.length;
    sections.push({ title: h.text, line: h.index + 1, start: h.index, end });
  });
  const seen = new Map<string, number>();
  for (const s of sections) {
    const key = s.title.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        line: s.line,
        code: "duplicate_section",
        message: `duplicate section "## ${s.title}" (first at line ${first})`,
      });
    } else seen.set(key, s.line);
  }

  const features: SpecFeature[] = [];
  const ranges: [number, number][] = [];
  const featSection = sections.find((s) => s.title.toLowerCase() === "features");
  if (featSection) {
    const own = headings.filter((h) =>
      h.level === 3 && h.index > featSection.start && h.index < featSection.end
    );
    own.forEach((h, k) => {
      const end = k + 1 < own.length ? own[k + 1].index : featSection.end;
      features.push(parseFeature(lines, h.index, end, h.text, problems));
      ranges.push([h.index, end]);
    });
  }

  const rules: LayerRule[] = [];
  const arch = sections.find((s) => s.title.toLowerCase() === "architecture");
  if (arch) {
    for (let i = arch.start + 1; i < arch.end; i++) {
      const m = clean(lines[i]).match(RULE_RE);
      if (m) rules.push({ from: m[1], to: m[2], line: i + 1 });
    }
  }

  return {
    text,
    lines,
    front,
    front_range: frontRange,
    title,
    sections,
    features,
    feature_ranges: ranges,
    architecture_rules: rules,
    problems,
  };
}

function clean(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}

async function parseFront(yamlText: string, file: string): Promise<SpecFrontMatter> {
  const { parseDocument } = await import("yaml");
  const doc = parseDocument(yamlText);
  if (doc.errors.length) {
    const err = doc.errors[0];
    // The parser counts lines from the first line after `---`, which is the file's second.
    const pos = err.linePos?.[0];
    const where = pos ? pos.line + 1 : 2;
    // Its own "at line L, column C:" would be a second, differently counted place.
    const message = err.message.split("\n")[0].replace(/\s*at line \d+, column \d+:?\s*$/, "");
    throw new BrError(
      "invalid_data",
      `${file}:${where}: broken front matter: ${message}`,
      { hint: "fix the YAML between the --- lines; nothing was written" },
    );
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new BrError("invalid_data", `${file}:2: front matter must be a YAML mapping`, {
      hint: "write it as `key: value` lines; nothing was written",
    });
  }
  const r = raw as Record<string, unknown>;
  const str = (v: unknown): string | null =>
    v === null || v === undefined || v === "" ? null : String(v);
  const stack = Array.isArray(r.stack)
    ? r.stack.map(String)
    : typeof r.stack === "string"
    ? splitList(r.stack)
    : [];
  return {
    name: str(r.name),
    status: str(r.status) ?? "draft",
    industry: str(r.industry),
    use_case: str(r.use_case),
    stack,
    lock: str(r.lock),
    raw: r,
  };
}

function parseFeature(
  lines: string[],
  start: number,
  end: number,
  heading: string,
  problems: SpecProblem[],
): SpecFeature {
  let name = heading.trim();
  let id: string | null = null;
  const m = name.match(ID_RE);
  if (m) {
    name = m[1].trim();
    id = m[2].trim();
  }
  const line = start + 1;
  if (!name) {
    problems.push({ line, code: "feature_without_name", message: "a feature heading has no name" });
  }
  const feature: SpecFeature = {
    id: id ?? slugify(name),
    name,
    description: "",
    priority: "medium",
    depends_on: [],
    acceptance: [],
    checked: [],
    files: [],
    notes: "",
    line,
    explicit_id: id !== null,
  };
  const desc: string[] = [];
  const notes: string[] = [];
  let inFields = false;
  let inAcceptance = false;
  for (let i = start + 1; i < end; i++) {
    const text = clean(lines[i]);
    const field = text.match(FIELD_RE);
    if (field) {
      inFields = true;
      inAcceptance = false;
      const key = field[1].toLowerCase();
      const value = field[2].trim();
      if (key === "priority") feature.priority = value.toLowerCase();
      else if (key === "depends on") feature.depends_on = splitList(value);
      else if (key === "files") feature.files = splitList(value);
      else {
        inAcceptance = true;
        if (value) feature.acceptance.push(value);
      }
      continue;
    }
    if (inAcceptance) {
      const item = text.match(ITEM_RE);
      if (item) {
        const criterion = item[2].trim();
        if (criterion) {
          feature.acceptance.push(criterion);
          if (item[1] === "x" || item[1] === "X") feature.checked.push(criterion);
        }
        continue;
      }
      if (text.trim() !== "") inAcceptance = false;
    }
    // A leading backslash kept free text from reading as structure (see STRUCTURE_LINE).
    const free = text.startsWith("\\") && STRUCTURE_LINE.test(text.slice(1)) ? text.slice(1) : text;
    if (!inFields) desc.push(free);
    else if (!inAcceptance) notes.push(free);
  }
  feature.description = trimBlank(desc).join("\n");
  feature.notes = trimBlank(notes).join("\n");
  return feature;
}

function trimBlank(lines: string[]): string[] {
  let a = 0;
  let b = lines.length;
  while (a < b && lines[a].trim() === "") a++;
  while (b > a && lines[b - 1].trim() === "") b--;
  return lines.slice(a, b);
}
