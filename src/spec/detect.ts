import words from "./detect_words.json" with { type: "json" };
import { INDUSTRIES, type Industry, USE_CASES, type UseCase } from "./types.ts";

/** The default confidence below which detection answers `unknown`. */
export const DEFAULT_DETECTION_THRESHOLD = 0.55;

/** Keywords per name: strong ones count 2, weak ones 1. */
interface Lexicon {
  strong: string[];
  weak: string[];
}

const INDUSTRY_WORDS: Record<Industry, Lexicon> = words.industries;

const USE_CASE_WORDS: Record<UseCase, Lexicon> = words.use_cases;

/** One candidate of a detection, with its score. */
export interface DetectionCandidate {
  /** Name. */
  name: string;
  /** Sum of keyword weights matched. */
  score: number;
}

/** What detection found for one dimension. */
export interface KindDetection {
  /** The name, or `unknown` below the threshold. */
  value: string;
  /** 0..1: the winner's share against the runner-up, times how much evidence there is. */
  confidence: number;
  /** The words of the description that decided it (of the best candidate). */
  matched: string[];
  /** The best candidates (up to 3), highest first. */
  candidates: DetectionCandidate[];
}

/** Industry and use case detected from a description. */
export interface ProjectDetection {
  /** Industry. */
  industry: KindDetection;
  /** Use case. */
  use_case: KindDetection;
}

const compiled = new Map<Lexicon, { re: RegExp; word: string; weight: number }[]>();

function patterns(lex: Lexicon) {
  let list = compiled.get(lex);
  if (!list) {
    const make = (word: string, weight: number) => {
      const esc = word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/[ -]/g, "[\\s-]?");
      const open = word.endsWith("quer") ? "" : "(?:s|es|ies|ed|ing|ers?)?";
      return { re: new RegExp(`(?<![a-z0-9])${esc}${open}(?![a-z0-9])`, "g"), word, weight };
    };
    list = [...lex.strong.map((w) => make(w, 2)), ...lex.weak.map((w) => make(w, 1))];
    compiled.set(lex, list);
  }
  return list;
}

function detectOne(
  text: string,
  lexicons: Record<string, Lexicon>,
  threshold: number,
): KindDetection {
  const lower = text.toLowerCase();
  const scored = Object.entries(lexicons).map(([name, lex]) => {
    let score = 0;
    const matched: { word: string; at: number }[] = [];
    for (const p of patterns(lex)) {
      p.re.lastIndex = 0;
      const m = p.re.exec(lower);
      if (!m) continue;
      score += p.weight;
      matched.push({ word: m[0], at: m.index });
    }
    matched.sort((a, b) => a.at - b.at);
    return { name, score, matched: [...new Set(matched.map((m) => m.word))] };
  }).sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const [first, second] = scored;
  const s1 = first.score;
  const s2 = second?.score ?? 0;
  const confidence = s1 === 0 ? 0 : round((s1 / (s1 + s2)) * Math.min(1, s1 / 2));
  return {
    value: confidence >= threshold ? first.name : "unknown",
    confidence,
    matched: s1 === 0 ? [] : first.matched,
    candidates: scored.filter((c) => c.score > 0).slice(0, 3).map(({ name, score }) => ({
      name,
      score,
    })),
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/**
 * Detects the industry of a project from its description (one of {@link INDUSTRIES}, or
 * `unknown` when the confidence is below `threshold`).
 *
 * @example
 * ```ts
 * import { detectIndustry } from "./detect.ts";
 * detectIndustry("A portal where patients book visits with their doctor").value; // "healthcare"
 * ```
 */
export function detectIndustry(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return detectOne(description, INDUSTRY_WORDS, threshold);
}

/** Detects the use case of a project (one of {@link USE_CASES}, or `unknown`). */
export function detectUseCase(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): KindDetection {
  return detectOne(description, USE_CASE_WORDS, threshold);
}

/** Detects both industry and use case. */
export function detectProjectKind(
  description: string,
  threshold: number = DEFAULT_DETECTION_THRESHOLD,
): ProjectDetection {
  return {
    industry: detectIndustry(description, threshold),
    use_case: detectUseCase(description, threshold),
  };
}

/** True when `name` is a known industry. */
export function isIndustry(name: string): name is Industry {
  return (INDUSTRIES as readonly string[]).includes(name);
}

/** True when `name` is a known use case. */
export function isUseCase(name: string): name is UseCase {
  return (USE_CASES as readonly string[]).includes(name);
}
