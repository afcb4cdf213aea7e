// The project's own checkers, run when its manifests or config files say it has them:
// `deno lint`/`deno check` (deno.json), ESLint, `tsc --noEmit` and Prettier (package.json or
// their config files), Ruff, mypy and Black (pyproject.toml, ruff.toml, mypy.ini,
// setup.cfg). Only counts and names leave this module, never a line of their output (it can
// quote source code). A tool the project uses that cannot be found is reported as missing.
import { basename, join } from "../core/path.ts";
import { readTextOrNull } from "../core/fs.ts";
import { type AnalysisCacheLocation, sha256, SignedCache } from "./_analysis_cache.ts";

/** The outcome of one tool. */
export interface ToolResult {
  /** Its name (`deno lint`, `eslint`, `tsc`, `prettier`, `ruff`, `mypy`, `black`, `deno check`). */
  name: string;
  /** passed: no problem; failed: problems; error: it failed without a result we could read. */
  status: "passed" | "failed" | "error";
  /** Problems it reported. */
  problems: number;
  /** 0–100: 100 without problems, 10 less per problem, 0 for an error. */
  score: number;
}

/** What {@link runProjectTools} found. */
export interface ToolsReport {
  /** The tools that ran, by name. */
  ran: ToolResult[];
  /** Tools the project uses (by its manifests or config) that could not be found. */
  missing: string[];
}

interface Tool {
  name: string;
  /** The program (absolute path), or null when it is missing. */
  bin: string | null;
  args: string[];
  /** Problems in the output; null when the output cannot be read. */
  count: (stdout: string, stderr: string) => number | null;
}

