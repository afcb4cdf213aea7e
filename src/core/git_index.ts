/**
 * The staged state of a git repository (its index), read through one `git diff --cached`: the
 * staged files with their blob ids. A staged file's content is read from the work tree when it
 * is what the index holds (the same blob id), as after a plain `git add`; otherwise through one
 * `git cat-file --batch`, started on the first such read. The pre-commit hook and the secret
 * scan of staged files share one, so that a commit usually starts one git process.
 *
 * @module
 */
import { BrError } from "./errors.ts";
import { existsSync } from "./fs.ts";
import { git, noRepository } from "./git.ts";
import { gitBlobId } from "./hash.ts";
import { join, relative, sep } from "./path.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `git diff` arguments: the added, copied, modified and renamed files of the index, each as
 * `:<old mode> <new mode> <old id> <new id> <status>` then its path, NUL-terminated.
 */
const STAGED = [
  "diff",
  "--cached",
  "--raw",
  "-z",
  "--no-abbrev",
  "--diff-filter=ACMR",
  "--no-renames",
];

/** Work-tree files up to this size are hashed to tell whether they are what is staged. */
const HASHED_BYTES = 1 << 20;

/** One staged file: its mode and blob id in the index. */
interface Entry {
  mode: string;
  id: string;
}

/** The staged files, by path in git's order. */
type Staged = Map<string, Entry>;

function parseRaw(stdout: string): Staged {
  const staged: Staged = new Map();
  const fields = stdout.split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const head = fields[i].split(" ");
    staged.set(fields[i + 1], { mode: head[1], id: head[3] });
  }
  return staged;
}

/** One `git cat-file --batch` process answering requests in order. */
class CatFile {
  readonly #child: Deno.ChildProcess | null;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array> | null;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | null;
  #buf: Uint8Array = new Uint8Array(0);
  #ended = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(cwd: string) {
    try {
      this.#child = new Deno.Command("git", {
        args: ["cat-file", "--batch"],
        cwd,
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch {
      // No git: every read answers null; the names say why.
      this.#child = null;
    }
    this.#writer = this.#child?.stdin.getWriter() ?? null;
    this.#reader = this.#child?.stdout.getReader() ?? null;
  }

