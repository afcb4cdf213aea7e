// The exact state a migration may change, taken before it writes anything: the files under
// a few paths of the project (ignored files included) and, in a git repository, HEAD, the
// branch it names and the index. Restoring puts every byte and ref back.
import { dirname, join } from "node:path";
import { BrError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { git, gitOk } from "../core/git.ts";

/** The paths a migration may change (relative to the project root), and so takes. */
export const SNAPSHOT_ROOTS: readonly string[] = [
  ".buildrunner",
  ".runner",
  ".gitignore",
  "STATUS.md",
  "PROJECT_SPEC.md",
];

/** One file or folder of a snapshot, relative to the project root. */
export interface SnapshotEntry {
  /** Path relative to the root, with `/`. */
  path: string;
  /** A folder or a regular file. */
  kind: "dir" | "file";
  /** Permission bits. */
  mode: number;
}

/** The git state a migration changes. */
export interface GitState {
  /** The ref HEAD names (`refs/heads/main`), or null when HEAD is detached. */
  head_ref: string | null;
  /** The commit HEAD points to, or null on an unborn branch. */
  head_commit: string | null;
  /** Path of the index file (absolute). */
  index_path: string;
  /** True when the index file existed. */
  index_present: boolean;
}

/** What {@link takeSnapshot} read: entries and their bytes. */
export interface Snapshot {
  /** The paths taken (relative), present or not. */
  roots: string[];
  /** Every folder and file under them, parents first. */
  entries: SnapshotEntry[];
  /** The bytes of each file entry. */
  data: Map<string, Uint8Array>;
  /** The git state, or null outside a repository. */
  git: GitState | null;
  /** The bytes of the index file. */
  index: Uint8Array | null;
}

/**
 * Reads every file and folder under `roots` (relative to `root`). A symbolic link anywhere
 * is refused: restoring one could write outside the project.
 *
 * @throws {BrError} `invalid_data` for a symbolic link or an unreadable entry.
 */
export async function takeSnapshot(root: string, roots: string[]): Promise<Snapshot> {
  const entries: SnapshotEntry[] = [];
  const data = new Map<string, Uint8Array>();
  const visit = async (rel: string): Promise<void> => {
    const abs = join(root, rel);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(abs);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    if (info.isSymlink) {
      throw new BrError("invalid_data", `Cannot migrate: "${rel}" is a symbolic link`, {
        hint: "replace the link with the file or folder it points to; nothing was written",
      });
    }
    const mode = (info.mode ?? 0o644) & 0o7777;
    if (info.isDirectory) {
      entries.push({ path: rel, kind: "dir", mode });
      const names: string[] = [];
      for await (const e of Deno.readDir(abs)) names.push(e.name);
      for (const name of names.sort()) await visit(`${rel}/${name}`);
    } else if (info.isFile) {
      entries.push({ path: rel, kind: "file", mode });
      data.set(rel, await Deno.readFile(abs));
    }
  };
  for (const r of roots) await visit(r);
  const state = await gitState(root);
  let index: Uint8Array | null = null;
  if (state?.index_present) index = await Deno.readFile(state.index_path);
  return { roots, entries, data, git: state, index };
}

/** The git state of the repository holding `root`, or null when it is not in one. */
export async function gitState(root: string): Promise<GitState | null> {
  const inside = await git(["rev-parse", "--is-inside-work-tree"], { cwd: root });
  if (inside.code !== 0 || inside.stdout.trim() !== "true") return null;
  const ref = await git(["symbolic-ref", "-q", "HEAD"], { cwd: root });
  const head = await git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], { cwd: root });
  const indexPath = await gitOk(["rev-parse", "--path-format=absolute", "--git-path", "index"], {
    cwd: root,
  });
  const present = await Deno.lstat(indexPath).then((i) => i.isFile, () => false);
  return {
    head_ref: ref.code === 0 ? ref.stdout.trim() : null,
    head_commit: head.code === 0 ? head.stdout.trim() : null,
    index_path: indexPath,
    index_present: present,
  };
}

/**
 * Puts the files under the snapshot's roots back exactly (whatever is there now is removed
 * first), and, when `migrationCommit` is given, the refs and the index: the branch returns to
 * its old commit (or to unborn), `tag` is deleted.
 */
