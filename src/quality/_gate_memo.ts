// The gate memo: the report of the last run of a set of gates with its options, kept with
// everything those gates read, so that a run with nothing changed gives it again without
// loading the gates' engines (`br validate` and the pre-push hook run often on a tree that
// did not change).
//
// What the gates read, each compared before the memo is used:
// - every file of the tree the secret scan walks (ignored files included) and every file git
//   lists for the analysis, each by its identity as git's index keeps it (size, modification
//   and change times, inode, mode); a file changed less than RACY_MS before it was looked at
//   is compared by the SHA-256 of its content as well (a change within the same clock tick
//   leaves the times as they were);
// - the list git gives (ignore rules, the index);
// - br's own files, inside the tree or not: features.json, governance.yaml and its checksum,
//   PROJECT_SPEC.md, the project and user configuration, the security baseline, the secret
//   rules files and the files they extend, the coverage reports (which may be ignored or in a
//   vendored folder);
// - the `BR_QUALITY__*` and `BR_SECURITY__*` variables; the project's own checkers (which
//   programs, by path and identity, with which arguments), as their own cache keys them;
// - br's version and the analyzers' (the signed cache's own check), the gates and options.
//
// The memo is a file of the signed cache (_analysis_cache.ts): one br did not write on this
// machine is ignored, so it cannot be used to pass a gate.
import { VERSION } from "../core/version.ts";
import { join, resolve, sep } from "../core/path.ts";
import { globalConfigPath } from "../core/global_config.ts";
import { contentHash } from "../core/read_once.ts";
import type { Project } from "../core/project.ts";
import { listFiles as walkTree } from "../security/files.ts";
import { analysisCacheLocation, sha256, SignedCache } from "./_analysis_cache.ts";
import { langOf, listFiles } from "./_files.ts";
import { analyzesTree, COVERAGE_REPORTS } from "./model.ts";

/** Bumped when what the memo holds or compares changes. */
const MEMO_VERSION = 1;

/** A file changed this recently (ms) before it was looked at is compared by content too. */
const RACY_MS = 2000;

/** What the memo keeps: each input file with its identity (and hash), and the results. */
interface MemoEntry<T> {
  /** `[path, identity, content hash or null]`, sorted by path. */
  files: [string, string, string | null][];
  /** The results. */
  value: T;
}

/** The answer of {@link probeMemo}. */
export interface MemoProbe<T> {
  /** The results kept, when nothing they depend on changed; else null. */
  hit: T | null;
  /** The files git lists in the tree (for the analysis), when a gate needs them. */
  files?: Promise<string[]>;
  /**
   * Keeps the results of a run (made after this probe) for the inputs as this probe saw them:
   * an input changed since then is a miss next time.
   */
  save(value: T): Promise<void>;
}

/** What a memo is of: which results (`kind`), of which gates, on which tree. */
export interface MemoSubject {
  /** The kind of results (`gates`: a run of `runGates`; `gaps`, `quality`: one report). */
  kind: string;
  /** The gates whose inputs the results depend on. */
  gates: readonly string[];
  /** The tree. */
  root: string;
  /** The quality threshold given, if any. */
  threshold?: number;
}

/** One input file as seen now. */
interface Seen {
  path: string;
  identity: string;
  /** Its content hash, when it changed too recently for its identity to be trusted. */
  hash: Promise<string> | null;
}

/**
 * Looks for the memo of `subject`: results computed from the inputs of its gates on its tree,
 * kept when they were all as they are now. Null when the tree has no memo location (no
 * `.buildrunner/`, no home folder).
 */
export async function probeMemo<T>(
  project: Project,
  subject: MemoSubject,
): Promise<MemoProbe<T> | null> {
  const { gates, root } = subject;
  const location = analysisCacheLocation(root, project.env);
  if (location === null) return null;
  const started = Date.now();
  const analyzed = analyzesTree(gates);
  const listing = analyzed ? listFiles(root) : undefined;
  listing?.catch(() => {}); // (its failure is the analysis's, when it awaits it)
  const options = JSON.stringify([
    MEMO_VERSION,
    VERSION,
    subject.kind,
    gates,
    subject.threshold ?? null,
    root,
  ]);
  // Opened before the tree is looked at: opening makes the signing key the first time, and
  // the key may lie in the tree.
  const memo = await SignedCache.open<MemoEntry<T>>(
    location,
    `${subject.kind}-${(await sha256(options + project.root)).slice(0, 16)}.json`,
  );
  let seen: Seen[];
  let key: string;
  try {
    const inputs = await otherInputs(project, root, gates);
    const paths = new Set<string>();
    for await (const abs of walkTree(root, [root], { binary: 0, large: 0, vendored: 0 })) {
      paths.add(abs);
    }
    const listed = listing ? await listing : [];
    // (the walk's paths are the resolved root + the separator + the relative path, as these)
    const base = resolve(root);
    const prefix = base.endsWith(sep) ? base : base + sep;
    const under = (rel: string) => prefix + (sep === "/" ? rel : rel.replaceAll("/", sep));
    for (const rel of listed) paths.add(under(rel));
    for (const f of inputs.files) paths.add(resolve(root, f));
    seen = [...paths].sort().map((path) => look(path, started));
    key = await sha256(JSON.stringify([options, project.root, inputs.values, listed]));
  } catch {
    return { hit: null, files: listing, save: () => Promise.resolve() };
  }
  if (memo === null) return { hit: null, files: listing, save: () => Promise.resolve() };
  const stored = memo.get(key, (v) => Array.isArray(v?.files) && v.value !== undefined);
  const hit = stored && await same(stored.files, seen) ? stored.value : null;
  if (hit === null && analyzed && stored) prefetchParser(stored.files, seen);
  return {
    hit,
    files: listing,
    save: async (value) => {
      const files = await Promise.all(
        seen.map(async (s): Promise<[string, string, string | null]> => [
          s.path,
          s.identity,
          s.hash ? await s.hash : null,
        ]),
      );
      memo.set(key, { files, value });
      await memo.save();
    },
  };
}

