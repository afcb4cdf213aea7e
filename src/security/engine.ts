import { checksumFails, genericFalseAlarm, isFixturePath, isPlaceholder } from "./_false_alarms.ts";
import { keywordsInText } from "./_keywords.ts";
import { sha256Hex } from "../core/hash.ts";
import type {
  SecretAllowlist,
  SecretRule,
  SecretRuleSet,
  SecurityFinding,
  SecuritySeverity,
} from "./types.ts";

/** Shannon entropy of `s` in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  const len = [...s].length;
  for (const c of counts.values()) {
    const p = c / len;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Masks a secret: the first four characters of a long secret (20+), then a fixed run of
 * stars, so neither the value nor its length is revealed.
 */
export function maskSecret(secret: string): string {
  return (secret.length >= 20 ? secret.slice(0, 4) : "") + "********";
}

/** `<rule>:<sha256-hex(secret)>`: stable across line moves, rebases and squashes. */
export function secretFingerprint(rule: string, secret: string): string {
  return `${rule}:${sha256Hex(secret)}`;
}

/**
 * Line and column of offsets in a text, counted on demand: from the last offset asked for
 * when the next one lies after it (findings of a rule come in text order), else from the
 * start. Most texts have no finding, so nothing is indexed ahead. Each character between two
 * offsets asked in order is looked at once, and the text of a line is cut once while offsets
 * stay on it: many findings on one long line (a minified file) cost no more than the line.
 */
export class LineIndex {
  readonly #text: string;
  // the last offset counted to, the number of line breaks before it and where its line starts
  #at = 0;
  #breaks = 0;
  #start = 0;
  // the last line cut: its start, its end (the line break or the text's end) and its text
  #lineStart = -1;
  #lineEnd = -1;
  #line = "";

  /** Positions in `text`. */
  constructor(text: string) {
    this.#text = text;
  }

