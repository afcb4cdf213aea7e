/**
 * The staged state of a git repository (its index), read through two git processes that
 * start at once: `git diff --cached` for the names of the staged files and one
 * `git cat-file --batch` for their content. The pre-commit hook and the secret scan of staged
 * files share one, so that a commit starts two git processes instead of one per question.
 *
 * @module
 */
import { BrError } from "./errors.ts";
import { existsSync } from "./fs.ts";
import { git } from "./git.ts";
import { join, relative, sep } from "./path.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `git diff` arguments: the added, copied, modified and renamed files of the index. */
const STAGED_NAMES = [
  "diff",
  "--cached",
  "--name-only",
  "-z",
  "--diff-filter=ACMR",
  "--no-renames",
];

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
  readonly #names: Promise<{ code: number; stdout: string }>;
  readonly #cat: CatFile;
  #top: Promise<string | null> | null = null;

  /** Starts both git processes in `cwd` (a repository's top folder or a folder inside). */
  constructor(cwd: string) {
    this.cwd = cwd;
    // Without --relative, names are relative to the top whatever the folder; so are the
    // `:<path>` names cat-file reads.
    this.#names = git(STAGED_NAMES, { cwd }).catch(() => ({ code: -1, stdout: "" }));
    this.#cat = new CatFile(cwd);
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
   * @throws {BrError} `external` outside a git repository.
   */
  async names(): Promise<string[]> {
    const res = await this.#names;
    if (res.code !== 0) {
      throw new BrError("external", `Cannot read the staged files in "${this.cwd}"`, {
        hint: "run it inside a git repository (git init)",
      });
    }
    return res.stdout.split("\0").filter(Boolean);
  }

  /** Those of {@link names} inside `root`, relative to it (`git diff --relative`). */
  async namesUnder(root: string): Promise<string[]> {
    const [names, top] = await Promise.all([this.names(), this.top()]);
    const here = realPath(root);
    if (top === null || top === here) return names;
    return names.map((f) => toSlash(relative(here, join(top, f))))
      .filter((f) => !f.startsWith("../"));
  }

  /** The staged content of `path` (relative to the top), or null when it is not staged. */
  blob(path: string): Promise<Uint8Array | null> {
    return this.#cat.read(`:${path}`);
  }

  /** The staged text of `path` relative to `root`, or null when it is not staged. */
  async textUnder(root: string, path: string): Promise<string | null> {
    const top = await this.top();
    const here = realPath(root);
    const rel = top === null || top === here ? path : toSlash(relative(top, join(here, path)));
    const bytes = await this.blob(rel);
    return bytes === null ? null : decoder.decode(bytes);
  }

  /** Ends the git processes. */
  close(): Promise<void> {
    return this.#cat.close();
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
