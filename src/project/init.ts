import { basename, join, relative, resolve } from "node:path";
import { writeConfigValue } from "../core/config.ts";
import { BrError } from "../core/errors.ts";
import {
  exists,
  readOwnTextOrNull,
  readTextOrNull,
  TEMP_FILE_GLOB,
  writeFileAtomic,
} from "../core/fs.ts";
import { gitOk, isGitRepo } from "../core/git.ts";
import { createProject, type OpenProjectOptions, type Project } from "../core/project.ts";
import {
  emptyFeaturesFile,
  type FeaturesFile,
  renderStatusMarkdown,
  serializeFeatures,
} from "../features/mod.ts";
import { type Detection, detectProject } from "./detect.ts";
import { importTaskMaster, TASKMASTER_FILES } from "./taskmaster.ts";

/** The content of `.buildrunner/.gitignore`. */
export const BR_GITIGNORE = `# Local state of BuildRunner; never committed.
br.db
br.db-*
worktrees/
.lock
context/
backups/
`;

/** What `init` or `attach` did. */
export interface SetupResult {
  /** The project root. */
  root: string;
  /** Files created (relative to the root). */
  created: string[];
  /** Files left as they were. */
  kept: string[];
  /** Files br added lines to (the root `.gitignore`). */
  updated: string[];
  /** Files rewritten by `--force` (each backed up first). */
  rewritten: string[];
  /** Where the backups went, if any. */
  backup_dir: string | null;
  /** True when `git init` ran. */
  git_initialized: boolean;
  /** What attach detected (null for init). */
  detected: Detection | null;
  /** Features imported from other tools' task files. */
  imported: { source: string; count: number } | null;
}

/** Options of {@link initProject} and {@link attachProject}. */
export interface SetupOptions extends Pick<OpenProjectOptions, "env" | "clock"> {
  /** Project name (default: the folder name). */
  name?: string;
  /** Rewrite the files `br` owns (after a backup). */
  force?: boolean;
}

/**
 * Starts a BuildRunner project in `dir` (created if needed; `git init` if it is not in a
 * repository). Idempotent: existing files are kept; `force` rewrites only the files `br`
 * owns (`.buildrunner/.gitignore`, `STATUS.md`) after backing them up.
 */
export async function initProject(dir: string, options: SetupOptions = {}): Promise<SetupResult> {
  const root = resolve(dir);
  await Deno.mkdir(root, { recursive: true });
  let gitInitialized = false;
  if (!(await isGitRepo(root))) {
    await gitOk(["init", "--quiet"], { cwd: root });
    gitInitialized = true;
  }
  const result = await scaffold(root, options);
  result.git_initialized = gitInitialized;
  return result;
}

/**
 * Adopts an existing repository: detects languages, package managers and the test
 * command (recorded in `.buildrunner/config.yaml`), imports Task Master tasks when
 * `features.json` has none, and writes nothing outside `.buildrunner/` but `STATUS.md`.
 *
 * @throws {BrError} `not_found` when `dir` does not exist.
 */
export async function attachProject(dir: string, options: SetupOptions = {}): Promise<SetupResult> {
  const root = resolve(dir);
  const stat = await Deno.stat(root).catch(() => null);
  if (!stat?.isDirectory) {
    throw new BrError("not_found", `Cannot attach: "${root}" is not a folder`, {
      hint: 'pass the repository folder, or use "br init" for a new project',
    });
  }
  const result = await scaffold(root, options);
  const detected = await detectProject(root);
  result.detected = detected;
  const project = createProject(root, { env: options.env, clock: options.clock });
  await import("./config.ts");
  const inside = { linksWithin: root };
  await project.withLock(async () => {
    const file = project.paths.config;
    await writeConfigValue(file, "project.languages", detected.languages, inside);
    await writeConfigValue(file, "project.package_managers", detected.package_managers, inside);
    await writeConfigValue(file, "project.test_command", detected.test_command, inside);
  });
  result.imported = await importIfEmpty(project);
  if (result.imported) {
    await writeFileAtomic(project.paths.status, renderStatusMarkdown(await readFile(project)), {
      linksWithin: root,
    });
  }
  return result;
}

async function readFile(project: Project): Promise<FeaturesFile> {
  const { loadFeatures } = await import("../features/mod.ts");
  return loadFeatures(project);
}

