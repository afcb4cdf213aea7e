/** Staged content and history of git, as units to scan. */
import { join } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { existsSync } from "../core/fs.ts";
import { git, gitOk } from "../core/git.ts";
import { isBinary, ownPath, type ScanUnit, toRel, VENDORED_DIRS } from "./files.ts";
import type { ScanSkipped } from "./types.ts";

const decoder = new TextDecoder();

/** Reads many git objects through one `git cat-file --batch` process. */
async function* catFileBatch(
  cwd: string,
  names: string[],
): AsyncGenerator<{ name: string; bytes: Uint8Array | null }> {
  if (names.length === 0) return;
  const child = new Deno.Command("git", {
    args: ["cat-file", "--batch"],
    cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const input = new TextEncoder().encode(names.join("\n") + "\n");
  const writing = writer.write(input).then(() => writer.close());
  const reader = child.stdout.getReader();
  let buf = new Uint8Array(0);
  let done = false;
  const need = async (n: number) => {
    while (buf.length < n && !done) {
      const r = await reader.read();
      if (r.done) done = true;
      else {
        const next = new Uint8Array(buf.length + r.value.length);
        next.set(buf);
        next.set(r.value, buf.length);
        buf = next;
      }
    }
  };
  for (const name of names) {
    let nl = -1;
    while ((nl = buf.indexOf(10)) === -1 && !done) await need(buf.length + 1);
    if (nl === -1) break;
    const header = decoder.decode(buf.subarray(0, nl));
    buf = buf.subarray(nl + 1);
    const m = header.match(/^\S+ (\w+) (\d+)$/);
    if (!m) {
      yield { name, bytes: null };
      continue;
    }
    const size = Number(m[2]);
    await need(size + 1);
    const bytes = buf.slice(0, size);
    buf = buf.subarray(size + 1);
    yield { name, bytes: m[1] === "blob" ? bytes : null };
  }
  await writing.catch(() => {});
  await reader.cancel().catch(() => {});
  await child.status;
}

/** The git top-level folder of `root`, or null outside git. */
async function gitTop(root: string): Promise<string | null> {
  // A folder holding `.git` (a folder, or the file of a worktree or submodule) is its top.
  if (existsSync(join(root, ".git"))) return root;
  const res = await git(["rev-parse", "--show-toplevel"], { cwd: root });
  return res.code === 0 ? res.stdout.trim() : null;
}

function vendored(file: string): boolean {
  return file.split("/").slice(0, -1).some((d) => VENDORED_DIRS.has(d));
}

/**
 * Yields the staged content (the index, not the work tree) of every added, copied,
 * modified or renamed file.
 *
 * @throws {BrError} `external` outside a git repository.
 */
export async function* stagedFiles(
  root: string,
  skipped: ScanSkipped,
  maxBytes: number,
): AsyncGenerator<ScanUnit> {
  // Both at once (paths from `git diff` are relative to the top whatever the folder).
  const [top, diff] = await Promise.all([
    gitTop(root),
    git(["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"], {
      cwd: root,
    }),
  ]);
  if (!top) {
    throw new BrError("external", `"${root}" is not in a git repository`, {
      hint: "--staged and br security check need git",
    });
  }
  const out = diff.code === 0 ? diff.stdout : await gitOk(
    ["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR", "--no-renames"],
    { cwd: top },
  );
  const files = out.split("\0").filter(Boolean).filter((f) => {
    if (f.includes("\n") || ownPath(toRel(root, join(top, f)))) return false;
    if (vendored(f)) {
      skipped.vendored++;
      return false;
    }
    return true;
  }).sort();
  const prefix = toRel(top, root);
  for await (const { name, bytes } of catFileBatch(top, files.map((f) => `:${f}`))) {
    if (!bytes) continue;
    if (bytes.length > maxBytes) {
      skipped.large++;
      continue;
    }
    if (isBinary(bytes)) {
      skipped.binary++;
      continue;
    }
    const path = name.slice(1);
    const file = prefix && prefix !== "" ? toRel(root, join(top, path)) : path;
    yield { file, bytes, commit: null, lineMap: null };
  }
}

/**
 * Yields the lines added by each of the last `n` commits of `HEAD` (one unit per commit and
 * file, with the line numbers they have in that commit), streaming one `git log -p` so that
 * memory does not grow with the history. Merge commits add no lines of their own.
 *
 * @throws {BrError} `external` outside a git repository or when git fails.
 */
export async function* historyUnits(
  root: string,
  n: number,
  skipped: ScanSkipped,
): AsyncGenerator<ScanUnit> {
  const top = await gitTop(root);
  if (!top) {
    throw new BrError("external", `"${root}" is not in a git repository`, {
      hint: "--history needs git",
    });
  }
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
  const parser = new DiffParser(root, top, skipped);
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
