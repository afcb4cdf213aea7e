/**
 * SARIF checks shared by the tests of br's SARIF producers: the SARIF 2.1.0 JSON schema (ajv),
 * then what GitHub code scanning's ingestion wants beyond the schema
 * (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
 */
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import sarifSchema from "./fixtures/sarif-schema-2.1.0.json" with { type: "json" };

// Both packages are CommonJS: their default export arrives wrapped.
const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

let compiled: ((log: unknown) => boolean) & { errors?: unknown } | null = null;

/** The schema errors of `log` (empty: valid SARIF 2.1.0). */
export function sarifSchemaErrors(log: unknown): unknown[] {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    compiled = ajv.compile(sarifSchema);
  }
  return compiled(log) ? [] : (compiled.errors as unknown[]) ?? ["invalid"];
}

// RFC 3986 characters of a path, anything else percent-encoded
const ENCODED_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+$/;

// GitHub's upload limits
const LIMITS = { runs: 20, results: 25_000, rules: 25_000, locations: 1_000, tags: 20 };

type Obj = Record<string, unknown>;
const text = (v: unknown) =>
  typeof (v as Obj | undefined)?.text === "string" && (v as Obj).text !== "";

/**
 * What GitHub code scanning would refuse or misread in `log`, one line each (empty: none):
 * relative percent-encoded artifact URIs with a `uriBaseId`, `partialFingerprints` on every
 * result, `shortDescription`, `fullDescription` and `help` on every rule, and the limits.
 */
export function githubSarifProblems(sarif: unknown): string[] {
  const log = sarif as Obj;
  const out: string[] = [];
  const runs = log.runs as Obj[];
  if (runs.length > LIMITS.runs) out.push(`${runs.length} runs`);
  for (const run of runs) {
    const driver = (run.tool as Obj).driver as Obj;
    const rules = (driver.rules ?? []) as Obj[];
    const results = run.results as Obj[];
    if (rules.length > LIMITS.rules) out.push(`${rules.length} rules`);
    if (results.length > LIMITS.results) out.push(`${results.length} results`);
    for (const rule of rules) {
      for (const key of ["shortDescription", "fullDescription", "help"]) {
        if (!text(rule[key])) out.push(`rule ${rule.id}: no ${key}.text`);
      }
      const tags = ((rule.properties as Obj | undefined)?.tags ?? []) as string[];
      if (tags.length > LIMITS.tags) out.push(`rule ${rule.id}: ${tags.length} tags`);
    }
    for (const [i, result] of results.entries()) {
      const fp = result.partialFingerprints as Obj | undefined;
      if (!fp || Object.keys(fp).length === 0) out.push(`result ${i}: no partialFingerprints`);
      const locations = (result.locations ?? []) as Obj[];
      if (locations.length > LIMITS.locations) {
        out.push(`result ${i}: ${locations.length} locations`);
      }
      for (const loc of locations) {
        const artifact = (loc.physicalLocation as Obj).artifactLocation as Obj;
        const uri = artifact.uri as string;
        if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith("/")) {
          out.push(`result ${i}: URI "${uri}" is not relative`);
        }
        if (!ENCODED_PATH.test(uri)) out.push(`result ${i}: URI "${uri}" is not percent-encoded`);
        if (typeof artifact.uriBaseId !== "string") out.push(`result ${i}: no uriBaseId`);
      }
    }
  }
  return out;
}

/** The repo-relative path of an encoded artifact URI. */
export function pathOfUri(uri: string): string {
  return uri.split("/").map(decodeURIComponent).join("/");
}
