/**
 * Style Dictionary from npm builds our `tokens.json` into CSS variables: version 5 reads the
 * DTCG 2025.10 file `br design generate` writes by default; version 4 (what `npm i
 * style-dictionary` installs on Node 20) reads the `--dtcg-compat` file, which version 5 reads
 * as well. Both are installed with npm into a temp dir once for this file and run with node.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  COLOR_ROLES,
  type DesignSystem,
  loadDesignCatalog,
  mergeDesign,
  parseColor,
  renderDesign,
  toHex,
} from "../../src/design/mod.ts";
import { br, tempDir, tempProject } from "../helpers.ts";

const BUILD = `
const [, , pkg, tokens, outDir] = process.argv;
const { default: StyleDictionary } = await import(pkg);
const sd = new StyleDictionary({
  source: [tokens],
  log: { verbosity: "silent", warnings: "disabled" },
  platforms: {
    css: {
      transformGroup: "css",
      buildPath: outDir + "/",
      files: [{ destination: "variables.css", format: "css/variables" }],
    },
  },
});
await sd.buildAllPlatforms();
`;

const tools = await tempDir("br-sd-");
const installed = await (async () => {
  try {
    const npm = await new Deno.Command("npm", {
      args: [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefix",
        tools.path,
        "sd4@npm:style-dictionary@4",
        "sd5@npm:style-dictionary@5",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!npm.success) {
      console.log(
        `npm is unreachable, Style Dictionary tests skipped: ${
          new TextDecoder().decode(npm.stderr).split("\n").filter(Boolean).pop()
        }`,
      );
      return false;
    }
    await Deno.writeTextFile(join(tools.path, "build.mjs"), BUILD);
    return true;
  } catch (e) {
    console.log(`npm or node is missing, Style Dictionary tests skipped: ${e}`);
    return false;
  }
})();

/** Builds `tokens` with one Style Dictionary version; returns the CSS variables. */
async function build(version: "sd4" | "sd5", tokens: string): Promise<Map<string, string>> {
  const dir = await Deno.makeTempDir({ dir: tools.path });
  await Deno.writeTextFile(join(dir, "tokens.json"), tokens);
  const pkg = join(tools.path, "node_modules", version, "lib", "StyleDictionary.js");
  const res = await new Deno.Command("node", {
    args: [join(tools.path, "build.mjs"), pkg, join(dir, "tokens.json"), join(dir, "out")],
    cwd: tools.path,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(res.success, new TextDecoder().decode(res.stderr));
  const css = await Deno.readTextFile(join(dir, "out", "variables.css"));
  assert.ok(!css.includes("[object Object]"), `${version}: ${css}`);
  return new Map([...css.matchAll(/^\s*--([a-z0-9-]+):\s*(.+);$/gm)].map((m) => [m[1], m[2]]));
}

/** The variables the tokens must give, written out from the design. */
function expected(d: DesignSystem): Map<string, RegExp> {
  const want = new Map<string, RegExp>();
  const hex = (css: string) => new RegExp(`^${toHex(parseColor(css)!)}$`, "i");
  for (const mode of ["light", "dark"] as const) {
    for (const role of COLOR_ROLES) want.set(`color-${mode}-${role}`, hex(d.colors[mode][role]));
  }
  for (const k of ["sans", "heading", "mono"]) want.set(`font-family-${k}`, /\w/);
  want.set("font-weight-body", new RegExp(`^${d.typography.body_weight}$`));
  want.set("font-weight-heading", new RegExp(`^${d.typography.heading_weight}$`));
  for (const s of d.type_scale) {
    want.set(`font-size-${s.name}`, new RegExp(`^${s.size_rem}rem$`));
    want.set(`font-line-height-${s.name}`, new RegExp(`^${s.line_height}$`));
  }
  want.set("spacing-unit", new RegExp(`^${d.spacing_rem}rem$`));
  want.set("spacing-target", new RegExp(`^${d.target_px}px$`));
  for (const k of ["sm", "md", "lg", "xl"] as const) {
    want.set(`radius-${k}`, new RegExp(`^${d.radius[k]}rem$`));
    // x y blur spread color, one or more layers.
    want.set(
      `shadow-${k}`,
      /^-?[\d.]+(px|rem) -?[\d.]+(px|rem) [\d.]+(px|rem) -?[\d.]+(px|rem) \S/,
    );
  }
  return want;
}

function assertVars(got: Map<string, string>, d: DesignSystem, where: string) {
  const want = expected(d);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), where);
  for (const [name, re] of want) assert.match(got.get(name)!, re, `${where}: --${name}`);
}

