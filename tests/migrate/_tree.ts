// Test helpers of the migration tests: a BuildRunner 2 sample project in a temp git
// repository, and a hash of everything a rollback must restore.
import { join } from "node:path";
import { FIXTURES, gitRun, type TempDir, tempDir } from "../helpers.ts";

/** The BuildRunner 2 sample projects in tests/fixtures/br2/. */
export const BR2_SAMPLES = ["clinic-portal", "minimal-cli"];

/** A copy of a BuildRunner 2 sample, committed in a new git repository (unless `git` is false). */
export async function br2Sample(name: string, git = true): Promise<TempDir> {
  const dir = await tempDir("br-migrate-");
  await copyTree(join(FIXTURES, "br2", name), dir.path);
  if (git) {
    await gitRun(["init", "--quiet", "--initial-branch=main"], dir.path);
    await gitRun(["add", "-A"], dir.path);
    await gitRun(["commit", "--quiet", "-m", "BuildRunner 2 project"], dir.path);
  }
  return dir;
}

/** Copies the files and folders under `from` into `to` (created), as plain 0644 files. */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(join(from, e.name), join(to, e.name));
    else if (e.isFile) {
      await Deno.writeFile(join(to, e.name), await Deno.readFile(join(from, e.name)), {
        mode: 0o644,
      });
    }
  }
}

/**
 * A hash of every file under `root` (ignored ones included; `.git` only with `withGit`) with
 * its path, plus the git refs and HEAD when it is a repository.
 */
export async function treeHash(root: string, withGit = false): Promise<string> {
  const parts: string[] = [];
  const visit = async (rel: string) => {
    const names: string[] = [];
    for await (const e of Deno.readDir(join(root, rel))) names.push(e.name);
    for (const name of names.sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === ".git" && !withGit) continue;
      const info = await Deno.lstat(join(root, r));
      if (info.isDirectory) {
        parts.push(`d ${r}`);
        await visit(r);
      } else {
        const bytes = await Deno.readFile(join(root, r));
        const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        parts.push(`f ${r} ${[...sum].map((b) => b.toString(16).padStart(2, "0")).join("")}`);
      }
    }
  };
  await visit("");
  const isRepo = await Deno.lstat(join(root, ".git")).then(() => true, () => false);
  if (isRepo) {
    parts.push(await gitRun(["for-each-ref"], root));
    parts.push(await gitRun(["symbolic-ref", "-q", "HEAD"], root).catch(() => "detached"));
    parts.push(await gitRun(["rev-parse", "-q", "--verify", "HEAD"], root).catch(() => "unborn"));
  }
  return parts.join("\n");
}
