/**
 * The GitHub Actions workflows parse as YAML, validate against SchemaStore's
 * github-workflow.json (tests/fixtures/README.md says where the copy comes from), and do what
 * the release process relies on: CI runs `deno task ok` on Linux and macOS with the Deno
 * version .ci/run installs; a tag builds every target, attaches it, and publishes to JSR with
 * an OIDC token.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv, { type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";
import { parseDocument } from "yaml";
import workflowSchema from "../fixtures/github-workflow.json" with { type: "json" };

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const addFormats = ajvFormats.default;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": string;
  container?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

function validator(): ValidateFunction {
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(workflowSchema);
}
const validate = validator();

/** Parses YAML text, failing on any YAML error or warning (duplicate keys included). */
function parseYaml(text: string, name: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  assert.deepEqual([...doc.errors, ...doc.warnings].map((e) => e.message), [], name);
  return doc.toJS();
}

async function load(name: string): Promise<Workflow> {
  const text = await Deno.readTextFile(`${ROOT}.github/workflows/${name}`);
  const data = parseYaml(text, name);
  const ok = validate(data);
  assert.ok(ok, `${name}: ${JSON.stringify(validate.errors, null, 2)}`);
  return data as Workflow;
}

/** The Deno version .ci/run installs. */
async function ciDenoVersion(): Promise<string> {
  const run = await Deno.readTextFile(`${ROOT}.ci/run`);
  const m = /^DENO_VERSION=(\S+)$/m.exec(run);
  assert.ok(m, ".ci/run sets DENO_VERSION");
  return m[1];
}

function setupDeno(job: Job): Step[] {
  return job.steps.filter((s) => s.uses?.startsWith("denoland/setup-deno@"));
}

function runs(job: Job): string {
  return job.steps.map((s) => s.run ?? "").join("\n");
}

Deno.test("the workflow schema rejects what GitHub rejects (the validation can fail)", () => {
  const good = {
    on: "push",
    jobs: { a: { "runs-on": "ubuntu-latest", steps: [{ run: "true" }] } },
  };
  assert.ok(validate(good), JSON.stringify(validate.errors));
  assert.equal(validate({ on: "push", jobs: { a: { steps: [{ run: "x" }] } } }), false);
  assert.equal(validate({ ...good, jobz: {} }), false);
  assert.equal(
    validate({ ...good, permissions: { "id-token": "sometimes" } }),
    false,
    "an unknown permission level",
  );
  assert.equal(validate({ ...good, on: { tag: {} } }), false, "an unknown event");
});

Deno.test("ci.yml runs deno task ok on Linux and macOS with .ci/run's Deno and tools", async () => {
  const ci = await load("ci.yml");
  const version = await ciDenoVersion();
  const oses = Object.values(ci.jobs).map((j) => j["runs-on"]).sort();
  assert.deepEqual(oses, ["macos-latest", "ubuntu-latest"]);
  assert.ok("pull_request" in ci.on && "push" in ci.on);
  assert.deepEqual(ci.permissions, { contents: "read" });
  for (const [name, job] of Object.entries(ci.jobs)) {
    const setups = setupDeno(job);
    assert.equal(setups.length, 1, name);
    assert.equal(String(setups[0].with?.["deno-version"]), version, `${name}: Deno ${version}`);
    assert.match(runs(job), /^deno task ok$/m, name);
    const install = job.steps.findIndex((s) => /apt-get install|brew install/.test(s.run ?? ""));
    const ok = job.steps.findIndex((s) => s.run === "deno task ok");
    assert.ok(install >= 0 && install < ok, `${name}: tools installed before the suite`);
  }
  const linux = ci.jobs.linux;
  assert.match(linux.container ?? "", /^debian:/);
  for (const pkg of ["chromium", "pre-commit", "git", "npm", "python3", "curl", "unzip"]) {
    assert.match(runs(linux), new RegExp(`apt-get install .*\\b${pkg}\\b`), pkg);
  }
  assert.match(runs(ci.jobs.macos), /brew install .*\bpre-commit\b/);
});

Deno.test("release.yml builds every target on a tag, attaches it, publishes to JSR with OIDC", async () => {
  const release = await load("release.yml");
  const version = await ciDenoVersion();
  assert.deepEqual(Object.keys(release.on), ["push"]);
  assert.deepEqual(release.on.push, { tags: ["v*.*.*"] });
  assert.deepEqual(release.permissions, { contents: "read" });

  const { binaries, publish } = release.jobs;
  for (const job of [binaries, publish]) {
    assert.equal(String(setupDeno(job)[0]?.with?.["deno-version"]), version);
  }
  assert.equal(binaries.permissions?.contents, "write");
  assert.equal(binaries.permissions?.["id-token"], undefined);
  const build = runs(binaries);
  assert.match(build, /"\$GITHUB_REF_NAME" != "v\$version"/, "the tag must name the version");
  assert.match(build, /deno task release$/m);
  assert.match(build, /gh release (upload|create) "\$GITHUB_REF_NAME" dist\/\*/);

  assert.equal(publish.needs, "binaries");
  assert.deepEqual(publish.permissions, { contents: "read", "id-token": "write" });
  assert.match(runs(publish), /^deno publish$/m);
});

Deno.test("release.yml's tag check passes the tag of deno.json's version and stops any other", async () => {
  const release = await load("release.yml");
  const step = release.jobs.binaries.steps.find((s) =>
    s.name === "Check the tag names deno.json's version"
  );
  assert.ok(step?.run);
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const runStep = async (tag: string) => {
    // GitHub runs a `run` step on Linux as `bash -e {0}`.
    const out = await new Deno.Command("bash", {
      args: ["-e", "-c", step.run!],
      cwd: ROOT,
      env: {
        GITHUB_REF_NAME: tag,
        PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  };
  const good = await runStep(`v${denoJson.version}`);
  assert.equal(good.code, 0, good.stdout);
  const bad = await runStep(`v${denoJson.version}.1`);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^::error::tag v\S+ does not name deno.json's version \(v/m);
});