function isExecutable(path: string): boolean {
  try {
    const s = Deno.statSync(path);
    return s.isFile && ((s.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

function onPath(name: string, env: Record<string, string | undefined>): string | null {
  for (const dir of (env.PATH ?? "").split(":")) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

function denoBin(env: Record<string, string | undefined>): string | null {
  const self = Deno.execPath();
  return /^deno(\.exe)?$/.test(basename(self)) ? self : onPath("deno", env);
}

const lines = (re: RegExp) => (out: string, err: string) =>
  (out + "\n" + err).split("\n").filter((l) => re.test(l)).length;

function jsonCount(read: (data: unknown) => number): (out: string) => number | null {
  return (out) => {
    try {
      return read(JSON.parse(out));
    } catch {
      return null;
    }
  };
}

/** The tools the tree at `root` uses, each with its program or null (missing). */
export async function detectTools(
  root: string,
  env: Record<string, string | undefined>,
): Promise<Tool[]> {
  // The root's names are listed once: most config files looked for are missing, and a read of
  // a missing file costs an exception.
  let names: Set<string> | null = null;
  try {
    names = new Set([...Deno.readDirSync(root)].map((e) => e.name.toLowerCase()));
  } catch {
    names = null;
  }
  const text = (rel: string) =>
    names && !rel.includes("/") && !names.has(rel.toLowerCase())
      ? Promise.resolve(null)
      : readTextOrNull(join(root, rel)).catch(() => null);
  const has = async (...rels: string[]) => {
    for (const r of rels) if ((await text(r)) !== null) return true;
    return false;
  };
  const tools: Tool[] = [];
  if (await has("deno.json", "deno.jsonc")) {
    const deno = denoBin(env);
    tools.push({
      name: "deno lint",
      bin: deno,
      args: ["lint", "--json"],
      count: jsonCount((d) => {
        const r = d as { diagnostics: unknown[]; errors: unknown[] };
        return r.diagnostics.length + r.errors.length;
      }),
    });
    tools.push({
      name: "deno check",
      bin: deno,
      args: ["check", "--quiet"],
      count: (out, err) => {
        const n = lines(/^TS\d+ \[ERROR\]/)(out, err);
        return n > 0 || !/^error: /m.test(err) ? n : null;
      },
    });
  }
  const pkgText = await text("package.json");
  let deps: Record<string, unknown> = {};
  if (pkgText !== null) {
    try {
      const pkg = JSON.parse(pkgText);
      deps = { ...pkg?.dependencies, ...pkg?.devDependencies };
    } catch {
      // Not a manifest we can read: no npm tools are assumed.
    }
  }
  const npmBin = (name: string) => {
    const p = join(root, "node_modules", ".bin", name);
    return isExecutable(p) ? p : null;
  };
  const eslintConfigs = ["eslint.config.js", "eslint.config.mjs", "eslint.config.cjs"]
    .concat(["eslint.config.ts", ".eslintrc", ".eslintrc.json", ".eslintrc.js", ".eslintrc.cjs"])
    .concat([".eslintrc.yml", ".eslintrc.yaml"]);
  if ("eslint" in deps || await has(...eslintConfigs)) {
    tools.push({
      name: "eslint",
      bin: npmBin("eslint"),
      args: ["--format", "json", "."],
      count: jsonCount((d) =>
        (d as { errorCount: number; warningCount: number }[])
          .reduce((n, f) => n + f.errorCount + f.warningCount, 0)
      ),
    });
  }
  if ("typescript" in deps && await has("tsconfig.json")) {
    tools.push({
      name: "tsc",
      bin: npmBin("tsc"),
      args: ["--noEmit", "-p", "."],
      count: lines(/error TS\d+:/),
    });
  }
  const prettierConfigs = [".prettierrc", ".prettierrc.json", ".prettierrc.yaml"]
    .concat([".prettierrc.yml", ".prettierrc.js", "prettier.config.js", "prettier.config.mjs"]);
  if ("prettier" in deps || await has(...prettierConfigs)) {
    tools.push({
      name: "prettier",
      bin: npmBin("prettier"),
      args: ["--check", "."],
      count: lines(/^\[warn\] (?!Code style issues)/),
    });
  }
  const pyproject = (await text("pyproject.toml")) ?? "";
  const setupCfg = (await text("setup.cfg")) ?? "";
  const pyBin = (name: string) => {
    const venv = join(root, ".venv", "bin", name);
    return isExecutable(venv) ? venv : onPath(name, env);
  };
  if (/^\[tool\.ruff/m.test(pyproject) || await has("ruff.toml", ".ruff.toml")) {
    tools.push({
      name: "ruff",
      bin: pyBin("ruff"),
      args: ["check", "--output-format", "json", "."],
      count: jsonCount((d) => (d as unknown[]).length),
    });
  }
  if (/^\[tool\.mypy/m.test(pyproject) || /^\[mypy\]/m.test(setupCfg) || await has("mypy.ini")) {
    tools.push({ name: "mypy", bin: pyBin("mypy"), args: ["."], count: lines(/: error: /) });
  }
  if (/^\[tool\.black/m.test(pyproject)) {
    tools.push({
      name: "black",
      bin: pyBin("black"),
      args: ["--check", "."],
      count: lines(/^would reformat /),
    });
  }
  return tools;
}

/** Longest a tool may run. */
const TIMEOUT_MS = 300_000;

/** Options of {@link runProjectTools}. */
export interface RunToolsOptions {
  /** Where results are cached (see _analysis_cache.ts), or none. */
  cache?: AnalysisCacheLocation | null;
  /** The tree's files (relative): their contents key the cached results. */
  files?: readonly string[];
}

/** Files larger than this key the cache by size and modification time, not content. */
const HASH_MAX_BYTES = 4 * 1024 * 1024;

/** A hash of the tree's files: each path with the SHA-256 of its content. */
async function inputsHash(root: string, files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    [...files].sort().map(async (rel) => {
      const abs = join(root, rel);
      try {
        const s = Deno.statSync(abs);
        if (!s.isFile) return `${rel}\0-`;
        if (s.size > HASH_MAX_BYTES) return `${rel}\0${s.size}:${s.mtime?.getTime()}`;
        return `${rel}\0${await sha256(Deno.readFileSync(abs))}`;
      } catch {
        return `${rel}\0?`;
      }
    }),
  );
  return await sha256(parts.join("\n"));
}

/** The program's identity (path, size, modification time): a new version is a new key. */
function binIdentity(bin: string): string {
  try {
    const s = Deno.statSync(bin);
    return `${bin}:${s.size}:${s.mtime?.getTime() ?? 0}`;
  } catch {
    return bin;
  }
}

/**
 * Runs the tools the tree at `root` uses, one after the other, in `root`. A tool that exits
 * with problems fails; one that fails without output we can read is an error (score 0);
 * a missing one is listed and counts for nothing, never as passing. With a cache and the
 * tree's files, a tool whose program and inputs are unchanged is not run again (its result
 * is kept in the signed cache; errors are not kept).
 */
export async function runProjectTools(
  root: string,
  env: Record<string, string | undefined>,
  options: RunToolsOptions = {},
): Promise<ToolsReport> {
  const ran: ToolResult[] = [];
  const missing: string[] = [];
  const tools = await detectTools(root, env);
  const cache = options.cache && options.files && tools.some((t) => t.bin !== null)
    ? await SignedCache.open<ToolResult>(options.cache, "tools.json")
    : null;
  const inputs = cache ? await inputsHash(root, options.files!) : "";
  for (const tool of tools) {
    if (tool.bin === null) {
      missing.push(tool.name);
      continue;
    }
    const key = cache
      ? await sha256(`${tool.name}\0${tool.args.join(" ")}\0${binIdentity(tool.bin)}\0${inputs}`)
      : "";
    const hit = cache?.get(key, (r) => r.name === tool.name);
    if (hit) {
      ran.push(hit);
      continue;
    }
    let code = -1;
    let stdout = "";
    let stderr = "";
    try {
      const out = await new Deno.Command(tool.bin, {
        args: tool.args,
        cwd: root,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).output();
      const dec = new TextDecoder();
      code = out.code;
      stdout = dec.decode(out.stdout);
      stderr = dec.decode(out.stderr);
    } catch {
      code = -1;
    }
    const n = code === -1 ? null : tool.count(stdout, stderr);
    if (n === null || (code !== 0 && n === 0)) {
      ran.push({ name: tool.name, status: "error", problems: 0, score: 0 });
    } else {
      const result: ToolResult = {
        name: tool.name,
        status: n === 0 ? "passed" : "failed",
        problems: n,
        score: Math.max(0, 100 - 10 * n),
      };
      cache?.set(key, result);
      ran.push(result);
    }
  }
  await cache?.save();
  return { ran, missing: missing.sort() };
}
