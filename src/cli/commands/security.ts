import { buildRouteMap, type RouteMap } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { command } from "../define.ts";
import { commonFlags, jsonFlag, projectFlag } from "../output.ts";
import { textArg, textFlag } from "../flags.ts";

const formatFlag = textFlag("Output format: text, json or sarif", "format");
const paths = {
  kind: "array",
  parameter: textArg("Files or folders (default: the whole project)", "path"),
} as const;

function parseCount(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`expected a whole number above 0, got "${raw}"`);
  }
  return n;
}

/** The `br security ...` commands. */
export const securityRoutes: RouteMap<BrContext> = buildRouteMap({
  routes: {
    scan: command({
      load: async () => (await import("./security_run.ts")).scan,
      brief: "Scan files, staged changes or recent commits for secrets and SQL injection",
      description:
        "Exits 10 when a finding is not in .buildrunner/security-baseline.json. Secrets are always masked. Outside a project, scans any folder or git repository and writes nothing.",
      parameters: {
        flags: {
          project: projectFlag,
          json: jsonFlag,
          format: formatFlag,
          staged: { kind: "boolean", brief: "Scan the staged content (git index)", optional: true },
          history: {
            kind: "parsed",
            parse: parseCount,
            brief: "Scan the lines added by the last N commits",
            optional: true,
            placeholder: "n",
          },
          rules: {
            kind: "parsed",
            parse: String,
            brief: "A gitleaks configuration to use instead of the project's (gitleaks --config)",
            optional: true,
            placeholder: "file",
          },
        },
        positional: paths,
      },
    }),
    check: command({
      load: async () => (await import("./security_run.ts")).check,
      brief:
        "Scan the staged files with the baseline applied (for git hooks); exit 10 on new findings",
      parameters: { flags: { ...commonFlags, format: formatFlag } },
    }),
    rules: command({
      load: async () => (await import("./security_run.ts")).rules,
      brief:
        "List the secret rules in force (built-in, rules file, extended files) and their source",
      parameters: { flags: { project: projectFlag, json: jsonFlag } },
    }),
    baseline: command({
      load: async () => (await import("./security_run.ts")).baseline,
      brief: "Accept the current findings: write their fingerprints to the baseline",
      parameters: { flags: commonFlags, positional: paths },
    }),
  },
  docs: { brief: "Secret and SQL-injection scanning" },
});
