/**
 * br writes config.yaml with `yaml` (its Document API keeps comments) but reads config.yaml
 * and governance.yaml with `js-yaml`, an ES module that loads in a fraction of the time of
 * `yaml` (CommonJS, which starts Deno's Node compatibility layer) on the hook path. The two
 * must read every shape br writes the same way.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { load } from "js-yaml";
import { parse } from "yaml";
import { loadConfig, writeConfigValue } from "../../src/core/config.ts";
import { DEFAULT_GOVERNANCE_YAML } from "../../src/quality/governance_schema.ts";
import "../../src/cost/config.ts";
import "../../src/design/config.ts";
import "../../src/orchestrator/config.ts";
import "../../src/project/config.ts";
import "../../src/quality/config.ts";
import "../../src/routing/config.ts";
import "../../src/security/config.ts";
import "../../src/spec/config.ts";
import "../../src/telemetry/config.ts";
import { br, tempDir, tempProject } from "../helpers.ts";

function agree(text: string, label: string): unknown {
  const a = load(text);
  const b = parse(text);
  assert.deepEqual(a, b, `${label}: js-yaml and yaml read it differently\n${text}`);
  return a;
}

/** Values `br config set` can be given (parsed by `yaml` from the command line, or JSON). */
const VALUES: unknown[] = [
  ...[
    "2026-01-01",
    "2026-01-01T10:00:00Z",
    "12:30:00",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "~",
    "null",
    "Null",
    "true",
    "True",
    "0o17",
    "0x1F",
    "017",
    "1e3",
    "1_000",
    "+1",
    ".inf",
    "-.Inf",
    ".nan",
    "<<",
    "=",
    "a: b",
    "a:b",
    "- x",
    "? q",
    "#c",
    "x #c",
    "'q'",
    '"d"',
    "@at",
    "`tick",
    "%pct",
    "!bang",
    "!!str x",
    "&anchor",
    "*alias",
    "|pipe",
    ">gt",
    "{a: 1}",
    "[a, b]",
    "a, b",
    "back\\slash",
    "日本語",
    "emoji 🎉",
    "tab\there",
    "line\nbreak\n",
    "trailing\n\n",
    "  leading",
    "trailing  ",
    "",
    " ",
    "\u2028",
    "\u0085",
    "---",
    "...",
    "claude -p {prompt} --output-format json",
    "src/**/*.{ts,js}",
  ],
  0,
  -1,
  1.5,
  -0.25,
  1e21,
  2 ** 53,
  true,
  false,
  null,
  [],
  ["a", "b"],
  [1, "2", true, null],
  [["nested"], { k: "v" }],
  {},
  { a: "b", "c d": 1, "2026-01-01": "x", "1": "one", "true": false, "": "empty key" },
];

Deno.test("js-yaml and yaml agree on every value br config set writes", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "config.yaml");
  const wrong: string[] = [];
  for (const [i, value] of VALUES.entries()) {
    await writeConfigValue(file, `plugins.v${i}`, value);
    const text = await Deno.readTextFile(file);
    const a = load(text) as { plugins: Record<string, unknown> };
    const b = parse(text) as { plugins: Record<string, unknown> };
    const [ja, jb, jv] = [a.plugins[`v${i}`], b.plugins[`v${i}`], value].map((x) =>
      JSON.stringify(x)
    );
    if (ja !== jv || jb !== jv) wrong.push(`${jv}: js-yaml ${ja}, yaml ${jb}`);
  }
  assert.deepEqual(wrong, []);
  // And the whole file, with every value at once.
  agree(await Deno.readTextFile(file), "config.yaml");
});

Deno.test("js-yaml and yaml agree on a config.yaml holding every default of every section", async () => {
  await using dir = await tempDir();
  const file = join(dir.path, "config.yaml");
  const defaults = await loadConfig({});
  for (const [section, keys] of Object.entries(defaults.values)) {
    for (const [key, value] of Object.entries(keys as Record<string, unknown>)) {
      await writeConfigValue(file, `${section}.${key}`, value);
    }
  }
  const text = await Deno.readTextFile(file);
  const tree = agree(text, "config.yaml with every default");
  assert.deepEqual(tree, JSON.parse(JSON.stringify(defaults.values)));
  // br reads it back as it wrote it.
  const read = await loadConfig({ projectFile: file });
  assert.deepEqual(read.values, defaults.values);
});

Deno.test("js-yaml and yaml agree on the config.yaml and governance.yaml br init writes", async () => {
  agree(DEFAULT_GOVERNANCE_YAML, "default governance.yaml");
  await using dir = await tempProject();
  const set = await br(["config", "set", "parallel.branch_prefix", "br/x #y: z"], {
    cwd: dir.path,
  });
  assert.equal(set.code, 0, set.stderr);
  for (const name of ["config.yaml", "governance.yaml"]) {
    const text = await Deno.readTextFile(join(dir.path, ".buildrunner", name));
    assert.ok(text.length > 0, name);
    agree(text, name);
  }
});
