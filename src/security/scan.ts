import { compareText } from "../core/text.ts";
import { join, relative } from "../core/path.ts";
import type { Config } from "../core/config.ts";
import { exists } from "../core/fs.ts";
import type { StagedIndex } from "../core/git_index.ts";
import type { Project } from "../core/project.ts";
import { readSecurityBaseline } from "./baseline.ts";
import { type ScanSettings, scanUnit } from "./_scan_unit.ts";
import { DEFAULT_MAX_FILE_BYTES, FileLoader, listFiles, type ScanUnit, toRel } from "./files.ts";
import { VERSION } from "../core/version.ts";
import { historyUnits, stagedFiles } from "./git_units.ts";
import { maskSecretsIn } from "./engine.ts";
import { isBuiltinSecretRules, loadSecretRules } from "./rules.ts";
import { BUILTIN_SECRET_RULES } from "./rules_builtin.ts";
import { contentHash } from "../core/read_once.ts";
import type {
  ScanReport,
  ScanSkipped,
  SecretRuleSet,
  SecurityFinding,
  SecuritySeverity,
} from "./types.ts";

/**
 * A folder scanned without a BuildRunner project (any folder or git repository): the rules of
 * its `.gitleaks.toml`, else the built-in ones; no settings, no baseline, no events, and
 * nothing written.
 */
export interface ScanFolder {
  /** The folder findings are relative to (absolute). */
  root: string;
}

/** A project, or any folder. */
export type ScanTarget = Project | ScanFolder;

function projectOf(target: ScanTarget): Project | null {
  return "bus" in target ? target : null;
}

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
  /**
   * Threads for a scan of paths (default: `security.threads`; 0 picks the number of cores,
   * at most 4; 1 scans on the main thread only). Staged and history scans use one thread.
   */
  threads?: number;
  /**
   * The integrity check of the git hooks (`security check`): the built-in rules always apply,
   * whatever the project's settings say.
   */
  integrity?: boolean;
  /**
   * Findings kept per file content (a scan of paths only): a file whose exact content was
   * scanned with the same rules and settings is not scanned again, and the scan runs on the
   * main thread. Holds findings as reports carry them: secrets masked, never raw.
   */
  cache?: FindingsCache;
  /**
   * With `cache`: each file read is handed on, with its hash, to the next reader of the same
   * tree (the analyzers of `runGates`), which then neither reads nor hashes it again.
   */
  reads?: FileHandOff;
}

/** Where a scan hands on each file it read (see {@link SecurityScanOptions.reads}). */
export interface FileHandOff {
  /**
   * Takes a file the scan read: its path relative to the root, its bytes (which no one changes
   * afterwards) and their lower-case hex SHA-256.
   */
  offer(rel: string, bytes: Uint8Array, hash: string): void;
}

/**
 * A store of the findings of one file's content under a key (a hash of br's version, the
 * rules and settings in force, with the path and the hash of the exact bytes), such as a
 * signed cache file.
 */
export interface FindingsCache {
  /** The findings stored under `key` when `accept` takes them, or undefined. */
  get(key: string, accept: (found: SecurityFinding[]) => boolean): SecurityFinding[] | undefined;
  /** Stores the findings of the content under `key`. */
  set(key: string, found: SecurityFinding[]): void;
}

interface Settings extends ScanSettings {
  /** The `threads` setting (0: pick; see `scanThreads`). */
  threads: number;
  /** The project's rules file in force (absolute), or null. */
  rulesFile: string | null;
}

/**
 * The user's `security.*` settings, or null when nothing can set any: then the scan runs on
 * defaults without loading the YAML parser and zod, which would cost the pre-commit hook
 * more than the scan itself. When something can, the section is registered (validation,
 * `BR_SECURITY__*` overrides) and the config is read.
 */
async function userSettings(project: Project): Promise<Config | null> {
  if (!project.configMentions("security")) return null;
  await import("./config.ts");
  return await project.config();
}

async function settings(target: ScanTarget, opts: SecurityScanOptions): Promise<Settings> {
  const project = projectOf(target);
  const config = project ? await userSettings(project) : null;
  const get = <T>(key: string, fallback: T): T => (config?.get<T>(key) ?? fallback);
  let rules = opts.rules;
  let file: string | null = null;
  if (!rules) {
    file = get<string | null>("security.rules_file", null);
    if (file) file = join(target.root, file);
    else {
      const candidates = project
        ? [join(project.paths.dir, "security-rules.toml"), join(project.root, ".gitleaks.toml")]
        : [join(target.root, ".gitleaks.toml")];
      for (const candidate of candidates) {
        if (await exists(candidate)) {
          file = candidate;
          break;
        }
      }
    }
    // In a project the built-in rules are the secret gate: its own files and settings cannot
    // switch them off for the check the hooks run (`security.builtin_rules: false` applies to
    // reports only). A folder that is no project is read exactly as gitleaks reads it.
    const builtin = opts.integrity || get("security.builtin_rules", true);
    rules = await loadSecretRules({
      rulesFile: file,
      builtin,
      keepBuiltin: project !== null && builtin,
      // gitleaks reads [extend] path from where it runs: the root of the project or folder
      cwd: target.root,
    });
  }
  return {
    rules,
    sql: opts.sql ?? get("security.sql", true),
    maxBytes: opts.maxFileBytes ?? get("security.max_file_bytes", DEFAULT_MAX_FILE_BYTES),
    threads: opts.threads ?? get("security.threads", 0),
    rulesFile: file,
  };
}