async function importIfEmpty(project: Project): Promise<SetupResult["imported"]> {
  const current = await readFile(project);
  if (current.features.length > 0) return null;
  for (const rel of TASKMASTER_FILES) {
    const path = join(project.root, rel);
    const text = await readTextOrNull(path);
    if (text === null) continue;
    const count = (await importTaskMaster(project, text, rel, path)).added.length;
    return { source: rel, count };
  }
  return null;
}

/**
 * Writes the files every BuildRunner project has, keeping the ones that exist (what
 * {@link initProject} does after `git init`; `br migrate` runs it after writing the migrated
 * data).
 */
export async function scaffold(root: string, options: SetupOptions): Promise<SetupResult> {
  const project = createProject(root, { env: options.env, clock: options.clock });
  const { paths } = project;
  const now = project.clock.now();
  const name = options.name ?? basename(root);
  const result: SetupResult = {
    root,
    created: [],
    kept: [],
    updated: [],
    rewritten: [],
    backup_dir: null,
    git_initialized: false,
    detected: null,
    imported: null,
  };
  const rel = (p: string) => relative(root, p);
  // Links inside the project are written through; any other link is refused.
  const inside = { linksWithin: root };
  await Deno.mkdir(paths.dir, { recursive: true });
  await project.withLock(async () => {
    const backupDir = join(paths.dir, "backups", now.toISOString().replace(/[:.]/g, "-"));
    const owned = async (path: string, content: string) => {
      const current = await readOwnTextOrNull(path, `"${rel(path)}"`);
      if (current === null) {
        await writeFileAtomic(path, content, inside);
        result.created.push(rel(path));
      } else if (options.force && current !== content) {
        // Through the atomic writer, inside the project: a copy would follow a link planted
        // in the backups.
        await writeFileAtomic(join(backupDir, basename(path)), current, inside);
        await writeFileAtomic(path, content, inside);
        result.rewritten.push(rel(path));
        result.backup_dir = rel(backupDir);
      } else result.kept.push(rel(path));
    };
    const userFile = async (path: string, content: () => string) => {
      if (await exists(path)) result.kept.push(rel(path));
      else {
        await writeFileAtomic(path, content(), inside);
        result.created.push(rel(path));
      }
    };
    await owned(paths.gitignore, BR_GITIGNORE);
    await ignoreTempFiles(root, result);
    await userFile(paths.features, () => serializeFeatures(emptyFeaturesFile(name, now)));
    await userFile(paths.config, () => configTemplate(name));
    // Governance rules with their checksum; an existing governance.yaml is never touched.
    if (!(await exists(paths.governance))) {
      const { DEFAULT_GOVERNANCE_YAML, governanceChecksum } = await import("../quality/mod.ts");
      await userFile(paths.governance, () => DEFAULT_GOVERNANCE_YAML);
      await userFile(
        paths.governanceSum,
        () => `${governanceChecksum(DEFAULT_GOVERNANCE_YAML)}  governance.yaml\n`,
      );
    } else result.kept.push(rel(paths.governance));
    await Deno.mkdir(paths.context, { recursive: true });
    const { parseFeaturesText } = await import("../features/mod.ts");
    const features = await parseFeaturesText(
      (await readOwnTextOrNull(paths.features, rel(paths.features)))!,
      rel(paths.features),
    );
    await owned(paths.status, renderStatusMarkdown(features));
  });
  return result;
}

/** The lines `br init` and `br attach` add to the root `.gitignore`. */
export const TEMP_FILES_IGNORE = `# Temp files of interrupted BuildRunner writes
${TEMP_FILE_GLOB}
`;

/**
 * Makes the root `.gitignore` ignore the temp files of br's atomic writes (in every folder),
 * adding {@link TEMP_FILES_IGNORE} once and keeping every other line.
 */
async function ignoreTempFiles(root: string, result: SetupResult): Promise<void> {
  const path = join(root, ".gitignore");
  const current = await readOwnTextOrNull(path, '".gitignore"');
  if (current?.split(/\r?\n/).some((line) => line.trim() === TEMP_FILE_GLOB)) {
    result.kept.push(".gitignore");
    return;
  }
  const before = current === null || current === "" || current.endsWith("\n")
    ? current ?? ""
    : `${current}\n`;
  await writeFileAtomic(path, before + TEMP_FILES_IGNORE, { linksWithin: root });
  (current === null ? result.created : result.updated).push(".gitignore");
}

function configTemplate(name: string): string {
  return `# BuildRunner project settings.
# "br config list" shows every key with its value and where it comes from;
# "br config set <key> <value>" changes one and keeps this file's comments.
project:
  name: ${JSON.stringify(name)}
`;
}
