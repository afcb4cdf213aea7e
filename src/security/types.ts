/** SecuritySeverity of a finding. */
export type SecuritySeverity = "critical" | "high" | "medium" | "low";

/** An allowlist in gitleaks' shape (per rule or global). */
export interface SecretAllowlistSpec {
  /** Free text. */
  description?: string;
  /** `OR` (default): any criterion allows; `AND`: every given criterion must match. */
  condition?: "OR" | "AND";
  /** What `regexes` are matched against: the secret (default), the whole match, or the line. */
  regexTarget?: "secret" | "match" | "line";
  /** RE2 patterns; a match allows the finding. */
  regexes?: string[];
  /** RE2 patterns on the repo-relative path. */
  paths?: string[];
  /** Words that, found in the secret (case-insensitive), allow it. */
  stopwords?: string[];
  /** Commit hashes whose findings are allowed (history scans). */
  commits?: string[];
  /** Global `[[allowlists]]` only: the ids of the rules it applies to (default: every rule). */
  targetRules?: string[];
}

/** A rule that must match near a finding of a composite rule (`[[rules.required]]`). */
export interface SecretRequiredSpec {
  /** Id of the required rule. */
  id: string;
  /** At most this many lines between the two findings' first lines. */
  withinLines?: number;
  /** At most this many columns between the two findings' first columns. */
  withinColumns?: number;
}

/** One rule in gitleaks' shape, before compilation. */
export interface SecretRuleSpec {
  /** Unique id. */
  id: string;
  /** What it finds. */
  description?: string;
  /** RE2 pattern; absent for path-only rules. */
  regex?: string;
  /** Capture group holding the secret (default: the first non-empty group, else the match). */
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** Prefilter: the rule runs only on text containing one of these (case-insensitive). */
  keywords?: string[];
  /** RE2 pattern on the repo-relative path; the rule runs only on matching files. */
  path?: string;
  /** SecuritySeverity (a BuildRunner extension; default `high`). */
  severity?: SecuritySeverity;
  /** Tags; `generic` rules yield to specific rules on the same text. */
  tags?: string[];
  /** Allowlists of this rule. */
  allowlists?: SecretAllowlistSpec[];
  /** Composite rule: a finding counts only with a finding of each of these nearby. */
  required?: SecretRequiredSpec[];
  /** Report nothing on its own (a part of composite rules). */
  skipReport?: boolean;
}

/** A compiled allowlist. */
export interface SecretAllowlist {
  /** `OR` or `AND`. */
  condition: "OR" | "AND";
  /** Target of `regexes`. */
  regexTarget: "secret" | "match" | "line";
  /** Compiled regexes. */
  regexes: RegExp[];
  /** Compiled path regexes. */
  paths: RegExp[];
  /** Lower-cased stopwords. */
  stopwords: string[];
  /** Commit hashes. */
  commits: string[];
}

/** A compiled rule. */
export interface SecretRule {
  /** The rule's id (a finding's `rule`, the prefix of its fingerprint). */
  id: string;
  /** What it finds; a secret finding's message. */
  description: string;
  /** The RE2 source as written. */
  source: string | null;
  /** The translated regex (global flag set), or null for path-only rules. */
  regex: RegExp | null;
  /** Secret group (0 = automatic). */
  secretGroup: number;
  /** Minimum entropy, or null. */
  entropy: number | null;
  /** Lower-cased keywords. */
  keywords: string[];
  /** Only files whose path matches, or null for every file. */
  path: RegExp | null;
  /** How bad a finding of this rule is. */
  severity: SecuritySeverity;
  /** True for generic rules. */
  generic: boolean;
  /** Matches this rule ignores (besides the global allowlists). */
  allowlists: SecretAllowlist[];
  /**
   * Where the rule comes from: `builtin`, the rules file that defines it, or `custom` (a spec
   * compiled in code). Built-in rules also skip placeholders and documentation sample keys,
   * `generic-*` ones also hashes, UUIDs, paths and base64 of plain text, and GitHub and npm
   * tokens failing their checksum get a lower severity.
   */
  origin: string;
  /** Rules that must match nearby (composite rule); empty for most. */
  required: { id: string; withinLines: number | null; withinColumns: number | null }[];
  /** Findings are not reported on their own (only as a part of composite rules). */
  skipReport: boolean;
}

/** A compiled rule set: rules plus the global allowlists. */
export interface SecretRuleSet {
  /** Rules, specific ones first. */
  rules: SecretRule[];
  /** Global allowlists (paths skip files; the rest apply to every finding). */
  allowlists: SecretAllowlist[];
}

/** What kind of problem a finding is. */
export type SecurityFindingKind = "secret" | "sql-injection";

/** One finding. The raw secret is never part of it. */
export interface SecurityFinding {
  /** `secret` or `sql-injection`. */
  kind: SecurityFindingKind;
  /** Repo-relative path with `/` separators. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column (UTF-16 units) where the secret or the query starts. */
  column: number;
  /** The rule that found it (`sql-injection` for SQL findings). */
  rule: string;
  /** How bad it is (the SARIF level follows from it). */
  severity: SecuritySeverity;
  /** The secret masked (`abcd********`), or null for SQL findings. */
  secret_masked: string | null;
  /** `<rule>:<sha256-hex of the secret>` (SQL: of the normalized query expression). */
  fingerprint: string;
  /** A one-line description. */
  message: string;
  /** How to fix it (SQL findings), or null. */
  fix: string | null;
  /** The commit it was found in (history scans), or null. */
  commit: string | null;
}

/** Counts of what a scan skipped. */
export interface ScanSkipped {
  /** Binary files (NUL byte in the first 8 KB). */
  binary: number;
  /** Files over the size limit. */
  large: number;
  /** Vendored or generated folders not entered (node_modules, vendor, dist, ...). */
  vendored: number;
}

/** The result of a scan. */
export interface ScanReport {
  /** Every finding, sorted by file, line, column, rule. */
  findings: SecurityFinding[];
  /** The findings whose fingerprint is not in the baseline. */
  new_findings: SecurityFinding[];
  /** What was skipped. */
  skipped: ScanSkipped;
  /** Number of files (or blobs) scanned. */
  files_scanned: number;
}
