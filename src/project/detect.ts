import { extname, join } from "node:path";
import { readTextOrNull } from "../core/fs.ts";
import { SKIP_DIRS } from "../core/walk.ts";

/** What `br attach` finds out about a repository. */
export interface Detection {
  /** Languages by number of source files, most first. */
  languages: string[];
  /** Package managers in use. */
  package_managers: string[];
  /** The command that runs the tests, if one is evident. */
  test_command: string | null;
}

const LANGUAGE_BY_EXT: Record<string, string> = {
  ".ts": "typescript",
  ".tsx": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".js": "javascript",
  ".jsx": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".py": "python",
  ".go": "go",
  ".rs": "rust",
  ".rb": "ruby",
  ".java": "java",
  ".kt": "kotlin",
  ".swift": "swift",
  ".php": "php",
  ".cs": "csharp",
  ".c": "c",
  ".h": "c",
  ".cpp": "cpp",
  ".cc": "cpp",
  ".hpp": "cpp",
  ".scala": "scala",
  ".ex": "elixir",
  ".exs": "elixir",
  ".dart": "dart",
  ".lua": "lua",
  ".sh": "shell",
};

/** Folders no tree walker of `br` enters (see src/core/walk.ts). */
export { SKIP_DIRS } from "../core/walk.ts";

/** Detects languages, package managers and the test command of the repository at `root`. */
export async function detectProject(root: string, maxFiles = 20_000): Promise<Detection> {
  const counts = new Map<string, number>();
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 8 || seen >= maxFiles) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [];
      for await (const e of Deno.readDir(dir)) entries.push(e);
    } catch {
      return;
    }
    for (const e of entries) {
      if (seen >= maxFiles) return;
      if (e.isDirectory) {
        if (!SKIP_DIRS.has(e.name)) await walk(join(dir, e.name), depth + 1);
      } else if (e.isFile) {
        seen++;
        const lang = LANGUAGE_BY_EXT[extname(e.name).toLowerCase()];
        if (lang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
      }
    }
  };
  await walk(root, 0);
  const languages = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([l]) =>
    l
  );

  const has = async (name: string) => (await readTextOrNull(join(root, name))) !== null;
  const managers: string[] = [];
  const pkgText = await readTextOrNull(join(root, "package.json"));
  let jsManager: string | null = null;
  if (pkgText !== null) {
    let pkg: { packageManager?: string } = {};
    try {
      pkg = JSON.parse(pkgText);
    } catch { /* a broken package.json is the project's business */ }
    const declared = pkg.packageManager?.split("@")[0];
    jsManager = declared ??
      (await has("pnpm-lock.yaml")
        ? "pnpm"
        : await has("yarn.lock")
        ? "yarn"
        : (await has("bun.lockb")) || (await has("bun.lock"))
        ? "bun"
        : "npm");
    managers.push(jsManager);
  }
  if ((await has("deno.json")) || (await has("deno.jsonc"))) managers.push("deno");
  if (await has("uv.lock")) managers.push("uv");
  else if (await has("poetry.lock")) managers.push("poetry");
  else if (await has("Pipfile")) managers.push("pipenv");
  else if ((await has("requirements.txt")) || (await has("pyproject.toml"))) managers.push("pip");
  if (await has("go.mod")) managers.push("go");
  if (await has("Cargo.toml")) managers.push("cargo");
  if (await has("Gemfile")) managers.push("bundler");
  if (await has("composer.json")) managers.push("composer");
  if (await has("pom.xml")) managers.push("maven");
  if ((await has("build.gradle")) || (await has("build.gradle.kts"))) managers.push("gradle");

  return {
    languages,
    package_managers: managers,
    test_command: await testCommand(root, jsManager),
  };
}

async function testCommand(root: string, jsManager: string | null): Promise<string | null> {
  const read = (name: string) => readTextOrNull(join(root, name));
  const pkgText = await read("package.json");
  if (pkgText !== null && jsManager) {
    try {
      const pkg = JSON.parse(pkgText) as { scripts?: Record<string, string> };
      const test = pkg.scripts?.test;
      if (test && !/no test specified/.test(test)) {
        return jsManager === "npm" ? "npm test" : `${jsManager} test`;
      }
    } catch { /* ignore */ }
  }
  for (const name of ["deno.json", "deno.jsonc"]) {
    const text = await read(name);
    if (text === null) continue;
    if (/"test"\s*:/.test(text)) return "deno task test";
    return "deno test";
  }
  const pyproject = await read("pyproject.toml");
  if (
    pyproject !== null || (await read("pytest.ini")) !== null || (await read("setup.cfg")) !== null
  ) {
    if (pyproject?.includes("[tool.poetry")) return "poetry run pytest";
    if ((await read("uv.lock")) !== null) return "uv run pytest";
    return "pytest";
  }
  if ((await read("requirements.txt")) !== null) return "pytest";
  if ((await read("go.mod")) !== null) return "go test ./...";
  if ((await read("Cargo.toml")) !== null) return "cargo test";
  const makefile = await read("Makefile");
  if (makefile !== null && /^test:/m.test(makefile)) return "make test";
  if ((await read("Gemfile")) !== null) return "bundle exec rspec";
  if ((await read("pom.xml")) !== null) return "mvn test";
  return null;
}