export async function restoreSnapshot(
  root: string,
  snap: Snapshot,
  refs: { migrationCommit: string | null; tag: string | null } | null,
): Promise<void> {
  if (snap.git && refs) {
    const g = snap.git;
    if (refs.tag) await git(["tag", "-d", refs.tag], { cwd: root });
    if (refs.migrationCommit) {
      if (g.head_ref === null) {
        await gitOk(["update-ref", "--no-deref", "HEAD", g.head_commit!], { cwd: root });
      } else if (g.head_commit === null) {
        await gitOk(["update-ref", "-d", g.head_ref, refs.migrationCommit], { cwd: root });
      } else {
        await gitOk(["update-ref", g.head_ref, g.head_commit, refs.migrationCommit], {
          cwd: root,
        });
      }
    }
  }
  for (const r of snap.roots) await Deno.remove(join(root, r), { recursive: true }).catch(() => {});
  for (const e of snap.entries) {
    const abs = join(root, e.path);
    if (e.kind === "dir") {
      await Deno.mkdir(abs, { recursive: true });
      await Deno.chmod(abs, e.mode);
    } else {
      await Deno.mkdir(dirname(abs), { recursive: true });
      await writeFileAtomic(abs, snap.data.get(e.path)!);
      await Deno.chmod(abs, e.mode);
    }
  }
  if (snap.git && refs) {
    if (snap.index) await writeFileAtomic(snap.git.index_path, snap.index);
    else await Deno.remove(snap.git.index_path).catch(() => {});
  }
}

/** The manifest stored next to the backed-up files. */
export interface BackupManifest {
  /** Format version (1). */
  version: 1;
  /** The roots taken. */
  roots: string[];
  /** The entries (files are under `files/`). */
  entries: SnapshotEntry[];
  /** The git state before the migration. */
  git: GitState | null;
  /** The migration commit (null outside git, or before the commit was made). */
  migration_commit: string | null;
  /** The tag of the migration, or null. */
  tag: string | null;
}

/** Writes a snapshot into `dir` (`manifest.json`, `files/...`, `git-index`). */
export async function writeBackup(
  dir: string,
  snap: Snapshot,
  extra: { migration_commit: string | null; tag: string | null },
): Promise<void> {
  for (const e of snap.entries) {
    if (e.kind === "file") {
      await writeFileAtomic(join(dir, "files", e.path), snap.data.get(e.path)!);
    }
  }
  if (snap.index) await writeFileAtomic(join(dir, "git-index"), snap.index);
  await writeManifest(dir, {
    version: 1,
    roots: snap.roots,
    entries: snap.entries,
    git: snap.git,
    ...extra,
  });
}

/** Writes the manifest of a backup. */
export async function writeManifest(dir: string, manifest: BackupManifest): Promise<void> {
  await writeFileAtomic(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
}

/**
 * Reads a backup written by {@link writeBackup}.
 *
 * @throws {BrError} `not_found` when it is missing, `invalid_data` when it is damaged.
 */
export async function readBackup(dir: string, label: string): Promise<{
  manifest: BackupManifest;
  snapshot: Snapshot;
}> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(
        await Deno.readFile(join(dir, "manifest.json")),
      ),
    );
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BrError("not_found", `Cannot find the migration backup "${label}"`, {
        hint: "the backup is needed to roll back; restore it, or undo the migration with git",
      });
    }
    throw new BrError("invalid_data", `Cannot read the migration backup "${label}"`, {
      hint: "the backup is damaged; undo the migration with git",
      cause: err,
    });
  }
  if (
    manifest?.version !== 1 || !Array.isArray(manifest.entries) ||
    !Array.isArray(manifest.roots) || !manifest.roots.every((r) => SNAPSHOT_ROOTS.includes(r)) ||
    !manifest.entries.every((e) =>
      typeof e?.path === "string" && !e.path.split("/").includes("..") &&
      manifest.roots.some((r) => e.path === r || e.path.startsWith(`${r}/`)) &&
      (e.kind === "dir" || e.kind === "file") && Number.isInteger(e.mode)
    )
  ) {
    throw new BrError("invalid_data", `Cannot read the migration backup "${label}"`, {
      hint: "the backup is damaged; undo the migration with git",
    });
  }
  const data = new Map<string, Uint8Array>();
  let index: Uint8Array | null = null;
  try {
    for (const e of manifest.entries) {
      if (e.kind === "file") data.set(e.path, await Deno.readFile(join(dir, "files", e.path)));
    }
    if (manifest.git?.index_present) index = await Deno.readFile(join(dir, "git-index"));
  } catch (err) {
    throw new BrError(
      "invalid_data",
      `Cannot read the migration backup "${label}": a file is missing`,
      { hint: "the backup is damaged; undo the migration with git", cause: err },
    );
  }
  return {
    manifest,
    snapshot: { roots: manifest.roots, entries: manifest.entries, data, git: manifest.git, index },
  };
}
