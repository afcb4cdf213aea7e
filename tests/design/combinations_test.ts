import assert from "node:assert/strict";
import { displayable, parse as culoriParse } from "culori";
import {
  designFor,
  generateDesign,
  loadDesignCatalog,
  mergeDesign,
  renderDesign,
} from "../../src/design/mod.ts";
import { tempDir } from "../helpers.ts";
import { cssVars, culoriContrast, PATTERNS, PROFILES, TEXT_PAIRS, UI_PAIRS } from "./_util.ts";

Deno.test("design: the catalog has the eight profiles and eight patterns of the catalog", async () => {
  const catalog = await loadDesignCatalog(null);
  assert.deepEqual(catalog.profiles.map((p) => p.id), PROFILES);
  assert.deepEqual(catalog.patterns.map((p) => p.id), PATTERNS);
  for (const p of catalog.profiles) {
    assert.ok(p.compliance.length >= 2, `${p.id} has compliance notes`);
    for (const c of p.compliance) assert.ok(c.ui.length > 0, `${p.id}/${c.id} says what it means`);
    assert.ok(p.components.length > 0 && p.ui_patterns.length > 0);
  }
  for (const u of catalog.patterns) {
    assert.ok(u.page_types.length && u.data_flows.length && u.interactions.length);
    assert.ok(Object.keys(u.recommended_stack).length > 0);
  }
});

Deno.test("design: all 64 combinations generate in all formats and every pair meets its level (checked with culori)", async () => {
  const catalog = await loadDesignCatalog(null);
  let combos = 0;
  let adjusted = 0;
  for (const profile of catalog.profiles) {
    for (const pattern of catalog.patterns) {
      const d = mergeDesign(profile, pattern);
      const files = renderDesign(d, "all");
      assert.deepEqual(
        files.map((f) => f.name).sort(),
        ["DESIGN.md", "tailwind.config.js", "theme-vars.css", "theme.css", "tokens.json"],
      );
      const css = files.find((f) => f.name === "theme.css")!.content;
      const tokens = JSON.parse(files.find((f) => f.name === "tokens.json")!.content);
      const text = profile.wcag_level === "AAA" ? 7 : 4.5;
      for (const [mode, selector] of [["light", ":root"], ["dark", ".dark"]] as const) {
        const vars = cssVars(css, selector);
        for (const [fg, bg] of TEXT_PAIRS) {
          const r = culoriContrast(vars[fg], vars[bg]);
          assert.ok(
            r >= text,
            `${d.industry}×${d.use_case} ${mode} ${fg} on ${bg}: ${r} < ${text}`,
          );
        }
        for (const [fg, bg] of UI_PAIRS) {
          const r = culoriContrast(vars[fg], vars[bg]);
          assert.ok(r >= 3, `${d.industry}×${d.use_case} ${mode} ${fg} on ${bg}: ${r} < 3`);
        }
        // Every emitted color is inside sRGB, so the browser paints what we measured.
        for (const [role, value] of Object.entries(vars)) {
          const c = culoriParse(value);
          assert.ok(
            c && displayable(c),
            `${d.industry}×${d.use_case} ${mode} ${role} ${value} is inside sRGB`,
          );
        }
        // tokens.json carries the same colors.
        const tok = tokens.color[mode].primary.$value;
        assert.equal(
          `oklch(${
            tok.components.map((n: number, i: number) => n.toFixed(i === 2 ? 1 : 3)).join(" ")
          })`,
          vars.primary,
        );
      }
      // The v3 stylesheet holds the same colors as channels.
      const v3 = files.find((f) => f.name === "theme-vars.css")!.content;
      assert.match(
        v3,
        new RegExp(`--primary: ${d.colors.light.primary.slice(6, -1).replaceAll(".", "\\.")};`),
      );
      adjusted += d.adjustments.length;
      combos++;
    }
  }
  assert.equal(combos, 64);
  assert.ok(adjusted > 0, "some data colors needed adjusting, and that was reported");
});

Deno.test("design: generateDesign writes each format's files atomically into --out", async () => {
  await using dir = await tempDir();
  for (
    const [format, names] of [
      ["tailwind4", ["DESIGN.md", "theme.css"]],
      ["tailwind3", ["DESIGN.md", "tailwind.config.js", "theme-vars.css"]],
      ["dtcg", ["DESIGN.md", "tokens.json"]],
    ] as const
  ) {
    const r = await generateDesign(null, {
      industry: "fintech",
      use_case: "crm",
      format,
      out: format,
      cwd: dir.path,
    });
    const written = [];
    for await (const e of Deno.readDir(`${dir.path}/${format}`)) written.push(e.name);
    assert.deepEqual(written.sort(), [...names]);
    assert.equal(r.files.length, names.length);
  }
  const { design } = await designFor(null, { industry: "fintech", use_case: "crm" });
  assert.equal(design.title, "Fintech × CRM");
});
