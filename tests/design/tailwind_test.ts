/**
 * The real Tailwind compilers from npm build our output: v4 (`compile()` of the
 * `tailwindcss` package) and v3 (`tailwindcss@3` as a PostCSS plugin with a content file).
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import postcss from "postcss";
import { compile } from "tailwindcss";
import tailwind3 from "tailwindcss3";
import { loadDesignCatalog, mergeDesign, renderDesign } from "../../src/design/mod.ts";
import { tempDir } from "../helpers.ts";

const require = createRequire(import.meta.url);
const sheets = new Map<string, { path: string; base: string; content: string }>();

async function loadStylesheet(id: string, base: string) {
  const path = id === "tailwindcss"
    ? require.resolve("tailwindcss/index.css")
    : id.startsWith(".")
    ? join(base, id)
    : require.resolve(id);
  let sheet = sheets.get(path);
  if (!sheet) {
    sheet = { path, base: dirname(path), content: await Deno.readTextFile(path) };
    sheets.set(path, sheet);
  }
  return sheet;
}

const CANDIDATES = [
  "bg-primary",
  "text-primary-foreground",
  "bg-background",
  "text-foreground",
  "text-muted-foreground",
  "bg-card",
  "border-border",
  "bg-chart-3",
  "dark:bg-primary",
  "font-sans",
  "font-heading",
  "font-mono",
  "rounded-lg",
  "rounded-sm",
  "shadow-md",
  "text-2xl",
  "p-4",
  "min-h-target",
];

/** The rule body of one utility class in compiled CSS. */
function rule(css: string, selector: string): string {
  const at = css.indexOf(`${selector} {`);
  assert.ok(at >= 0, `${selector} is in the output`);
  return css.slice(at, css.indexOf("}", at));
}

Deno.test("design: Tailwind v4 compiles theme.css of all 64 combinations with the theme's utilities", async () => {
  const catalog = await loadDesignCatalog(null);
  for (const profile of catalog.profiles) {
    for (const pattern of catalog.patterns) {
      const d = mergeDesign(profile, pattern);
      const css = renderDesign(d, "tailwind4").find((f) => f.name === "theme.css")!.content;
      const compiler = await compile(css, { base: "/", loadStylesheet });
      const out = compiler.build(CANDIDATES);
      const where = `${d.industry}×${d.use_case}`;
      assert.match(rule(out, ".bg-primary"), /background-color: var\(--primary\)/, where);
      assert.match(rule(out, ".text-foreground"), /color: var\(--foreground\)/, where);
      assert.match(rule(out, ".font-heading"), /font-family: var\(--font-heading\)/, where);
      assert.match(rule(out, ".rounded-lg"), /border-radius: var\(--radius-lg\)/, where);
      assert.match(rule(out, ".min-h-target"), /min-height: var\(--spacing-target\)/, where);
      assert.ok(out.includes(".dark\\:bg-primary:where(.dark, .dark *)"), where);
      // The theme's own values reach the output.
      const family = d.typography.font_heading.split(",")[0];
      assert.ok(out.includes(`--font-heading: ${family}`), `${where}: heading font`);
      assert.ok(out.includes(`--radius-lg: ${d.radius.lg}rem`), `${where}: radius`);
      assert.ok(out.includes(`--primary: ${d.colors.light.primary}`), `${where}: light primary`);
      assert.ok(out.includes(`--primary: ${d.colors.dark.primary}`), `${where}: dark primary`);
      assert.ok(out.includes(`--spacing: ${d.spacing_rem}rem`), `${where}: spacing`);
    }
  }
});

Deno.test("design: Tailwind v3 builds tailwind.config.js + theme-vars.css with a content file", async () => {
  await using dir = await tempDir();
  const catalog = await loadDesignCatalog(null);
  for (const [industry, useCase] of [["healthcare", "dashboard"], ["media", "content-platform"]]) {
    const d = mergeDesign(
      catalog.profiles.find((p) => p.id === industry)!,
      catalog.patterns.find((p) => p.id === useCase)!,
    );
    const sub = join(dir.path, industry);
    await Deno.mkdir(sub);
    for (const f of renderDesign(d, "tailwind3")) {
      await Deno.writeTextFile(join(sub, f.name), f.content);
    }
    await Deno.writeTextFile(
      join(sub, "index.html"),
      `<div class="${CANDIDATES.join(" ")} bg-primary/50 text-chart-1"></div>`,
    );
    const config = (await import(pathToFileURL(join(sub, "tailwind.config.js")).href)).default;
    assert.equal(config.darkMode, "class");
    config.content = [join(sub, "index.html")];
    const input = await Deno.readTextFile(join(sub, "theme-vars.css"));
    const out =
      (await postcss([tailwind3(config)]).process(input, { from: join(sub, "theme-vars.css") }))
        .css;
    assert.match(
      rule(out, ".bg-primary"),
      /background-color: oklch\(var\(--primary\) \/ var\(--tw-bg-opacity, 1\)\)/,
    );
    assert.match(rule(out, ".text-foreground"), /color: oklch\(var\(--foreground\)/);
    assert.match(rule(out, ".bg-primary\\/50"), /oklch\(var\(--primary\) \/ 0\.5\)/);
    const family = d.typography.font_heading.split(",")[0];
    assert.ok(rule(out, ".font-heading").includes(family), "heading font");
    assert.ok(rule(out, ".rounded-lg").includes(`border-radius: ${d.radius.lg}rem`), "radius");
    const dark = out.slice(out.indexOf(".dark {"));
    assert.ok(
      dark.includes(`--primary: ${d.colors.dark.primary.slice(6, -1)}`),
      dark.slice(0, 300),
    );
    assert.ok(out.includes(".dark\\:bg-primary:is(.dark *)"), "dark variant");
  }
});