/** A file's identity now (`-` when it is missing), hashed when it changed recently. */
function look(path: string, now: number): Seen {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    return { path, identity: "-", hash: null };
  }
  if (!info.isFile) return { path, identity: info.isDirectory ? "dir" : "other", hash: null };
  const mtime = info.mtime?.getTime() ?? null;
  const ctime = info.ctime?.getTime() ?? null;
  const identity = `${info.size}:${mtime}:${ctime}:${info.ino}:${info.dev}:${info.mode}`;
  const racy = mtime === null || ctime === null || Math.max(mtime, ctime) >= now - RACY_MS;
  return { path, identity, hash: racy ? hashOf(path) : null };
}

function hashOf(path: string): Promise<string> {
  try {
    return contentHash(Deno.readFileSync(path));
  } catch {
    return Promise.resolve("-");
  }
}

/**
 * Starts loading the TS/JS parser when a TS/JS file changed since the memo was made: the run
 * that follows will parse it, and the parser then loads while the run waits for git and its
 * reads instead of after them.
 */
function prefetchParser(stored: unknown[], seen: Seen[]): void {
  const before = new Map<unknown, unknown>();
  for (const entry of stored) if (Array.isArray(entry)) before.set(entry[0], entry[1]);
  const changed = seen.some((s) => {
    const lang = before.get(s.path) !== s.identity && s.identity !== "-" ? langOf(s.path) : null;
    return lang !== null && lang !== "py";
  });
  if (changed) import("./_estree.ts").catch(() => {});
}

/** True when the files are those the memo was made from, as they were. */
async function same(stored: unknown[], seen: Seen[]): Promise<boolean> {
  if (stored.length !== seen.length) return false;
  const hashes: Promise<boolean>[] = [];
  for (const [i, entry] of stored.entries()) {
    if (!Array.isArray(entry)) return false;
    const [path, identity, hash] = entry;
    const now = seen[i];
    if (path !== now.path || identity !== now.identity) return false;
    // Recently changed when the memo was made: the content decides too.
    if (hash !== null) hashes.push((now.hash ?? hashOf(path)).then((h) => h === hash));
  }
  return (await Promise.all(hashes)).every(Boolean);
}

/**
 * What the gates read besides the tree's files: br's own files and the configuration (by
 * path, compared as files), the variables that set the configuration and the project's
 * checkers (as values).
 */
async function otherInputs(
  project: Project,
  root: string,
  gates: readonly string[],
): Promise<{ files: string[]; values: string[] }> {
  const p = project.paths;
  const files = [
    p.features,
    join(root, ".buildrunner", "features.json"),
    p.governance,
    p.governanceSum,
    p.spec,
    p.config,
    join(p.dir, "security-baseline.json"),
    ...Object.values(COVERAGE_REPORTS).flat().map((rel) => join(root, rel)),
  ];
  const global = globalConfigPath(project.env);
  if (global) files.push(global);
  const values = Object.entries(project.env)
    .filter(([k]) => /^BR_(QUALITY|SECURITY)__/.test(k))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  // The secret rules (every gate that reads source masks it with them), and what they extend.
  const rules = [join(p.dir, "security-rules.toml"), join(project.root, ".gitleaks.toml")];
  if (project.configMentions("security")) {
    await import("../security/config.ts");
    const file = (await project.config()).get<unknown>("security.rules_file");
    if (typeof file === "string" && file) rules.push(join(project.root, file));
  }
  files.push(...rules, ...extendedRules(rules, project.root));
  if (gates.includes("quality")) {
    const { detectTools } = await import("./_tools.ts");
    for (const t of await detectTools(root, project.env)) {
      values.push(`tool:${t.name}:${t.args.join(" ")}:${t.bin ?? "-"}`);
      if (t.bin) files.push(t.bin);
    }
  }
  return { files, values };
}

/**
 * The files the rules files extend (gitleaks `[extend] path`, relative to `cwd`), two levels
 * deep as gitleaks reads them: every `path = "..."` of a file counts (more than the
 * extended ones at worst, which only costs a miss).
 *
 * @throws {Error} when a file has a `path` this reader cannot take apart (the memo is then
 * not used).
 */
function extendedRules(files: string[], cwd: string, depth = 0): string[] {
  const out: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      continue;
    }
    const lines = text.split("\n").filter((l) => /^\s*path\s*=/.test(l));
    for (const line of lines) {
      const m = /^\s*path\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(#.*)?$/.exec(line);
      if (!m) throw new Error(`unread [extend] path in ${file}`);
      out.push(resolve(cwd, m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]));
    }
  }
  return depth < 2 && out.length ? [...out, ...extendedRules(out, cwd, depth + 1)] : out;
}
