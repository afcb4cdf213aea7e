import { resolve } from "../core/path.ts";
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
  // gitleaks: "AND" or "&&", "OR", "||" or nothing, in any case
  const raw = String(spec.condition ?? "").toUpperCase();
  const condition = raw === "AND" || raw === "&&"
    ? "AND"
    : raw === "" || raw === "OR" || raw === "||"
    ? "OR"
    : null;
  if (!condition) {
    throw new BrError("invalid_data", `Rule "${ruleId}": allowlist condition "${spec.condition}"`, {
      hint: 'use "OR" or "AND"',
    });
  }
  const target = spec.regexTarget || "secret";
  if (!["secret", "match", "line"].includes(target)) {
    throw new BrError("invalid_data", `Rule "${ruleId}": unknown regexTarget "${target}"`, {
      hint: 'use "secret", "match" or "line"',
    });
  }
  if (
    !spec.regexes?.length && !spec.paths?.length && !spec.stopwords?.length &&
    !spec.commits?.length
  ) {
    throw new BrError("invalid_data", `Rule "${ruleId}": an allowlist checks nothing`, {
      hint: "give it commits, paths, regexes or stopwords",
    });
  }
  return {
    condition,
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
  if (!id || typeof id !== "string" || !id.trim()) {
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
    required: (spec.required ?? []).map((r) => ({
      id: r.id,
      withinLines: typeof r.withinLines === "number" ? r.withinLines : null,
      withinColumns: typeof r.withinColumns === "number" ? r.withinColumns : null,
    })),
    skipReport: spec.skipReport === true,
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
  } else if (source) {
    rule.regex = compile(source, id, true);
    // gitleaks: a secretGroup the regex does not have is an error, not an empty secret
    const groups = new RegExp(`${rule.regex.source}|`, rule.regex.flags.replace("g", "")).exec("")!
      .length - 1;
    if (rule.secretGroup > groups) {
      throw new BrError(
        "invalid_data",
        `Rule "${id}": secretGroup ${rule.secretGroup} but the regex has ${groups} groups`,
        { hint: `use a secretGroup from 0 to ${groups}` },
      );
    }
  }
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

/** True when `set` is {@link builtinSecretRules}'s (the built-in rules as shipped). */
export function isBuiltinSecretRules(set: SecretRuleSet): boolean {
  return set === builtin;
}

/** A gitleaks configuration file, read with what it extends (gitleaks' semantics). */
export interface SecretRulesFile {
  /**
   * The rules after `[extend]`: this file's rules in file order, a rule of an extended
   * configuration with the same id merged into it, then the extended configuration's other
   * rules (less `disabledRules`); `[[allowlists]]` with `targetRules` added to their rules.
   */
  rules: SecretRuleSpec[];
  /** Global allowlists (`[allowlist]` and `[[allowlists]]` without `targetRules`), all files. */
  allowlists: SecretAllowlistSpec[];
  /** Whether this file's `[extend] useDefault` is true. */
  useDefault: boolean;
  /** This file's `[extend] disabledRules`. */
  disabledRules: string[];
}

/** Options of {@link readSecretRulesFile} and {@link loadSecretRules}. */
export interface SecretRulesOptions {
  /** The folder a relative `[extend] path` is read from (gitleaks: the working directory). */
  cwd?: string;
  /** Whether `[extend] useDefault` extends the built-in rules (default true; false: nothing). */
  builtin?: boolean;
}

/** gitleaks extends at most two levels deep; a deeper `[extend]` is not read (as gitleaks). */
const MAX_EXTEND_DEPTH = 2;

interface Loaded {
  /** Rules by id, in order. */
  rules: Map<string, SecretRuleSpec>;
  allowlists: SecretAllowlistSpec[];
  /** Allowlists with `targetRules`, by rule id (applied once everything is extended). */
  targeted: Map<string, SecretAllowlistSpec[]>;
}

function table(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `[x]` and `[[xs]]` of a table: gitleaks refuses both at once. */
function allowlistsOf(
  raw: Record<string, unknown>,
  single: string,
  many: string,
  where: string,
): SecretAllowlistSpec[] {
  const one = raw[single];
  const list = raw[many];
  if (one !== undefined && list !== undefined) {
    throw new BrError(
      "invalid_data",
      `${where}: [${single}] cannot be used alongside [[${many}]]`,
      {
        hint: `move the [${single}] entries into a [[${many}]] table`,
      },
    );
  }
  if (list !== undefined && (!Array.isArray(list) || !list.every(table))) {
    throw new BrError("invalid_data", `${where}: "${many}" must be an array of tables`, {
      hint: `write each one as [[${many}]]`,
    });
  }
  if (one !== undefined && !table(one)) {
    throw new BrError("invalid_data", `${where}: "${single}" must be a table`, {
      hint: `write it as [${single}]`,
    });
  }
  return one ? [one as SecretAllowlistSpec] : ((list ?? []) as SecretAllowlistSpec[]);
}

async function parseRulesFile(path: string): Promise<Record<string, unknown>> {
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
      hint: "check the path (--rules, security.rules_file or [extend] path)",
    });
  }
  const { parse } = await import("smol-toml");
  try {
    return parse(text) as Record<string, unknown>;
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0];
    throw new BrError("invalid_data", `Cannot parse rules file "${path}": ${msg}`, {
      hint: "fix the TOML syntax",
      cause: err,
    });
  }
}

