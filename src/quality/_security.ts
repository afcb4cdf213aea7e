import type { Project } from "../core/project.ts";
import type { ReadOnce } from "../core/read_once.ts";
import { analysisCacheLocation, SignedCache } from "./_analysis_cache.ts";
import { scanSecrets } from "../security/engine.ts";
import { builtinSecretRules } from "../security/rules.ts";
import { scanPaths } from "../security/scan.ts";
import type { SecurityFinding as Finding } from "../security/types.ts";

/** One line per finding: place, rule and the masked secret (never the raw value). */
export function findingLine(f: Finding): string {
  const what = f.secret_masked ? `${f.rule} ${f.secret_masked}` : `${f.rule}: ${f.message}`;
  return `${f.file}:${f.line}:${f.column} ${what}`;
}

/**
 * `text` (a line that quotes source code) with each secret the built-in rules find replaced
 * by its mask: the token from where it starts to the next space or quote.
 */
export function maskedExcerpt(text: string, file: string): string {
  const found = scanSecrets(text, file, builtinSecretRules()).filter((f) => f.line === 1)
    .sort((a, b) => b.column - a.column);
  let out = text;
  for (const f of found) {
    const start = f.column - 1;
    const length = out.slice(start).search(/[\s"'`]|$/);
    out = out.slice(0, start) + (f.secret_masked ?? "********") + out.slice(start + length);
  }
  return out;
}

/**
 * Secret and SQL-injection findings of the tree at `root` that the baseline does not accept.
 * The (masked) findings of each file content are kept in `.buildrunner/cache/security.json`,
 * signed like the analysis cache, so an unchanged file is not scanned again. The files read
 * are handed on to `reads` (for the analysis of the same tree).
 */
export async function newSecurityFindings(
  project: Project,
  root: string,
  emit: boolean,
  reads?: ReadOnce,
): Promise<Finding[]> {
  const location = analysisCacheLocation(root, project.env);
  const cache = location ? await SignedCache.open<Finding[]>(location, "security.json") : null;
  const report = await scanPaths(project, [root], {
    emit,
    cache: cache ?? undefined,
    reads: cache ? reads : undefined,
  });
  await cache?.save();
  return report.new_findings;
}

/** The security gate: no new secret or SQL-injection finding in the tree. */
export async function securityGate(
  findings: Promise<Finding[]>,
): Promise<
  { passed: boolean; summary: string; counts: Record<string, number>; items: string[] }
> {
  const found = await findings;
  const secrets = found.filter((f) => f.kind === "secret").length;
  return {
    passed: found.length === 0,
    summary: found.length === 0
      ? "no new findings"
      : `${secrets} secrets, ${found.length - secrets} SQL injections (first: ${
        findingLine(found[0])
      })`,
    counts: { findings: found.length, secrets, sql: found.length - secrets },
    items: found.map(findingLine),
  };
}