const DESIGNS = [["healthcare", "dashboard"], ["fintech", "marketplace"], ["media", "api-service"]];

Deno.test({
  name: "design: Style Dictionary 5 builds tokens.json, and 4 and 5 build the --dtcg-compat file",
  ignore: !installed,
  async fn() {
    const catalog = await loadDesignCatalog(null);
    for (const [industry, useCase] of DESIGNS) {
      const d = mergeDesign(
        catalog.profiles.find((p) => p.id === industry)!,
        catalog.patterns.find((p) => p.id === useCase)!,
      );
      const tokens = (compat: boolean) =>
        renderDesign(d, "dtcg", { dtcgCompat: compat }).find((f) => f.name === "tokens.json")!
          .content;
      const where = `${industry}×${useCase}`;
      const v5 = await build("sd5", tokens(false));
      assertVars(v5, d, `${where} sd5`);
      const compat4 = await build("sd4", tokens(true));
      assertVars(compat4, d, `${where} sd4 compat`);
      const compat5 = await build("sd5", tokens(true));
      assertVars(compat5, d, `${where} sd5 compat`);
      // The two forms give the same variables, but for how a shadow's color is written.
      for (const [name, value] of v5) {
        if (!name.startsWith("shadow-")) assert.equal(compat4.get(name), value, `${where} ${name}`);
      }
    }
  },
});

Deno.test({
  name:
    "br design generate --dtcg-compat (and config design.dtcg_compat) writes tokens Style Dictionary 4 builds",
  ignore: !installed,
  async fn() {
    await using dir = await tempProject();
    const gen = await br(
      ["design", "generate", "education", "crm", "--format", "dtcg", "--out", "a", "--dtcg-compat"],
      { cwd: dir.path },
    );
    assert.equal(gen.code, 0, gen.stderr);
    const tokens = await Deno.readTextFile(join(dir.path, "a", "tokens.json"));
    assert.match(tokens, /"\$value": "#[0-9a-f]{6}"/);
    const vars = await build("sd4", tokens);
    assert.match(vars.get("spacing-unit")!, /^[\d.]+rem$/);
    // The default stays DTCG 2025.10 (object values).
    const plain = await br([
      "design",
      "generate",
      "education",
      "crm",
      "--format",
      "dtcg",
      "--out",
      "b",
    ], {
      cwd: dir.path,
    });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(
      await Deno.readTextFile(join(dir.path, "b", "tokens.json")),
      /"colorSpace": "oklch"/,
    );
    // The config switch does the same as the flag.
    await Deno.writeTextFile(
      join(dir.path, ".buildrunner", "config.yaml"),
      (await Deno.readTextFile(join(dir.path, ".buildrunner", "config.yaml")).catch(() => "")) +
        "\ndesign:\n  dtcg_compat: true\n",
    );
    const cfg = await br([
      "design",
      "generate",
      "education",
      "crm",
      "--format",
      "dtcg",
      "--out",
      "c",
    ], {
      cwd: dir.path,
    });
    assert.equal(cfg.code, 0, cfg.stderr);
    assert.equal(await Deno.readTextFile(join(dir.path, "c", "tokens.json")), tokens);
  },
});

globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(tools.path, { recursive: true });
  } catch { /* already gone */ }
});
