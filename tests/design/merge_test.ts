import assert from "node:assert/strict";
import {
  contrastRatio,
  loadDesignCatalog,
  mergeDesign,
  parseColor,
  type Pattern,
  type Profile,
} from "../../src/design/mod.ts";
import { culoriContrast } from "./_util.ts";

const catalog = await loadDesignCatalog(null);
const profile = (id: string): Profile => catalog.profiles.find((p) => p.id === id)!;
const pattern = (id: string): Pattern => catalog.patterns.find((p) => p.id === id)!;

Deno.test("merge: Healthcare + Marketplace reports patient data in public listings with its resolution", () => {
  const d = mergeDesign(profile("healthcare"), pattern("marketplace"));
  const inc = d.issues.filter((i) => i.kind === "incompatibility");
  const listing = inc.find((i) => i.subject === "trait:public-listings");
  assert.ok(listing, "public listings incompatibility");
  assert.match(listing.profile, /Patient data in public listings/);
  assert.match(listing.resolution, /behind sign-in/);
  assert.ok(inc.some((i) => i.subject === "trait:user-generated-content"));
  // The pattern's compliance (PCI DSS for payments) joins the profile's.
  assert.deepEqual(
    d.compliance.map((c) => c.id),
    ["dsa", "gdpr", "hipaa", "pci-dss", "wcag-aaa"],
  );
});

Deno.test("merge: the industry decides color and type, the pattern decides layout", () => {
  const d = mergeDesign(profile("media"), pattern("analytics"));
  assert.equal(d.typography.base_size_px, 18, "media's base size wins over analytics' 14px");
  const typeConflict = d.issues.find((i) => i.subject === "typography.base_size_px")!;
  assert.equal(typeConflict.kind, "conflict");
  assert.equal(typeConflict.rule, 1);
  assert.equal(d.layout.navigation, "sidebar");
  assert.equal(d.layout.max_width, "none");
  assert.ok(d.components.includes("Pivot table"));
  assert.ok(d.components.includes("Media players with captions and keyboard controls"));
});

Deno.test("merge: density never goes below the industry's floor, and the raise is reported", () => {
  const d = mergeDesign(profile("healthcare"), pattern("dashboard"));
  assert.equal(d.layout.density, "comfortable");
  assert.equal(d.spacing_rem, 0.25);
  assert.equal(d.target_px, 44, "AAA targets");
  const c = d.issues.find((i) => i.subject === "density")!;
  assert.equal(c.pattern, "compact");
  assert.equal(c.rule, 3);
  const f = mergeDesign(profile("fintech"), pattern("dashboard"));
  assert.equal(f.layout.density, "compact");
  assert.ok(!f.issues.some((i) => i.subject === "density"));
});

Deno.test("merge: a pattern restriction meets a profile trait (analytics over PHI)", () => {
  const d = mergeDesign(profile("healthcare"), pattern("analytics"));
  const i = d.issues.find((x) => x.subject === "trait:phi")!;
  assert.equal(i.kind, "incompatibility");
  assert.match(i.resolution, /suppressed/);
  assert.equal(
    mergeDesign(profile("saas"), pattern("analytics")).issues.some((x) =>
      x.subject === "trait:phi"
    ),
    false,
  );
});

Deno.test("merge: an override color that fails contrast is adjusted in OKLCH lightness and reported", () => {
  const d = mergeDesign(profile("saas"), pattern("crm"), {
    colors: { light: { primary: "oklch(0.85 0.1 285)" } },
    radius_rem: 1,
  });
  const o = d.issues.filter((i) => i.kind === "override").map((i) => i.subject).sort();
  assert.deepEqual(o, ["colors.light.primary", "radius"]);
  assert.equal(d.radius.lg, 1);
  const a = d.adjustments.find((x) =>
    x.mode === "light" && x.pair === "primary-foreground on primary"
  );
  assert.ok(a, "the failing override was adjusted");
  assert.ok(a.ratio_before < 4.5 && a.ratio_after >= 4.5);
  const fg = d.colors.light["primary-foreground"];
  const bg = d.colors.light.primary;
  assert.ok(culoriContrast(fg, bg) >= 4.5, `${fg} on ${bg}`);
  // Hue and chroma are kept where the gamut allows; only lightness moved.
  const before = parseColor(a.from)!;
  const after = parseColor(a.to)!;
  assert.equal(after.h, before.h);
  assert.notEqual(after.l, before.l);
});

Deno.test("merge: an AAA override raises every text pair to 7:1", () => {
  const d = mergeDesign(profile("saas"), pattern("dashboard"), { wcag_level: "AAA" });
  assert.equal(d.wcag_level, "AAA");
  for (const c of d.contrast.filter((x) => x.kind === "text")) {
    const fg = parseColor(d.colors[c.mode][c.foreground])!;
    const bg = parseColor(d.colors[c.mode][c.background])!;
    assert.ok(contrastRatio(fg, bg) >= 7, `${c.mode} ${c.foreground} on ${c.background}`);
  }
});

Deno.test("color: contrast matches known WCAG values and culori", () => {
  const black = parseColor("#000000")!;
  const white = parseColor("#ffffff")!;
  assert.ok(Math.abs(contrastRatio(black, white) - 21) < 0.01);
  const grey = parseColor("#777777")!;
  assert.ok(Math.abs(contrastRatio(grey, white) - 4.48) < 0.01);
  for (const s of ["oklch(0.5 0.08 220)", "oklch(0.7 0.12 40)", "#3366cc", "oklch(62% 0.15 300)"]) {
    const ours = contrastRatio(parseColor(s)!, white);
    assert.ok(Math.abs(ours - culoriContrast(s, "#ffffff")) < 0.01, s);
  }
  assert.equal(parseColor("rgb(1,2,3)"), null);
});

Deno.test("merge: the type scale grows by the profile's ratio and keeps fine print readable", () => {
  for (const p of catalog.profiles) {
    const d = mergeDesign(p, pattern("crm"));
    const sizes = d.type_scale.map((s) => s.size_rem);
    assert.deepEqual(d.type_scale.map((s) => s.name), [
      "xs",
      "sm",
      "base",
      "lg",
      "xl",
      "2xl",
      "3xl",
      "4xl",
    ]);
    for (let i = 1; i < sizes.length; i++) {
      assert.ok(sizes[i] > sizes[i - 1], `${p.id} scale grows`);
    }
    assert.ok(sizes[0] >= 0.75, `${p.id} xs >= 12px`);
    assert.ok(Math.abs(sizes[2] - p.typography.base_size_px / 16) < 0.001);
    assert.ok(Math.abs(sizes[4] / sizes[3] - p.typography.scale_ratio) < 0.01);
  }
});
