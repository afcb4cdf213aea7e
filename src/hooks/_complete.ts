// The `gates.pre_push_require: complete` check of pre-push: loaded only when governance asks
// for it. It reads features.json from the commits being pushed (not the working tree), and
// with `scope: touched` the files those commits change.
import { git } from "../core/git.ts";
import { matchesAny } from "../core/glob.ts";
import { parseFeaturesText } from "../features/registry.ts";
import type { PrePushRequire } from "../quality/governance_schema.ts";

const FEATURES = "./.buildrunner/features.json";
const ZERO = /^0+$/;

/** One ref git is about to push (a line of pre-push's stdin). */
export interface PushedRef {
  /** The commit pushed. */
  local: string;
  /** The commit the remote has now (zeros: a new branch). */
  remote: string;
}

/** The refs of pre-push's stdin, without deletions; HEAD when git gave none (a run by hand). */
export function pushedRefs(stdin: string): PushedRef[] {
  const refs = stdin.split("\n").map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 4);
  if (refs.length === 0) return [{ local: "HEAD", remote: "0" }];
  return refs.filter((r) => !ZERO.test(r[1])).map((r) => ({ local: r[1], remote: r[3] }));
}

/**
 * The files (relative to `cwd`) the commits of `ref` change that the remote does not have:
 * `remote..local` when git knows the remote's commit, else every commit not on a
 * remote-tracking branch of `remoteName` (all of them when it has none). Renames count with
 * both names; a merge counts with its changes against the first parent.
 */
async function touchedFiles(cwd: string, ref: PushedRef, remoteName: string | null) {
  const args = [
    "log",
    "--format=",
    "--name-only",
    "--no-renames",
    "--diff-merges=first-parent",
    "--relative",
    ref.local,
  ];
  const known = !ZERO.test(ref.remote) &&
    (await git(["cat-file", "-e", `${ref.remote}^{commit}`], { cwd })).code === 0;
  if (known) args.push(`^${ref.remote}`);
  else args.push("--not", remoteName ? `--remotes=${remoteName}` : "--remotes");
  const res = await git(args, { cwd });
  if (res.code !== 0) throw new Error(`git log failed: ${res.stderr.trim()}`);
  return [...new Set(res.stdout.split("\n").filter(Boolean))].sort();
}

/**
 * The problems of `gates.pre_push_require: complete` for the pushed refs: one header line,
 * then one line per feature that is not complete (`id: status (name)`, and with `scope:
 * touched` the first file that brought it in). Empty when the push may go.
 */
export async function incompleteFeatures(
  cwd: string,
  refs: PushedRef[],
  remoteName: string | null,
  require: PrePushRequire,
): Promise<string[]> {
  const blocking = new Map<string, string>();
  for (const ref of refs) {
    const shown = await git(["show", `${ref.local}:${FEATURES}`], { cwd });
    if (shown.code !== 0) {
      // A commit without features.json has no features to complete.
      if (/does not exist|exists on disk, but not in/.test(shown.stderr)) continue;
      return [`cannot read features.json of ${ref.local}: ${shown.stderr.trim()}`];
    }
    let file;
    try {
      file = await parseFeaturesText(shown.stdout, `features.json of ${ref.local.slice(0, 12)}`);
    } catch (err) {
      return [(err as Error).message];
    }
    const touched = require.scope === "touched" ? await touchedFiles(cwd, ref, remoteName) : null;
    for (const f of file.features) {
      if (f.status === "complete" || blocking.has(f.id)) continue;
      let why = "";
      if (touched) {
        const hit = f.files.length ? touched.filter((p) => matchesAny(p, f.files)) : [];
        if (hit.length === 0) continue;
        why = ` touched: ${hit[0]}${hit.length > 1 ? ` and ${hit.length - 1} more` : ""}`;
      }
      blocking.set(f.id, `${f.id}: ${f.status} (${f.name})${why}`);
    }
  }
  if (blocking.size === 0) return [];
  const n = blocking.size;
  const scope = require.scope === "touched" ? ", scope: touched" : "";
  return [
    `${n} feature${
      n === 1 ? " is" : "s are"
    } not complete (gates.pre_push_require: complete${scope})`,
    ...[...blocking.keys()].sort().map((id) => blocking.get(id)!),
  ];
}
