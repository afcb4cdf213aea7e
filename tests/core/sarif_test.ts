/** The one SARIF writer: the logs of gap analysis and of the security scan are valid SARIF. */
import assert from "node:assert/strict";
import AjvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import sarifSchema from "../fixtures/sarif-schema-2.1.0.json" with { type: "json" };
import { sarifLog } from "../../src/core/sarif.ts";
import { gapsToSarif } from "../../src/quality/mod.ts";

const Ajv = AjvDraft04.default;
const addFormats = ajvFormats.default;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(sarifSchema);
}

Deno.test("gapsToSarif writes valid SARIF with encoded file URIs and rule indexes", () => {
  const report = {
    gaps: [
      {
        kind: "todo",
        severity: "medium",
        feature: "a",
        message: "a TODO",
        file: "src/my file.ts",
        line: 3,
      },
      {
        kind: "open_feature",
        severity: "high",
        feature: "b",
        message: "open",
        file: null,
        line: null,
      },
    ],
  } as Parameters<typeof gapsToSarif>[0];
  const log = gapsToSarif(report, "1.2.3");
  const validate = validator();
  assert.ok(validate(log as unknown), JSON.stringify(validate.errors, null, 2));
  assert.ok(!validate({ ...log, version: "2.0.0" }), "a broken log fails the check");
  const run = log.runs[0] as unknown as {
    tool: { driver: { name: string; version: string; rules: { id: string }[] } };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: unknown };
      }[];
    }[];
  };
  assert.equal(run.tool.driver.name, "br-gaps");
  assert.equal(run.tool.driver.version, "1.2.3");
  const [first, second] = run.results;
  assert.equal(first.locations[0].physicalLocation.artifactLocation.uri, "src/my%20file.ts");
  assert.deepEqual(first.locations[0].physicalLocation.region, { startLine: 3 });
  assert.equal(second.level, "error");
  assert.equal(
    second.locations[0].physicalLocation.artifactLocation.uri,
    ".buildrunner/features.json",
  );
  assert.equal(second.locations[0].physicalLocation.region, undefined);
  for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId);
});

Deno.test("sarifLog names the project root as %SRCROOT% when given", () => {
  const log = sarifLog({
    tool: "br",
    version: "1",
    root: "/srv/my repo",
    rules: [{ id: "r", description: "R" }],
    results: [{ ruleId: "r", level: "note", message: "m", file: "a.ts", line: 1, column: 2 }],
  });
  assert.ok(validator()(log as unknown));
  const run = log.runs[0] as unknown as { originalUriBaseIds: Record<string, { uri: string }> };
  assert.equal(run.originalUriBaseIds["%SRCROOT%"].uri, "file:///srv/my%20repo/");
});