/** The built-in rules as the configuration `[extend] useDefault` extends. */
function defaultConfig(builtin: boolean): Loaded {
  return {
    rules: new Map(builtin ? BUILTIN_SECRET_RULES.map((r) => [r.id, r]) : []),
    allowlists: [],
    targeted: new Map(),
  };
}

/**
 * gitleaks' `extend`: a rule of `base` with the id of one of `into`'s takes the fields `into`
 * sets (description, regex, path, secretGroup, entropy, severity) and appends its keywords,
 * tags and allowlists; the others are added unless disabled; global allowlists append.
 */
function extendWith(into: Loaded, base: Loaded, disabled: ReadonlySet<string>): void {
  for (const [id, baseRule] of base.rules) {
    if (disabled.has(id)) continue;
    const own = into.rules.get(id);
    if (!own) {
      into.rules.set(id, baseRule);
      continue;
    }
    const merged: SecretRuleSpec = {
      ...baseRule,
      description: own.description || baseRule.description,
      regex: own.regex || baseRule.regex,
      path: own.path || baseRule.path,
      secretGroup: own.secretGroup || baseRule.secretGroup,
      entropy: own.entropy || baseRule.entropy,
      severity: own.severity ?? baseRule.severity,
      keywords: [...(baseRule.keywords ?? []), ...(own.keywords ?? [])],
      tags: [...(baseRule.tags ?? []), ...(own.tags ?? [])],
      allowlists: [...(baseRule.allowlists ?? []), ...(own.allowlists ?? [])],
    };
    // A merged rule is the extending file's (where its own fields are written).
    const origin = ORIGIN.get(own);
    if (origin) ORIGIN.set(merged, origin);
    into.rules.set(id, merged);
  }
  into.allowlists.push(...base.allowlists);
  for (const [id, lists] of base.targeted) {
    into.targeted.set(id, [...(into.targeted.get(id) ?? []), ...lists]);
  }
}

async function loadFile(
  path: string,
  depth: number,
  options: Required<SecretRulesOptions>,
): Promise<Loaded & { extend: { useDefault: boolean; disabledRules: string[] } }> {
  const doc = await parseRulesFile(path);
  const where = `Rules file "${path}"`;
  const rawRules = doc.rules ?? [];
  if (!Array.isArray(rawRules) || !rawRules.every(table)) {
    throw new BrError("invalid_data", `${where}: "rules" must be an array of tables`, {
      hint: "write each rule as [[rules]]",
    });
  }
  const rules = new Map<string, SecretRuleSpec>();
  for (const raw of rawRules) {
    const id = raw.id;
    if (typeof id !== "string" || !id.trim()) {
      throw new BrError("invalid_data", `${where}: a rule has no id`, {
        hint: 'give every [[rules]] an "id"',
      });
    }
    const required = raw.required ?? [];
    if (
      !Array.isArray(required) ||
      !required.every((r) => table(r) && typeof r.id === "string" && r.id)
    ) {
      throw new BrError("invalid_data", `${where}: rule "${id}": a [[rules.required]] has no id`, {
        hint: 'give every [[rules.required]] the "id" of a rule of this file',
      });
    }
    const { allowlist: _one, allowlists: _many, ...fields } = raw;
    const spec: SecretRuleSpec = {
      ...(fields as unknown as SecretRuleSpec),
      keywords: Array.isArray(raw.keywords) ? (raw.keywords as string[]) : [],
      allowlists: allowlistsOf(raw, "allowlist", "allowlists", `${where}: rule "${id}"`),
      required: required as SecretRuleSpec["required"],
    };
    ORIGIN.set(spec, path);
    rules.set(id, spec);
  }
  // gitleaks: a required rule is one of the same file
  for (const rule of rules.values()) {
    for (const r of rule.required ?? []) {
      if (!rules.has(r.id)) {
        throw new BrError(
          "invalid_data",
          `${where}: rule "${rule.id}" requires rule "${r.id}", which the file does not have`,
          { hint: "define the required rule in the same file as the composite rule" },
        );
      }
    }
  }
  const loaded: Loaded = { rules, allowlists: [], targeted: new Map() };
  for (const list of allowlistsOf(doc, "allowlist", "allowlists", where)) {
    const targets = list.targetRules ?? [];
    if (!Array.isArray(targets)) {
      throw new BrError("invalid_data", `${where}: "targetRules" must be an array of rule ids`, {
        hint: 'write targetRules = ["rule-id"]',
      });
    }
    const { targetRules: _t, ...spec } = list;
    if (targets.length === 0) loaded.allowlists.push(spec);
    for (const id of targets) loaded.targeted.set(id, [...(loaded.targeted.get(id) ?? []), spec]);
  }
  const extend = table(doc.extend) ? doc.extend : {};
  const useDefault = extend.useDefault === true;
  const disabledRules = Array.isArray(extend.disabledRules) ? extend.disabledRules.map(String) : [];
  const extendPath = typeof extend.path === "string" ? extend.path : "";
  if (depth < MAX_EXTEND_DEPTH && (useDefault || extendPath)) {
    if (useDefault && extendPath) {
      throw new BrError("invalid_data", `${where}: [extend] sets both path and useDefault`, {
        hint: "extend one configuration; the file at path may itself set useDefault",
      });
    }
    const base = useDefault
      ? defaultConfig(options.builtin)
      : await loadFile(resolve(options.cwd, extendPath), depth + 1, options);
    extendWith(loaded, base, new Set(disabledRules));
  }
  return { ...loaded, extend: { useDefault, disabledRules } };
}

