/** Staged content and history of git, as units to scan. */
import { join } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { git, noRepository } from "../core/git.ts";
import { gitTop, realPath, StagedIndex } from "../core/git_index.ts";
import { isBinary, ownPath, type ScanUnit, toRel, VENDORED_DIRS } from "./files.ts";
import type { ScanSkipped } from "./types.ts";

// Staged files asked for ahead of the one scanned.
const AHEAD = 4;

function vendored(file: string): boolean {
  return file.split("/").slice(0, -1).some((d) => VENDORED_DIRS.has(d));
}

/**
 * Yields the staged content (the index, not the work tree) of every added, copied,
 * modified or renamed file, read through `index` (opened here when not given; the caller
 * closes its own).
 *
 * @throws {BrError} `not_found` outside a git repository; `external` when git fails.
 */
export async function* stagedFiles(
  root: string,
  skipped: ScanSkipped,
  maxBytes: number,
  index?: StagedIndex,
): AsyncGenerator<ScanUnit> {
  const own = index ? null : new StagedIndex(root);
  const staged = (index ?? own)!;
  try {
    // Paths from `git diff` and for `cat-file` are relative to the top whatever the folder.
    const [top, names] = await Promise.all([staged.top(), staged.names()]);
    if (!top) throw noRepository(root, "--staged and br security check read git's index");
    // Related to the top through its real path (git gives the top's).
    const here = realPath(root);
    const fromRoot = (f: string) => here === top ? f : toRel(here, join(top, f));
    const files = names.filter((f) => {
      if (f.includes("\n") || ownPath(fromRoot(f))) return false;
      if (vendored(f)) {
        skipped.vendored++;
        return false;
      }
      return true;
    }).sort();
    // Asked for a few files ahead: git answers while the earlier ones are scanned.
    const blobs = files.slice(0, AHEAD).map((f) => staged.blob(f));
    for (const [i, path] of files.entries()) {
      if (i + AHEAD < files.length) blobs.push(staged.blob(files[i + AHEAD]));
      const bytes = await blobs[i];
      blobs[i] = Promise.resolve(null); // its text is released once scanned
      if (!bytes) continue;
      if (bytes.length > maxBytes) {
        skipped.large++;
        continue;
      }
      if (isBinary(bytes)) {
        skipped.binary++;
        continue;
      }
      yield { file: fromRoot(path), bytes, commit: null, lineMap: null };
    }
  } finally {
    await own?.close();
  }
}

/**
 * Yields the lines added by each of the last `n` commits of `HEAD` (one unit per commit and
 * file, with the line numbers they have in that commit), streaming one `git log -p` so that
 * memory does not grow with the history. Merge commits add no lines of their own.
 *
 * @throws {BrError} `not_found` outside a git repository; `external` when git fails.
 */
export async function* historyUnits(
  root: string,
  n: number,
  skipped: ScanSkipped,
): AsyncGenerator<ScanUnit> {
  const top = await gitTop(root);
  if (!top) throw noRepository(root, "--history reads git's history");
  const head = await git(["rev-parse", "--verify", "-q", "HEAD"], { cwd: top });
  if (head.code !== 0) return;
  const child = new Deno.Command("git", {
    args: [
      "-c",
      "core.quotePath=false",
      "log",
      "-p",
      "-U0",
      "--no-color",
      "--no-ext-diff",
      "--no-renames",
      "--format=%x00%H",
      `--max-count=${n}`,
      "HEAD",
    ],
    cwd: top,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const parser = new DiffParser(realPath(root), top, skipped);
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    let from = 0;
    while ((nl = rest.indexOf("\n", from)) !== -1) {
      yield* parser.line(rest.slice(from, nl));
      from = nl + 1;
    }
    rest = rest.slice(from);
  }
  if (rest) yield* parser.line(rest);
  yield* parser.flush();
  const status = await child.status;
  if (!status.success) {
    throw new BrError("external", `git log failed: ${(await stderr).trim().split("\n")[0]}`, {
      hint: `run "git log -p -${n}" in ${top} to see the full message`,
    });
  }
}

function unquote(path: string): string {
  const p = path.replace(/\t$/, "");
  if (!p.startsWith('"')) return p;
  try {
    return JSON.parse(p);
  } catch {
    return p.slice(1, -1);
  }
}

/** Turns `git log -p -U0` lines into the added lines of each commit and file. */
class DiffParser {
  #commit: string | null = null;
  #file: string | null = null;
  #inHeader = false;
  #lines: string[] = [];
  #map: number[] = [];
  #next = 0;

  constructor(
    readonly root: string,
    readonly top: string,
    readonly skipped: ScanSkipped,
  ) {}

  *flush(): Generator<ScanUnit> {
    if (this.#file !== null && this.#lines.length && this.#commit) {
      yield {
        file: toRel(this.root, join(this.top, this.#file)),
        text: this.#lines.join("\n"),
        commit: this.#commit,
        lineMap: this.#map,
      };
    }
    this.#lines = [];
    this.#map = [];
  }

  *line(raw: string): Generator<ScanUnit> {
    if (raw.startsWith("\0")) {
      yield* this.flush();
      this.#commit = raw.slice(1).trim();
      this.#file = null;
      this.#inHeader = false;
    } else if (raw.startsWith("diff --git ")) {
      yield* this.flush();
      this.#file = null;
      this.#inHeader = true;
    } else if (this.#inHeader) {
      if (raw.startsWith("+++ ")) {
        const p = unquote(raw.slice(4));
        const file = p === "/dev/null" ? null : p.replace(/^b\//, "");
        if (file && ownPath(toRel(this.root, join(this.top, file)))) this.#file = null;
        else if (file && vendored(file)) {
          this.skipped.vendored++;
          this.#file = null;
        } else this.#file = file;
      } else if (raw.startsWith("Binary files ")) {
        this.skipped.binary++;
      } else if (raw.startsWith("@@")) {
        this.#inHeader = false;
        this.#hunk(raw);
      }
    } else if (raw.startsWith("@@")) {
      this.#hunk(raw);
    } else if (raw.startsWith("+") && this.#file !== null) {
      this.#lines.push(raw.slice(1));
      this.#map.push(this.#next++);
    }
  }

  #hunk(raw: string): void {
    const m = raw.match(/\+(\d+)/);
    this.#next = m ? Number(m[1]) : 0;
  }
}
