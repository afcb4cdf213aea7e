// The per-file analysis cache: the facts of each source file (imports, stubs, TODOs,
// functions with size and complexity, test status, exported declarations), keyed by a hash
// of the file's path, language and exact content together with br's and the analyzers'
// versions, so that a run parses only the files that changed.
//
// It is derived data in `.buildrunner/cache/` (which ignores itself) and gates read it, so it
// must not be a way to loosen them: the file carries an HMAC-SHA-256 under a key that lives
// outside the project (`$BR_HOME/analysis.key`, else `~/.buildrunner/analysis.key`), made on
// first use. A cache file br did not write on this machine (committed with `git add -f`,
// copied, edited) fails the check and is ignored as a whole: every file is analyzed again.
import { ensureIgnoredFolder, leadsOutside, writeFileAtomic } from "../core/fs.ts";
import { dirname, join } from "../core/path.ts";
import { globalConfigPath } from "../core/global_config.ts";
import { hexBytes } from "../core/hash.ts";
import { VERSION } from "../core/version.ts";
import type { FileFacts, SourceLang } from "./_facts.ts";

/** Bumped whenever an analyzer changes what it reports: older entries are then misses. */
export const ANALYZER_VERSION = 2;
const FILE = "analysis.json";

/** Where the cache of one tree lives, and the key that signs it. */
export interface AnalysisCacheLocation {
  /** The cache folder (`<root>/.buildrunner/cache`). */
  dir: string;
  /** The signing key's file, outside the project. */
  keyFile: string;
}

/**
 * The cache location for the tree at `root` (the project or a task worktree), or null when
 * the tree has no `.buildrunner/` folder or no home folder is known for the key.
 */
export function analysisCacheLocation(
  root: string,
  env: Record<string, string | undefined>,
): AnalysisCacheLocation | null {
  const config = globalConfigPath(env);
  if (config === null) return null;
  try {
    if (!Deno.lstatSync(join(root, ".buildrunner")).isDirectory) return null;
  } catch {
    return null;
  }
  return {
    dir: join(root, ".buildrunner", "cache"),
    keyFile: join(dirname(config), "analysis.key"),
  };
}

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The facts cache of {@link analyzeTree}: one entry per source file content. */
export type FactsCache = SignedCache<FileFacts>;

// Flags of a packed import.
const TYPE_ONLY = 1;
const DYNAMIC = 2;
const SUBMODULE = 4;

/**
 * The facts of a file as the cache stores them: arrays in place of objects (less than half the
 * text to parse, sign and write); unpacked, they are the analyzer's objects key for key.
 */
export const FACTS_CODEC: EntryCodec<FileFacts> = {
  pack: (f) => [
    f.file,
    f.lang,
    f.lines,
    f.test ? 1 : 0,
    f.imports.map((i) => [
      i.spec,
      i.line,
      (i.type_only ? TYPE_ONLY : 0) | (i.dynamic ? DYNAMIC : 0) | (i.submodule ? SUBMODULE : 0),
    ]),
    f.functions.map((fn) => [fn.name, fn.line, fn.end_line, fn.lines, fn.complexity]),
    f.stubs.map((st) => [st.line, st.name, st.reason]),
    f.markers.map((m) => [m.line, m.kind, m.text]),
    f.exports.map((e) => [e.name, e.line, e.documented ? 1 : 0]),
    ...(f.parse_error === undefined ? [] : [f.parse_error]),
  ],
  unpack: (stored) => {
    // deno-lint-ignore no-explicit-any
    const [file, lang, lines, test, imports, functions, stubs, markers, exports, error]: any[] =
      stored as unknown[];
    const facts: FileFacts = {
      file,
      lang,
      lines,
      test: test === 1,
      // deno-lint-ignore no-explicit-any
      imports: imports.map(([spec, line, flags]: any[]) => ({
        spec,
        ...(flags & SUBMODULE ? { submodule: true } : {}),
        line,
        type_only: (flags & TYPE_ONLY) !== 0,
        ...(flags & DYNAMIC ? { dynamic: true } : {}),
      })),
      // deno-lint-ignore no-explicit-any
      functions: functions.map(([name, line, end_line, lines, complexity]: any[]) => ({
        name,
        line,
        end_line,
        lines,
        complexity,
      })),
      // deno-lint-ignore no-explicit-any
      stubs: stubs.map(([line, name, reason]: any[]) => ({ line, name, reason })),
      // deno-lint-ignore no-explicit-any
      markers: markers.map(([line, kind, text]: any[]) => ({ line, kind, text })),
      // deno-lint-ignore no-explicit-any
      exports: exports.map(([name, line, documented]: any[]) => ({
        name,
        line,
        documented: documented === 1,
      })),
    };
    if (error !== undefined) facts.parse_error = error;
    if (typeof file !== "string" || typeof lines !== "number") throw new Error("not facts");
    return facts;
  },
};

/** The hex SHA-256 of `data`. */
export async function sha256(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
}

