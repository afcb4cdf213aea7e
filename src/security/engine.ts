import { keywordsInText } from "./_keywords.ts";
import { sha256Hex } from "../core/hash.ts";
import type { SecretAllowlist, SecretRule, SecretRuleSet, SecurityFinding } from "./types.ts";

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
 * start. Most texts have no finding, so nothing is indexed ahead.
 */
export class LineIndex {
  readonly #text: string;
  // the last offset counted to, and the number of line breaks before it
  #at = 0;
  #breaks = 0;

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
    }
    let i = this.#at - 1;
    while ((i = t.indexOf("\n", i + 1)) !== -1 && i < offset) this.#breaks++;
    this.#at = offset;
    const start = offset > 0 ? t.lastIndexOf("\n", offset - 1) + 1 : 0;
    return { line: this.#breaks + 1, column: offset - start + 1 };
  }

  /** The text of the line that holds `offset` (without its line break). */
  lineAt(offset: number): string {
    const t = this.#text;
    const start = offset > 0 ? t.lastIndexOf("\n", offset - 1) + 1 : 0;
    const end = t.indexOf("\n", offset);
    return t.slice(start, end === -1 ? t.length : end);
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
    (!rule.path || rule.path.test(file)) &&
    (rule.keywords.length === 0 || rule.keywords.some((k) => keywords.has(k)))
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
  const spans: [number, number][] = [];
  let present: Set<string> | null = keywords ?? null;
  const lines = new LineIndex(text);
  for (const rule of set.rules) {
    if (rule.path && !rule.path.test(file)) continue;
    if (!rule.source) {
      // A path-only rule: the file itself is the finding (`source`, not `regex`, which
      // compiles a lazily compiled rule).
      findings.push(makeFinding(rule, file, 1, 1, file, commit));
      continue;
    }
    if (rule.keywords.length) {
      present ??= keywordsInText(text, set);
      let hit = false;
      for (const k of rule.keywords) {
        if (present.has(k)) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
    }
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
      if (rule.generic && spans.some(([a, b]) => at < b && end > a)) continue;
      const line = lines.lineAt(at);
      if (INLINE_ALLOW.test(line)) continue;
      const ctx = { secret, match: m[0], line: () => line, file, commit };
      if (rule.allowlists.some((a) => allowed(a, ctx))) continue;
      if (set.allowlists.some((a) => allowed(a, ctx))) continue;
      spans.push([at, end]);
      const pos = lines.position(at);
      findings.push(makeFinding(rule, file, pos.line, pos.column, secret, commit));
    }
  }
  return findings;
}

function makeFinding(
  rule: SecretRule,
  file: string,
  line: number,
  column: number,
  secret: string,
  commit: string | null,
): SecurityFinding {
  return {
    kind: "secret",
    file,
    line,
    column,
    rule: rule.id,
    severity: rule.severity,
    secret_masked: maskSecret(secret),
    fingerprint: secretFingerprint(rule.id, secret),
    message: rule.description,
    fix: null,
    commit,
  };
}