  /** Fills the buffer to at least `n` bytes unless the output ends first. */
  async #fill(n: number): Promise<void> {
    if (this.#buf.length >= n || this.#ended) return;
    // Chunks are joined once: a large blob arrives in many.
    const chunks = [this.#buf];
    let length = this.#buf.length;
    while (length < n) {
      const r = await this.#reader!.read();
      if (r.done) {
        this.#ended = true;
        break;
      }
      chunks.push(r.value);
      length += r.value.length;
    }
    if (chunks.length === 1) return;
    const joined = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    this.#buf = joined;
  }

  async #answer(): Promise<Uint8Array | null> {
    let nl: number;
    while ((nl = this.#buf.indexOf(10)) === -1 && !this.#ended) {
      await this.#fill(this.#buf.length + 1);
    }
    if (nl === -1) return null;
    const header = decoder.decode(this.#buf.subarray(0, nl));
    this.#buf = this.#buf.subarray(nl + 1);
    // "<oid> <type> <size>", or "<name> missing" / "<name> ambiguous".
    const m = header.match(/^\S+ (\w+) (\d+)$/);
    if (!m) return null;
    const size = Number(m[2]);
    await this.#fill(size + 1);
    const bytes = this.#buf.slice(0, size);
    this.#buf = this.#buf.subarray(size + 1);
    return m[1] === "blob" ? bytes : null;
  }

  /** The content of object `name` when it is a blob, else null. */
  read(name: string): Promise<Uint8Array | null> {
    if (!this.#writer || name.includes("\n")) return Promise.resolve(null);
    // Written at once (git answers in order); answers are taken one after the other.
    this.#writer.write(encoder.encode(name + "\n")).catch(() => {});
    const answer = this.#queue.then(() => this.#answer());
    this.#queue = answer.catch(() => {});
    return answer;
  }

  /** Ends the process once the pending answers are in. */
  async close(): Promise<void> {
    await this.#queue;
    await this.#writer?.close().catch(() => {});
    await this.#reader?.cancel().catch(() => {});
    await this.#child?.status;
  }
}

/** The index of the git repository around a folder: staged names and staged content. */
export class StagedIndex {
  /** The folder git runs in (the repository's top folder or a folder inside). */
  readonly cwd: string;
  readonly #staged: Promise<Staged | null>;
  #cat: CatFile | null = null;
  #top: Promise<string | null> | null = null;
  #gitReads = 0;
  #closed = false;

  /** Starts `git diff --cached` in `cwd` (a repository's top folder or a folder inside). */
  constructor(cwd: string) {
    this.cwd = cwd;
    // Without --relative, names are relative to the top whatever the folder; so are the
    // `:<path>` names cat-file reads.
    this.#staged = git(STAGED, { cwd }).then(
      (r) => r.code === 0 ? parseRaw(r.stdout) : null,
      () => null,
    );
  }

  /**
   * The repository's top folder (its real path, as git gives it), or null outside git. Paths
   * are related to it through {@link realPath}: a project opened through a symbolic link is
   * in the same place.
   */
  top(): Promise<string | null> {
    return this.#top ??= gitTop(this.cwd);
  }

  /**
   * The added, copied, modified and renamed files of the index, relative to the top, in
   * git's order.
   *
   * @throws {BrError} `not_found` outside a git repository; `external` when git fails.
   */
  async names(): Promise<string[]> {
    const staged = await this.#staged;
    if (staged === null) {
      if ((await this.top()) === null) throw noRepository(this.cwd, "staged files are git's");
      throw new BrError("external", `Cannot read the staged files in "${this.cwd}"`, {
        hint: 'run "git diff --cached" there to see what git says',
      });
    }
    return [...staged.keys()];
  }

  /** Those of {@link names} inside `root`, relative to it (`git diff --relative`). */
  async namesUnder(root: string): Promise<string[]> {
    const [names, top] = await Promise.all([this.names(), this.top()]);
    const here = realPath(root);
    if (top === null || top === here) return names;
    return names.map((f) => toSlash(relative(here, join(top, f))))
      .filter((f) => !f.startsWith("../"));
  }

  /**
   * The content the index holds for `path` (relative to the top), or null when it holds no
   * file there (nothing, or a submodule), or when git would have to read it after
   * {@link StagedIndex.close}.
   */
  async blob(path: string): Promise<Uint8Array | null> {
    const entry = (await this.#staged)?.get(path);
    if (entry?.mode === "160000") return null;
    if (entry?.mode === "100644" || entry?.mode === "100755") {
      const top = await this.top();
      const bytes = top === null ? null : smallFile(join(top, path));
      if (bytes && await gitBlobId(bytes, entry.id.length === 64 ? 64 : 40) === entry.id) {
        return bytes;
      }
    }
    // Not staged by this commit (the index holds HEAD's copy), changed since it was staged,
    // converted by a filter or an end-of-line setting, a symbolic link, or large: git reads it.
    if (this.#closed) return null; // no process starts after close, none is left behind
    this.#gitReads++;
    return (this.#cat ??= new CatFile(this.cwd)).read(`:${path}`);
  }

  /** How many of the contents read so far git read (the others came from the work tree). */
  get gitReads(): number {
    return this.#gitReads;
  }

  /** The staged text of `path` relative to `root`, or null when it is not staged. */
  async textUnder(root: string, path: string): Promise<string | null> {
    const top = await this.top();
    const here = realPath(root);
    const rel = top === null || top === here ? path : toSlash(relative(top, join(here, path)));
    const bytes = await this.blob(rel);
    return bytes === null ? null : decoder.decode(bytes);
  }

  /** Ends the git processes; later reads that need git answer null. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#staged;
    await this.#cat?.close();
  }
}

/** The bytes of a regular file of at most {@link HASHED_BYTES}, else null. */
function smallFile(path: string): Uint8Array | null {
  try {
    const info = Deno.lstatSync(path);
    return info.isFile && info.size <= HASHED_BYTES ? Deno.readFileSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * The top folder of the git repository around `dir` (its real path, as git gives it), or null
 * outside git. Relate other paths to it through {@link realPath}.
 */
export function gitTop(dir: string): Promise<string | null> {
  // A folder holding `.git` (a folder, or the file of a worktree or submodule) is its top.
  if (existsSync(join(dir, ".git"))) return Promise.resolve(realPath(dir));
  return git(["rev-parse", "--show-toplevel"], { cwd: dir }).then(
    (r) => r.code === 0 ? r.stdout.trim() : null,
    () => null,
  );
}

/** The real path of `p` (symbolic links resolved), or `p` itself when it cannot be had. */
export function realPath(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch {
    return p;
  }
}

function toSlash(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}
