/** The field checks of governance.yaml, applied to parsed data without a project or a file. */
import assert from "node:assert/strict";
import {
  DEFAULT_GOVERNANCE_YAML,
  type Governance,
  governanceFromData,
  parseGovernance,
} from "../../src/quality/governance_schema.ts";

const DEFAULTS: Governance = {
  version: 1,
  policy: "strict",
  transitions: {},
  dependencies: { require_complete_to_start: false },
  commit: { pattern: null, max_subject_length: null },
  branches: { allowed: [] },
  gates: {
    pre_commit: ["features", "governance", "security", "spec"],
    pre_push: ["quality", "security", "gaps"],
    pre_push_require: { level: "no-high-gaps", scope: "all" },
  },
  architecture: { forbidden: [], layers: [], forbidden_dependencies: [], naming: [], private: [] },
};

Deno.test("governanceFromData: an empty mapping and the file br init writes both give the defaults", async () => {
  assert.deepEqual(governanceFromData({}), DEFAULTS);
  assert.deepEqual(governanceFromData({ commit: null, gates: {}, architecture: null }), DEFAULTS);
  assert.deepEqual(await parseGovernance(DEFAULT_GOVERNANCE_YAML), DEFAULTS);
});

Deno.test("governanceFromData: every section is read", () => {
  const gov = governanceFromData({
    version: 1,
    policy: "warn",
    transitions: { planned: ["in_progress"], blocked: null },
    dependencies: { require_complete_to_start: true },
    commit: { pattern: "^feat: ", max_subject_length: 72 },
    branches: { allowed: ["main", "feature/*"] },
    gates: { pre_commit: ["features"], pre_push: null },
    architecture: {
      forbidden: [{ from: "src/ui", to: "src/db" }],
      layers: ["src/cli", "src/core"],
      forbidden_dependencies: [{ package: "lodash" }, { package: "fs", from: "src/ui/**" }],
      naming: [{ files: "src/**/*.ts", pattern: "^[a-z_]+\\.ts$" }],
      private: ["src/**/_*.ts", { files: "lib/_*.ts", allow: "tests/**" }],
    },
  });
  assert.deepEqual(gov, {
    version: 1,
    policy: "warn",
    transitions: { planned: ["in_progress"], blocked: [] },
    dependencies: { require_complete_to_start: true },
    commit: { pattern: "^feat: ", max_subject_length: 72 },
    branches: { allowed: ["main", "feature/*"] },
    gates: {
      pre_commit: ["features"],
      pre_push: [],
      pre_push_require: { level: "no-high-gaps", scope: "all" },
    },
    architecture: {
      forbidden: [{ from: "src/ui", to: "src/db" }],
      layers: ["src/cli", "src/core"],
      forbidden_dependencies: [{ package: "lodash" }, { package: "fs", from: "src/ui/**" }],
      naming: [{ files: "src/**/*.ts", pattern: "^[a-z_]+\\.ts$" }],
      private: [{ files: "src/**/_*.ts", allow: null }, { files: "lib/_*.ts", allow: "tests/**" }],
    },
  });
});

const BAD: [unknown, string][] = [
  [[], `"(top level)" must be a mapping`],
  ["text", `"(top level)" must be a mapping`],
  [{ policy: "loose" }, `"policy" must be strict, warn or off`],
  [{ transitions: [] }, `"transitions" must be a mapping`],
  [{ transitions: { done: [] } }, `"transitions.done" must be a status`],
  [{ transitions: { planned: ["done"] } }, `"transitions.planned" must be a list of statuses`],
  [{ transitions: { planned: "blocked" } }, `"transitions.planned" must be a list of strings`],
  [{ dependencies: 1 }, `"dependencies" must be a mapping`],
  [{ commit: { pattern: 5 } }, `"commit.pattern" must be a regular expression string or null`],
  [{ commit: { pattern: "(" } }, `"commit.pattern" must be a valid regular expression`],
  [{ commit: { max_subject_length: 0 } }, `"commit.max_subject_length" must be a positive`],
  [{ commit: { max_subject_length: 1.5 } }, `"commit.max_subject_length" must be a positive`],
  [{ branches: { allowed: "main" } }, `"branches.allowed" must be a list of strings`],
  [{ gates: { pre_push: ["lint"] } }, `"gates.pre_push" must be a list of: quality,`],
  [{ gates: { pre_commit: ["quality"] } }, `"gates.pre_commit" must be a list of: features,`],
  [{ architecture: { forbidden: "x" } }, `"architecture.forbidden" must be a list of mappings`],
  [{ architecture: { forbidden: [{ from: "a" }] } }, `"architecture.forbidden[0].to" must be`],
  [{ architecture: { layers: [1] } }, `"architecture.layers" must be a list of strings`],
  [
    { architecture: { private: [5] } },
    `"architecture.private[0]" must be a glob or {files, allow}`,
  ],
  [{ architecture: { private: [{ allow: "x" }] } }, `"architecture.private[0].files" must be`],
  [{ architecture: { private: "x" } }, `"architecture.private" must be a list of mappings`],
  [
    { architecture: { forbidden_dependencies: [{ package: "" }] } },
    `"architecture.forbidden_dependencies[0].package" must be a non-empty string`,
  ],
  [
    { architecture: { forbidden_dependencies: [{ package: "a", from: null }] } },
    `"architecture.forbidden_dependencies[0].from" must be a non-empty string`,
  ],
  [
    { architecture: { naming: [{ files: "x", pattern: "[" }] } },
    `"architecture.naming[0].pattern" must be a valid regular expression`,
  ],
  [{ architecture: { naming: [{ pattern: "x" }] } }, `"architecture.naming[0].files" must be`],
];

Deno.test("governanceFromData: a bad field is named, with what it must be and the file", () => {
  for (const [data, message] of BAD) {
    assert.throws(
      () => governanceFromData(data, "gov.yaml"),
      (err: Error & { code?: string; hint?: string }) => {
        assert.equal(err.code, "invalid_data");
        assert.ok(
          err.message.startsWith(`Invalid gov.yaml: ${message}`),
          `${JSON.stringify(data)}: ${err.message}`,
        );
        return true;
      },
    );
  }
});

Deno.test("parseGovernance applies the same checks to the YAML text", async () => {
  for (const [data, message] of BAD.filter(([d]) => typeof d === "object")) {
    await assert.rejects(
      () => parseGovernance(JSON.stringify(data)),
      (err: Error) => err.message.startsWith(`Invalid governance.yaml: ${message}`),
    );
  }
});
