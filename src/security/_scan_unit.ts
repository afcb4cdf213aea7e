/** One unit (a file, a staged blob, a history hunk) scanned with given settings. */
import { keywordsInUnit } from "./_keywords.ts";
import { pathAllowed, rulesApply, scanSecrets } from "./engine.ts";
import { type ScanUnit, unitText } from "./files.ts";
import { scanSql, sqlLanguage } from "./sql.ts";
import type { SecretRuleSet, SecurityFinding } from "./types.ts";

/** What a scan applies to every unit. Plain data (structured-cloneable, sent to workers). */
export interface ScanSettings {
  /** The compiled rules. */
  rules: SecretRuleSet;
  /** Look for SQL injection too. */
  sql: boolean;
  /** Size limit per file in bytes. */
  maxBytes: number;
}

// V8 keeps the subject of the last regex match (for the legacy `RegExp.lastMatch`), which
// would keep a file's text alive into the next young-generation GC; enough such survivors
// make V8 grow the young generation, so memory grew with the amount of text scanned. A match
// on an empty string lets the text go.
const FORGET = /(?:)/;

/** The findings of one unit, in rule order, then text order. */
export function scanUnit(unit: ScanUnit, s: ScanSettings): SecurityFinding[] {
  if (pathAllowed(s.rules, unit.file)) return [];
  const keywords = unit.bytes
    ? keywordsInUnit(unit.bytes, () => unitText(unit), s.rules)
    : undefined;
  const sql = s.sql && sqlLanguage(unit.file) !== null;
  if (!sql && keywords && !rulesApply(s.rules, unit.file, keywords)) return [];
  const text = unitText(unit);
  const found = scanSecrets(text, unit.file, s.rules, unit.commit, keywords);
  if (sql) found.push(...scanSql(text, unit.file, unit.commit));
  if (unit.lineMap) {
    for (const f of found) f.line = unit.lineMap[f.line - 1] ?? f.line;
  }
  FORGET.exec("");
  return found;
}