/**
 * Reads a gitleaks configuration file the way gitleaks v8 does: `[[rules]]` (id, description,
 * regex, secretGroup, entropy, keywords, path, tags, allowlists, `[[rules.required]]`,
 * skipReport), global `[allowlist]`/`[[allowlists]]` (with `targetRules`: only those rules),
 * and `[extend]` (`useDefault`: the built-in rules; `path`: another file, relative to
 * `options.cwd`; `disabledRules`: rules of the extended configuration left out), rules of the
 * extended configuration merged field by field into this file's rules with the same id.
 *
 * @throws {BrError} `invalid_data` for broken TOML or rules, `not_found` for a missing file.
 */
export async function readSecretRulesFile(
  path: string,
  options: SecretRulesOptions = {},
): Promise<SecretRulesFile> {
  const opts = { cwd: options.cwd ?? Deno.cwd(), builtin: options.builtin ?? true };
  const loaded = await loadFile(resolve(opts.cwd, path), 0, opts);
  for (const [id, lists] of loaded.targeted) {
    const rule = loaded.rules.get(id);
    if (!rule) {
      throw new BrError(
        "invalid_data",
        `Rules file "${path}": [[allowlists]] targets rule "${id}", which does not exist`,
        {
          hint: "fix the id in targetRules (or the rule is in disabledRules)",
        },
      );
    }
    loaded.rules.set(id, { ...rule, allowlists: [...(rule.allowlists ?? []), ...lists] });
  }
  return {
    rules: [...loaded.rules.values()],
    allowlists: loaded.allowlists,
    useDefault: loaded.extend.useDefault,
    disabledRules: loaded.extend.disabledRules,
  };
}

/**
 * Builds a rule set: without a rules file, the built-in rules (none when `builtin` is false);
 * with one, the rules gitleaks would use with it ({@link readSecretRulesFile}): the built-in
 * rules only through `[extend] useDefault = true`. With `keepBuiltin` (a project's own rules
 * file), every built-in rule applies as shipped whatever the file says (only the allowlists it
 * adds to a built-in rule apply), and `builtin: false` is ignored. Built-in rules a file left untouched are
 * compiled when first needed, like {@link builtinSecretRules}.
 */
export async function loadSecretRules(
  options: { rulesFile?: string | null; keepBuiltin?: boolean } & SecretRulesOptions = {},
): Promise<SecretRuleSet> {
  if (!options.rulesFile) {
    return options.builtin === false && !options.keepBuiltin
      ? compileSecretRules([])
      : builtinSecretRules();
  }
  const file = await readSecretRulesFile(options.rulesFile, options);
  let specs = file.rules;
  if (options.keepBuiltin) {
    // A project's own file cannot switch off or weaken the built-in rules (the secret gate):
    // each applies as shipped, with the allowlists the file adds to it.
    const byId = new Map(specs.map((r) => [r.id, r]));
    const builtinIds = new Set(BUILTIN_SECRET_RULES.map((r) => r.id));
    specs = [
      ...BUILTIN_SECRET_RULES.map((b) => {
        const own = byId.get(b.id);
        if (!own || own === b) return b;
        const kept: SecretRuleSpec = { ...b, allowlists: own.allowlists ?? b.allowlists };
        ORIGIN.set(kept, "builtin");
        return kept;
      }),
      ...specs.filter((r) => !builtinIds.has(r.id)),
    ];
  }
  const untouched = new Set<SecretRuleSpec>(BUILTIN_SECRET_RULES);
  const rules = specs.map((spec) => compileSecretRule(spec, { lazy: untouched.has(spec) }));
  rules.sort((a, b) => Number(a.generic) - Number(b.generic));
  return {
    rules,
    allowlists: file.allowlists.map((a) => compileAllowlist(a, "global allowlist")),
  };
}
