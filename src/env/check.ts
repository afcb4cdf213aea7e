import { readTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { join } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import { BLOCK_END, BLOCK_START, detectEnv, type EnvDetection, userLines } from "./detect.ts";
import { isAssignment, parseDotenv } from "./dotenv.ts";

/** What `br env template` did. */
export interface TemplateResult {
  /** The file written. */
  file: string;
  /** Whether it changed. */
  changed: boolean;
  /** The names in the managed block, sorted. */
  managed: string[];
  /** The names user lines already hold (left as they are), sorted. */
  kept: string[];
}

/**
 * Writes or updates `.env.example`: br's managed block lists every detected variable that
 * no user line assigns (with where it was seen); lines outside the block are kept as they are.
 *
 * @throws {BrError} `invalid_data` when `.env.example` is a link.
 */
export async function writeEnvTemplate(
  project: Project,
  detection: EnvDetection = detectEnv(project),
): Promise<TemplateResult> {
  const file = join(project.root, ".env.example");
  const before = await readTextOrNull(file);
  const user = before === null ? [] : userLines(before);
  while (user.length && user[user.length - 1] === "") user.pop();
  const kept = new Set(user.map(isAssignment).filter((n): n is string => !!n));
  const managed = detection.variables.filter((v) => !kept.has(v.name));
  const block = [BLOCK_START];
  for (const v of managed) {
    const where = v.sources.slice(0, 3).map((s) => `${s.file}${s.line ? `:${s.line}` : ""}`);
    block.push(`# ${where.join(", ")}${v.sources.length > 3 ? ", ..." : ""}`);
    block.push(`${v.name}=`);
  }
  block.push(BLOCK_END);
  const text = [...user, ...(user.length ? [""] : []), ...block].join("\n") + "\n";
  const changed = text !== before;
  if (changed) await writeFileAtomic(file, text);
  return {
    file: ".env.example",
    changed,
    managed: managed.map((v) => v.name),
    kept: [...kept].sort(),
  };
}

/** What is wrong with one variable. */
export type EnvProblemKind =
  | "missing"
  | "empty"
  | "malformed_url"
  | "malformed_port"
  | "malformed_number";

/** One problem `br env check` found (never the value: its shape only). */
export interface EnvProblem {
  /** The variable. */
  name: string;
  /** What is wrong. */
  problem: EnvProblemKind;
  /** The value's masked shape (`empty`, `text, 12 chars`), or null when missing. */
  shape: string | null;
  /** The `.env` line, or null. */
  line: number | null;
}

/** What `br env check` reports. */
export interface EnvCheck {
  /** The checked file. */
  file: ".env";
  /** Whether `.env` exists. */
  exists: boolean;
  /** Where the expected names come from. */
  expected_from: ".env.example" | "env detect";
  /** The expected names, sorted. */
  expected: string[];
  /** Problems, sorted by name. */
  problems: EnvProblem[];
}

/** A value's shape without the value: its kind and length. */
export function maskedShape(value: string): string {
  if (value === "") return "empty";
  const kind = /^-?\d+(\.\d+)?$/.test(value)
    ? "number"
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(value)
    ? "url"
    : "text";
  return `${kind}, ${value.length} chars`;
}

function isUrl(value: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** The problem with a value of `name` (`example`: the value `.env.example` shows). */
function valueProblem(name: string, value: string, example: string): EnvProblemKind | null {
  if (value === "") return "empty";
  if (/(?:^|_)(?:URL|URI|DSN|ENDPOINT)$/.test(name) && !isUrl(value)) return "malformed_url";
  if (/(?:^|_)PORT$/.test(name)) {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > 65535) return "malformed_port";
  }
  if (/^-?\d+(\.\d+)?$/.test(example) && !Number.isFinite(Number(value))) {
    return "malformed_number";
  }
  return null;
}

/**
 * Checks `.env` against `.env.example` (or, without one, the detected variables): missing,
 * empty and malformed (URL, port, number) values. Values are never returned.
 */
export async function checkEnv(project: Project): Promise<EnvCheck> {
  const exampleText = await readTextOrNull(join(project.root, ".env.example"));
  const expected = new Map<string, string>();
  if (exampleText !== null) {
    for (const e of parseDotenv(exampleText)) expected.set(e.name, e.value);
  } else {
    for (const v of detectEnv(project).variables) expected.set(v.name, "");
  }
  const envText = await readTextOrNull(join(project.root, ".env"));
  const env = new Map(parseDotenv(envText ?? "").map((e) => [e.name, e]));
  const problems: EnvProblem[] = [];
  for (const [name, example] of expected) {
    const e = env.get(name);
    if (!e) {
      problems.push({ name, problem: "missing", shape: null, line: null });
      continue;
    }
    const problem = valueProblem(name, e.value, example);
    if (problem) problems.push({ name, problem, shape: maskedShape(e.value), line: e.line });
  }
  problems.sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    file: ".env",
    exists: envText !== null,
    expected_from: exampleText !== null ? ".env.example" : "env detect",
    expected: [...expected.keys()].sort(),
    problems,
  };
}
