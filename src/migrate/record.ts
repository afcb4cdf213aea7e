import { join, relative } from "node:path";
import { BrError } from "../core/errors.ts";
import { exists, readOwnTextOrNull, writeFileAtomic } from "../core/fs.ts";
import { git, gitOk } from "../core/git.ts";
import { type Clock, createProject } from "../core/project.ts";
import { type FeaturesFile, saveFeatures } from "../features/mod.ts";
import {
  gitState,
  readBackup,
  restoreSnapshot,
  SNAPSHOT_ROOTS,
  takeSnapshot,
  writeBackup,
  writeManifest,
} from "./_snapshot.ts";

/** Where the migration record lives (committed with the migration). */
export const RECORD_PATH = ".buildrunner/migration.json";

/** The migration record: what was migrated, when, and where the backup is. */
export interface MigrationRecord {
  /** Format version (1). */
  version: 1;
  /** What was migrated: `buildrunner2` or `buildrunner3.1`. */
  from: string;
  /** The data it was read from (`.runner`, `.buildrunner/features.json`). */
  source: string;
  /** ISO time of the migration. */
  migrated_at: string;
  /** The git tag of the migration commit (null outside git). */
  tag: string | null;
  /** The backup folder, relative to the project root (git ignores it). */
  backup: string;
  /** Data of the old format with no place in v3, kept as it was. */
  [extra: string]: unknown;
}

/** One file a migration writes. */
export interface MigrationWrite {
  /** Path relative to the root. */
  path: string;
  /** The text (or `features` for features.json). */
  text?: string;
  /** The features file (validated and written with metrics and STATUS.md). */
  features?: FeaturesFile;
  /** Leave an existing file as it is. */
  keepExisting?: boolean;
}

/** What a migration did, or would do (`dry_run`). */
export interface MigrationOutcome<P> {
  /** The plan. */
  plan: P & { files: { path: string; action: "create" | "update" | "keep" }[] };
  /** True when nothing was written. */
  dry_run: boolean;
  /** The backup folder (relative), null for a dry run. */
  backup: string | null;
  /** The migration commit, null outside git and for a dry run. */
  commit: string | null;
  /** The tag of the migration commit, null outside git and for a dry run. */
  tag: string | null;
}

/** Input of {@link applyMigration}. */
export interface MigrationSpec<P> {
  kind: string;
  source: string;
  tag: string;
  message: string;
  plan: P & {
    files: { path: string; action: "create" | "update" | "keep" }[];
    git: boolean;
    tag: string | null;
  };
  writes: MigrationWrite[];
  extra: Record<string, unknown>;
  projectName: string;
  dryRun: boolean;
  force: boolean;
  now: Date;
  clock?: Clock;
  /** Skip the files `br init` writes (the project has them already). */
  noScaffold?: boolean;
  /** Other files the writes change (STATUS.md follows features.json). */
  alsoChanges?: string[];
}

/** Reads the migration record of `root`, or null when there is none. */
export async function readRecord(root: string): Promise<MigrationRecord | null> {
  const text = await readOwnTextOrNull(join(root, RECORD_PATH), `"${RECORD_PATH}"`);
  if (text === null) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  const r = data as MigrationRecord | null;
  if (
    !r || typeof r !== "object" || typeof r.from !== "string" || typeof r.backup !== "string" ||
    r.backup.split("/").includes("..") || !r.backup.startsWith(".buildrunner/backups/")
  ) {
    throw new BrError("invalid_data", `Invalid ${RECORD_PATH}`, {
      hint: "restore it with git (it was written by br migrate)",
    });
  }
  return r;
}

async function assertNotMigrated(root: string): Promise<void> {
  const record = await readRecord(root);
  if (record) {
    throw new BrError(
      "conflict",
      `Cannot migrate "${root}": it was already migrated (from ${record.from} at ${record.migrated_at})`,
      { hint: 'run "br migrate status" to see it, or "br migrate rollback" to undo it' },
    );
  }
}

/** Uncommitted changes under `root` (porcelain lines), without touching the index. */
async function dirtyLines(root: string): Promise<string[]> {
  const out = await gitOk(
    ["--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--", "."],
    { cwd: root },
  );
  return out.split("\n").filter(Boolean);
}

/**
 * Runs a migration: checks, backup of everything it changes, writes under the project lock,
 * the files `br init` writes, then in git a commit and a tag. Any failure puts the previous
 * state back. A dry run only fills in the plan.
 */
