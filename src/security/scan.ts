import { join } from "../core/path.ts";
import { type Config, globalConfigPath } from "../core/config.ts";
import { exists, readTextOrNull } from "../core/fs.ts";
import type { Project } from "../core/project.ts";
import { readSecurityBaseline } from "./baseline.ts";
import { keywordsInBytes, pathAllowed, rulesApply, scanSecrets } from "./engine.ts";
import { DEFAULT_MAX_FILE_BYTES, type ScanUnit, unitText, walkFiles } from "./files.ts";
import { historyUnits, stagedFiles } from "./git_units.ts";
import { loadSecretRules } from "./rules.ts";
import { scanSql, sqlLanguage } from "./sql.ts";
import type { ScanReport, ScanSkipped, SecretRuleSet, SecurityFinding } from "./types.ts";

/** Options of every scan. */
export interface SecurityScanOptions {
  /** Rules to use instead of the project's (built-in + `security.rules_file`). */
  rules?: SecretRuleSet;
  /** Look for SQL injection too (default: `security.sql`, true). */
  sql?: boolean;
  /** Compare with the baseline for `new_findings` (default true). */
  baseline?: boolean;
  /** Emit `security.finding` events for new findings (default true). */
  emit?: boolean;
  /** Size limit per file in bytes (default: `security.max_file_bytes`, 5 MB). */
  maxFileBytes?: number;
}

interface Settings {
  rules: SecretRuleSet;
  sql: boolean;
  maxBytes: number;
}

/**
 * The user's `security.*` settings, or null when nothing sets any: then the scan runs on
 * defaults without loading the YAML parser and zod, which would cost the pre-commit hook
 * more than the scan itself. When something does, the section is registered (validation,
 * `BR_SECURITY__*` overrides) and the project config is read.
 */
async function userSettings(project: Project): Promise<Config | null> {
  const fromEnv = Object.keys(project.env).some((k) => k.startsWith("BR_SECURITY__"));
  const globalFile = globalConfigPath(project.env);
  const texts = await Promise.all([
    readTextOrNull(project.paths.config),
    globalFile ? readTextOrNull(globalFile).catch(() => null) : null,
  ]);
  const inFiles = texts.some((t) => t !== null && /^security\s*:/m.test(t));
  if (!fromEnv && !inFiles) return null;
  await import("./config.ts");
  return await project.config();
}

async function settings(project: Project, opts: SecurityScanOptions): Promise<Settings> {
  const config = await userSettings(project);
  const get = <T>(key: string, fallback: T): T => (config?.get<T>(key) ?? fallback);
  let rules = opts.rules;
  if (!rules) {
    let file = get<string | null>("security.rules_file", null);
    if (file) file = join(project.root, file);
    else {
      for (
        const candidate of [
          join(project.paths.dir, "security-rules.toml"),
          join(project.root, ".gitleaks.toml"),
        ]
      ) {
        if (await exists(candidate)) {
          file = candidate;
          break;
        }
      }
    }
    rules = await loadSecretRules({
      rulesFile: file,
      builtin: get("security.builtin_rules", true),
    });
  }
  return {
    rules,
    sql: opts.sql ?? get("security.sql", true),
    maxBytes: opts.maxFileBytes ?? get("security.max_file_bytes", DEFAULT_MAX_FILE_BYTES),
  };
}

function scanUnit(unit: ScanUnit, s: Settings): SecurityFinding[] {
  if (pathAllowed(s.rules, unit.file)) return [];
  const keywords = unit.bytes ? keywordsInBytes(unit.bytes, s.rules) : undefined;
  const sql = s.sql && sqlLanguage(unit.file) !== null;
  if (!sql && keywords && !rulesApply(s.rules, unit.file, keywords)) return [];
  const text = unitText(unit);
  const found = scanSecrets(text, unit.file, s.rules, unit.commit, keywords);
  if (sql) found.push(...scanSql(text, unit.file, unit.commit));
  if (unit.lineMap) {
    for (const f of found) f.line = unit.lineMap[f.line - 1] ?? f.line;
  }
  return found;
}

function compare(a: SecurityFinding, b: SecurityFinding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.commit ?? "").localeCompare(b.commit ?? "");
}

async function run(
  project: Project,
  opts: SecurityScanOptions,
  units: (s: Settings, skipped: ScanSkipped) => AsyncIterable<ScanUnit>,
): Promise<ScanReport> {
  const s = await settings(project, opts);
  const skipped: ScanSkipped = { binary: 0, large: 0, vendored: 0 };
  const findings: SecurityFinding[] = [];
  let filesScanned = 0;
  for await (const unit of units(s, skipped)) {
    filesScanned++;
    findings.push(...scanUnit(unit, s));
  }
  findings.sort(compare);
  const accepted = opts.baseline === false
    ? new Set<string>()
    : await readSecurityBaseline(project);
  const newFindings = findings.filter((f) => !accepted.has(f.fingerprint));
  if (opts.emit !== false) {
    for (const f of newFindings) {
      project.bus.emit("security.finding", {
        rule: f.rule,
        file: f.file,
        line: f.line,
        fingerprint: f.fingerprint,
      });
    }
  }
  return { findings, new_findings: newFindings, skipped, files_scanned: filesScanned };
}

/**
 * Scans files and folders (absolute, or relative to the project root; default: the whole
 * project) for secrets and SQL injection. Vendored folders, binary and huge files are
 * skipped and counted; files are read one at a time.
 *
 * @throws {BrError} `not_found` for a path that does not exist, `invalid_data` for bad rules.
 */
export function scanPaths(
  project: Project,
  paths: readonly string[] = [],
  opts: SecurityScanOptions = {},
): Promise<ScanReport> {
  const list = paths.length ? paths : [project.root];
  return run(project, opts, (s, skipped) => walkFiles(project.root, list, skipped, s.maxBytes));
}

/**
 * Scans the staged content (the git index) of added, copied, modified and renamed files.
 *
 * @throws {BrError} `external` outside git.
 */
export function scanStaged(project: Project, opts: SecurityScanOptions = {}): Promise<ScanReport> {
  return run(project, opts, (s, skipped) => stagedFiles(project.root, skipped, s.maxBytes));
}

/**
 * Scans the lines added by the last `commits` commits of `HEAD`; findings carry the commit.
 *
 * @throws {BrError} `external` outside git.
 */
export function scanHistory(
  project: Project,
  commits: number,
  opts: SecurityScanOptions = {},
): Promise<ScanReport> {
  return run(project, opts, (_s, skipped) => historyUnits(project.root, commits, skipped));
}

/**
 * The pre-commit check: the staged files, with the baseline applied. The commit should be
 * refused when `new_findings` is not empty.
 *
 * @throws {BrError} `external` outside git.
 */
export function securityCheck(project: Project): Promise<ScanReport> {
  return scanStaged(project);
}
