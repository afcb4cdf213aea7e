import { dirname, resolve } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { readOwnTextOrNull } from "../core/fs.ts";
import { translateRe2 } from "./re2.ts";
import { BUILTIN_SECRET_RULES } from "./rules_builtin.ts";
import type {
  SecretAllowlist,
  SecretAllowlistSpec,
  SecretRule,
  SecretRuleSet,
  SecretRuleSpec,
  SecuritySeverity,
} from "./types.ts";

const SEVERITIES: readonly SecuritySeverity[] = ["critical", "high", "medium", "low"];

/** The built-in specs (their rules get `origin: "builtin"`). */
const BUILTIN_SPECS: ReadonlySet<SecretRuleSpec> = new Set(BUILTIN_SECRET_RULES);
/** The rules file each spec read from a file comes from. */
const ORIGIN = new WeakMap<SecretRuleSpec, string>();

function compile(pattern: string, ruleId: string, global = false): RegExp {
  const t = translateRe2(pattern, ruleId);
  return new RegExp(t.source, t.flags + (global ? "g" : ""));
}

function compileAllowlist(spec: SecretAllowlistSpec, ruleId: string): SecretAllowlist {
  const condition = String(spec.condition ?? "OR").toUpperCase();
  if (condition !== "OR" && condition !== "AND") {
    throw new BrError("invalid_data", `Rule "${ruleId}": allowlist condition "${condition}"`, {
      hint: 'use "OR" or "AND"',
    });
  }
  const target = spec.regexTarget ?? "secret";
  if (!["secret", "match", "line"].includes(target)) {
    throw new BrError("invalid_data", `Rule "${ruleId}": unknown regexTarget "${target}"`, {
      hint: 'use "secret", "match" or "line"',
    });
  }
  return {
    condition: condition as "OR" | "AND",
    regexTarget: target,
    regexes: (spec.regexes ?? []).map((r) => compile(r, ruleId)),
    paths: (spec.paths ?? []).map((r) => compile(r, ruleId)),
    stopwords: (spec.stopwords ?? []).map((s) => s.toLowerCase()),
    commits: spec.commits ?? [],
  };
}

/**
 * Compiles one rule (RE2 patterns translated to JavaScript). With `lazy`, the regex of a rule
 * with keywords is translated on first use instead (for rules known to compile).
 *
 * @throws {BrError} `invalid_data` naming the rule when a pattern cannot be translated.
 */
export function compileSecretRule(
  spec: SecretRuleSpec,
  options: { lazy?: boolean; origin?: string } = {},
): SecretRule {
  const id = spec.id;
  if (!id || typeof id !== "string") {
    throw new BrError("invalid_data", "A rule has no id", { hint: 'give every rule an "id"' });
  }
  if (!spec.regex && !spec.path) {
    throw new BrError("invalid_data", `Rule "${id}" has neither regex nor path`, {
      hint: "a rule needs a regex, a path, or both",
    });
  }
  const severity = spec.severity ?? "high";
  if (!SEVERITIES.includes(severity)) {
    throw new BrError("invalid_data", `Rule "${id}": unknown severity "${severity}"`, {
      hint: `use one of ${SEVERITIES.join(", ")}`,
    });
  }
  const rule: SecretRule = {
    id,
    description: spec.description ?? id,
    source: spec.regex ?? null,
    regex: null,
    secretGroup: spec.secretGroup ?? 0,
    entropy: spec.entropy ?? null,
    keywords: (spec.keywords ?? []).map((k) => k.toLowerCase()),
    path: spec.path && !(options.lazy && spec.regex && spec.keywords?.length)
      ? compile(spec.path, id)
      : null,
    severity,
    generic: (spec.tags ?? []).includes("generic"),
    allowlists: options.lazy && spec.regex && spec.keywords?.length
      ? []
      : (spec.allowlists ?? []).map((a) => compileAllowlist(a, id)),
    origin: options.origin ?? ORIGIN.get(spec) ?? (BUILTIN_SPECS.has(spec) ? "builtin" : "custom"),
  };
  const source = spec.regex;
  if (source && options.lazy && rule.keywords.length) {
    // Translated and compiled when a file first holds one of its keywords (a commit of a
    // few files needs a few of the rules), its allowlists when it first finds something,
    // its path filter when a file first holds a keyword.
    let regex: RegExp | undefined;
    let allowlists: SecretAllowlist[] | undefined;
    let path: RegExp | null | undefined;
    Object.defineProperties(rule, {
      regex: { get: () => regex ??= compile(source, id, true), enumerable: true },
      path: {
        get: () => path === undefined ? (path = spec.path ? compile(spec.path, id) : null) : path,
        enumerable: true,
      },
      allowlists: {
        get: () => allowlists ??= (spec.allowlists ?? []).map((a) => compileAllowlist(a, id)),
        enumerable: true,
      },
    });
  } else if (source) rule.regex = compile(source, id, true);
  return rule;
}