  /** 1-based line and column of `offset`. */
  position(offset: number): { line: number; column: number } {
    const t = this.#text;
    if (offset < this.#at) {
      this.#at = 0;
      this.#breaks = 0;
      this.#start = 0;
    }
    // only the characters between the last offset and this one: indexOf would run on to the
    // next line break, which on a long line is the end of the text for every finding
    for (let i = this.#at; i < offset; i++) {
      if (t.charCodeAt(i) === 10) {
        this.#breaks++;
        this.#start = i + 1;
      }
    }
    this.#at = offset;
    return { line: this.#breaks + 1, column: offset - this.#start + 1 };
  }

  /** The text of the line that holds `offset` (without its line break). */
  lineAt(offset: number): string {
    if (offset >= this.#lineStart && offset <= this.#lineEnd) return this.#line;
    const t = this.#text;
    const start = offset > 0 ? t.lastIndexOf("\n", offset - 1) + 1 : 0;
    let end = t.indexOf("\n", offset);
    if (end === -1) end = t.length;
    this.#lineStart = start;
    // an offset on the line break itself belongs to this line
    this.#lineEnd = end;
    this.#line = t.slice(start, end);
    return this.#line;
  }
}

function allowed(
  list: SecretAllowlist,
  ctx: { secret: string; match: string; line: () => string; file: string; commit: string | null },
): boolean {
  const checks: boolean[] = [];
  if (list.commits.length) checks.push(ctx.commit !== null && list.commits.includes(ctx.commit));
  if (list.paths.length) checks.push(list.paths.some((r) => r.test(ctx.file)));
  if (list.regexes.length) {
    const target = list.regexTarget === "line"
      ? ctx.line()
      : list.regexTarget === "match"
      ? ctx.match
      : ctx.secret;
    checks.push(list.regexes.some((r) => r.test(target)));
  }
  if (list.stopwords.length) {
    const lower = ctx.secret.toLowerCase();
    checks.push(list.stopwords.some((w) => lower.includes(w)));
  }
  if (checks.length === 0) return false;
  return list.condition === "AND" ? checks.every(Boolean) : checks.some(Boolean);
}

/** True when the global allowlists exclude `file` from scanning altogether. */
export function pathAllowed(set: SecretRuleSet, file: string): boolean {
  return set.allowlists.some((a) =>
    a.paths.length > 0 && a.paths.some((r) => r.test(file)) &&
    (a.condition === "OR" ||
      (a.regexes.length === 0 && a.stopwords.length === 0 && a.commits.length === 0))
  );
}

/** True when some rule would look at a file with this path and these keywords present. */
export function rulesApply(set: SecretRuleSet, file: string, keywords: Set<string>): boolean {
  return set.rules.some((rule) =>
    // keywords first: a lazily compiled rule compiles its path only when they are present
    (rule.keywords.length === 0 || rule.keywords.some((k) => keywords.has(k))) &&
    (!rule.path || rule.path.test(file))
  );
}

const INLINE_ALLOW = /\b(?:br|gitleaks):allow\b/;

function extractSecret(rule: SecretRule, m: RegExpExecArray): string {
  if (rule.secretGroup > 0) return m[rule.secretGroup] ?? "";
  for (let g = 1; g < m.length; g++) if (m[g]) return m[g];
  return m[0];
}

/**
 * Finds secrets in one text. `file` is the repo-relative path (for path rules and
 * allowlists); `commit` is set for history scans; `keywords` are the rule keywords present
 * in the text when already known (from `keywordsInBytes`).
 */
export function scanSecrets(
  text: string,
  file: string,
  set: SecretRuleSet,
  commit: string | null = null,
  keywords?: Set<string>,
): SecurityFinding[] {
  const findings: SecurityFinding[] = [];
  const lines = new LineIndex(text);
  let pathOnly = false;
  for (const rule of set.rules) {
    if (!rule.source && !rule.skipReport && (!rule.path || rule.path.test(file))) {
      pathOnly = true;
      // A path-only rule: the file itself is the finding (`source`, not `regex`, which
      // compiles a lazily compiled rule).
      findings.push(makeFinding(rule, file, 1, 1, file, commit));
    }
  }
  eachSecret(text, file, set, { commit, keywords, lines, accepted: true }, (rule, at, secret) => {
    const pos = lines.position(at);
    findings.push(makeFinding(rule, file, pos.line, pos.column, secret, commit));
  });
  if (!pathOnly) return findings;
  // a path-only finding goes where its rule is in rule order (the sort is stable)
  const order = new Map(set.rules.map((r, i) => [r.id, i]));
  return findings.sort((a, b) => order.get(a.rule)! - order.get(b.rule)!);
}

/**
 * Masks every secret the rules of `set` find in `text` (an excerpt of source code: a comment,
 * a name, a parser message) the way findings are masked ({@link maskSecret}). A rule's own
 * allowlists apply (they say what the rule mistakes for a secret: placeholders, identifiers);
 * global allowlists and `br:allow` markers do not: they accept a value in a check, they do
 * not make it fit to print. Mask before cutting an excerpt short, or a cut secret escapes.
 */
export function maskSecretsIn(text: string, set: SecretRuleSet, file = ""): string {
  const hits: [number, number, string][] = [];
  eachSecret(text, file, set, { accepted: false }, (_rule, at, secret) => {
    hits.push([at, at + secret.length, secret]);
  });
  if (hits.length === 0) return text;
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = "";
  let done = 0;
  for (const [at, end, secret] of hits) {
    if (at < done) continue; // inside a secret already masked
    out += text.slice(done, at) + maskSecret(secret);
    done = end;
  }
  return out + text.slice(done);
}

/** What the matching of one text shares between rules. */
interface MatchEnv {
  text: string;
  file: string;
  set: SecretRuleSet;
  commit: string | null;
  lines: LineIndex;
  /** Leave out what global allowlists and `br:allow` markers accept. */
  accepted: boolean;
  /** The rule keywords present in the text, found when first needed. */
  present: Set<string> | null;
  /** The inline allow marker of the last line looked at (a long line is tested once). */
  markedLine: string | null;
  marked: boolean;
}

/**
 * The secrets one rule finds in the text (offset, secret), in text order: its path, keywords,
 * regex, entropy and allowlists applied (global allowlists and `br:allow` too when the env says
 * so), and with `overlaps`, what overlaps an earlier finding left out.
 */
function ruleMatches(
  rule: SecretRule,
  env: MatchEnv,
  overlaps: ((at: number, end: number) => boolean) | null,
): [number, string][] {
  const out: [number, string][] = [];
  const { text, file } = env;
  if (!rule.source) return out;
  if (rule.keywords.length) {
    env.present ??= keywordsInText(text, env.set);
    let found = false;
    for (const k of rule.keywords) {
      if (env.present.has(k)) {
        found = true;
        break;
      }
    }
    if (!found) return out;
  }
  // After the keywords: a path filter compiles on first use.
  if (rule.path && !rule.path.test(file)) return out;
  const re = rule.regex!;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const secret = extractSecret(rule, m);
    if (!secret) continue;
    const at = m.index + Math.max(0, m[0].indexOf(secret));
    const end = at + secret.length;
    if (rule.entropy !== null && shannonEntropy(secret) < rule.entropy) continue;
    if (overlaps && overlaps(at, end)) continue;
    if (
      rule.origin === "builtin" &&
      (isPlaceholder(secret) ||
        (rule.generic && rule.id.startsWith("generic-") &&
          genericFalseAlarm(secret, text.slice(Math.max(0, at - 40), at))))
    ) continue;
    const line = env.lines.lineAt(at);
    if (env.accepted) {
      if (line !== env.markedLine) {
        env.markedLine = line;
        env.marked = INLINE_ALLOW.test(line);
      }
      if (env.marked) continue;
    }
    const ctx = { secret, match: m[0], line: () => line, file, commit: env.commit };
    if (rule.allowlists.some((a) => allowed(a, ctx))) continue;
    if (env.accepted && env.set.allowlists.some((a) => allowed(a, ctx))) continue;
    out.push([at, secret]);
  }
  return out;
}

/**
 * The findings of a composite rule that have, for each of its `[[rules.required]]`, a finding
 * of the required rule within `withinLines` lines and `withinColumns` columns (first line and
 * column of each; without either, anywhere in the text), as gitleaks has it.
 */
function compositeMatches(
  rule: SecretRule,
  found: [number, string][],
  env: MatchEnv,
  cache: Map<string, { line: number; column: number }[]>,
): [number, string][] {
  const parts = rule.required.map((req) => {
    let at = cache.get(req.id);
    if (!at) {
      const other = env.set.rules.find((r) => r.id === req.id);
      const hits = !other
        ? []
        : !other.source
        ? (!other.path || other.path.test(env.file) ? [[0, env.file] as [number, string]] : [])
        : ruleMatches(other, env, null);
      at = hits.map(([offset]) => env.lines.position(offset));
      cache.set(req.id, at);
    }
    return { req, at };
  });
  return found.filter(([offset]) => {
    const p = env.lines.position(offset);
    return parts.every(({ req, at }) =>
      at.some((q) =>
        (req.withinLines === null || Math.abs(p.line - q.line) <= req.withinLines) &&
        (req.withinColumns === null || Math.abs(p.column - q.column) <= req.withinColumns)
      )
    );
  });
}

/**
 * Calls `hit` for each secret of `text`, rule by rule, each rule's in text order. A rule with
 * `skipReport` reports nothing, a composite rule only what has its required rules nearby
 * (when masking, `accepted` false, both count whatever is near).
 */
function eachSecret(
  text: string,
  file: string,
  set: SecretRuleSet,
  opts: {
    commit?: string | null;
    keywords?: Set<string>;
    lines?: LineIndex;
    /** Leave out what global allowlists and `br:allow` markers accept. */
    accepted: boolean;
  },
  hit: (rule: SecretRule, at: number, secret: string) => void,
): void {
  const spans: [number, number][] = [];
  const env: MatchEnv = {
    text,
    file,
    set,
    commit: opts.commit ?? null,
    lines: opts.lines ?? new LineIndex(text),
    accepted: opts.accepted,
    present: opts.keywords ?? null,
    markedLine: null,
    marked: false,
  };
  let required: Map<string, { line: number; column: number }[]> | null = null;
  for (const rule of set.rules) {
    // Masking masks the parts of composite rules too, alone or not: an excerpt is short
    if (rule.skipReport && opts.accepted) continue;
    // A generic rule yields to the spans found before it; its own findings never overlap
    // (each match starts after the previous one), so the spans are indexed once per rule.
    const overlaps = rule.generic ? spanIndex(spans) : null;
    let found = ruleMatches(rule, env, overlaps);
    if (found.length && rule.required.length && opts.accepted) {
      found = compositeMatches(rule, found, env, required ??= new Map());
    }
    for (const [at, secret] of found) {
      spans.push([at, at + secret.length]);
      hit(rule, at, secret);
    }
  }
}

/**
 * Whether `[at, end)` overlaps one of `spans`, answered by a binary search over the spans
 * sorted by start with the running maximum of their ends (no scan of every span per match).
 */
function spanIndex(spans: readonly [number, number][]): (at: number, end: number) => boolean {
  const sorted = [...spans].sort((x, y) => x[0] - y[0]);
  const starts = sorted.map((s) => s[0]);
  const maxEnd: number[] = [];
  let m = -1;
  for (const [, b] of sorted) maxEnd.push(m = Math.max(m, b));
  return (at, end) => {
    // the last span that starts before `end`
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && maxEnd[lo - 1] > at;
  };
}

const LOWER: Record<SecuritySeverity, SecuritySeverity> = {
  critical: "high",
  high: "medium",
  medium: "low",
  low: "low",
};

function makeFinding(
  rule: SecretRule,
  file: string,
  line: number,
  column: number,
  secret: string,
  commit: string | null,
): SecurityFinding {
  const badSum = rule.origin === "builtin" && checksumFails(rule.id, secret) === true;
  return {
    kind: "secret",
    file,
    line,
    column,
    rule: rule.id,
    // a test fixture's secret, or a token that fails its format's checksum, is most likely a
    // test value: reported, one severity lower
    severity: isFixturePath(file) || badSum ? LOWER[rule.severity] : rule.severity,
    secret_masked: maskSecret(secret),
    fingerprint: secretFingerprint(rule.id, secret),
    message: badSum ? `${rule.description} (its checksum does not match)` : rule.description,
    fix: null,
    commit,
  };
}