export async function applyMigration<P>(
  root: string,
  spec: MigrationSpec<P>,
): Promise<MigrationOutcome<P>> {
  await assertNotMigrated(root);
  const state = await gitState(root);
  if (state) {
    const dirty = await dirtyLines(root);
    if (dirty.length && !spec.force) {
      throw new BrError(
        "conflict",
        `Cannot migrate "${root}": the working tree has uncommitted changes (${dirty.length}, e.g. "${
          dirty[0].slice(3)
        }")`,
        { hint: "commit or discard them first, or pass --force; nothing was written" },
      );
    }
    const tagged = await git(["rev-parse", "-q", "--verify", `refs/tags/${spec.tag}`], {
      cwd: root,
    });
    if (tagged.code === 0) {
      throw new BrError("conflict", `Cannot migrate "${root}": the tag "${spec.tag}" exists`, {
        hint: `delete it ("git tag -d ${spec.tag}") if it is left from an earlier attempt`,
      });
    }
  }
  const scaffolded = spec.noScaffold ? [] : [
    ".buildrunner/.gitignore",
    ".buildrunner/config.yaml",
    ".gitignore",
    "STATUS.md",
  ];
  const paths = [
    ...spec.writes.map((w) => w.path),
    ...(spec.writes.some((w) => w.path.endsWith("governance.yaml"))
      ? [".buildrunner/governance.sha256"]
      : []),
    RECORD_PATH,
    ...(spec.alsoChanges ?? []),
    ...scaffolded,
  ];
  const files: { path: string; action: "create" | "update" | "keep" }[] = [];
  for (const p of [...new Set(paths)]) {
    const there = await exists(join(root, p));
    const keep = there && (spec.writes.find((w) => w.path === p)?.keepExisting ||
      [".buildrunner/.gitignore", ".buildrunner/config.yaml"].includes(p));
    files.push({ path: p, action: keep ? "keep" : there ? "update" : "create" });
  }
  spec.plan.files = files;
  spec.plan.git = state !== null;
  spec.plan.tag = state ? spec.tag : null;
  if (spec.dryRun) return { plan: spec.plan, dry_run: true, backup: null, commit: null, tag: null };

  const snap = await takeSnapshot(root, [...SNAPSHOT_ROOTS]);
  const stamp = spec.now.toISOString().replace(/[:.]/g, "-");
  const backupRel = `.buildrunner/backups/migrate-${spec.kind}-${stamp}`;
  const backupDir = join(root, backupRel);
  let commit: string | null = null;
  let tagged = false;
  try {
    await Deno.mkdir(join(root, ".buildrunner"), { recursive: true });
    const project = createProject(root, { clock: spec.clock });
    await project.withLock(async () => {
      await assertNotMigrated(root);
      await writeBackup(backupDir, snap, { migration_commit: null, tag: null });
      for (const w of spec.writes) {
        const abs = join(root, w.path);
        if (w.keepExisting && await exists(abs)) continue;
        if (w.features) await saveFeatures(project, w.features);
        else await writeFileAtomic(abs, w.text!, { linksWithin: root });
        if (w.path.endsWith("governance.yaml")) {
          const { governanceChecksum } = await import("../quality/mod.ts");
          await writeFileAtomic(
            project.paths.governanceSum,
            `${governanceChecksum(w.text!)}  governance.yaml\n`,
            { linksWithin: root },
          );
        }
      }
      const record: MigrationRecord = {
        version: 1,
        from: spec.kind,
        source: spec.source,
        migrated_at: spec.now.toISOString(),
        tag: state ? spec.tag : null,
        backup: backupRel,
        ...spec.extra,
      };
      await writeFileAtomic(join(root, RECORD_PATH), JSON.stringify(record, null, 2) + "\n", {
        linksWithin: root,
      });
    });
    await project.close?.();
    if (!spec.noScaffold) {
      const { scaffold } = await import("../project/init.ts");
      await scaffold(root, { name: spec.projectName, clock: spec.clock });
    }
    if (state) {
      await project.withLock(async () => {
        const add = files.filter((f) => f.action !== "keep" || f.path === "PROJECT_SPEC.md")
          .map((f) => f.path);
        await gitOk(["add", "--", ...add], { cwd: root });
        // Only the migration's files (other staged changes stay staged); the user's hooks
        // are not run: br's own are not installed yet, and a failing hook would undo it all.
        await gitOk(
          ["commit", "--no-verify", "--quiet", "-m", spec.message, "--only", "--", ...add],
          { cwd: root },
        );
        commit = await gitOk(["rev-parse", "HEAD"], { cwd: root });
        await gitOk(["tag", spec.tag, commit], { cwd: root });
        tagged = true;
        await writeManifest(backupDir, {
          version: 1,
          roots: snap.roots,
          entries: snap.entries,
          git: snap.git,
          migration_commit: commit,
          tag: spec.tag,
        });
      });
    }
  } catch (err) {
    await restoreSnapshot(root, snap, {
      migrationCommit: commit,
      tag: tagged ? spec.tag : null,
    }).catch(() => {});
    throw err;
  }
  return {
    plan: spec.plan,
    dry_run: false,
    backup: backupRel,
    commit,
    tag: state ? spec.tag : null,
  };
}

