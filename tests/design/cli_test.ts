import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brProcess, readJson, tempDir, tempProject } from "../helpers.ts";
import { PATTERNS, PROFILES } from "./_util.ts";

Deno.test("br design profiles/patterns work outside a project, --json sorted", async () => {
  await using dir = await tempDir();
  const p = await br(["design", "profiles", "--json"], { cwd: dir.path });
  assert.equal(p.code, 0, p.stderr);
  const profiles = JSON.parse(p.stdout);
  assert.deepEqual(profiles.map((x: { id: string }) => x.id), PROFILES);
  assert.equal(profiles.find((x: { id: string }) => x.id === "healthcare").wcag_level, "AAA");
  const u = await br(["design", "patterns", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(u.stdout).map((x: { id: string }) => x.id), PATTERNS);
  const one = await br(["design", "pattern", "api-service", "--json"], { cwd: dir.path });
  assert.equal(JSON.parse(one.stdout).layout.navigation, "docs-sidebar");
});

Deno.test("br design: an unknown name is exit 4 with the known ones", async () => {
  await using dir = await tempDir();
  const a = await br(["design", "profile", "banking"], { cwd: dir.path });
  assert.equal(a.code, 4);
  assert.match(a.stderr, /error: Unknown industry profile "banking"/);
  assert.match(a.stderr, /hint: known profiles: e-commerce, education, .*saas/);
  const b = await br(["design", "generate", "saas", "chat"], { cwd: dir.path });
  assert.equal(b.code, 4);
  assert.match(b.stderr, /known patterns: admin-panel, .*onboarding/);
  const c = await br(["design", "generate", "saas", "crm", "--format", "sass"], { cwd: dir.path });
  assert.equal(c.code, 2);
  const d = await br(["design", "generate"], { cwd: dir.path });
  assert.equal(d.code, 2);
  assert.match(d.stderr, /Missing industry/);
});

Deno.test("br design profile on a terminal shows color swatches; piped it does not", async () => {
  await using dir = await tempDir();
  const tty = await br(["design", "profile", "fintech"], {
    cwd: dir.path,
    tty: true,
    env: { NO_COLOR: "", FORCE_COLOR: "1" },
  });
  assert.equal(tty.code, 0, tty.stderr);
  assert.ok(tty.stdout.includes("\x1b[48;2;"), "true-color swatch");
  assert.match(tty.stdout, /PCI DSS/);
  const piped = await br(["design", "profile", "fintech"], { cwd: dir.path });
  assert.ok(!piped.stdout.includes("\x1b["), "no escapes when piped");
  assert.match(piped.stdout, /primary-foreground/);
});

Deno.test("br design: user files in .buildrunner/design override and extend the built-ins", async (t) => {
  await using dir = await tempProject();
  const design = join(dir.path, ".buildrunner", "design");
  await Deno.mkdir(join(design, "profiles"), { recursive: true });
  await Deno.writeTextFile(
    join(design, "profiles", "healthcare.yaml"),
    'id: healthcare\ncolors:\n  light:\n    primary: "oklch(0.6 0.1 150)"\n',
  );
  const saas = JSON.parse(
    await Deno.readTextFile(new URL("../../src/design/data/profiles/saas.json", import.meta.url)),
  );
  await Deno.writeTextFile(
    join(design, "profiles", "gov.json"),
    JSON.stringify({ ...saas, id: "gov", name: "Government", wcag_level: "AAA" }),
  );
  await t.step("listed with source user", async () => {
    const r = await br(["design", "profiles", "--json"], { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as {
      id: string;
      source: string;
      primary: { light: string };
    }[];
    assert.deepEqual(list.map((x) => x.id), [...PROFILES, "gov"].sort());
    const hc = list.find((x) => x.id === "healthcare")!;
    assert.equal(hc.source, "user");
    assert.equal(hc.primary.light, "oklch(0.6 0.1 150)");
    assert.equal(list.find((x) => x.id === "saas")!.source, "builtin");
  });
  await t.step("used by generate, with contrast enforced on the user color", async () => {
    const r = await br(["design", "generate", "healthcare", "crm", "--json", "--out", "o"], {
      cwd: dir.path,
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const adj = out.adjustments.find((a: { role: string; mode: string }) =>
      a.role === "primary" && a.mode === "light"
    );
    assert.equal(adj.from, "oklch(0.600 0.100 150.0)");
    assert.ok(out.contrast.every((c: { passes: boolean }) => c.passes));
    const g = await br(["design", "generate", "gov", "crm", "--json", "--out", "g"], {
      cwd: dir.path,
    });
    assert.equal(JSON.parse(g.stdout).wcag_level, "AAA");
  });
  await t.step("an invalid user file is exit 3 naming file and field", async () => {
    await Deno.writeTextFile(
      join(design, "profiles", "bad.json"),
      JSON.stringify({ ...saas, id: "bad", wcag_level: "A" }),
    );
    const r = await br(["design", "profiles"], { cwd: dir.path });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /bad\.json: wcag_level/);
  });
});

Deno.test("br design generate takes industry, use case and overrides from PROJECT_SPEC.md, then config", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    join(dir.path, ".buildrunner", "config.yaml"),
    "design:\n  industry: fintech\n  use_case: crm\n  out: ui/theme\n",
  );
  const cfg = await br(["design", "generate", "--json"], { cwd: dir.path });
  assert.equal(cfg.code, 0, cfg.stderr);
  const c = JSON.parse(cfg.stdout);
  assert.deepEqual([c.industry, c.use_case, c.source.industry], ["fintech", "crm", "config"]);
  assert.equal(c.out_dir, join(dir.path, "ui", "theme"));

  await Deno.writeTextFile(
    join(dir.path, "PROJECT_SPEC.md"),
    [
      "---",
      "status: draft",
      "industry: Real Estate",
      "use_case: marketplace",
      "---",
      "# Homes",
      "## Overview",
      "x",
      "## Design",
      "Industry and use case are in the front matter.",
      "```yaml",
      "radius_rem: 1",
      "colors:",
      "  dark:",
      '    primary: "oklch(0.3 0.1 165)"',
      "```",
      "## Non-functional",
      "```yaml",
      "radius_rem: 2",
      "```",
      "",
    ].join("\n"),
  );
  const spec = await br(["design", "generate", "--json"], { cwd: dir.path });
  assert.equal(spec.code, 0, spec.stderr);
  const s = JSON.parse(spec.stdout);
  assert.deepEqual([s.industry, s.use_case], ["real-estate", "marketplace"]);
  assert.deepEqual(s.source, { industry: "spec", use_case: "spec" });
  const overrides = s.issues.filter((i: { kind: string }) => i.kind === "override");
  assert.deepEqual(overrides.map((i: { subject: string }) => i.subject), [
    "colors.dark.primary",
    "radius",
  ]);
  const theme = await Deno.readTextFile(join(dir.path, "ui", "theme", "theme.css"));
  assert.match(theme, /--radius-lg: 1rem;/);
  // An argument beats the spec.
  const arg = await br(["design", "generate", "media", "--json", "--format", "dtcg"], {
    cwd: dir.path,
  });
  const a = JSON.parse(arg.stdout);
  assert.deepEqual([a.industry, a.source.industry, a.use_case], [
    "media",
    "argument",
    "marketplace",
  ]);
});

Deno.test("br design generate and preview as a subprocess (smoke)", async () => {
  await using dir = await tempDir();
  const r = await brProcess(
    ["design", "generate", "saas", "dashboard", "--format", "all", "--out", "out", "--json"],
    { cwd: dir.path },
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(
    out.files.map((f: { path: string }) => f.path.slice(dir.path.length + 1)),
    [
      "out/DESIGN.md",
      "out/tailwind.config.js",
      "out/theme-vars.css",
      "out/theme.css",
      "out/tokens.json",
    ],
  );
  const tokens = await readJson<{ color: { light: { primary: { $type: string } } } }>(
    join(dir.path, "out", "tokens.json"),
  );
  assert.equal(tokens.color.light.primary.$type, "color");
  const md = await Deno.readTextFile(join(dir.path, "out", "DESIGN.md"));
  assert.match(md, /# Design system: SaaS × Dashboard/);
  const p = await brProcess(["design", "preview", "saas", "dashboard", "--out", "p.html"], {
    cwd: dir.path,
  });
  assert.equal(p.code, 0, p.stderr);
  assert.match(p.stdout, /contrast pairs pass WCAG AA/);
  const html = await Deno.readTextFile(join(dir.path, "p.html"));
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /https?:\/\//, "self-contained: no network references");
});