/** Compiles rule specs and global allowlists into a {@link SecretRuleSet} (generic rules last). */
export function compileSecretRules(
  specs: readonly SecretRuleSpec[],
  allowlists: readonly SecretAllowlistSpec[] = [],
  options: { lazy?: boolean } = {},
): SecretRuleSet {
  const rules = specs.map((spec) => compileSecretRule(spec, options));
  rules.sort((a, b) => Number(a.generic) - Number(b.generic));
  return { rules, allowlists: allowlists.map((a) => compileAllowlist(a, "global allowlist")) };
}

let builtin: SecretRuleSet | null = null;

/**
 * The built-in rule set (once per process; each rule's regex is compiled when first needed:
 * the rules are known to compile, `rules_test.ts` runs every one).
 */
export function builtinSecretRules(): SecretRuleSet {
  return builtin ??= compileSecretRules(BUILTIN_SECRET_RULES, [], { lazy: true });
}

/** A parsed gitleaks configuration file. */
export interface SecretRulesFile {
  /** Rules, in file order. */
  rules: SecretRuleSpec[];
  /** Global allowlists (`[allowlist]` and `[[allowlists]]`). */
  allowlists: SecretAllowlistSpec[];
  /** Whether `[extend] useDefault = true` was set. */
  useDefault: boolean;
  /** SecretRule ids disabled by `[extend] disabledRules`. */
  disabledRules: string[];
}

function asAllowlists(raw: unknown, single: unknown): SecretAllowlistSpec[] {
  const out: SecretAllowlistSpec[] = [];
  if (single && typeof single === "object") out.push(single as SecretAllowlistSpec);
  if (Array.isArray(raw)) out.push(...(raw as SecretAllowlistSpec[]));
  return out;
}

/**
 * Reads a gitleaks-format TOML file: `[[rules]]` (id, description, regex, secretGroup,
 * entropy, keywords, path, tags, allowlists), global allowlists and `[extend]` (`path` to a
 * base file whose rules this one overrides by id, `useDefault`, `disabledRules`).
 *
 * @throws {BrError} `invalid_data` for broken TOML or rules, `not_found` for a missing file.
 */
export async function readSecretRulesFile(path: string, depth = 0): Promise<SecretRulesFile> {
  // Strict UTF-8: a rule is not silently read with replacement characters.
  let text: string | null;
  try {
    text = await readOwnTextOrNull(path, `rules file "${path}"`);
  } catch (err) {
    if (err instanceof BrError && err.code === "invalid_data") throw err;
    text = null;
  }
  if (text === null) {
    throw new BrError("not_found", `Cannot read rules file "${path}"`, {
      hint: "check security.rules_file in .buildrunner/config.yaml",
    });
  }
  const { parse } = await import("smol-toml");
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    throw new BrError("invalid_data", `Cannot parse rules file "${path}": ${msg}`, {
      hint: "fix the TOML syntax",
      cause: err,
    });
  }
  const extend = (doc.extend ?? {}) as {
    path?: string;
    useDefault?: boolean;
    disabledRules?: string[];
  };
  const rawRules = (doc.rules ?? []) as Record<string, unknown>[];
  if (!Array.isArray(rawRules)) {
    throw new BrError("invalid_data", `"rules" in "${path}" must be an array of tables`, {
      hint: "write each rule as [[rules]]",
    });
  }
  const rules: SecretRuleSpec[] = rawRules.map((r) => {
    const spec = {
      ...(r as unknown as SecretRuleSpec),
      allowlists: asAllowlists(r.allowlists, r.allowlist),
    };
    ORIGIN.set(spec, path);
    return spec;
  });
  let result: SecretRulesFile = {
    rules,
    allowlists: asAllowlists(doc.allowlists, doc.allowlist),
    useDefault: extend.useDefault === true,
    disabledRules: extend.disabledRules ?? [],
  };
  if (extend.path) {
    if (depth > 4) {
      throw new BrError("invalid_data", `Rules file "${path}" extends too deeply`, {
        hint: "[extend] chains are limited to 5 files",
      });
    }
    const base = await readSecretRulesFile(resolve(dirname(path), extend.path), depth + 1);
    const ids = new Set(rules.map((r) => r.id));
    result = {
      rules: [...base.rules.filter((r) => !ids.has(r.id)), ...rules],
      allowlists: [...base.allowlists, ...result.allowlists],
      useDefault: result.useDefault || base.useDefault,
      disabledRules: [...base.disabledRules, ...result.disabledRules],
    };
  }
  return result;
}

/**
 * Builds the rule set of a project: the built-in rules (unless `builtin` is false) plus the
 * rules of a gitleaks-format file; a user rule with a built-in id replaces it, and
 * `[extend] disabledRules` removes rules by id.
 */
export async function loadSecretRules(
  options: { rulesFile?: string | null; builtin?: boolean } = {},
): Promise<SecretRuleSet> {
  if (!options.rulesFile) {
    return options.builtin === false ? compileSecretRules([]) : builtinSecretRules();
  }
  const file = await readSecretRulesFile(options.rulesFile);
  const userIds = new Set(file.rules.map((r) => r.id));
  const disabled = new Set(file.disabledRules);
  const base = options.builtin === false
    ? []
    : BUILTIN_SECRET_RULES.filter((r) => !userIds.has(r.id));
  const specs = [...base, ...file.rules].filter((r) => !disabled.has(r.id));
  return compileSecretRules(specs, file.allowlists);
}