/**
 * The cache key of one file's facts: its path, language and the hash of its exact bytes
 * (`contentHash` of core/read_once.ts); the cache file itself records the versions of br and the analyzers.
 */
export function factsKey(file: string, lang: SourceLang, hash: string): string {
  return `${lang}:${hash}:${file}`;
}

/** The signing key: read, or made (32 random bytes, owner-only) when there is none. */
async function signingKey(keyFile: string): Promise<CryptoKey | null> {
  let raw: Uint8Array | null = null;
  try {
    raw = Deno.readFileSync(keyFile);
    if (raw.length < 32) raw = null;
  } catch {
    raw = null;
  }
  if (raw === null) {
    try {
      await Deno.mkdir(dirname(keyFile), { recursive: true });
      raw = crypto.getRandomValues(new Uint8Array(32));
      await writeFileAtomic(keyFile, raw);
      Deno.chmodSync(keyFile, 0o600);
    } catch {
      return null; // no key, no cache
    }
  }
  return await crypto.subtle.importKey(
    "raw",
    raw as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
      "verify",
    ],
  );
}

/** How a {@link SignedCache} stores its values (default: as they are). */
export interface EntryCodec<T> {
  /** The stored form of a value (JSON). */
  pack(value: T): unknown;
  /** The value of a stored form; throws when it is not one (the entry is then a miss). */
  unpack(stored: unknown): T;
}

const AS_IS: EntryCodec<never> = { pack: (v) => v, unpack: (v) => v as never };

/**
 * One signed cache file of one run (`name` in the cache folder): what was loaded, what this
 * run used and added. Entries are kept in their stored form and unpacked when asked for.
 */
export class SignedCache<T> {
  #entries: Record<string, unknown>;
  #used = new Set<string>();
  #dirty = false;

  private constructor(
    readonly location: AnalysisCacheLocation,
    readonly name: string,
    private readonly key: CryptoKey,
    entries: Record<string, unknown>,
    private readonly codec: EntryCodec<T>,
  ) {
    this.#entries = entries;
  }

  /** Opens the cache; null when it cannot be used (no key). A bad file is an empty cache. */
  static async open<T>(
    location: AnalysisCacheLocation,
    name: string = FILE,
    codec: EntryCodec<T> = AS_IS,
  ): Promise<SignedCache<T> | null> {
    const key = await signingKey(location.keyFile);
    if (key === null) return null;
    let entries: Record<string, unknown> = {};
    try {
      if (leadsOutside(location.dir) !== null) throw new Error("planted link");
      const bytes = Deno.readFileSync(join(location.dir, name));
      const nl = bytes.indexOf(10);
      const mac = strict.decode(bytes.subarray(0, nl));
      const body = bytes.subarray(nl + 1);
      const macBytes = hexBytes(/^[0-9a-f]{64}$/.test(mac) ? mac : "");
      if (
        macBytes.length === 32 &&
        await crypto.subtle.verify("HMAC", key, macBytes, body as BufferSource)
      ) {
        const parsed = JSON.parse(strict.decode(body));
        if (parsed?.br === VERSION && parsed?.analyzer === ANALYZER_VERSION) {
          entries = parsed.entries;
        }
      }
    } catch {
      // Missing, unreadable, foreign or from another version: start empty.
    }
    return new SignedCache<T>(location, name, key, entries, codec);
  }

  /** The value stored under `hash` when `accept` takes it, or undefined. */
  get(hash: string, accept: (value: T) => boolean = () => true): T | undefined {
    const stored = this.#entries[hash];
    if (stored === undefined) return undefined;
    let hit: T;
    try {
      hit = this.codec.unpack(stored);
    } catch {
      return undefined;
    }
    if (!accept(hit)) return undefined;
    this.#used.add(hash);
    return hit;
  }

  /** Stores the value derived from the input with `hash`. */
  set(hash: string, value: T): void {
    this.#entries[hash] = this.codec.pack(value);
    this.#used.add(hash);
    this.#dirty = true;
  }

  /**
   * Writes the cache when this run added entries or left some unused (files changed or
   * gone): it then holds exactly the files of this run. Failures are ignored.
   */
  async save(): Promise<void> {
    const stale = Object.keys(this.#entries).some((k) => !this.#used.has(k));
    if (!this.#dirty && !stale) return;
    if (leadsOutside(this.location.dir) !== null) return;
    try {
      const entries: Record<string, unknown> = {};
      for (const k of [...this.#used].sort()) entries[k] = this.#entries[k];
      const body = encoder.encode(
        JSON.stringify({ br: VERSION, analyzer: ANALYZER_VERSION, entries }),
      );
      const mac = hex(await crypto.subtle.sign("HMAC", this.key, body as BufferSource));
      const head = encoder.encode(mac + "\n");
      const out = new Uint8Array(head.length + body.length);
      out.set(head);
      out.set(body, head.length);
      await ensureIgnoredFolder(this.location.dir, "br's cache: derived data, never committed");
      await writeFileAtomic(join(this.location.dir, this.name), out, { durable: false });
    } catch {
      // A cache never makes a command fail.
    }
  }
}