/** One secret rule in force, as `br security rules` lists it. */
export interface SecretRuleInfo {
  /** Rule id. */
  id: string;
  /** What it finds. */
  description: string;
  /** Severity (one lower for findings in test fixtures). */
  severity: SecuritySeverity;
  /** Where it comes from: built in, the project's rules file, or a file that one extends. */
  source: "builtin" | "config" | "extends";
  /** The rules file defining it (project-relative when inside the project), or null. */
  file: string | null;
  /** Keywords of the prefilter (lower case). */
  keywords: string[];
  /** Minimum entropy of the secret, or null. */
  entropy: number | null;
  /** Whether it yields to specific rules (`generic` tag). */
  generic: boolean;
}

/**
 * The secret rules a scan of this project uses (built-in, `security.rules_file` or its
 * default locations, and the files it extends), in the order they run, without compiling
 * any regex.
 *
 * @throws {BrError} `invalid_data` for bad rules, `not_found` for a missing rules file.
 */
export async function secretRulesInForce(project: Project): Promise<SecretRuleInfo[]> {
  const { rules, rulesFile } = await settings(project, {});
  const rel = (file: string) => {
    const r = relative(project.root, file).replaceAll("\\", "/");
    return r.startsWith("../") || r === ".." ? file : r;
  };
  return rules.rules.map((r) => ({
    id: r.id,
    description: r.description,
    severity: r.severity,
    source: r.origin === "builtin" ? "builtin" : r.origin === rulesFile ? "config" : "extends",
    file: r.origin === "builtin" ? null : rel(r.origin),
    keywords: r.keywords,
    entropy: r.entropy,
    generic: r.generic,
  }));
}

/** Masks the secrets in an excerpt of source code (`file`: its path, for path rules). */
export type SourceMasker = (text: string, file?: string | null) => string;

/**
 * The one masker of excerpts of source code that br prints or stores (TODO comments, names,
 * parser messages in gaps, quality and guard reports): the project's secret rules (built-in
 * and `security.rules_file`, as `br security scan` uses them) over {@link maskSecretsIn}.
 *
 * @throws {BrError} `invalid_data` for bad rules, `not_found` for a missing rules file.
 */
export async function sourceMasker(project: Project): Promise<SourceMasker> {
  const { rules } = await settings(project, {});
  return (text, file) => maskSecretsIn(text, rules, file ?? "");
}

function compare(a: SecurityFinding, b: SecurityFinding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    compareText(a.commit ?? "", b.commit ?? "");
}

/** The findings of a scan, in any order, and how many files or blobs were scanned. */
interface Collected {
  findings: SecurityFinding[];
  filesScanned: number;
}

async function scanUnits(units: AsyncIterable<ScanUnit>, s: Settings): Promise<Collected> {
  const findings: SecurityFinding[] = [];
  let filesScanned = 0;
  for await (const unit of units) {
    filesScanned++;
    for (const f of scanUnit(unit, s)) findings.push(f);
  }
  return { findings, filesScanned };
}

async function run(
  target: ScanTarget,
  opts: SecurityScanOptions,
  collect: (s: Settings, skipped: ScanSkipped) => Promise<Collected>,
): Promise<ScanReport> {
  const project = projectOf(target);
  const s = await settings(target, opts);
  const skipped: ScanSkipped = { binary: 0, large: 0, vendored: 0 };
  const { findings, filesScanned } = await collect(s, skipped);
  findings.sort(compare);
  const accepted = opts.baseline === false || !project
    ? new Set<string>()
    : await readSecurityBaseline(project);
  const newFindings = findings.filter((f) => !accepted.has(f.fingerprint));
  if (opts.emit !== false && project) {
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

const encoder = new TextEncoder();

/**
 * What a key of the findings cache depends on besides the file: br's version, the rules and
 * the settings. The built-in rules as shipped (no rules file) count by their specs. Otherwise,
 * only built-in rules that nothing changed compile their regex, path filter and allowlists on
 * first use (rules.ts); those are fixed by the version and not touched here (touching them
 * would compile every rule). Every field of any other rule counts.
 */
async function cacheSalt(s: Settings): Promise<string> {
  const rules = isBuiltinSecretRules(s.rules) ? BUILTIN_SECRET_RULES : s.rules.rules.map((r) => {
    if (r.origin !== "builtin") return r;
    const own: Record<string, unknown> = {};
    for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(r))) {
      own[k] = d.get ? "(built in)" : d.value;
    }
    return own;
  });
  const text = JSON.stringify(
    [rules, s.rules.allowlists],
    (_, v) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v),
  );
  const data = encoder.encode(`${VERSION}\0${s.sql}\0${s.maxBytes}\0${text}`);
  return await contentHash(data);
}

