/**
 * SQL-injection finder for TS/JS and Python: a query call whose SQL text is built from
 * strings by concatenation, template interpolation, f-strings, `%` or `.format`.
 */
import { LineIndex, secretFingerprint } from "./engine.ts";
import type { SecurityFinding } from "./types.ts";

type Lang = "js" | "py";

const EXT_LANG: Record<string, Lang> = {
  ts: "js",
  tsx: "js",
  mts: "js",
  cts: "js",
  js: "js",
  jsx: "js",
  mjs: "js",
  cjs: "js",
  py: "py",
};

/** The SQL rule id. */
export const SQL_INJECTION_RULE = "sql-injection";

const CALLS: Record<Lang, RegExp> = {
  js:
    /(?:\.|\b)(query|execute|exec|raw|prepare|unsafe|\$queryRawUnsafe|\$executeRawUnsafe|queryRawUnsafe|executeRawUnsafe)\s*\(/g,
  py: /(?:\.|\b)(execute|executemany|executescript|raw|read_sql|read_sql_query|text)\s*\(/g,
};

const SQL_WORDS =
  /\b(?:select\s[\s\S]*\bfrom|insert\s+into|update\s+[\w."`]+\s+set|delete\s+from|where\s|values\s*\(|order\s+by|drop\s+table|create\s+table)\b/i;

/** The language of a path, or null when SQL checks do not apply. */
export function sqlLanguage(file: string): Lang | null {
  const dot = file.lastIndexOf(".");
  return dot < 0 ? null : EXT_LANG[file.slice(dot + 1).toLowerCase()] ?? null;
}

// Character codes read by firstArgument.
const BACKSLASH = 0x5c;
const BACKTICK = 0x60;
const DOLLAR = 0x24;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const COMMA = 0x2c;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

// Returns the first argument's text of a call whose "(" is at `open` (character codes, not
// one-character strings: this runs for every query call of every TS/JS and Python file).
function firstArgument(text: string, open: number): string {
  let depth = 0;
  let quote = 0; // the quote character's code (0: none), and its length (1, or 3 for """)
  let quoteLen = 0;
  let tmplDepth = 0;
  const end = Math.min(text.length, open + 4000);
  for (let i = open + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === BACKSLASH) {
        i++;
        continue;
      }
      if (quote === BACKTICK && c === DOLLAR && text.charCodeAt(i + 1) === OPEN_BRACE) {
        tmplDepth++;
        quote = 0;
        i++;
        continue;
      }
      if (
        c === quote &&
        (quoteLen === 1 || (text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c))
      ) {
        i += quoteLen - 1;
        quote = 0;
      }
      continue;
    }
    if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE || c === BACKTICK) {
      quoteLen = c !== BACKTICK && text.charCodeAt(i + 1) === c && text.charCodeAt(i + 2) === c
        ? 3
        : 1;
      quote = c;
      i += quoteLen - 1;
      continue;
    }
    if (c === OPEN_PAREN || c === OPEN_BRACKET || c === OPEN_BRACE) depth++;
    else if (c === CLOSE_BRACE && tmplDepth > 0 && depth === 0) {
      tmplDepth--;
      quote = BACKTICK;
      quoteLen = 1;
    } else if (c === CLOSE_PAREN || c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      if (depth === 0) return text.slice(open + 1, i);
      depth--;
    } else if (c === COMMA && depth === 0 && tmplDepth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1, end);
}

interface Verdict {
  how: string;
  fix: string;
}

const JS_FIX =
  "pass values as parameters: db.query('SELECT ... WHERE id = $1', [id]) (or ? placeholders, or a tagged sql`...` template)";
const PY_FIX =
  "pass values as parameters: cursor.execute('SELECT ... WHERE id = %s', (id,)) (or ? / :name placeholders for your driver)";

function judge(expr: string, lang: Lang): Verdict | null {
  const e = expr.trim();
  if (!SQL_WORDS.test(e)) return null;
  if (lang === "js") {
    // A template literal with ${...}, not tagged (sql`...` is parameterized by its tag).
    const t = e.match(/(^|[^\w$.])`[^`]*\$\{/);
    if (t) return { how: "template literal interpolation", fix: JS_FIX };
  } else {
    if (/(^|[^\w])[rR]?[fF][rR]?("""|'''|"|')[\s\S]*?\{[^}]+\}/.test(e)) {
      return { how: "f-string interpolation", fix: PY_FIX };
    }
    if (/("""|'''|"|')\s*\.\s*format\s*\(/.test(e)) {
      return { how: "str.format()", fix: PY_FIX };
    }
    if (/("""|'''|"|')\s*%\s*[\w(\[]/.test(e)) {
      return { how: "% formatting", fix: PY_FIX };
    }
  }
  if (/["'`]\s*\+\s*[\w$(]/.test(e) || /[\w$)\]]\s*\+\s*["'`]/.test(e)) {
    return { how: "string concatenation", fix: lang === "js" ? JS_FIX : PY_FIX };
  }
  return null;
}

// The expressions assigned to `name` before `before` (for `db.query(sql)`).
function assignedExpressions(text: string, name: string, before: number): string[] {
  const esc = name.replace(/[.$]/g, (c) => "\\" + c);
  const re = new RegExp(`(?:^|[^\\w$.])${esc}\\s*(?:\\+=|=(?!=))\\s*`, "g");
  const out: string[] = [];
  let m: RegExpExecArray | null;
  const head = text.slice(Math.max(0, before - 20000), before);
  while ((m = re.exec(head)) !== null) {
    const start = m.index + m[0].length;
    // up to the end of the statement: ";" or a blank line or 1500 chars
    const rest = head.slice(start, start + 1500);
    const stop = rest.search(
      /;|\n\s*\n|\n(?=\s*(?:const|let|var|return|if|for|def|cursor|db|conn)\b)/,
    );
    out.push(stop < 0 ? rest : rest.slice(0, stop));
  }
  return out;
}

/** Finds SQL injection risks in one TS/JS or Python text. */
export function scanSql(
  text: string,
  file: string,
  commit: string | null = null,
): SecurityFinding[] {
  const lang = sqlLanguage(file);
  if (!lang) return [];
  const lines = new LineIndex(text);
  const findings: SecurityFinding[] = [];
  const re = new RegExp(CALLS[lang].source, "g");
  let m: RegExpExecArray | null;
  let coveredUntil = -1;
  while ((m = re.exec(text)) !== null) {
    // text(f"...") inside execute(...) is one problem, reported once at the outer call
    if (m.index < coveredUntil) continue;
    const open = m.index + m[0].length - 1;
    const raw = firstArgument(text, open);
    const arg = raw.trim();
    if (!arg) continue;
    let verdict = judge(arg, lang);
    let evidence = arg;
    if (!verdict && /^[A-Za-z_$][\w$.]*$/.test(arg)) {
      // db.query(sql): judge what was assigned to `sql` before the call. A query built up
      // over statements (`q = "SELECT ..."; q += x`) is judged as one expression.
      const exprs = assignedExpressions(text, arg, m.index);
      const joined = exprs.join(" + ");
      verdict = judge(joined, lang);
      evidence = joined;
    }
    if (verdict) coveredUntil = open + 1 + raw.length;
    if (!verdict) continue;
    const name = m[1];
    const at = m.index + m[0].indexOf(name);
    const pos = lines.position(at);
    if (/\b(?:br|gitleaks):allow\b/.test(lines.lineAt(at))) continue;
    findings.push({
      kind: "sql-injection",
      file,
      line: pos.line,
      column: pos.column,
      rule: SQL_INJECTION_RULE,
      severity: "high",
      secret_masked: null,
      fingerprint: secretFingerprint(
        SQL_INJECTION_RULE,
        `${name}(${evidence.replace(/\s+/g, " ").trim()})`,
      ),
      message: `SQL built with ${verdict.how} is passed to ${name}()`,
      fix: verdict.fix,
      commit,
    });
  }
  return findings;
}