/** What `br migrate status` reports. */
export interface MigrationStatus {
  /** The project root. */
  root: string;
  /** True when a migration record exists. */
  migrated: boolean;
  /** The record (null when not migrated). */
  record: MigrationRecord | null;
  /** True when the backup is there. */
  backup_present: boolean;
  /** The migration commit (null outside git or when unknown). */
  commit: string | null;
  /** Commits made on top of the migration commit. */
  commits_after: number;
  /** True when `br migrate rollback` would succeed. */
  can_roll_back: boolean;
  /** Why it cannot (null when it can or nothing was migrated). */
  reason: string | null;
}

/** The migration state of `root`. */
export async function migrationStatus(root: string): Promise<MigrationStatus> {
  const record = await readRecord(root);
  const status: MigrationStatus = {
    root,
    migrated: record !== null,
    record,
    backup_present: false,
    commit: null,
    commits_after: 0,
    can_roll_back: false,
    reason: null,
  };
  if (!record) return status;
  status.backup_present = await exists(join(root, record.backup, "manifest.json"));
  if (!status.backup_present) {
    status.reason = `the backup ${record.backup} is missing`;
    return status;
  }
  const { manifest } = await readBackup(join(root, record.backup), record.backup);
  status.commit = manifest.migration_commit;
  const moved = await commitsAfter(root, manifest.migration_commit);
  status.commits_after = moved.count;
  status.reason = moved.reason;
  status.can_roll_back = moved.reason === null;
  return status;
}

async function commitsAfter(
  root: string,
  commit: string | null,
): Promise<{ count: number; reason: string | null }> {
  if (!commit) return { count: 0, reason: null };
  const head = await git(["rev-parse", "-q", "--verify", "HEAD^{commit}"], { cwd: root });
  if (head.code === 0 && head.stdout.trim() === commit) return { count: 0, reason: null };
  const count = await git(["rev-list", "--count", `${commit}..HEAD`], { cwd: root });
  const n = count.code === 0 ? Number(count.stdout.trim()) : 0;
  const ancestor = await git(["merge-base", "--is-ancestor", commit, "HEAD"], { cwd: root });
  return {
    count: n,
    reason: ancestor.code === 0
      ? `${n} commit${n === 1 ? " was" : "s were"} made after the migration commit`
      : "HEAD is no longer on the migration commit",
  };
}

/**
 * Undoes a migration: the files under the paths it changed (ignored ones included: br.db,
 * cache, lock, backups) return byte for byte, and in git the branch, the index and the tags
 * return to where they were.
 *
 * @throws {BrError} `not_found` without a migration record or backup, `conflict` when commits
 * were made after the migration commit.
 */
export async function rollbackMigration(root: string): Promise<MigrationStatus> {
  const record = await readRecord(root);
  if (!record) {
    throw new BrError("not_found", `Cannot roll back "${root}": no migration record`, {
      hint: `"${RECORD_PATH}" is written by "br migrate from-v2" and "br migrate from-v3"`,
    });
  }
  const { manifest, snapshot } = await readBackup(join(root, record.backup), record.backup);
  const moved = await commitsAfter(root, manifest.migration_commit);
  if (moved.reason) {
    throw new BrError("conflict", `Cannot roll back "${root}": ${moved.reason}`, {
      hint: `undo or move those commits first (the migration commit is ${
        manifest.migration_commit?.slice(0, 12)
      }); nothing was changed`,
    });
  }
  const status = await migrationStatus(root);
  const current = await gitState(root);
  if (snapshot.git && current) snapshot.git.index_path = current.index_path;
  const project = createProject(root);
  await project.withLock(() =>
    restoreSnapshot(root, snapshot, {
      migrationCommit: manifest.migration_commit,
      tag: manifest.tag,
    })
  );
  return { ...status, migrated: false, can_roll_back: false };
}

/** The path of `abs` relative to `root`, with `/`. */
export function rel(root: string, abs: string): string {
  return relative(root, abs).split("\\").join("/");
}
