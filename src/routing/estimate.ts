/**
 * Complexity estimation: a score built from explained parts (wording, declared files,
 * dependencies, acceptance criteria, outcomes of similar features), mapped to a level.
 */

/** Complexity levels, lowest first. */
export const LEVELS = ["simple", "moderate", "complex", "critical"] as const;

/** A complexity level. */
export type Level = typeof LEVELS[number];

/** What the estimate is made from. */
export interface EstimateInput {
  /** The task wording (name and description). */
  text: string;
  /** Files the work declares (after expanding globs), with their line counts. */
  files?: { count: number; lines: number; patterns: number };
  /** Ids of the features it depends on. */
  dependencies?: readonly string[];
  /** Acceptance criteria. */
  acceptance?: readonly string[];
  /** Recorded outcomes of similar features (and of this one). */
  history?: readonly HistoryItem[];
}

/** A recorded outcome of this feature (`same`) or of a similar one. */
export interface HistoryItem {
  /** The feature. */
  feature: string;
  /** Its result. */
  result: "success" | "rework" | "fail";
  /** True when it is the feature being estimated. */
  same: boolean;
}

/** One part of the score. */
export interface Reason {
  /** What was seen. */
  reason: string;
  /** Points it adds (negative: subtracts). */
  points: number;
}

/** An estimate. */
export interface Estimate {
  /** The level. */
  level: Level;
  /** The score (base 1 plus every reason's points). */
  score: number;
  /** Why, in the order the parts were checked. */
  reasons: Reason[];
}

interface WordRule {
  label: string;
  points: number;
  risk?: boolean;
  pattern: RegExp;
}

const WORDS: readonly WordRule[] = [
  {
    label: "security-sensitive",
    points: 4,
    risk: true,
    pattern:
      /\b(security|authenticat\w*|authori[sz]\w*|password\w*|credential\w*|secrets?|encrypt\w*|decrypt\w*|crypto\w*|oauth|sso|saml|permissions?|rbac|role-based|2fa|mfa)\b/,
  },
  {
    label: "money",
    points: 4,
    risk: true,
    pattern:
      /\b(payments?|billing|checkout|invoic\w*|refunds?|subscriptions?|stripe|paypal|ledger|pricing)\b/,
  },
  {
    label: "data migration",
    points: 3,
    risk: true,
    pattern:
      /\b(migrat\w*|backfill\w*|production (data|database)|data loss|schema change|zero[- ]downtime)\b/,
  },
  {
    label: "compliance",
    points: 3,
    risk: true,
    pattern: /\b(compliance|hipaa|pci|gdpr|soc ?2|pii|audit (log|trail))\b/,
  },
  {
    label: "concurrency",
    points: 3,
    pattern:
      /\b(concurren\w*|race conditions?|distributed|deadlocks?|locking|consisten\w*|replicat\w*|shard\w*|message queues?|queues?)\b/,
  },
  {
    label: "architecture",
    points: 3,
    pattern:
      /\b(refactor\w*|architecture|redesign\w*|rewrite|re-architect\w*|multi-tenant\w*|plugin system)\b/,
  },
  {
    label: "integration",
    points: 2,
    pattern: /\b(integrat\w*|third[- ]party|webhooks?|api client|sdk|external api|sync with)\b/,
  },
  {
    label: "performance",
    points: 2,
    pattern: /\b(performance|optimi[sz]\w*|latency|scal(e|ing|ability)|cach(e|ing)|throughput)\b/,
  },
  {
    label: "real-time",
    points: 2,
    pattern: /\b(real[- ]time|websockets?|streaming|live updates?|push notifications?)\b/,
  },
  {
    label: "new functionality",
    points: 2,
    pattern:
      /\b(endpoints?|api|forms?|pages?|components?|crud|models?|validation|dashboard|search|upload|import|export|notifications?)\b/,
  },
  {
    label: "small change",
    points: -2,
    pattern:
      /\b(typos?|rename|wording|text|copy|readme|docs?|documentation|comments?|colou?rs?|css|bump|lint|format(ting)?|labels?|tooltips?|icons?|spacing|padding|footer)\b/,
  },
];

const THRESHOLDS: readonly [Level, number][] = [
  ["critical", 9],
  ["complex", 6],
  ["moderate", 3],
];

/** The level of a score: ≤2 simple, 3-5 moderate, 6-8 complex, ≥9 critical. */
export function levelOf(score: number): Level {
  for (const [level, min] of THRESHOLDS) if (score >= min) return level;
  return "simple";
}

/**
 * Estimates the complexity of a piece of work and says why.
 *
 * @example
 * ```ts
 * import { estimateComplexity } from "./estimate.ts";
 * const e = estimateComplexity({ text: "Integrate Stripe checkout and handle payment webhooks" });
 * console.log(e.level); // "complex"
 * ```
 */
export function estimateComplexity(input: EstimateInput): Estimate {
  const reasons: Reason[] = [];
  const text = input.text.toLowerCase();
  let risks = 0;
  for (const rule of WORDS) {
    const m = rule.pattern.exec(text);
    if (!m) continue;
    reasons.push({ reason: `${rule.label}: mentions "${m[0]}"`, points: rule.points });
    if (rule.risk) risks++;
  }
  if (risks >= 2) reasons.push({ reason: `touches ${risks} high-risk areas at once`, points: 2 });
  const words = text.split(/\s+/).filter(Boolean).length;
  if (words >= 100) reasons.push({ reason: `long description (${words} words)`, points: 2 });
  else if (words >= 40) {
    reasons.push({ reason: `detailed description (${words} words)`, points: 1 });
  }

  const files = input.files;
  if (files && files.patterns > 0) {
    const n = files.count;
    const filePoints = n > 40 ? 3 : n > 15 ? 2 : n > 5 ? 1 : 0;
    reasons.push({ reason: `declares ${n} existing file(s)`, points: filePoints });
    const linePoints = files.lines > 8000 ? 3 : files.lines > 2000 ? 2 : files.lines > 500 ? 1 : 0;
    if (linePoints) reasons.push({ reason: `${files.lines} lines in them`, points: linePoints });
  }
  const deps = input.dependencies?.length ?? 0;
  if (deps > 0) {
    reasons.push({ reason: `depends on ${deps} feature(s)`, points: Math.min(deps, 3) });
  }
  const criteria = input.acceptance?.length ?? 0;
  if (criteria > 7) reasons.push({ reason: `${criteria} acceptance criteria`, points: 2 });
  else if (criteria > 3) reasons.push({ reason: `${criteria} acceptance criteria`, points: 1 });

  let historyPoints = 0;
  for (const h of input.history ?? []) {
    if (h.result === "success") continue;
    const p = h.same ? 2 : h.result === "fail" ? 2 : 1;
    const who = h.same ? "this feature" : `similar feature "${h.feature}"`;
    const add = Math.min(p, 3 - historyPoints);
    if (add <= 0) break;
    reasons.push({ reason: `${who} ended in ${h.result} before`, points: add });
    historyPoints += add;
  }
  const score = 1 + reasons.reduce((s, r) => s + r.points, 0);
  return { level: levelOf(score), score, reasons };
}

/** Lower-case word set of a text, for similarity. */
export function tokens(text: string): Set<string> {
  return new Set(
    text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !STOP.has(w)),
  );
}

const STOP = new Set([
  "the",
  "and",
  "for",
  "with",
  "add",
  "new",
  "from",
  "into",
  "that",
  "this",
  "user",
  "users",
]);

/** Jaccard similarity of two token sets. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}