/**
 * The files under `list` scanned on the main thread, each file's findings taken from `cache`
 * when its exact content (with the same path, rules and settings) was scanned before.
 */
async function scanCached(
  root: string,
  list: readonly string[],
  s: Settings,
  skipped: ScanSkipped,
  cache: FindingsCache,
  reads: FileHandOff | undefined,
): Promise<Collected> {
  const salt = await cacheSalt(s);
  const findings: SecurityFinding[] = [];
  let filesScanned = 0;
  const reader = new FileLoader();
  // Files are hashed a batch at a time (one hash awaited after another costs a round trip to
  // the thread that computes it, each); a batch holds a few MB at most, so memory stays flat.
  let batch: { rel: string; bytes: Uint8Array }[] = [];
  let batchBytes = 0;
  const flush = async () => {
    const hashes = await Promise.all(batch.map((f) => contentHash(f.bytes)));
    for (const [i, { rel, bytes }] of batch.entries()) {
      const hash = hashes[i];
      reads?.offer(rel, bytes, hash);
      const key = `${salt}:${hash}:${rel}`;
      // An entry is used only for the path it was made for.
      const hit = cache.get(key, (found) => found.every((f) => f.file === rel));
      if (hit) {
        findings.push(...hit);
        continue;
      }
      const found = scanUnit({ file: rel, bytes, commit: null, lineMap: null }, s);
      cache.set(key, found);
      findings.push(...found);
    }
    batch = [];
    batchBytes = 0;
  };
  for await (const abs of listFiles(root, list, skipped)) {
    const file = reader.load(abs, s.maxBytes);
    if (file.kind !== "text") {
      if (file.kind !== "gone") skipped[file.kind]++;
      continue;
    }
    filesScanned++;
    // (a copy: the loader reuses its buffer for the next file)
    batch.push({ rel: toRel(root, abs), bytes: file.bytes.slice() });
    batchBytes += file.bytes.length;
    if (batch.length >= 256 || batchBytes >= HASH_BATCH_BYTES) await flush();
  }
  await flush();
  return { findings, filesScanned };
}

/** The most bytes {@link scanCached} reads before it hashes them. */
const HASH_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Scans files and folders (absolute, or relative to the root; default: the whole project or
 * folder) for secrets and SQL injection. Vendored folders, binary and huge files are
 * skipped and counted. A large tree is scanned on several threads (`threads`); memory stays
 * flat with its size.
 *
 * @throws {BrError} `not_found` for a path that does not exist, `invalid_data` for bad rules.
 */
export function scanPaths(
  target: ScanTarget,
  paths: readonly string[] = [],
  opts: SecurityScanOptions = {},
): Promise<ScanReport> {
  const list = paths.length ? paths : [target.root];
  return run(
    target,
    opts,
    async (s, skipped) => {
      if (opts.cache) {
        return await scanCached(target.root, list, s, skipped, opts.cache, opts.reads);
      }
      // Worker threads are for scans of paths only: staged and history scans never load them.
      const { scanThreads, scanTree } = await import("./_parallel.ts");
      return await scanTree(target.root, list, s, skipped, { threads: scanThreads(s.threads) });
    },
  );
}

/**
 * Scans the staged content (the git index) of added, copied, modified and renamed files.
 *
 * @throws {BrError} `external` outside git.
 */
export function scanStaged(
  target: ScanTarget,
  opts: SecurityScanOptions = {},
): Promise<ScanReport> {
  return run(
    target,
    opts,
    (s, skipped) => scanUnits(stagedFiles(target.root, skipped, s.maxBytes), s),
  );
}

/**
 * Scans the lines added by the last `commits` commits of `HEAD`; findings carry the commit.
 *
 * @throws {BrError} `external` outside git.
 */
export function scanHistory(
  target: ScanTarget,
  commits: number,
  opts: SecurityScanOptions = {},
): Promise<ScanReport> {
  return run(
    target,
    opts,
    (s, skipped) => scanUnits(historyUnits(target.root, commits, skipped), s),
  );
}

/**
 * The pre-commit check: the staged files, with the baseline applied. The commit should be
 * refused when `new_findings` is not empty.
 *
 * @throws {BrError} `external` outside git.
 */
export function securityCheck(project: Project): Promise<ScanReport> {
  return scanStaged(project, { integrity: true });
}

/** {@link securityCheck} reading the index through the caller's `index` (the git hooks'). */
export function securityCheckOf(project: Project, index: StagedIndex): Promise<ScanReport> {
  return run(
    project,
    { integrity: true },
    (s, skipped) => scanUnits(stagedFiles(project.root, skipped, s.maxBytes, index), s),
  );
}
