/**
 * Folders no tree walker of `br` (attach detection, gaps, quality, secrets, routing) enters:
 * version control, `br`'s own state (its task worktrees included), and vendored or generated
 * code.
 */
export const SKIP_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".buildrunner",
  ...vendored(),
]);

/** The vendored or generated folders of {@link SKIP_DIRS} (counted as "vendored" by scans). */
export const VENDORED_DIRS: ReadonlySet<string> = new Set(vendored());

function vendored(): string[] {
  return [
    "node_modules",
    "vendor",
    "dist",
    "build",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".next",
    ".nuxt",
    "coverage",
    ".cache",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "third_party",
  ];
}
